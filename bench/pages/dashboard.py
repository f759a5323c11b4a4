"""My progress (/me/) with a year of activity: render time and queries at 10 and 5,000 events.

Two learners of its own (so the roadmap page's learner is left as it is): one with 10 events,
one with 5,000 spread over the last year in Europe/Paris time, with progress and notes on
the real curriculum. /me/ must render in < 50 ms (median) for the second, and cost the same
number of queries for both: every figure on it comes from per-day aggregates, never from rows.
Both learners are deleted afterwards.
"""

from __future__ import annotations

import statistics
from datetime import timedelta

from bench.pages import Context, Line
from bench.report import percentile

BUDGET_RENDER_MS = 50.0  # median in-process render with 5,000 events over a year
SAMPLES = 50
EVENTS = 5_000


def _learner(email: str, events: int, resources: list, now):
    from django.test import Client

    from accounts.models import User
    from history.models import Event
    from roadmap.models import Note, Progress

    User.objects.filter(email=email).delete()
    user = User.objects.create_user(email=email, time_zone="Europe/Paris")
    statuses = ["done", "in_progress", "done", "skipped"]
    step = timedelta(days=365) / max(events, 1)
    Event.objects.bulk_create(
        (
            Event(
                user=user,
                resource=resources[n % len(resources)],
                kind="note" if n % 5 == 4 else "status",
                status="" if n % 5 == 4 else statuses[n % 4],
                created_at=now - step * n,
            )
            for n in range(events)
        ),
        batch_size=2000,
    )
    Progress.objects.bulk_create(
        Progress(user=user, resource=r, status="done") for r in resources[::2]
    )
    Note.objects.bulk_create(
        Note(user=user, resource=r, body="note", body_html="<p>note</p>") for r in resources[::5]
    )
    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(user)
    return user, client


def measure(ctx: Context) -> list[Line]:
    from django.db import connection
    from django.utils import timezone

    from roadmap.models import Resource

    resources = list(Resource.objects.published().filter(roadmap=ctx.roadmap_1x))
    now = timezone.now()
    few_user, few = _learner("dashboard-10@bench.invalid", 10, resources, now)
    many_user, many = _learner("dashboard-5000@bench.invalid", EVENTS, resources, now)
    try:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE history_event")
        queries = {"10": ctx.capture(few, "/me/"), "5000": ctx.capture(many, "/me/")}
        render = ctx.render_ms(many, "/me/", SAMPLES)
        ctx.details["dashboard"] = {
            "queries": queries,
            "render_ms": render,
            "profile_5000": ctx.profile(many, "/me/"),
        }
    finally:
        few_user.delete()
        many_user.delete()

    q10, q5000 = len(queries["10"]), len(queries["5000"])
    median, p95 = statistics.median(render), percentile(render, 95)
    return [
        Line(
            f"/me/ render, {EVENTS:,} events over a year",
            f"{median:.1f} ms (p95 {p95:.1f} ms)",
            f"< {BUDGET_RENDER_MS:.0f} ms (median)",
            median < BUDGET_RENDER_MS,
        ),
        Line(
            "/me/ queries at 10 and 5,000 events",
            f"{q10} and {q5000}",
            "equal",
            q10 == q5000,
        ),
    ]
