"""Load and size benchmark of LLM Roadmap in production mode, on this machine.

Run as ``make bench`` or ``.venv/bin/python scripts/bench.py [--duration 10] [--connections 16]``.

In one run it:

1. recreates the PostgreSQL database ``llm_roadmap_bench`` on 127.0.0.1:5432 (user postgres),
   migrates it, collects static files, applies the curriculum, and adds ``bench-10x``: the real
   roadmap copied ``--scale`` times, and a learner with every status (40% done, 10% in progress,
   10% skipped), bookmarks on 10% and notes on 10% of it;
2. measures in-process, with Django's test client: the roadmap page's SQL queries at 1x and 10x
   and its server render time at 10x for the signed-in learner;
3. starts gunicorn with the production config (``roadmap.gunicorn_conf``) on a free loopback
   port and runs wrk against a bare Django view (``/bench/ok/``, the framework's ceiling through
   the same middleware), ``/healthz``, the roadmap pages anonymously and signed in, and the
   htmx check-off POST; then the bare view and the signed-in roadmap again, back to back, until
   each has ``--rounds`` runs (the throughput budget is the median of those pairs' ratios);
4. sums the compressed bytes a first visit to ``/`` transfers;
5. prints one table and the performance budgets, PASS or FAIL.

It is a report: it exits 0 even when a budget fails, and non-zero only when it cannot measure.
gunicorn is stopped, the database dropped and the temporary folder removed on every exit.
"""

# ruff: noqa: S603, S607  -- runs fixed local commands (manage.py, gunicorn, wrk) by design.

from __future__ import annotations

import argparse
import contextlib
import cProfile
import gzip
import http.client
import io
import json
import os
import platform
import pstats
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
HOST = "127.0.0.1"  # everything stays on loopback
PG_PORT = 5432
PG_USER = "postgres"
DB_NAME = "llm_roadmap_bench"
DATABASE_URL = f"postgres://{PG_USER}@{HOST}:{PG_PORT}/{DB_NAME}"
BIG_SLUG = "bench-10x"
LEARNER_EMAIL = "learner@bench.invalid"
RENDER_SAMPLES = 50
RENDER_WARMUP = 5

# Budgets: what the signed-in roadmap page at 10x the curriculum must stay within.
BUDGET_SHARE_OF_BARE = 15.0  # % of the bare view's requests per second
AIM_SHARE_OF_BARE = 25.0
BUDGET_P99_MS = 100.0  # at 16 connections
BUDGET_RENDER_MS = 25.0  # median in-process render at 10x
BUDGET_QUERIES = 6
BUDGET_FIRST_VISIT_BYTES = 150_000  # 150 kB, compressed, HTML + its CSS, JS and icons


class BenchError(Exception):
    """Something prevented a measurement; the message says what."""


# --------------------------------------------------------------------------------------------
# Inside Django: run as ``python -m scripts.bench --internal TASK OUT`` with the bench settings.
# Output goes to the file OUT, never stdout, which Django's logging shares.
# --------------------------------------------------------------------------------------------


def _internal_gunicorn_conf() -> dict:
    import roadmap.gunicorn_conf as conf

    return {
        "worker_class": getattr(conf, "worker_class", "sync"),
        "threads": getattr(conf, "threads", 1),
        "workers": getattr(conf, "workers", 1),
        "timeout": getattr(conf, "timeout", 30),
        "keepalive": getattr(conf, "keepalive", 2),
        "accesslog": getattr(conf, "accesslog", None),
    }


def _copy_url(url: str, copy: int) -> str:
    parts = urlsplit(url)
    query = urlencode([*parse_qsl(parts.query, keep_blank_values=True), ("bench-copy", copy)])
    return urlunsplit(parts._replace(query=query))


def _internal_prepare(scale: int) -> dict:
    """Build bench-10x and the learner, sign the learner in, measure queries and render time."""
    import django

    django.setup()

    from django.db import connection, transaction
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from roadmap import fragments, pagecache
    from roadmap.markdown import render_markdown
    from roadmap.models import Note, Progress, Resource, Roadmap, Section
    from roadmap.outline import forget_curricula

    real = Roadmap.objects.published().first()
    if real is None:
        raise BenchError("sync_curriculum left no published roadmap to copy.")

    with transaction.atomic():
        big = Roadmap.objects.create(
            slug=BIG_SLUG,
            title=f"{real.title} ×{scale} (bench)",
            description=real.description,
            order=real.order + 1000,  # the home page stays the real, 1x roadmap
            is_published=True,
        )
        sections = list(Section.objects.filter(roadmap=real).order_by("order", "pk"))
        resources = list(Resource.objects.filter(roadmap=real).order_by("order", "pk"))
        span = max((s.order for s in sections), default=0) + 1
        copies: list[Resource] = []
        for k in range(1, scale + 1):
            mapping: dict[int, Section] = {}
            pending = sections[:]
            while pending:  # parents before their children
                ready = [s for s in pending if s.parent_id is None or s.parent_id in mapping]
                if not ready:
                    raise BenchError("The curriculum's sections nest in a cycle.")
                for s in ready:
                    mapping[s.pk] = Section.objects.create(
                        roadmap=big,
                        parent=mapping.get(s.parent_id),
                        title=s.title if k == 1 else f"{s.title} ({k})",
                        slug=f"x{k}-{s.slug}"[:80],
                        intro=s.intro,
                        group_intros=s.group_intros,
                        order=k * span + s.order,
                        is_published=s.is_published,
                    )
                    pending.remove(s)
            copies += [
                Resource(
                    roadmap=big,
                    section=mapping[r.section_id],
                    title=r.title,
                    url=_copy_url(r.url, k),
                    author=r.author,
                    description=r.description,
                    kind=r.kind,
                    level=r.level,
                    order=r.order,
                    is_published=r.is_published,
                )
                for r in resources
            ]
        Resource.objects.bulk_create(copies)

        learner = User.objects.create_user(email=LEARNER_EMAIL)  # no password: force_login
        progress, notes = [], []
        for roadmap in (real, big):
            ordered = Resource.objects.filter(roadmap=roadmap).order_by(
                "section__order", "order", "pk"
            )
            for i, resource in enumerate(ordered):
                # All four statuses (40% done, 10% in progress, 10% skipped, the rest not
                # started) and a bookmark on 10%: the in-progress ones, as a learner would.
                if i % 5 in (0, 1):
                    progress.append(Progress(user=learner, resource=resource))
                elif i % 10 == 2:
                    progress.append(
                        Progress(
                            user=learner,
                            resource=resource,
                            status=Progress.Status.IN_PROGRESS,
                            bookmark=f"video {i % 12 + 1}, {i % 60}:40",
                        )
                    )
                elif i % 10 == 3:
                    progress.append(
                        Progress(user=learner, resource=resource, status=Progress.Status.SKIPPED)
                    )
                if i % 10 == 2:  # 10%
                    body = f"Note {i}: the **key idea**, and [a link](https://example.com/{i})."
                    notes.append(Note(user=learner, resource=resource, body=body, body_html=""))
        for note in notes:
            note.body_html = render_markdown(note.body)
        Progress.objects.bulk_create(progress)
        Note.objects.bulk_create(notes)

    big_resources = Resource.objects.published().filter(roadmap=big)
    done_ids = set(
        Progress.objects.filter(user=learner).done().values_list("resource_id", flat=True)
    )
    candidates = [
        r.pk
        for r in big_resources.filter(section__parent__isnull=False).order_by("order", "pk")
        if r.pk in done_ids
    ]
    post_resource_id = candidates[len(candidates) // 2]

    # Django's test client says Host: testserver; the bench allows only 127.0.0.1.
    anon = Client(SERVER_NAME=HOST)
    client = Client(SERVER_NAME=HOST)
    client.force_login(learner)
    small_url, big_url = real.get_absolute_url(), big.get_absolute_url()
    page = client.get(big_url)
    if page.status_code != 200:
        raise BenchError(f"The signed-in learner got {page.status_code} from {big_url}.")
    html = page.content.decode()
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if match is None or "csrftoken" not in client.cookies:
        raise BenchError("The signed-in roadmap page carries no CSRF token.")

    def capture(c: Client, url: str) -> list[dict]:
        """The queries one request makes, each timed from execute() to its return."""
        timed: list[float] = []

        def timer(execute, sql, params, many, context):
            start = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                timed.append((time.perf_counter() - start) * 1000)

        c.get(url)  # both sizes measured warm: the curriculum is read once per content version
        with CaptureQueriesContext(connection) as queries, connection.execute_wrapper(timer):
            response = c.get(url)
        if response.status_code != 200:
            raise BenchError(f"{url} answered {response.status_code} in-process.")
        if len(timed) != len(queries.captured_queries):
            timed = [float(q["time"]) * 1000 for q in queries.captured_queries]
        return [
            {"sql": q["sql"], "ms": ms}
            for q, ms in zip(queries.captured_queries, timed, strict=True)
        ]

    def timings(c: Client, url: str, samples: int, forget: tuple = ()) -> list[float]:
        """Request times; ``forget`` names the caches emptied before each request."""
        for _ in range(RENDER_WARMUP):
            c.get(url)
        out = []
        for _ in range(samples):
            for clear in forget:
                clear()
            start = time.perf_counter()
            response = c.get(url)
            out.append((time.perf_counter() - start) * 1000)
            if response.status_code != 200:
                raise BenchError(f"{url} answered {response.status_code} in-process.")
        return out

    def profile(c: Client, url: str, requests: int = 5) -> dict:
        """Where one request's time goes, by cProfile (which slows everything down evenly)."""
        c.get(url)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(requests):
            c.get(url)
        profiler.disable()
        stats = pstats.Stats(profiler)
        total = sum(tt for _, _, tt, _, _ in stats.stats.values()) or 1

        def cumulative(path_end: str, name: str) -> float:
            return sum(
                ct
                for (filename, _, funcname), (_, _, _, ct, _) in stats.stats.items()
                if filename.endswith(path_end) and funcname == name
            )

        out = io.StringIO()
        stats.stream = out
        stats.sort_stats("tottime").print_stats(15)
        return {
            "template_render": cumulative("django/template/backends/django.py", "render") / total,
            "build_outline": cumulative("roadmap/outline.py", "build_outline") / total,
            "top_tottime": out.getvalue(),
        }

    return {
        "roadmap_1x": real.slug,
        "resources_1x": Resource.objects.published().filter(roadmap=real).count(),
        "resources_10x": big_resources.count(),
        "sections_10x": Section.objects.published().filter(roadmap=big).count(),
        "progress_10x": dict(
            Progress.objects.filter(user=learner, resource__roadmap=big)
            .values_list("status")
            .annotate(n=Count("pk"))
        ),
        "bookmarks_10x": Progress.objects.filter(user=learner, resource__roadmap=big)
        .exclude(bookmark="")
        .count(),
        "notes_10x": Note.objects.filter(user=learner, resource__roadmap=big).count(),
        "sessionid": client.cookies["sessionid"].value,
        "csrf_cookie": client.cookies["csrftoken"].value,
        "csrf_token": match.group(1),
        "post_resource_id": post_resource_id,
        "page_bytes_10x_signed_in": len(page.content),
        "queries": {
            "learner_1x": capture(client, small_url),
            "learner_10x": capture(client, big_url),
            "anon_1x": capture(anon, small_url),
            "anon_10x": capture(anon, big_url),
        },
        "render_ms": {
            # A page render as after the learner's own change: no cached page for the new state.
            "learner_10x": timings(client, big_url, RENDER_SAMPLES, (pagecache.clear,)),
            "learner_1x": timings(client, small_url, RENDER_SAMPLES // 2, (pagecache.clear,)),
            "anon_10x": timings(anon, big_url, RENDER_SAMPLES // 2, (pagecache.clear,)),
            # After a curriculum edit: nothing cached at all.
            "learner_10x_cold": timings(
                client,
                big_url,
                RENDER_SAMPLES // 2,
                (pagecache.clear, fragments.clear, forget_curricula),
            ),
            # Served from the page cache: the learner reloads, or comes back unchanged.
            "learner_10x_cached": timings(client, big_url, RENDER_SAMPLES // 2),
        },
        "profile_10x": profile(client, big_url),
    }


def internal(task: str, out: str, scale: int) -> int:
    tasks = {"gunicorn-conf": _internal_gunicorn_conf, "prepare": lambda: _internal_prepare(scale)}
    Path(out).write_text(json.dumps(tasks[task]()))
    return 0


# --------------------------------------------------------------------------------------------
# Outside: the orchestration, in the caller's Python, with no Django imported.
# --------------------------------------------------------------------------------------------


def step(message: str) -> None:
    print(f"==> {message}", flush=True)


def bench_env(tmp: Path, secret_key: str) -> dict[str, str]:
    """Production settings from scratch: nothing from the caller's shell but the basics."""
    env = {k: os.environ[k] for k in ("HOME", "LANG", "LC_ALL", "TMPDIR", "TZ") if k in os.environ}
    # Tuning knobs pass through, so that variants can be compared: GUNICORN_THREADS=8 make bench.
    env |= {k: v for k, v in os.environ.items() if k.startswith(("GUNICORN_", "DB_"))}
    env |= {
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
        "PYTHONPATH": str(ROOT),
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1",
        "DJANGO_SETTINGS_MODULE": "scripts.bench_settings",
        "DEBUG": "0",
        "SECRET_KEY": secret_key,
        "ALLOWED_HOSTS": HOST,
        # Plain HTTP on loopback: no redirect to HTTPS, no HSTS. Session and CSRF cookies stay
        # Secure (settings.py has no switch for that): wrk and the test client send them anyway.
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "DATABASE_URL": DATABASE_URL,
        "STATIC_ROOT": str(tmp / "staticfiles"),
    }
    return env


def run(
    args: list[str], env: dict[str, str], timeout: float, what: str
) -> subprocess.CompletedProcess:
    try:
        result = subprocess.run(
            args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise BenchError(f"{what} took longer than {timeout:.0f}s") from exc
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-30:])
        raise BenchError(f"{what} failed (exit {result.returncode}):\n{tail}")
    return result


def internal_task(task: str, env: dict[str, str], tmp: Path, scale: int, timeout: float) -> dict:
    out = tmp / f"{task}.json"
    args = [sys.executable, "-m", "scripts.bench", "--internal", task, str(out)]
    run([*args, "--scale", str(scale)], env, timeout, f"the {task} step")
    return json.loads(out.read_text())


def admin_connection():
    import psycopg

    try:
        return psycopg.connect(
            host=HOST, port=PG_PORT, user=PG_USER, dbname="postgres", connect_timeout=5,
            autocommit=True,
        )  # fmt: skip
    except psycopg.OperationalError as exc:
        raise BenchError(
            f"PostgreSQL does not answer at {HOST}:{PG_PORT} as {PG_USER}: {exc}".strip()
        ) from exc


def recreate_database() -> str:
    with admin_connection() as conn:
        conn.execute("SET statement_timeout = '30s'")
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
        return conn.execute("SELECT version()").fetchone()[0]


def drop_database() -> None:
    with admin_connection() as conn:
        conn.execute("SET statement_timeout = '30s'")
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes


def request(
    port: int,
    path: str,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    body: str | None = None,
    timeout: float = 10,
) -> Response:
    # http.client rather than urllib: no proxy from the environment, no decompression.
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        return Response(r.status, {k.lower(): v for k, v in r.getheaders()}, r.read())
    finally:
        conn.close()


class Gunicorn:
    def __init__(self, env: dict[str, str], workers: int, worker_class: str, log: Path) -> None:
        self.port = free_port()
        self.log = log
        env = env | {"WEB_CONCURRENCY": str(workers), "PORT": str(self.port)}
        env["GUNICORN_WORKER_CLASS"] = worker_class
        # The config binds 0.0.0.0; the command line wins, and keeps the bench on loopback.
        args = [
            str(VENV_BIN / "gunicorn"),
            "-c",
            "python:roadmap.gunicorn_conf",
            "--bind",
            f"{HOST}:{self.port}",
            "--worker-class",
            worker_class,
            "roadmap.wsgi",
        ]
        self._log_file = log.open("wb")
        self.proc = subprocess.Popen(
            args,
            cwd=ROOT,
            env=env,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches the bench, which then stops gunicorn itself
        )

    def wait_healthy(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        last = "no answer"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(f"gunicorn exited with {self.proc.returncode}:\n{self.tail()}")
            try:
                r = request(self.port, "/healthz", timeout=2)
                if r.status == 200:
                    return
                last = f"HTTP {r.status}: {r.body[:200]!r}"
            except OSError as exc:
                last = str(exc)
            time.sleep(0.2)
        raise BenchError(f"/healthz was not 200 within {timeout:.0f}s ({last}):\n{self.tail()}")

    def worker_cpu(self) -> list[float]:
        """CPU seconds each worker has used so far; empty where /proc cannot tell (not Linux)."""
        ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, ValueError, IndexError):
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == self.proc.pid:  # its parent is the gunicorn master
                    found.append((int(fields[11]) + int(fields[12])) / ticks)
        return found

    def tail(self, lines: int = 30) -> str:
        self._log_file.flush()
        text = self.log.read_text(errors="replace").strip().splitlines()
        return "\n".join(text[-lines:])

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)  # its own group: only its workers
                self.proc.wait(timeout=10)
        self._log_file.close()


@dataclass
class Endpoint:
    label: str
    path: str
    method: str = "GET"
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None
    expect: str | None = None  # text the answer must contain
    refuse: str | None = None  # text it must not


@dataclass
class WrkResult:
    rps: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    requests: int = 0
    non_2xx_3xx: int = 0
    socket_errors: str = ""
    raw: str = ""


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def _ms(value: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", value)
    if match is None:
        raise BenchError(f"wrk printed a latency I cannot read: {value!r}")
    return float(match.group(1)) * _UNITS_MS[match.group(2)]


def parse_wrk(output: str) -> WrkResult:
    result = WrkResult(raw=output)
    if m := re.search(r"Requests/sec:\s+([\d.]+)", output):
        result.rps = float(m.group(1))
    else:
        raise BenchError(f"wrk printed no Requests/sec:\n{output}")
    if m := re.search(r"^\s+50%\s+(\S+)", output, re.M):
        result.p50_ms = _ms(m.group(1))
    if m := re.search(r"^\s+99%\s+(\S+)", output, re.M):
        result.p99_ms = _ms(m.group(1))
    if m := re.search(r"(\d+) requests in", output):
        result.requests = int(m.group(1))
    if m := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output):
        result.non_2xx_3xx = int(m.group(1))
    if m := re.search(r"Socket errors:\s+(.+)", output):
        result.socket_errors = m.group(1).strip()
    return result


def _lua_string(value: str) -> str:
    return json.dumps(value)  # a JSON string of ASCII is a valid Lua string literal


def run_wrk(
    wrk: str, port: int, endpoint: Endpoint, args: argparse.Namespace, tmp: Path
) -> WrkResult:
    cmd = [wrk, "-t", str(args.threads), "-c", str(args.connections), "-d", f"{args.duration}s"]
    cmd += ["--latency", "--timeout", "10s"]
    if endpoint.method != "GET" or endpoint.body is not None:
        script = tmp / f"wrk-{re.sub(r'[^a-z0-9]+', '-', endpoint.label.lower())}.lua"
        lines = [
            f"wrk.method = {_lua_string(endpoint.method)}",
            f"wrk.body = {_lua_string(endpoint.body or '')}",
        ]
        lines += [
            f"wrk.headers[{_lua_string(k)}] = {_lua_string(v)}" for k, v in endpoint.headers.items()
        ]
        script.write_text("\n".join(lines) + "\n")
        cmd += ["-s", str(script)]
    else:
        for k, v in endpoint.headers.items():
            cmd += ["-H", f"{k}: {v}"]
    cmd.append(f"http://{HOST}:{port}{endpoint.path}")
    timeout = args.duration + 30
    try:
        out = subprocess.run(
            cmd, capture_output=True, text=True, timeout=timeout, check=False
        )  # fmt: skip
    except subprocess.TimeoutExpired as exc:
        raise BenchError(f"wrk on {endpoint.path} took longer than {timeout}s") from exc
    if out.returncode != 0:
        raise BenchError(f"wrk on {endpoint.path} failed:\n{out.stdout}{out.stderr}")
    return parse_wrk(out.stdout)


def preflight(port: int, endpoint: Endpoint, rounds: int) -> tuple[Response, list[str]]:
    """Warm every worker up and check the answer is the one meant, before measuring it."""
    problems: list[str] = []
    r = None
    for _ in range(rounds):
        r = request(port, endpoint.path, endpoint.method, endpoint.headers, endpoint.body)
    assert r is not None
    if not 200 <= r.status < 300:
        problems.append(f"{endpoint.label}: HTTP {r.status} before the run: {r.body[:200]!r}")
    text = r.body.decode(errors="replace")
    if endpoint.expect and endpoint.expect not in text:
        problems.append(f"{endpoint.label}: the answer lacks {endpoint.expect!r}")
    if endpoint.refuse and endpoint.refuse in text:
        problems.append(f"{endpoint.label}: the answer contains {endpoint.refuse!r}")
    return r, problems


class AssetParser(HTMLParser):
    """The stylesheets, scripts and icons a page references."""

    RELS = {"stylesheet", "icon", "shortcut", "apple-touch-icon", "preload", "modulepreload"}

    def __init__(self) -> None:
        super().__init__()
        self.assets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "link" and a.get("href"):
            if set((a.get("rel") or "").lower().split()) & self.RELS:
                self.assets.append(a["href"])
        elif tag == "script" and a.get("src"):
            self.assets.append(a["src"])


@dataclass
class Transfer:
    path: str
    status: int
    content_type: str
    encoding: str
    transferred: int
    decoded: int
    body: bytes = field(repr=False, default=b"")


def _decompress(body: bytes, encoding: str) -> bytes:
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "br":
        import brotli  # whitenoise[brotli] installs it

        return brotli.decompress(body)
    return body


def fetch(port: int, path: str) -> Transfer:
    r = request(port, path, headers={"Accept-Encoding": "br, gzip"})
    encoding = r.headers.get("content-encoding", "identity")
    return Transfer(
        path,
        r.status,
        r.headers.get("content-type", ""),
        encoding,
        len(r.body),
        len(_decompress(r.body, encoding)),
        r.body,
    )


def first_visit(port: int) -> tuple[list[Transfer], dict[str, int]]:
    """What a browser with an empty cache downloads for ``/``: bodies as transferred."""
    page = fetch(port, "/")
    html = _decompress(page.body, page.encoding)
    parser = AssetParser()
    parser.feed(html.decode(errors="replace"))
    transfers, seen = [page], {"/"}
    for href in parser.assets:
        parts = urlsplit(href)
        if parts.netloc and parts.netloc != f"{HOST}:{port}":
            continue  # another origin: not ours to size (and the CSP allows none)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path not in seen:
            seen.add(path)
            transfers.append(fetch(port, path))
    # What the HTML would weigh if a proxy compressed it (gunicorn and Django do not).
    estimates = {"gzip": len(gzip.compress(html, compresslevel=6))}
    with contextlib.suppress(ImportError):
        import brotli

        estimates["br"] = len(brotli.compress(html))
    return transfers, estimates


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]  # nearest rank


def machine_context(
    conf: dict, args: argparse.Namespace, worker_class: str, pg: str, load: tuple
) -> list:
    import django
    import gunicorn

    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    wrk_version = subprocess.run(
        ["wrk", "-v"], capture_output=True, text=True, timeout=10, check=False
    ).stdout.splitlines()[:1]
    commit = subprocess.run(
        ["git", "describe", "--always", "--dirty"],
        cwd=ROOT, capture_output=True, text=True, timeout=10, check=False,
    ).stdout.strip()  # fmt: skip
    threads = conf["threads"] if worker_class == "gthread" else "n/a"
    access = {None: "off", "-": "on (stdout, here a file)"}.get(
        conf["accesslog"], conf["accesslog"]
    )
    return [
        ("nproc", f"{len(os.sched_getaffinity(0))} ({cpu})"),
        ("Python", platform.python_version()),
        ("Django", django.get_version()),
        (
            "gunicorn",
            f"{gunicorn.__version__}: {args.workers} × {worker_class}, threads {threads}"
            f", keepalive {conf['keepalive']}s, access log {access}",
        ),
        ("PostgreSQL", pg.split(" on ")[0]),
        ("wrk", (wrk_version[0].split(" Copyright")[0] if wrk_version else "?")),
        (
            "load",
            f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s, on the same "
            f"machine as gunicorn and PostgreSQL",
        ),
        ("load avg", f"{load[0]:.2f} before the run, {os.getloadavg()[0]:.2f} after (1 min)"),
        ("app", commit or "?"),
    ]


def fmt_ms(value: float) -> str:
    return f"{value:.2f}" if value < 10 else f"{value:.1f}"


def table(headers: list[str], rows: list[list[str]], align: str) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        return "  ".join(
            c.ljust(w) if a == "l" else c.rjust(w)
            for c, w, a in zip(cells, widths, align, strict=True)
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run (10)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (16)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (2)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument(
        "--worker-class", default=None, help="gunicorn worker class (default: the gunicorn conf's)"
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="runs of the bare view and the signed-in page, in alternation, for the budget (3)",
    )
    parser.add_argument("--scale", type=int, default=10, help="copies of the curriculum (10)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument(
        "--profile", action="store_true", help="also print the 10x page's top functions (cProfile)"
    )
    parser.add_argument("--internal", nargs=2, metavar=("TASK", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.threads > args.connections:
        parser.error("--threads cannot exceed --connections (wrk needs a connection per thread)")
    for name in ("duration", "connections", "threads", "workers", "rounds", "scale"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    return args


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if args.internal:
        return internal(*args.internal, scale=args.scale)

    wrk = shutil.which("wrk")
    if wrk is None:
        print(
            "wrk is not installed. Install it with:  apt-get install wrk  (Debian/Ubuntu; "
            "brew install wrk on macOS), then run the benchmark again.",
            file=sys.stderr,
        )
        return 2

    def interrupted(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupted)
    tmp = Path(tempfile.mkdtemp(prefix="llm-roadmap-bench-"))
    env = bench_env(tmp, secrets.token_urlsafe(50))
    server: Gunicorn | None = None
    created = False
    started = time.monotonic()
    load_before = os.getloadavg()
    try:
        step(f"Recreating the database {DB_NAME} on {HOST}:{PG_PORT}")
        created = True
        pg_version = recreate_database()
        python = sys.executable
        step("migrate, collectstatic, sync_curriculum (DEBUG=0)")
        run([python, "manage.py", "migrate", "--no-input"], env, 180, "migrate")
        run([python, "manage.py", "collectstatic", "--no-input"], env, 180, "collectstatic")
        run([python, "manage.py", "sync_curriculum"], env, 120, "sync_curriculum")

        step(f"Building {BIG_SLUG} (×{args.scale}) and a learner; measuring in-process")
        data = internal_task("prepare", env, tmp, args.scale, timeout=300)
        conf = internal_task("gunicorn-conf", env, tmp, args.scale, timeout=30)
        worker_class = args.worker_class or conf["worker_class"]

        step(f"Starting gunicorn: {args.workers} × {worker_class}")
        server = Gunicorn(env, args.workers, worker_class, tmp / "gunicorn.log")
        server.wait_healthy()
        port = server.port

        cookie = f"sessionid={data['sessionid']}; csrftoken={data['csrf_cookie']}"
        rid = data["post_resource_id"]
        big = f"/roadmaps/{BIG_SLUG}/"
        bare = Endpoint("bare view", "/bench/ok/", expect="ok")
        # The throughput budgets are for the roadmap learners read (the real one, 1x); the 10x
        # copy shows how the page scales, and has its own render budget.
        page = Endpoint("learner / (1x)", "/", headers={"Cookie": cookie}, expect="Log out")
        endpoints = [
            bare,
            page,  # right after the bare view: the budget compares the two
            Endpoint("/healthz", "/healthz", expect='"ok"'),
            Endpoint(f"anon {big} (10x)", big, expect="/accounts/signup/", refuse="Log out"),
            Endpoint("anon / (1x)", "/", expect="/accounts/signup/", refuse="Log out"),
            Endpoint(f"learner {big} (10x)", big, headers={"Cookie": cookie}, expect="Log out"),
            Endpoint(
                f"learner POST /resources/{rid}/progress/",
                f"/resources/{rid}/progress/",
                "POST",
                {
                    "Cookie": cookie,
                    "X-CSRFToken": data["csrf_token"],
                    "HX-Request": "true",
                    "HX-Current-URL": f"http://{HOST}:{port}{big}",
                    "HX-Target": f"progress-toggle-{rid}",
                    "HX-Trigger": f"progress-toggle-{rid}",
                    "Content-Type": "application/x-www-form-urlencoded",
                },
                body="done=on",
                expect='hx-swap-oob="true"',
            ),
        ]
        problems: list[str] = []
        sizes: dict[str, int] = {}
        results: dict[str, WrkResult] = {}
        runs: dict[str, list[WrkResult]] = {}
        # A short run first warms up the workers (imports, connections, caches) and lets the
        # machine settle after setup; the bare view is the yardstick, so it must not pay that.
        step("wrk warm-up (2 s, not reported)")
        run_wrk(wrk, port, endpoints[0], argparse.Namespace(**{**vars(args), "duration": 2}), tmp)

        def measure(endpoint: Endpoint, what: str = "") -> WrkResult:
            # wrk opens its connections at once and keeps them: now and then one worker accepts
            # nearly all of them, and the run measures one process instead of two (the bare view
            # then halves). Such a run is taken again, up to three times, and reported.
            for _ in range(3):
                step(f"wrk {endpoint.method} {endpoint.path} ({endpoint.label}){what}")
                before = server.worker_cpu()
                result = run_wrk(wrk, port, endpoint, args, tmp)
                used = [b - a for a, b in zip(before, server.worker_cpu(), strict=False)]
                balanced = len(used) < 2 or min(used) >= 0.5 * sum(used) / len(used)
                if balanced:
                    break
                shares = "/".join(f"{100 * u / (sum(used) or 1):.0f}%" for u in used)
                step(f"  one worker did most of the work ({shares} of the CPU): run again")
            if not balanced:
                problems.append(
                    f"{endpoint.label}: the workers' connections stayed unbalanced ({shares})"
                )
            if result.non_2xx_3xx:
                problems.append(
                    f"{endpoint.label}: {result.non_2xx_3xx} of {result.requests} responses "
                    "were not 2xx/3xx"
                )
            if result.socket_errors:
                problems.append(f"{endpoint.label}: socket errors: {result.socket_errors}")
            runs.setdefault(endpoint.label, []).append(result)
            return result

        for endpoint in endpoints:
            response, found = preflight(port, endpoint, rounds=2 * args.workers)
            problems += found
            sizes[endpoint.label] = (
                len(response.body),
                len(gzip.compress(response.body, compresslevel=6)),
            )
            results[endpoint.label] = measure(endpoint)

        # The throughput budget is a ratio of two runs, and this machine's speed drifts from
        # one run to the next: the bare view and the signed-in page are measured back to back,
        # --rounds times, and the budget takes the median of the pairs' ratios.
        for n in range(2, args.rounds + 1):
            measure(bare, f", round {n} of {args.rounds}")
            measure(page, f", round {n} of {args.rounds}")
        for endpoint in (bare, page):
            by_rps = sorted(runs[endpoint.label], key=lambda r: r.rps)
            results[endpoint.label] = by_rps[(len(by_rps) - 1) // 2]
        pairs = list(zip(runs[bare.label], runs[page.label], strict=True))

        step("First visit to / (Accept-Encoding: br, gzip)")
        transfers, estimates = first_visit(port)
        for t in transfers:
            if t.status != 200:
                problems.append(f"first visit: {t.path} answered {t.status}")
        errors_in_log = [
            line
            for line in server.tail(100_000).splitlines()
            if re.search(r"\b(ERROR|CRITICAL|Traceback)\b|WORKER TIMEOUT", line)
        ]
        if errors_in_log:
            problems.append(f"gunicorn log: {len(errors_in_log)} error lines, first: ")
            problems[-1] += errors_in_log[0][:200]
    except BenchError as exc:
        print(f"\nbench: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nbench: interrupted; cleaning up", file=sys.stderr)
        return 130
    finally:
        if server is not None:
            step("Stopping gunicorn")
            server.stop()
        if created:
            step(f"Dropping {DB_NAME}")
            try:
                drop_database()
            except Exception as exc:  # report it, but keep cleaning up
                print(f"bench: could not drop {DB_NAME}: {exc}", file=sys.stderr)
        shutil.rmtree(tmp, ignore_errors=True)

    if load_before[0] > 0.5 * len(os.sched_getaffinity(0)):
        problems.insert(
            0,
            f"the machine was busy before the bench started (load {load_before[0]:.1f} on "
            f"{len(os.sched_getaffinity(0))} CPUs): other processes share the CPUs, so every "
            "figure is lower and noisier than on an idle machine",
        )
    report(args, data, conf, worker_class, pg_version, load_before, endpoints, results, sizes)
    report_sizes(transfers, estimates)
    budgets(args, data, pairs, transfers)
    if problems:
        print("\nOdd things seen during the run (figures above may not mean what they say):")
        for p in problems:
            print(f"  ! {p}")
    print(f"\nBench finished in {time.monotonic() - started:.0f}s.")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "wrk": {k: {**vars(v), "raw": None} for k, v in results.items()},
                    "budget_pairs": [
                        {"bare_rps": b.rps, "page_rps": p.rps, "page_p99_ms": p.p99_ms}
                        for b, p in pairs
                    ],
                    "queries": {k: len(v) for k, v in data["queries"].items()},
                    "render_ms": data["render_ms"],
                    "first_visit": [
                        {k: v for k, v in vars(t).items() if k != "body"} for t in transfers
                    ],
                    "problems": problems,
                },
                indent=2,
            )
        )
    return 0


def report(args, data, conf, worker_class, pg_version, load, endpoints, results, sizes) -> None:
    print("\nMachine")
    for k, v in machine_context(conf, args, worker_class, pg_version, load):
        print(f"  {k:<11} {v}")
    print(
        f"\nData: 1x = {data['roadmap_1x']} ({data['resources_1x']} resources); "
        f"10x = {BIG_SLUG}, the 1x copied {args.scale} times "
        f"({data['resources_10x']} resources in {data['sections_10x']} "
        f"sections); learner at 10x: "
        + ", ".join(f"{n} {status.replace('_', ' ')}" for status, n in data["progress_10x"].items())
        + f", {data['bookmarks_10x']} bookmarks, {data['notes_10x']} notes"
    )

    bare = results[endpoints[0].label].rps or 1
    rows = []
    for e in endpoints:
        r = results[e.label]
        flag = f"{r.non_2xx_3xx} non-2xx!" if r.non_2xx_3xx else ""
        if r.socket_errors and not r.socket_errors.startswith("connect 0, read 0, write 0"):
            flag = (flag + " sock-err!").strip()
        rows.append(
            [
                e.label,
                f"{r.rps:,.0f}",
                fmt_ms(r.p50_ms),
                fmt_ms(r.p99_ms),
                f"{100 * r.rps / bare:.0f}%",
                f"{sizes[e.label][0]:,}",
                f"{sizes[e.label][1]:,}",
                flag,
            ]
        )
    print(
        f"\nThroughput: wrk -t{args.threads} -c{args.connections} -d{args.duration}s "
        f"against {args.workers} × {worker_class}"
    )
    print(
        table(
            ["endpoint", "req/s", "p50 ms", "p99 ms", "% bare", "bytes", "gzip -6", "flags"],
            rows,
            "lrrrrrrl",
        )
    )
    if args.rounds > 1:
        print(
            f"  {endpoints[0].label} and {endpoints[1].label}: the median of {args.rounds} runs, "
            "taken in alternation (the budgets below use every pair)"
        )

    q = {k: len(v) for k, v in data["queries"].items()}
    render = data["render_ms"]
    big = render["learner_10x"]
    print("\nIn-process (Django test client, same settings and database)")
    print(
        f"  queries, roadmap page, learner: {q['learner_1x']} at 1x, {q['learner_10x']} at 10x"
        f"   (visitor: {q['anon_1x']} / {q['anon_10x']})"
    )
    sql_ms = sum(x["ms"] for x in data["queries"]["learner_10x"])
    print(
        f"  render, learner, 10x (page not cached yet): median {statistics.median(big):.1f} ms, "
        f"p95 {percentile(big, 95):.1f} ms over {len(big)} requests"
        f" (of which SQL ≈ {sql_ms:.1f} ms; HTML {data['page_bytes_10x_signed_in']:,} bytes)"
    )
    print(
        f"  render, learner, 1x: median {statistics.median(render['learner_1x']):.1f} ms; "
        f"visitor, 10x: median {statistics.median(render['anon_10x']):.1f} ms"
    )
    print(
        f"  10x, nothing cached (after a curriculum edit): median "
        f"{statistics.median(render['learner_10x_cold']):.1f} ms; served from the page cache: "
        f"median {statistics.median(render['learner_10x_cached']):.1f} ms"
    )
    prof = data["profile_10x"]
    print(
        f"  where the 10x page's time goes (cProfile): template rendering "
        f"{100 * prof['template_render']:.0f}%, build_outline {100 * prof['build_outline']:.0f}%"
        ", the rest middleware, sessions and the response"
    )
    if args.profile:
        print(textwrap.indent(prof["top_tottime"].strip(), "    "))
    print("  queries at 10x, learner:")
    for x in data["queries"]["learner_10x"]:
        sql = re.sub(r"\s+", " ", x["sql"])
        print(f"    {x['ms']:6.2f} ms  {sql[:110]}{'…' if len(sql) > 110 else ''}")


def report_sizes(transfers: list[Transfer], estimates: dict[str, int]) -> None:
    total = sum(t.transferred for t in transfers)
    rows = [
        [t.path, str(t.status), t.encoding, f"{t.transferred:,}", f"{t.decoded:,}"]
        for t in transfers
    ]
    rows.append(["total", "", "", f"{total:,}", f"{sum(t.decoded for t in transfers):,}"])
    print("\nFirst visit to / (anonymous, Accept-Encoding: br, gzip; bodies, headers excluded)")
    print(table(["asset", "status", "encoding", "transferred", "decoded"], rows, "lrlrr"))
    html = transfers[0]
    if html.encoding == "identity":
        est = ", ".join(f"{k} {v:,}" for k, v in estimates.items())
        print(f"  The HTML goes uncompressed; compressed by a proxy it would be: {est} bytes.")


def budgets(args, data, pairs: list[tuple[WrkResult, WrkResult]], transfers) -> None:
    """The budgets, the throughput ones over (bare view, signed-in page) runs taken in pairs."""
    shares = [100 * page.rps / (bare.rps or 1) for bare, page in pairs]
    share = statistics.median(shares)
    p99 = statistics.median(page.p99_ms for _, page in pairs)
    page_rps = statistics.median(page.rps for _, page in pairs)
    bare_rps = statistics.median(bare.rps for bare, _ in pairs)
    each = ", ".join(f"{s:.1f}%" for s in shares)
    q1, q10 = len(data["queries"]["learner_1x"]), len(data["queries"]["learner_10x"])
    render = data["render_ms"]["learner_10x"]
    median, p95 = statistics.median(render), percentile(render, 95)
    total = sum(t.transferred for t in transfers)
    at = f"at {args.connections} connections"
    if args.connections != 16:
        at += " (the budget is set at 16)"
    checks = [
        (
            share >= BUDGET_SHARE_OF_BARE,
            f"signed-in roadmap (1x) ≥ {BUDGET_SHARE_OF_BARE:.0f}% of the bare view's req/s: "
            f"{share:.1f}%, the median of {len(pairs)} back-to-back pairs ({each}; medians "
            f"{page_rps:,.0f} and {bare_rps:,.0f} req/s); aim {AIM_SHARE_OF_BARE:.0f}%: "
            + ("met" if share >= AIM_SHARE_OF_BARE else "not yet"),
        ),
        (
            p99 < BUDGET_P99_MS,
            f"signed-in roadmap (1x) p99 < {BUDGET_P99_MS:.0f} ms {at}: {fmt_ms(p99)} ms (median)",
        ),
        (
            median < BUDGET_RENDER_MS,
            f"render at 10x < {BUDGET_RENDER_MS:.0f} ms (median): {median:.1f} ms "
            f"(p95 {p95:.1f} ms{', also under' if p95 < BUDGET_RENDER_MS else ', over'})",
        ),
        (
            q1 == q10 <= BUDGET_QUERIES,
            f"queries equal at 1x and 10x and ≤ {BUDGET_QUERIES}: {q1} and {q10}",
        ),
        (
            total < BUDGET_FIRST_VISIT_BYTES,
            f"first visit < {BUDGET_FIRST_VISIT_BYTES // 1000} kB: {total / 1000:.1f} kB "
            f"({total:,} bytes)",
        ),
    ]
    print("\nBudgets")
    for ok, text in checks:
        print(f"  {'PASS' if ok else 'FAIL'}  {text}")
    failed = sum(not ok for ok, _ in checks)
    print(
        f"  => {len(checks) - failed} of {len(checks)} budgets met"
        + (f", {failed} FAILED" if failed else "")
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
