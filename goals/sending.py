"""Sending what is due, once: claim, send, retry.

1. Claim: for each batch of due emails (goals/reminders.py), insert a ``Delivery`` row per
   (learner, kind, period), ignoring the ones that exist (ON CONFLICT DO NOTHING on the unique
   constraint). Two runs at once both try; each row exists once.
2. Send: take waiting rows a batch at a time, locked with ``SELECT … FOR UPDATE SKIP LOCKED``,
   so that a second worker takes other rows instead of waiting for (and then re-sending) these.
   Each email goes out on its own; one that fails is marked for a retry later (doubling waits,
   ``Delivery.MAX_ATTEMPTS`` in all) and the others carry on.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.core.mail import mailers
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from goals.emails import Composer, address_verified
from goals.models import Delivery
from goals.reminders import BATCH, Due, due_at

log = logging.getLogger(__name__)


@dataclass
class Report:
    due: list[Due] = field(default_factory=list)  # filled on a dry run only
    claimed: int = 0
    sent: int = 0
    skipped: int = 0
    retrying: int = 0
    failed: int = 0


def claim(due: list[Due], now: datetime) -> None:
    Delivery.objects.bulk_create(
        [
            Delivery(
                user_id=d.goal.user_id,
                kind=d.kind,
                period=d.period,
                next_attempt_at=now,
                created_at=now,
            )
            for d in due
        ],
        ignore_conflicts=True,
    )


def send_waiting(now: datetime, report: Report, *, batch: int = BATCH) -> None:
    composer = Composer(now)
    # One connection for the run (SMTP's login is the slow part), reopened after a failure.
    mailer = mailers.default
    try:
        _send_batches(now, report, composer, mailer, batch)
    finally:
        mailer.close()


def _send_batches(now: datetime, report: Report, composer: Composer, mailer, batch: int) -> None:
    while True:
        with transaction.atomic():
            rows = list(
                Delivery.objects.ready(now)
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("user__goal")
                .annotate(address_verified=address_verified())
                .order_by("pk")[:batch]
            )
            if not rows:
                return
            data = composer.load(rows)
            for row in rows:
                _send_one(row, composer, data, mailer, now, report)
            _record(rows)


def _record(rows: list[Delivery]) -> None:
    """Write the batch's outcomes: one UPDATE for the sent, one for the skipped, and one per
    failure (rare, and each with its own error and time to retry)."""
    by_status: dict[str, list[int]] = {}
    for row in rows:
        if row.status in (Delivery.Status.SENT, Delivery.Status.SKIPPED):
            by_status.setdefault(row.status, []).append(row.pk)
        else:
            Delivery.objects.filter(pk=row.pk).update(
                status=row.status,
                attempts=row.attempts,
                next_attempt_at=row.next_attempt_at,
                last_error=row.last_error,
            )
    if sent := by_status.get(Delivery.Status.SENT):
        Delivery.objects.filter(pk__in=sent).update(
            status=Delivery.Status.SENT,
            attempts=F("attempts") + 1,
            sent_at=timezone.now(),
            last_error="",
        )
    if skipped := by_status.get(Delivery.Status.SKIPPED):
        Delivery.objects.filter(pk__in=skipped).update(
            status=Delivery.Status.SKIPPED, attempts=F("attempts") + 1
        )


def _send_one(row: Delivery, composer, data, mailer, now: datetime, report: Report) -> None:
    row.attempts += 1
    try:
        message = composer.message(row, data)
        if message is None:
            row.status = Delivery.Status.SKIPPED
            report.skipped += 1
            return
        if mailer.send_messages([message]) != 1:
            raise RuntimeError("the mail backend did not take the message")
    except Exception as error:  # one learner's failure never stops the others
        mailer.close()  # a connection in an unknown state is not reused
        log.warning("Sending %s to user %s failed: %r", row.kind, row.user_id, error)
        row.last_error = repr(error)[:500]
        if row.attempts >= Delivery.MAX_ATTEMPTS:
            row.status = Delivery.Status.FAILED
            report.failed += 1
        else:
            row.next_attempt_at = now + row.retry_after()
            report.retrying += 1
        return
    row.status = Delivery.Status.SENT
    report.sent += 1


def send_due(now: datetime | None = None, *, dry_run: bool = False, batch: int = BATCH) -> Report:
    """Send every email due at ``now`` (default: the real time) and retries that are ready.

    A dry run records and sends nothing, and lists what would go. Learners are read, and emails
    sent, ``batch`` at a time; each batch costs the same queries.
    """
    now = now or timezone.now()
    report = Report()
    for due in due_at(now, batch=batch):
        if dry_run:
            report.due.extend(due)
        else:
            claim(due, now)
            report.claimed += len(due)
    if not dry_run:
        send_waiting(now, report, batch=batch)
    return report
