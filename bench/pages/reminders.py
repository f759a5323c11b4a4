"""Weekly summaries for 10,000 learners: ``manage.py send_reminders`` as the worker runs it.

Each learner has a verified address, a weekly goal of three resources, the summary switched on
(weeks starting on Monday, in one of five time zones from UTC-5 to UTC+14) and three resources
done in the week summarised. The run is measured at 1,000 and at 10,000 learners: the queries
must grow by the same number per batch (``goals.reminders.BATCH`` learners), the process's peak
memory must grow by no more than a few batches' worth over the 10,000 (after the 1,000 set
it), and the whole run at 10,000 must stay within a budget. Emails go to Django's locmem
backend, which here counts each message once it is rendered into its bytes, but keeps none:
its outbox would otherwise hold all 10,000 and be the only thing measured. Everything made is
removed afterwards.
"""

from __future__ import annotations

import math
import resource
import time
from datetime import UTC, datetime, timedelta

from django.core.mail.backends import locmem

from bench.pages import Context, Line

FEW, MANY = 1_000, 10_000
BUDGET_S = 180.0
MAX_PER_BATCH = 12
GROWTH_BUDGET_MB = 40
EMAIL = "reminders-learner-{}@bench.invalid"
ZONES = ["UTC", "Europe/Paris", "America/New_York", "Asia/Tokyo", "Pacific/Kiritimati"]
# A Monday evening in UTC: 08:00 has passed on that Monday in every zone above.
NOW = datetime(2030, 1, 7, 21, tzinfo=UTC)


def measure(ctx: Context) -> list[Line]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, override_settings

    from goals.reminders import BATCH
    from goals.sending import send_due

    counted = CountingLocmem.counted

    def run() -> tuple[int, float, int, int]:
        """Queries, seconds, growth of the process's peak memory (bytes), emails sent."""
        _forget_deliveries()
        counted.clear()
        peak_before = _peak_rss()
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            report = send_due(NOW)
        seconds = time.perf_counter() - started
        if report.sent != sum(counted):
            raise AssertionError("a message reported sent never reached the backend")
        return len(queries), seconds, _peak_rss() - peak_before, report.sent

    backend = {"default": {"BACKEND": f"{__name__}.CountingLocmem"}}
    try:
        with override_settings(MAILERS=backend):
            _learners(ctx.roadmap_1x, 0, FEW)
            run()  # a warm-up: templates compiled, translations loaded
            few_queries, few_seconds, _, few_sent = run()
            _learners(ctx.roadmap_1x, FEW, MANY)
            many_queries, seconds, growth, many_sent = run()
    finally:
        _clean_up()

    few_batches, many_batches = math.ceil(FEW / BATCH), math.ceil(MANY / BATCH)
    per_batch, left = divmod(many_queries - few_queries, many_batches - few_batches)
    fixed = few_queries - few_batches * per_batch
    ctx.details["reminders"] = {
        "queries": [few_queries, many_queries],
        "seconds": [few_seconds, seconds],
        "peak_growth_bytes": growth,
        "sent": [few_sent, many_sent],
    }
    mb = 1024 * 1024
    return [
        Line(
            f"weekly summaries sent, {MANY:,} learners",
            f"{seconds:.1f} s ({many_sent:,} emails, {many_sent / seconds:,.0f} a second)",
            f"< {BUDGET_S:.0f} s, all sent",
            seconds < BUDGET_S and many_sent == MANY and few_sent == FEW,
        ),
        Line(
            f"their queries per batch of {BATCH}, at {FEW:,} and {MANY:,} learners",
            f"{per_batch} a batch + {fixed} ({few_queries} and {many_queries} in all)",
            f"the same per batch, at most {MAX_PER_BATCH}",
            left == 0 and per_batch <= MAX_PER_BATCH,
        ),
        Line(
            f"the process's peak memory over the {MANY:,}-learner run",
            f"+{growth / mb:.1f} MB",
            f"< +{GROWTH_BUDGET_MB} MB (batches, not all learners, in memory)",
            growth < GROWTH_BUDGET_MB * mb,
        ),
    ]


def _peak_rss() -> int:
    """The process's peak resident memory so far, in bytes (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


class CountingLocmem(locmem.EmailBackend):
    """locmem that renders each message into its bytes, as a real backend would, and counts
    it, without keeping it in ``mail.outbox``."""

    counted: list[int] = []

    def send_messages(self, messages) -> int:
        for message in messages:
            message.message().as_bytes()
        self.counted.append(len(messages))
        return len(messages)


def _learners(roadmap, start: int, stop: int) -> None:
    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction

    from accounts.models import User
    from goals.models import Goal
    from history.models import Event
    from roadmap.outline import curriculum_of

    order = [r.pk for r in curriculum_of(roadmap).resources]
    unusable = make_password(None)
    joined = NOW - timedelta(days=60)
    with transaction.atomic():
        users = User.objects.bulk_create(
            [
                User(
                    email=EMAIL.format(n),
                    password=unusable,
                    date_joined=joined,
                    time_zone=ZONES[n % len(ZONES)],
                )
                for n in range(start, stop)
            ],
            batch_size=2000,
        )
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users],
            batch_size=2000,
        )
        Goal.objects.bulk_create(
            [Goal(user=u, weekly_goal=3, weekly_summary=True) for u in users], batch_size=2000
        )
        ids = [user.pk for user in users]
        with connection.cursor() as cursor:
            # Three resources done on the Wednesday of the week summarised, an hour apart.
            cursor.execute(
                f"""
                INSERT INTO {Event._meta.db_table} (user_id, resource_id, kind, status, created_at)
                SELECT id, (%s::bigint[])[1 + (id + step * 7) %% %s], 'status', 'done',
                       %s + step * interval '1 hour'
                FROM unnest(%s::bigint[]) AS id, generate_series(0, 2) AS step
                """,  # noqa: S608 (a table name; every value is a parameter)
                [order, len(order), NOW - timedelta(days=5), ids],
            )


def _forget_deliveries() -> None:
    from goals.models import Delivery

    Delivery.objects.filter(user__email__startswith="reminders-learner-").delete()


def _clean_up() -> None:
    from django.db import connection

    from accounts.models import User

    learners = User.objects.filter(email__startswith="reminders-learner-")
    ids = list(learners.values_list("pk", flat=True))
    with connection.cursor() as cursor:
        # The ORM's cascade would read every row first; these are all the learners have.
        for table in (
            "history_event",
            "goals_delivery",
            "goals_goal",
            "account_emailaddress",
        ):
            cursor.execute(f"DELETE FROM {table} WHERE user_id = ANY(%s)", [ids])  # noqa: S608
    learners.delete()
