"""Where everything goes on a roadmap's map, computed from the section tree.

Each part is a column of its own: its station at the top, a line down it, and on that line its
sections' stations in reading order, each with its resources hanging from it and its
subsections branching off one step to the right. Columns sit side by side on a wide screen and
one under another on a phone (CSS grid), so every column is laid out once at one width and text
keeps its size. A curator's new section simply becomes one more row: nothing is placed by hand.

A layout depends on the curriculum and on the interface language (kinds, levels and estimates
are translated), never on a learner: ``maps.draw`` keeps it, with the markup that never changes,
per ``(roadmap, content_version, language)``, and draws each learner's statuses on top of it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext

from roadmap import estimates
from roadmap.models import Resource
from roadmap.outline import Curriculum

WIDTH = 350  # of a column, in CSS pixels: fits a 390 px phone with the page's margins
LEFT = 14  # x of a part's line
STEP = 18  # each level of nesting moves a station this far right
PART_RADIUS = 11
SECTION_RADIUS = 8
NODE_RADIUS = 7
PART_FONT, SECTION_FONT, RESOURCE_FONT, SMALL_FONT, TIP_FONT = 17, 15, 14, 13, 12
# The average advance of a character in the system sans-serif, as a share of its size: enough
# to wrap and shorten text so that it stays inside the column (a little room is left over).
CHAR_WIDTH = 0.56
LINE = 1.3  # line height, as a share of the font size
RESOURCE_ROW = 24
GAP = 10  # before each section's station


def text_fits(font_size: int, width: float) -> int:
    """How many characters of ``font_size`` fit in ``width``."""
    return max(4, int(width / (font_size * CHAR_WIDTH)))


def shorten(text: str, chars: int) -> str:
    """``text`` in at most ``chars``, cut after a whole word where there is one: the words shown
    are then all in the link's name, as assistive technology expects."""
    if len(text) <= chars:
        return text
    cut = text[: chars - 1]
    if " " in cut.strip():
        cut = cut[: cut.rstrip().rfind(" ")]
    return f"{cut.rstrip(' ,;:–-')}…"


def wrap(text: str, chars: int, max_lines: int = 3) -> tuple[str, ...]:
    """Words on lines of at most ``chars``; the last line is shortened when there are more."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        if not line:
            line = word
        elif len(line) + 1 + len(word) <= chars:
            line = f"{line} {word}"
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], " ".join(lines[max_lines - 1 :])]
    return tuple(shorten(line, chars) for line in lines) or ("",)


@dataclass(frozen=True)
class Station:
    """A part or a section: a station on its column's line, and a link to its heading."""

    section_id: int
    number: int | None  # a part's number; None for a section
    title: str
    anchor: str
    depth: int  # within the part: 0 for the part itself
    x: float
    y: float  # of the station's centre
    radius: int
    lines: tuple[str, ...]  # the title, wrapped
    text_x: float
    text_y: float  # of the first line's baseline
    font: int
    count_y: float  # baseline of the "5 of 7" line
    top: float
    bottom: float  # of the row: what the focus ring and the hover band cover


@dataclass(frozen=True)
class Node:
    """A resource: a node on its section's line."""

    resource: Resource
    x: float
    y: float
    label: str  # the title, shortened to the column
    details: str  # kind, level, author, estimated time
    tip_lines: tuple[str, ...]
    tip_width: float
    top: float
    bottom: float


@dataclass(frozen=True)
class Column:
    part: Station
    rows: tuple[Station | Node, ...]  # the part's station first, then in reading order
    edges: str  # the lines, as one SVG path
    height: float


@dataclass(frozen=True)
class Layout:
    columns: tuple[Column, ...]
    sections: int
    resources: int


def details_of(resource: Resource) -> str:
    """ "Video · In-depth · by Andrej Karpathy · ~45 min": what hover and focus show."""
    parts = [resource.get_kind_display()]
    if resource.level:
        parts.append(resource.get_level_display())
    if resource.author:
        parts.append(gettext("by %(author)s") % {"author": resource.author})
    if estimates.is_valid(resource.estimated_minutes):
        parts.append(f"~{estimates.format_estimate(resource.estimated_minutes)}")
    return " · ".join(str(part) for part in parts)


def _station(entry, number, depth, top) -> Station:
    radius = PART_RADIUS if depth == 0 else SECTION_RADIUS
    font = PART_FONT if depth == 0 else SECTION_FONT
    x = LEFT + STEP * depth
    text_x = x + radius + 7
    lines = wrap(entry.section.title, text_fits(font, WIDTH - text_x - 4))
    line_height = font * LINE
    first_baseline = top + font
    count_y = first_baseline + line_height * (len(lines) - 1) + SMALL_FONT * LINE + 1
    return Station(
        section_id=entry.section.pk,
        number=number,
        title=entry.section.title,
        anchor=entry.section.anchor,
        depth=depth,
        x=x,
        y=top + font * 0.65,
        radius=radius,
        lines=lines,
        text_x=text_x,
        text_y=first_baseline,
        font=font,
        count_y=count_y,
        top=top - 3,
        bottom=count_y + 6,
    )


def _node(resource: Resource, depth: int, top: float) -> Node:
    x = LEFT + STEP * depth
    label_x = x + NODE_RADIUS + 7
    details = details_of(resource)
    tip_chars = text_fits(TIP_FONT, WIDTH - 12)
    tip_lines = wrap(details, tip_chars, max_lines=2)
    longest = max(len(line) for line in tip_lines)
    return Node(
        resource=resource,
        x=x,
        y=top + RESOURCE_ROW / 2,
        label=shorten(resource.title, text_fits(RESOURCE_FONT, WIDTH - label_x - 4)),
        details=details,
        tip_lines=tip_lines,
        tip_width=min(WIDTH - 4, longest * TIP_FONT * CHAR_WIDTH + 14),
        top=top,
        bottom=top + RESOURCE_ROW,
    )


def compute(curriculum: Curriculum) -> Layout:
    columns: list[Column] = []
    part_entries: list[list] = []
    for entry in curriculum.entries:
        if entry.depth == 0:
            part_entries.append([])
        part_entries[-1].append(entry)

    for number, entries in enumerate(part_entries, start=1):
        rows: list[Station | Node] = []
        # Each station's line runs from it to its last direct child.
        stations: dict[int, Station] = {}
        last_child_y: dict[int, float] = {}
        branches: list[tuple[float, float, float]] = []  # from x, to x, at y
        y = 8.0
        for entry in entries:
            if entry.depth > 0:
                y += GAP
            station = _station(entry, number if entry.depth == 0 else None, entry.depth, y)
            stations[entry.section.pk] = station
            rows.append(station)
            if entry.parent_pk in stations:
                parent = stations[entry.parent_pk]
                last_child_y[entry.parent_pk] = station.y
                branches.append((parent.x, station.x - station.radius, station.y))
            y = station.bottom + 2
            for group in entry.groups:
                for resource in group.resources:
                    node = _node(resource, entry.depth + 1, y)
                    rows.append(node)
                    last_child_y[entry.section.pk] = node.y
                    branches.append((station.x, node.x - NODE_RADIUS, node.y))
                    y = node.bottom
        path = [
            f"M{stations[pk].x:g} {stations[pk].y:g}V{end:g}" for pk, end in last_child_y.items()
        ]
        path += [f"M{start:g} {at:g}H{end:g}" for start, end, at in branches if end > start]
        columns.append(
            Column(part=rows[0], rows=tuple(rows), edges="".join(path), height=round(y + 10))
        )
    return Layout(
        columns=tuple(columns),
        sections=len(curriculum.entries),
        resources=len(curriculum.resources),
    )
