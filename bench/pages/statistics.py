"""The admin's "Learner statistics" page and its CSV at 10,000 learners, and ``/roadmaps/``.

Learners work through ``bench-10x`` (310 resources in 60 sections at the default scale) the way
people do, from the start, most of them stopping early: each one's progress is a prefix of the
reading order whose length has a long tail (40 resources on average; mostly done, 8% skipped,
the last one in progress), with a note on about one resource in twenty, and their last activity
spread over the past 120 days. The rows are made by PostgreSQL itself (``INSERT … SELECT`` over
``generate_series``), so building ~400,000 progress rows takes seconds.

The rows are written around the app's write path, so the learners' activity per section
(insights/section_activity.py) is rebuilt from them, as ``manage.py rebuild_section_activity``
would; that rebuild is what the first view after a curriculum edit costs, measured too, with a
budget.

The page is measured as a curator sees it: through the admin, by a staff user who has a second
factor (a TOTP authenticator, as ``MFA_REQUIRED_FOR_STAFF`` demands with ``DEBUG=0``), so the
middleware, the admin's own work and the template are all in the figure. The learners, their
rows and the extra roadmaps are removed afterwards, leaving the bench database as it was for
the modules that follow and for wrk.
"""

from __future__ import annotations

import statistics

from bench.pages import Context, Line
from bench.report import percentile

LEARNERS = 10_000
FIRST = 100  # the queries are counted at this many learners too: they must not grow
BUDGET_MS = 500.0  # median render of the statistics page at LEARNERS learners
REBUILD_BUDGET_MS = 2000.0  # the first view after a curriculum edit, rebuild included
REBUILD_SAMPLES = 3
SAMPLES = 7
EMAIL = "statistics-learner-{}@bench.invalid"
CURATOR = "statistics-curator@bench.invalid"


def measure(ctx: Context) -> list[Line]:
    from django.test import Client

    from insights import section_activity
    from roadmap.models import Roadmap

    big = ctx.roadmap_10x
    curator = _curator()
    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(curator)
    page = f"/admin/insights/learnerstatistics/?roadmap={big.slug}"
    csv = f"/admin/insights/learnerstatistics/statistics.csv?roadmap={big.slug}"
    extra: list[int] = []
    try:
        made = _learners(big, 0, FIRST)
        page_queries_few = ctx.queries(client, page)
        csv_queries_few = ctx.queries(client, csv)
        made = _add(made, _learners(big, FIRST, LEARNERS))
        section_activity.rebuild(big)
        page_queries = ctx.queries(client, page)
        csv_queries = ctx.queries(client, csv)
        page_ms = ctx.render_ms(client, page, SAMPLES)
        csv_ms = ctx.render_ms(client, csv, SAMPLES)
        # A touch of the roadmap before each request, as every save of a section or resource
        # does: each view rebuilds the learners' activity per section first.
        edit = Roadmap.objects.filter(pk=big.pk).touch
        rebuild_ms = ctx.render_ms(client, page, REBUILD_SAMPLES, forget=(edit,))

        # /roadmaps/ lists the published roadmaps with the learner's progress in each.
        listing = {}
        for wanted in (2, 6):
            while (n := Roadmap.objects.published().count()) < wanted:
                extra.append(_roadmap(n).pk)
            listing[wanted] = ctx.queries(ctx.client, "/roadmaps/")
        list_ms = ctx.render_ms(ctx.client, "/roadmaps/", SAMPLES * 3)
    finally:
        _clean_up(curator, extra)

    median, p95 = statistics.median(page_ms), percentile(page_ms, 95)
    ctx.details["statistics"] = {
        "data": made,
        "page_ms": page_ms,
        "csv_ms": csv_ms,
        "first_view_after_edit_ms": rebuild_ms,
        "queries": {
            "page": [page_queries_few, page_queries],
            "csv": [csv_queries_few, csv_queries],
            "roadmaps_list": listing,
        },
        "roadmaps_list_ms": list_ms,
    }
    learners = f"{LEARNERS:,} learners × {made['resources']} resources"
    return [
        Line(
            f"statistics page, {learners}",
            f"{median:.0f} ms (p95 {p95:.0f} ms; {made['progress']:,} progress rows)",
            f"< {BUDGET_MS:.0f} ms (median)",
            median < BUDGET_MS,
        ),
        Line(
            "its CSV",
            f"{statistics.median(csv_ms):.0f} ms (p95 {percentile(csv_ms, 95):.0f} ms)",
            f"< {BUDGET_MS:.0f} ms (median)",
            statistics.median(csv_ms) < BUDGET_MS,
        ),
        Line(
            "its first view after a curriculum edit (rebuilds the activity per section)",
            f"{statistics.median(rebuild_ms):,.0f} ms (median of {REBUILD_SAMPLES})",
            f"< {REBUILD_BUDGET_MS:,.0f} ms",
            statistics.median(rebuild_ms) < REBUILD_BUDGET_MS,
        ),
        Line(
            f"statistics queries equal at {FIRST} and {LEARNERS:,} learners",
            f"page {page_queries_few} and {page_queries}, CSV {csv_queries_few} and {csv_queries}",
            "equal",
            page_queries_few == page_queries and csv_queries_few == csv_queries,
        ),
        Line(
            "/roadmaps/ queries equal at 2 and 6 roadmaps",
            f"{listing[2]} and {listing[6]} ({statistics.median(list_ms):.1f} ms)",
            "equal",
            listing[2] == listing[6],
        ),
    ]


def _curator():
    """A staff superuser with a TOTP authenticator: what the admin lets in with DEBUG=0."""
    from allauth.mfa.models import Authenticator

    from accounts.models import User

    user = User.objects.create_user(email=CURATOR, is_staff=True, is_superuser=True)
    # allauth keeps the TOTP secret in data["secret"]; the bench never signs in with it, the
    # middleware only asks whether the authenticator exists.
    Authenticator.objects.create(
        user=user, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"}
    )
    return user


def _learners(roadmap, start: int, stop: int) -> dict:
    """Learners ``start`` to ``stop - 1``, their progress through ``roadmap`` and notes."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import User
    from roadmap.models import Note, Progress
    from roadmap.outline import curriculum_of

    order = [r.pk for r in curriculum_of(roadmap).resources]
    unusable, now = make_password(None), timezone.now()
    with transaction.atomic():
        users = User.objects.bulk_create(
            [
                User(email=EMAIL.format(n), password=unusable, date_joined=now)
                for n in range(start, stop)
            ],
            batch_size=2000,
        )
        ids = [user.pk for user in users]
        done, skipped = Progress.Status.DONE, Progress.Status.SKIPPED
        with connection.cursor() as cursor:
            cursor.execute("SELECT setseed(%s)", [start / LEARNERS])
            # A learner's last activity and how far they went (1 + exponential, mean 40), then
            # one row per resource of that prefix, six hours apart, the last one in progress.
            cursor.execute(
                f"""
                WITH learner AS MATERIALIZED (
                    SELECT id AS user_id,
                           LEAST(%s, 1 + floor(-40 * ln(1 - random())))::int AS length,
                           %s - random() * interval '120 days' AS last
                    FROM unnest(%s::bigint[]) AS id
                ), resource AS (
                    SELECT * FROM unnest(%s::bigint[]) WITH ORDINALITY AS r(resource_id, pos)
                )
                INSERT INTO {Progress._meta.db_table}
                    (user_id, resource_id, status, bookmark, created_at, updated_at)
                SELECT l.user_id, r.resource_id,
                       CASE WHEN r.pos = l.length AND l.length < %s THEN %s
                            WHEN random() < 0.08 THEN %s ELSE %s END,
                       '', l.last - (l.length - r.pos) * interval '6 hours',
                       l.last - (l.length - r.pos) * interval '6 hours'
                FROM learner l JOIN resource r ON r.pos <= l.length
                """,  # noqa: S608 (a table name; every value is a parameter)
                [
                    len(order),
                    now,
                    ids,
                    order,
                    len(order),
                    Progress.Status.IN_PROGRESS,
                    skipped,
                    done,
                ],
            )
            progress = cursor.rowcount
            cursor.execute(
                f"""
                INSERT INTO {Note._meta.db_table}
                    (user_id, resource_id, body, body_html, created_at, updated_at)
                SELECT user_id, resource_id, 'A note.', '<p>A note.</p>', updated_at, updated_at
                FROM {Progress._meta.db_table}
                WHERE user_id = ANY(%s) AND random() < 0.05
                """,  # noqa: S608
                [ids],
            )
            notes = cursor.rowcount
    with connection.cursor() as cursor:
        # What autovacuum does to freshly loaded tables (it vacuums after inserts too, which
        # lets index-only scans skip the table), so that the plans are a live site's.
        cursor.execute(f"VACUUM ANALYZE {Progress._meta.db_table}, {Note._meta.db_table}")
    return {"learners": len(ids), "resources": len(order), "progress": progress, "notes": notes}


def _add(a: dict, b: dict) -> dict:
    return {key: a[key] + b[key] if key != "resources" else b[key] for key in a}


def _roadmap(n: int):
    from roadmap.models import Resource, Roadmap, Section

    roadmap = Roadmap.objects.create(slug=f"extra-{n}", title=f"Extra {n}", order=2000 + n)
    section = Section.objects.create(roadmap=roadmap, title="Part", slug="part")
    Resource.objects.bulk_create(
        Resource(roadmap=roadmap, section=section, title=f"R{i}", url=f"https://x.test/{i}")
        for i in range(20)
    )
    return roadmap


def _clean_up(curator, extra: list[int]) -> None:
    from django.db import connection

    from accounts.models import User
    from roadmap.models import Resource, Roadmap, Section

    # Sections and resources protect their roadmap: children first.
    Resource.objects.filter(roadmap_id__in=extra).delete()
    Section.objects.filter(roadmap_id__in=extra).delete()
    Roadmap.objects.filter(pk__in=extra).delete()
    learners = User.objects.filter(email__startswith="statistics-learner-")
    with connection.cursor() as cursor:
        # Deleting ~400,000 rows through the ORM's cascade would take minutes; the rows the
        # cascade would reach are these two tables' (the learners have nothing else).
        ids = list(learners.values_list("pk", flat=True))
        cursor.execute("DELETE FROM roadmap_note WHERE user_id = ANY(%s)", [ids])
        cursor.execute("DELETE FROM insights_sectionactivity WHERE user_id = ANY(%s)", [ids])
        cursor.execute("DELETE FROM roadmap_progress WHERE user_id = ANY(%s)", [ids])
    learners.delete()
    curator.delete()
