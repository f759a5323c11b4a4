"""The roadmap page: its SQL queries at 1x and 10x, and its render time at 10x.

Its two lines are the app's render and query budgets; its details (every query with its time,
render times in five cache states, a profile) feed the report's "In-process" section.
"""

from __future__ import annotations

import statistics

from bench.pages import Context, Line
from bench.report import percentile

BUDGET_RENDER_MS = 25.0  # median in-process render at 10x
BUDGET_QUERIES = 6
SAMPLES = 50


def measure(ctx: Context) -> list[Line]:
    from roadmap import caches, pagecache

    small, big = ctx.roadmap_1x.get_absolute_url(), ctx.roadmap_10x.get_absolute_url()
    queries = {
        "learner_1x": ctx.capture(ctx.client, small),
        "learner_10x": ctx.capture(ctx.client, big),
        "anon_1x": ctx.capture(ctx.anon, small),
        "anon_10x": ctx.capture(ctx.anon, big),
    }
    render = {
        # A page render as after the learner's own change: no cached page for the new state.
        "learner_10x": ctx.render_ms(ctx.client, big, SAMPLES, (pagecache.clear,)),
        "learner_1x": ctx.render_ms(ctx.client, small, SAMPLES // 2, (pagecache.clear,)),
        "anon_10x": ctx.render_ms(ctx.anon, big, SAMPLES // 2, (pagecache.clear,)),
        # After a curriculum edit: nothing cached at all.
        "learner_10x_cold": ctx.render_ms(ctx.client, big, SAMPLES // 2, (caches.clear_all,)),
        # Served from the page cache: the learner reloads, or comes back unchanged.
        "learner_10x_cached": ctx.render_ms(ctx.client, big, SAMPLES // 2),
    }
    ctx.details["roadmap"] = {
        "queries": queries,
        "render_ms": render,
        "profile_10x": ctx.profile(ctx.client, big),
    }

    q1, q10 = len(queries["learner_1x"]), len(queries["learner_10x"])
    median, p95 = statistics.median(render["learner_10x"]), percentile(render["learner_10x"], 95)
    return [
        Line(
            "render at 10x",
            f"{median:.1f} ms (p95 {p95:.1f} ms"
            f"{', also under' if p95 < BUDGET_RENDER_MS else ', over'})",
            f"< {BUDGET_RENDER_MS:.0f} ms (median)",
            median < BUDGET_RENDER_MS,
        ),
        Line(
            "queries equal at 1x and 10x and",
            f"{q1} and {q10}",
            f"≤ {BUDGET_QUERIES}",
            q1 == q10 <= BUDGET_QUERIES,
        ),
    ]
