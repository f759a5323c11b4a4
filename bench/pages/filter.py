"""Find: an htmx filter request on the roadmap at 10x, for the signed-in learner.

Two filters, as a learner uses them: a broad text filter (one word most resources hold, so
most of the 10x roadmap is rendered again) and a status filter (the learner's done
resources). Filtered answers never come from the page cache (``roadmap.finder``), so every
sample is a real render; the resource items' fragment cache stays warm, as it is in
production. Each must render in < 25 ms (median), and a filter must cost the queries of the
whole page: the same at 1x and 10x.
"""

from __future__ import annotations

import statistics

from bench.pages import Context, Line
from bench.report import percentile

BUDGET_RENDER_MS = 25.0  # median in-process htmx filter request at 10x
SAMPLES = 50
FILTERS = {
    "broad text": "q=the",
    "status": "status=done",
}


def measure(ctx: Context) -> list[Line]:
    import re

    from django.test import Client

    from bench import HOST

    htmx = Client(SERVER_NAME=HOST, headers={"HX-Request": "true"})
    htmx.force_login(ctx.learner)
    small, big = ctx.roadmap_1x.get_absolute_url(), ctx.roadmap_10x.get_absolute_url()
    whole_page = len(ctx.capture(ctx.client, big))

    lines, details = [], {"whole_page_queries_10x": whole_page}
    for name, query in FILTERS.items():
        url = f"{big}?{query}"
        answer = htmx.get(url).content.decode()
        matches = re.search(r'<p id="find-count"[^>]*>([^<]*)</p>', answer)
        times = ctx.render_ms(htmx, url, SAMPLES)
        q1 = len(ctx.capture(htmx, f"{small}?{query}"))
        q10 = len(ctx.capture(htmx, url))
        median, p95 = statistics.median(times), percentile(times, 95)
        details[name] = {
            "url": url,
            "matches": matches.group(1) if matches else "",
            "render_ms": times,
            "queries_1x": q1,
            "queries_10x": q10,
        }
        found = f", {matches.group(1)}" if matches else ""
        lines += [
            Line(
                f"htmx filter at 10x, {name} ({query}{found})",
                f"{median:.1f} ms (p95 {p95:.1f} ms"
                f"{', also under' if p95 < BUDGET_RENDER_MS else ', over'})",
                f"< {BUDGET_RENDER_MS:.0f} ms (median)",
                median < BUDGET_RENDER_MS,
            ),
            Line(
                "its queries at 1x and 10x, and the whole page's",
                f"{q1} and {q10}, page {whole_page}",
                "all equal",
                q1 == q10 == whole_page,
            ),
        ]
    ctx.details["filter"] = details
    return lines
