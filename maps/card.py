"""A learner's progress as a standalone SVG image (1200 by 630), for their public page's
Open Graph preview: their handle, each roadmap's share done, and, when they show their map,
one mark per resource in reading order, its status drawn by shape and colour as on the map.

An image has no stylesheet of the page, so its colours are written in; it is drawn from the
outlines the public page already has, so it costs that page's queries and nothing more.
"""

from __future__ import annotations

import math

from django.utils.html import escape
from django.utils.translation import gettext

from maps.layout import shorten
from roadmap.models import Progress
from roadmap.outline import Outline

Status = Progress.Status
WIDTH, HEIGHT = 1200, 630
MARGIN = 60
ROADMAPS_SHOWN = 3
COLOURS = {
    Status.NOT_STARTED: "#8b91a1",
    Status.IN_PROGRESS: "#b45309",
    Status.DONE: "#17693a",
    Status.SKIPPED: "#6b7080",
}
_SYMBOLS = (
    "<defs>"
    '<symbol id="c-not_started" viewBox="-8 -8 16 16"><circle r="6" fill="#fff" '
    f'stroke="{COLOURS[Status.NOT_STARTED]}" stroke-width="2"/></symbol>'
    '<symbol id="c-in_progress" viewBox="-8 -8 16 16"><circle r="6" fill="#fff" '
    f'stroke="{COLOURS[Status.IN_PROGRESS]}" stroke-width="2"/>'
    f'<path d="M0-6A6 6 0 0 1 0 6Z" fill="{COLOURS[Status.IN_PROGRESS]}"/></symbol>'
    f'<symbol id="c-done" viewBox="-8 -8 16 16"><circle r="7" fill="{COLOURS[Status.DONE]}"/>'
    '<path d="M-3.4 0.2l2.3 2.5 4.4-5" fill="none" stroke="#fff" stroke-width="2"/></symbol>'
    '<symbol id="c-skipped" viewBox="-8 -8 16 16"><circle r="6" fill="#fff" '
    f'stroke="{COLOURS[Status.SKIPPED]}" stroke-width="2"/><path d="M-4.3 4.3L4.3-4.3" '
    f'stroke="{COLOURS[Status.SKIPPED]}" stroke-width="2"/></symbol>'
    "</defs>"
)


def _marks(outline: Outline, top: float, height: float) -> str:
    """One mark per resource, in rows filling ``height`` below ``top``, as large as fits."""
    count = len(outline.resources)
    if not count:
        return ""
    width = WIDTH - 2 * MARGIN
    # The largest pitch at which every mark fits: columns times rows at least count.
    pitch = min(40.0, math.sqrt(width * height / count))
    while math.floor(width / pitch) * math.floor(height / pitch) < count:
        pitch *= 0.95
    per_row = math.floor(width / pitch)
    size = pitch * 0.8
    marks = []
    for i, resource in enumerate(outline.resources):
        row, column = divmod(i, per_row)
        status = outline.status_of(resource)
        x = MARGIN + column * pitch
        y = top + row * pitch
        marks.append(
            f'<use href="#c-{status}" x="{x:.1f}" y="{y:.1f}" width="{size:.1f}" '
            f'height="{size:.1f}"/>'
        )
    return "".join(marks)


def render_card(handle: str, site_name: str, outlines: list[Outline], *, show_map: bool) -> str:
    title = gettext("%(handle)s's progress") % {"handle": handle}
    shown = outlines[:ROADMAPS_SHOWN] if not show_map else outlines[:1]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}" '
        'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif">',
        f"<title>{escape(title)}</title>",
        _SYMBOLS,
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#f4f5f9"/>',
        f'<rect width="{WIDTH}" height="12" fill="#2f3fb8"/>',
        f'<text x="{MARGIN}" y="80" font-size="28" fill="#4a4f5c">{escape(site_name)}</text>',
        f'<text x="{MARGIN}" y="140" font-size="52" font-weight="700" fill="#1b1d24">'
        f"{escape(shorten(title, 36))}</text>",
    ]
    y = 210
    bar_width = WIDTH - 2 * MARGIN
    for outline in shown:
        figures = gettext("%(done)s of %(total)s done (%(percent)s%%)") % {
            "done": outline.completed,
            "total": outline.total,
            "percent": outline.percent,
        }
        filled = bar_width * outline.completed / outline.total if outline.total else 0
        parts += [
            f'<text x="{MARGIN}" y="{y}" font-size="32" font-weight="600" fill="#1b1d24">'
            f"{escape(shorten(outline.roadmap.title, 40))}</text>",
            f'<text x="{WIDTH - MARGIN}" y="{y}" font-size="28" fill="#4a4f5c" '
            f'text-anchor="end">{escape(figures)}</text>',
            f'<rect x="{MARGIN}" y="{y + 18}" width="{bar_width}" height="22" rx="11" '
            'fill="#dfe2ea"/>',
            f'<rect x="{MARGIN}" y="{y + 18}" width="{filled:.1f}" height="22" rx="11" '
            f'fill="{COLOURS[Status.DONE]}"/>',
        ]
        y += 110
    if show_map and shown:
        parts.append(_marks(shown[0], y - 30, HEIGHT - (y - 30) - 40))
    parts.append("</svg>")
    return "".join(parts)
