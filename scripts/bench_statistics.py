"""Benchmark of the admin's "Learner statistics" page and the roadmaps list, on PostgreSQL.

Run as ``.venv/bin/python scripts/bench_statistics.py [--database NAME] [--learners 10000]``.

It recreates its own database (``llm_roadmap_bench_statistics`` on 127.0.0.1:5432, user
postgres, unless ``--database`` names another), migrates it in production mode (``DEBUG=0``),
and builds a roadmap of 310 resources: the shipped curriculum copied ten times. Then
``--learners`` learners work through it the way people do, from the start, most of them
stopping early: each one's progress is a prefix of the reading order (done, some skipped, the
last one in progress), with a note on about one resource in twenty, and their last activity
spread over the past 120 days. Rows go in with COPY, so building takes seconds.

It measures in-process, with Django's test client and a signed-in curator: the statistics page's
and its CSV's median render time over ``--samples`` requests and their SQL queries, and the
signed-in ``/roadmaps/`` page's queries and render time with two and with six roadmaps. The
budget: the statistics page renders in under 500 ms with 10,000 learners and 310 resources, in
a constant number of queries. The database is dropped on exit unless ``--keep``.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
PG_PORT = 5432
PG_USER = "postgres"
DEFAULT_DB = "llm_roadmap_bench_statistics"
SLUG = "statistics-bench"
COPIES = 10
BUDGET_MS = 500.0


def admin_connection():
    import psycopg

    return psycopg.connect(
        host=HOST, port=PG_PORT, user=PG_USER, dbname="postgres", autocommit=True, connect_timeout=5
    )


def recreate_database(name: str) -> None:
    with admin_connection() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(name: str) -> None:
    with admin_connection() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def build(learners: int, seed: int) -> dict:
    """The 310-resource roadmap, a curator, and ``learners`` learners' progress and notes."""
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import User
    from roadmap.models import Progress, Resource, Roadmap, Section

    call_command("loaddata", "curriculum", verbosity=0)
    real = Roadmap.objects.get(slug="llm-roadmap")
    rng = random.Random(seed)
    with transaction.atomic():
        big = Roadmap.objects.create(slug=SLUG, title="Statistics bench", order=1000)
        sections = list(Section.objects.filter(roadmap=real).order_by("order", "pk"))
        resources = list(Resource.objects.filter(roadmap=real).order_by("order", "pk"))
        copies = []
        for k in range(COPIES):
            mapping: dict[int, Section] = {}
            for s in sections:  # in order, parents first
                mapping[s.pk] = Section.objects.create(
                    roadmap=big,
                    parent=mapping.get(s.parent_id),
                    title=f"{s.title} ({k + 1})",
                    slug=f"c{k}-{s.slug}"[:80],
                    intro=s.intro,
                    group_intros=s.group_intros,
                    order=k * 1000 + s.order,
                )
            copies += [
                Resource(
                    roadmap=big,
                    section=mapping[r.section_id],
                    title=r.title,
                    url=f"{r.url}#copy-{k}",
                    author=r.author,
                    description=r.description,
                    kind=r.kind,
                    level=r.level,
                    order=r.order,
                )
                for r in resources
            ]
        Resource.objects.bulk_create(copies)
        curator = User.objects.create_user(email="curator@bench.invalid", is_staff=True)
        unusable = make_password(None)
        now = timezone.now()
        User.objects.bulk_create(
            [
                User(email=f"learner{n}@bench.invalid", password=unusable, date_joined=now)
                for n in range(learners)
            ],
            batch_size=2000,
        )

    from roadmap.outline import curriculum_of

    big.refresh_from_db()
    order = [r.pk for r in curriculum_of(big).resources]
    ids = list(User.objects.filter(email__startswith="learner").values_list("pk", flat=True))
    progress_rows, note_rows = 0, 0
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor, for COPY
        with (
            raw.copy(
                "COPY roadmap_progress (user_id, resource_id, status, bookmark, created_at, "
                "updated_at) FROM STDIN"
            ) as copy,
        ):
            notes = []
            for user_id in ids:
                # Most learners stop early, a few go far: a long-tailed prefix of the roadmap.
                length = min(len(order), 1 + int(rng.expovariate(1 / 40)))
                last = now - timedelta(days=rng.uniform(0, 120))
                for i, resource_id in enumerate(order[:length]):
                    at = last - timedelta(hours=6 * (length - 1 - i))
                    if i == length - 1 and length < len(order):
                        status = Progress.Status.IN_PROGRESS
                    else:
                        status = (
                            Progress.Status.SKIPPED if rng.random() < 0.08 else Progress.Status.DONE
                        )
                    copy.write_row((user_id, resource_id, status, "", at, at))
                    progress_rows += 1
                    if rng.random() < 0.05:
                        notes.append((user_id, resource_id, at))
        with raw.copy(
            "COPY roadmap_note (user_id, resource_id, body, body_html, created_at, updated_at) "
            "FROM STDIN"
        ) as copy:
            for user_id, resource_id, at in notes:
                copy.write_row((user_id, resource_id, "A note.", "<p>A note.</p>", at, at))
                note_rows += 1
    # What autovacuum does to freshly loaded tables, so that the plans are those of a live site.
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return {
        "curator": curator,
        "learner_id": ids[0],
        "resources": len(order),
        "progress": progress_rows,
        "notes": note_rows,
    }


def timed(client, url: str, samples: int) -> tuple[float, int, int]:
    """Median milliseconds over ``samples`` requests after two warm-ups, queries, bytes."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):
        assert client.get(url).status_code == 200, url
    times = []
    for _ in range(samples):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, url
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return statistics.median(times), len(queries), len(response.content)


def roadmaps_list(client, samples: int) -> list[tuple[int, float, int]]:
    """Queries and median render of /roadmaps/ for a learner with two and six roadmaps."""
    from roadmap.models import Resource, Roadmap, Section

    rows = []
    for wanted in (2, 6):
        while (n := Roadmap.objects.published().count()) < wanted:
            roadmap = Roadmap.objects.create(slug=f"extra-{n}", title=f"Extra {n}", order=2000 + n)
            section = Section.objects.create(roadmap=roadmap, title="Part", slug="part")
            Resource.objects.bulk_create(
                Resource(roadmap=roadmap, section=section, title=f"R{i}", url=f"https://x.test/{i}")
                for i in range(20)
            )
        ms, queries, _ = timed(client, "/roadmaps/", samples)
        rows.append((wanted, ms, queries))
    return rows


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default=DEFAULT_DB, help="Database to (re)create and drop.")
    parser.add_argument("--learners", type=int, default=10_000)
    parser.add_argument("--samples", type=int, default=7)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--keep", action="store_true", help="Leave the database in place.")
    args = parser.parse_args(argv)
    if args.database in {"llm_roadmap_bench", "postgres"}:
        parser.error(f"{args.database} belongs to someone else; name a database of its own.")

    static_root = Path(tempfile.mkdtemp(prefix="bench-statistics-"))
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "roadmap.settings",
            "DATABASE_URL": f"postgres://{PG_USER}@{HOST}:{PG_PORT}/{args.database}",
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": HOST,
            # Plain HTTP on loopback, as scripts/bench.py: no redirect to HTTPS.
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_HSTS_SECONDS": "0",
            "STATIC_ROOT": str(static_root),
        }
    )
    sys.path.insert(0, str(ROOT))
    recreate_database(args.database)
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.test import Client

        call_command("migrate", verbosity=0)
        call_command("collectstatic", verbosity=0, interactive=False)
        start = time.perf_counter()
        data = build(args.learners, args.seed)
        built = time.perf_counter() - start

        curator = Client(SERVER_NAME=HOST)
        curator.force_login(data["curator"])
        page = f"/admin/insights/learnerstatistics/?roadmap={SLUG}"
        page_ms, page_queries, page_bytes = timed(curator, page, args.samples)
        csv_url = f"/admin/insights/learnerstatistics/statistics.csv?roadmap={SLUG}"
        csv_ms, csv_queries, _ = timed(curator, csv_url, args.samples)

        from accounts.models import User

        learner = Client(SERVER_NAME=HOST)
        learner.force_login(User.objects.get(pk=data["learner_id"]))
        listing = roadmaps_list(learner, args.samples)

        print(
            f"Data: {args.learners:,} learners, {data['resources']} resources, "
            f"{data['progress']:,} progress rows, {data['notes']:,} notes (built in {built:.0f} s)"
        )
        print(f"{'page':<40}{'median ms':>10}{'queries':>9}")
        print(f"{'Learner statistics (admin)':<40}{page_ms:>10.1f}{page_queries:>9}")
        print(f"{'Learner statistics, CSV':<40}{csv_ms:>10.1f}{csv_queries:>9}")
        for count, ms, queries in listing:
            print(f"{f'/roadmaps/ signed in, {count} roadmaps':<40}{ms:>10.1f}{queries:>9}")
        constant = listing[0][2] == listing[1][2]
        verdict = "PASS" if page_ms < BUDGET_MS else "FAIL"
        print(f"Budget: statistics page < {BUDGET_MS:.0f} ms: {verdict} ({page_ms:.0f} ms)")
        verdict = "PASS" if constant else "FAIL"
        print(f"Budget: /roadmaps/ queries equal at 2 and 6 roadmaps: {verdict}")
        print(f"(statistics page: {page_bytes:,} bytes of HTML)")
        return 0
    finally:
        from django.db import connections

        connections.close_all()
        shutil.rmtree(static_root, ignore_errors=True)
        if not args.keep:
            drop_database(args.database)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
