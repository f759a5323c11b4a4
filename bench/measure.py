"""Measuring one page inside Django with the test client: its queries, render times, profile.

What ``bench.pages.Context`` offers the page modules; ``bench.inprocess`` runs those modules.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import time
from typing import TYPE_CHECKING

from bench import BenchError

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
