"""The map (/roadmaps/<slug>/map/): render time at 10x, queries, and the page's weight at 1x.

The map reads what the roadmap page reads (the learner's state with the roadmap, then the
cached curriculum and layout), so its queries must equal the roadmap page's at 1x and at 10x.
Its render at 10x (310 resources) is timed from warm caches, as a learner reloading it; its
HTML at 1x, SVG inline, must stay light on a phone.
"""

from __future__ import annotations

import statistics

from bench.pages import Context, Line
from bench.report import percentile

BUDGET_RENDER_MS = 25.0  # median in-process render at 10x, warm caches
BUDGET_BYTES = 40 * 1024  # the page's HTML at 1x, signed in
SAMPLES = 50


def _map_url(roadmap) -> str:
    from django.urls import reverse

    return reverse("maps:map", args=[roadmap.slug])


def measure(ctx: Context) -> list[Line]:
    small, big = _map_url(ctx.roadmap_1x), _map_url(ctx.roadmap_10x)
    page_small = ctx.roadmap_1x.get_absolute_url()
    page_big = ctx.roadmap_10x.get_absolute_url()
    queries = {
        "learner_1x": ctx.queries(ctx.client, small),
        "learner_10x": ctx.queries(ctx.client, big),
        "anon_10x": ctx.queries(ctx.anon, big),
        "roadmap_page_1x": ctx.queries(ctx.client, page_small),
        "roadmap_page_10x": ctx.queries(ctx.client, page_big),
    }
    render = ctx.render_ms(ctx.client, big, SAMPLES)
    weight = {
        "learner_1x": len(ctx.client.get(small).content),
        "anon_1x": len(ctx.anon.get(small).content),
    }
    ctx.details["map"] = {"queries": queries, "render_ms": render, "bytes": weight}

    median, p95 = statistics.median(render), percentile(render, 95)
    same = (
        queries["learner_1x"] == queries["learner_10x"] == queries["roadmap_page_10x"]
        and queries["roadmap_page_1x"] == queries["roadmap_page_10x"]
    )
    heaviest = max(weight.values())
    return [
        Line(
            "map render at 10x",
            f"{median:.1f} ms (p95 {p95:.1f} ms)",
            f"< {BUDGET_RENDER_MS:.0f} ms (median)",
            median < BUDGET_RENDER_MS,
        ),
        Line(
            "map queries at 1x and 10x, as the roadmap page",
            f"{queries['learner_1x']} and {queries['learner_10x']} "
            f"(page {queries['roadmap_page_10x']})",
            "equal",
            same,
        ),
        Line(
            "map HTML at 1x",
            f"{heaviest / 1024:.1f} KB",
            f"< {BUDGET_BYTES // 1024} KB",
            heaviest < BUDGET_BYTES,
        ),
    ]
