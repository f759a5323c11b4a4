"""Reminders on the worker: a task that sends what is due, then queues its next run.

Like the daily link check (linkhealth/tasks.py), it keeps itself going: each run queues the
next one at the following quarter hour, and a starting worker queues one if none is waiting
(``worker.signals.worker_starting``). Quarter hours, because summaries are due at 08:00 local
time and some time zones are 30 or 45 minutes off the hour. A run with nothing due reads the
learners who want email, a batch at a time, and writes nothing.
"""

from datetime import datetime, timedelta

from django.tasks import TaskContext, task
from django.utils import timezone

from goals.sending import send_due
from worker.queue import enqueue_unless_waiting

EVERY = timedelta(minutes=15)


def next_quarter_hour(now: datetime | None = None) -> datetime:
    now = now or timezone.now()
    floor = now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0)
    return floor + EVERY


@task(takes_context=True)
def send_reminders(context: TaskContext) -> dict:
    try:
        report = send_due()
        return {
            "claimed": report.claimed,
            "sent": report.sent,
            "skipped": report.skipped,
            "retrying": report.retrying,
            "failed": report.failed,
        }
    finally:
        schedule_reminders()


def schedule_reminders() -> datetime | None:
    """Queue the next run unless one is waiting; when it will run, or None."""
    return enqueue_unless_waiting(send_reminders, next_quarter_hour)
