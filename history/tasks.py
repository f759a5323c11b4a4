"""Uploads nobody confirmed are deleted by the worker, hourly (Django's tasks API).

Like the daily link check (linkhealth/tasks.py), the clean-up keeps itself going: each run
queues the next one an hour later, and the worker (``manage.py run_worker``) queues one when it
starts if none is waiting. Pages already ignore an expired upload; this gives its space back.
``manage.py remove_expired_imports`` does the same at once, for instances without a worker.
"""

from datetime import datetime, timedelta

from django.tasks import TaskContext, task
from django.utils import timezone

from history.models import PendingImport
from worker.queue import enqueue_unless_waiting

EVERY = timedelta(hours=1)


def delete_expired_imports(*, now: datetime | None = None) -> int:
    deleted, _ = PendingImport.objects.expired(now=now).delete()
    return deleted


@task(takes_context=True)
def remove_expired_imports(context: TaskContext) -> dict:
    try:
        return {"deleted": delete_expired_imports()}
    finally:
        schedule_import_cleanup(after=EVERY, asking=str(context.task_result.id))


def schedule_import_cleanup(
    *, after: timedelta = timedelta(0), asking: str | None = None
) -> datetime | None:
    """Queue the clean-up to run ``after`` from now, unless one is waiting or running (other
    than ``asking``, the run that queues its successor).

    Returns when it will run, or None when nothing was queued (one is waiting, or the backend
    cannot run tasks later, like the immediate backend of development and tests).
    """
    return enqueue_unless_waiting(
        remove_expired_imports, lambda: timezone.now() + after, asking=asking
    )
