"""Weight: the roadmap page's HTML, signed in and anonymous, at 1x and 10x (issue 19).

The bench's learner holds every kind of state. The signed-in page at 1x (the shipped curriculum,
31 resources) must be at most 60 KB and at most twice the anonymous page; at 10x the same ratio
must hold, so the weight grows with the curriculum, not faster.
"""

from __future__ import annotations

from bench.pages import Context, Line

BUDGET_BYTES_1X = 60_000
BUDGET_RATIO = 2.0


def measure(ctx: Context) -> list[Line]:
    lines, details = [], {}
    for scale, roadmap in (("1x", ctx.roadmap_1x), ("10x", ctx.roadmap_10x)):
        url = roadmap.get_absolute_url()
        ctx.client.get(url)  # past the list of what is new, shown on a first visit only
        signed_in = len(ctx.client.get(url).content)
        anonymous = len(ctx.anon.get(url).content)
        ratio = signed_in / anonymous
        details[scale] = {"signed_in_bytes": signed_in, "anonymous_bytes": anonymous}
        budget = f"<= {BUDGET_RATIO:g}x anonymous"
        ok = ratio <= BUDGET_RATIO
        if scale == "1x":
            budget = f"<= {BUDGET_BYTES_1X // 1000} KB and {budget}"
            ok = ok and signed_in <= BUDGET_BYTES_1X
        lines.append(
            Line(
                f"signed-in roadmap page's HTML at {scale}",
                f"{signed_in / 1000:.1f} KB, {ratio:.2f}x anonymous ({anonymous / 1000:.1f} KB)",
                budget,
                ok,
            )
        )
    ctx.details["weight"] = details
    return lines
