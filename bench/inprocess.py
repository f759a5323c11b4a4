"""The in-process phase: inside Django, with the bench settings and Django's test client.

Run as ``python -m bench --internal prepare OUT`` by the orchestration: it builds the data
(``bench.data``), signs the learner in for wrk, and runs every page module (``bench.pages``).
The helpers below are what ``bench.pages.Context`` offers those modules.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import re
import time
from dataclasses import asdict
from typing import TYPE_CHECKING

from bench import HOST, BenchError

if TYPE_CHECKING:
    from django.test import Client

RENDER_SAMPLES = 50
RENDER_WARMUP = 5


def capture(client: Client, url: str) -> list[dict]:
    """The queries one request makes, each timed from execute() to its return."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timed: list[float] = []

    def timer(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timed.append((time.perf_counter() - start) * 1000)

    client.get(url)  # measured warm: the curriculum is read once per content version
    with CaptureQueriesContext(connection) as queries, connection.execute_wrapper(timer):
        response = client.get(url)
    if response.status_code != 200:
        raise BenchError(f"{url} answered {response.status_code} in-process.")
    if len(timed) != len(queries.captured_queries):
        timed = [float(q["time"]) * 1000 for q in queries.captured_queries]
    return [
        {"sql": q["sql"], "ms": ms} for q, ms in zip(queries.captured_queries, timed, strict=True)
    ]


def timings(client: Client, url: str, samples: int, forget: tuple = ()) -> list[float]:
    """Request times; ``forget`` names the caches emptied before each request."""
    for _ in range(RENDER_WARMUP):
        client.get(url)
    out = []
    for _ in range(samples):
        for clear in forget:
            clear()
        start = time.perf_counter()
        response = client.get(url)
        out.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise BenchError(f"{url} answered {response.status_code} in-process.")
    return out


def profile(client: Client, url: str, requests: int = 5) -> dict:
    """Where one request's time goes, by cProfile (which slows everything down evenly)."""
    client.get(url)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        client.get(url)
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


def prepare(scale: int) -> dict:
    """Build bench-10x and the learner, sign the learner in for wrk, run the page modules."""
    import django

    django.setup()

    from django.conf import settings
    from django.test import Client

    from bench import data
    from bench.pages import Context, measure_all

    real, big, learner = data.build(scale)
    facts = data.summary(real, big, learner)

    # wrk's session and CSRF token come from a client of their own, so that no page module
    # can sign them out. Django's test client says Host: testserver; the bench allows only
    # 127.0.0.1.
    for_wrk = Client(SERVER_NAME=HOST)
    for_wrk.force_login(learner)
    big_url = big.get_absolute_url()
    page = for_wrk.get(big_url)
    if page.status_code != 200:
        raise BenchError(f"The signed-in learner got {page.status_code} from {big_url}.")
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    session_name, csrf_name = settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME
    if match is None or csrf_name not in for_wrk.cookies:
        raise BenchError("The signed-in roadmap page carries no CSRF token.")

    client = Client(SERVER_NAME=HOST)
    client.force_login(learner)
    ctx = Context(
        learner=learner,
        client=client,
        anon=Client(SERVER_NAME=HOST),
        roadmap_1x=real,
        roadmap_10x=big,
        scale=scale,
    )
    lines = measure_all(ctx)
    return {
        **facts,
        # Production names them __Host-sessionid and __Host-csrftoken (settings.py).
        "session_cookie": f"{session_name}={for_wrk.cookies[session_name].value}",
        "csrf_cookie": f"{csrf_name}={for_wrk.cookies[csrf_name].value}",
        "csrf_token": match.group(1),
        "page_bytes_10x_signed_in": len(page.content),
        "details": ctx.details,
        "pages": {
            name: [{**asdict(line), "ok": bool(line.ok)} for line in found]
            for name, found in lines.items()
        },
    }
