"""The map as inline SVG: the layout's fixed markup, and one learner's progress drawn on it.

Everything that is the same for every visitor (geometry, titles, the hover and focus details,
links) is turned into markup once per ``(roadmap, content_version, language)`` and kept in
``_prepared`` (``forget`` drops it). A request then only picks, for each node and station, its
status's shape, class and accessible name: string joins over the learner's outline, no
template and no query, so the map costs what the roadmap page costs in queries.

Status is shown by shape and colour together (never colour alone): a hollow circle (not
started), a half-filled one (in progress), a filled one with a tick (done), a circle struck
through (skipped). The symbols are defined once per page (``symbols()``) and used by ``<use>``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext, ngettext

from maps import layout as geometry
from roadmap.models import Progress, Roadmap
from roadmap.outline import Outline, curriculum_of

Status = Progress.Status
STATUSES = (Status.NOT_STARTED, Status.IN_PROGRESS, Status.DONE, Status.SKIPPED)


def _n(value: float) -> str:
    return f"{round(value, 1):g}"


def symbols() -> SafeString:
    """The status shapes, once per page, for every map and legend on it."""
    ring = '<circle r="6" class="sym-ring"/>'
    return mark_safe(  # noqa: S308 - fixed markup
        '<svg class="map-symbols" aria-hidden="true" focusable="false"><defs>'
        f'<symbol id="map-not_started" viewBox="-8 -8 16 16">{ring}</symbol>'
        f'<symbol id="map-in_progress" viewBox="-8 -8 16 16">{ring}'
        '<path d="M0-6A6 6 0 0 1 0 6Z" class="sym-fill"/></symbol>'
        '<symbol id="map-done" viewBox="-8 -8 16 16"><circle r="7" class="sym-fill"/>'
        '<path d="M-3.4 0.2l2.3 2.5 4.4-5" class="sym-check"/></symbol>'
        f'<symbol id="map-skipped" viewBox="-8 -8 16 16">{ring}'
        '<path d="M-4.3 4.3L4.3-4.3" class="sym-slash"/></symbol>'
        "</defs></svg>"
    )


@dataclass(frozen=True)
class PreparedStation:
    station: geometry.Station
    section_id: int
    href: str
    title: str  # escaped, as every text below
    kind: str  # "part" or "section"
    hit: str  # the area hover and focus light up
    mark: str  # the station's circle, with a part's number
    tick: str  # drawn on a finished section
    text: str  # the title's lines
    count_at: str  # the count's opening tag


@dataclass(frozen=True)
class PreparedNode:
    node: geometry.Node
    pk: int
    href: str
    title: str  # escaped, as every text below
    halo: str  # the ring around "Continue with"
    details: str  # <title>, for the pointer's tooltip
    hit: str
    at: str  # x, y, width and height of the status shape
    after: str  # the label and the tip


@dataclass(frozen=True)
class PreparedColumn:
    part_title: str  # escaped
    number: int
    height: int
    edges: str
    rows: tuple[PreparedStation | PreparedNode, ...]


@dataclass(frozen=True)
class Prepared:
    layout: geometry.Layout
    columns: tuple[PreparedColumn, ...]


def _hit(top: float, bottom: float) -> str:
    return (
        f'<rect class="hit" x="1" y="{_n(top)}" width="{geometry.WIDTH - 2}" '
        f'height="{_n(bottom - top)}" rx="6"/>'
    )


def _prepare_station(station: geometry.Station, base: str, number: int) -> PreparedStation:
    lines = " ".join(
        f'<tspan x="{_n(station.text_x)}" dy="{0 if i == 0 else _n(station.font * geometry.LINE)}"'
        f">{escape(line)}</tspan>"
        for i, line in enumerate(station.lines)
    )
    kind = "part" if station.depth == 0 else "section"
    text = (
        f'<text class="{kind}-title" x="{_n(station.text_x)}" y="{_n(station.text_y)}">'
        f"{lines}</text>"
    )
    x, y = _n(station.x), _n(station.y)
    mark = f'<circle class="dot" cx="{x}" cy="{y}" r="{station.radius}"/>'
    if station.depth == 0:
        mark += f'<text class="number" x="{x}" y="{_n(station.y + 4.5)}">{number}</text>'
    return PreparedStation(
        station=station,
        section_id=station.section_id,
        href=f"{base}#{station.anchor}",
        title=escape(station.title),
        kind=kind,
        hit=_hit(station.top, station.bottom),
        mark=mark,
        tick=(
            f'<path class="tick" d="M{_n(station.x - 3.6)} {_n(station.y + 0.2)}l2.4 2.6 4.6-5.2"/>'
        ),
        text=text,
        count_at=f'<text class="count" x="{_n(station.text_x)}" y="{_n(station.count_y)}">',
    )


def _prepare_node(node: geometry.Node, base: str) -> PreparedNode:
    resource = node.resource
    size = geometry.NODE_RADIUS * 2 + 2
    tip_height = len(node.tip_lines) * geometry.TIP_FONT * geometry.LINE + 8
    tip_top = node.top - tip_height - 1
    tip_x = min(node.x, geometry.WIDTH - 2 - node.tip_width)
    tip_text = "".join(
        f'<tspan x="{_n(tip_x + 7)}" dy="{0 if i == 0 else _n(geometry.TIP_FONT * geometry.LINE)}"'
        f">{escape(line)}</tspan>"
        for i, line in enumerate(node.tip_lines)
    )
    return PreparedNode(
        node=node,
        pk=resource.pk,
        href=f"{base}#{resource.anchor}",
        title=escape(resource.title),
        halo=f'<circle class="halo" cx="{_n(node.x)}" cy="{_n(node.y)}" r="11"/>',
        details=f"<title>{escape(node.details)}</title>",
        hit=_hit(node.top, node.bottom),
        at=(
            f'x="{_n(node.x - size / 2)}" y="{_n(node.y - size / 2)}" '
            f'width="{size}" height="{size}"'
        ),
        after=(
            f'<text class="label" x="{_n(node.x + geometry.NODE_RADIUS + 7)}" '
            f'y="{_n(node.y + geometry.RESOURCE_FONT * 0.35)}">{escape(node.label)}</text>'
            f'<g class="tip" aria-hidden="true"><rect x="{_n(tip_x)}" y="{_n(tip_top)}" '
            f'width="{_n(node.tip_width)}" height="{_n(tip_height)}" rx="4"/>'
            f'<text y="{_n(tip_top + geometry.TIP_FONT + 3)}">{tip_text}</text></g>'
        ),
    )


def _prepare(roadmap: Roadmap) -> Prepared:
    layout = geometry.compute(curriculum_of(roadmap))
    base = roadmap.get_absolute_url()
    columns = []
    for number, column in enumerate(layout.columns, start=1):
        rows: list[PreparedStation | PreparedNode] = []
        for row in column.rows:
            if isinstance(row, geometry.Station):
                rows.append(_prepare_station(row, base, number))
            else:
                rows.append(_prepare_node(row, base))
        columns.append(
            PreparedColumn(
                part_title=escape(column.part.title),
                number=number,
                height=int(column.height),
                edges=column.edges,
                rows=tuple(rows),
            )
        )
    return Prepared(layout=layout, columns=tuple(columns))


# Plain dict, as in roadmap.outline: one assignment is atomic, and two threads filling the
# same entry agree.
_prepared: dict[tuple[int, str], tuple[int, Prepared]] = {}


def prepared_map(roadmap: Roadmap) -> Prepared:
    """The roadmap's map without progress, kept per ``(roadmap, language)`` until the
    roadmap's content_version moves (every curriculum edit moves it, roadmap/signals.py)."""
    key = (roadmap.pk, get_language() or "")
    cached = _prepared.get(key)
    if cached is not None and cached[0] == roadmap.content_version:
        return cached[1]
    prepared = _prepare(roadmap)
    _prepared[key] = (roadmap.content_version, prepared)
    return prepared


def forget() -> None:
    _prepared.clear()


class _Words:
    """The translated words of one drawing, looked up once rather than at every node, and
    escaped once: their placeholders take escaped values."""

    def __init__(self, learner: bool) -> None:
        self.learner = learner
        self.status = {
            Status.NOT_STARTED: escape(gettext("not started")),
            Status.IN_PROGRESS: escape(gettext("in progress")),
            Status.DONE: escape(gettext("done")),
            Status.SKIPPED: escape(gettext("skipped")),
        }
        self.with_status = escape(gettext("%(title)s: %(status)s"))
        self.continue_here = escape(gettext("%(title)s: %(status)s, continue with this one"))
        self.with_count = escape(gettext("%(title)s: %(count)s"))
        self.part = escape(gettext("Part %(number)s: %(title)s"))
        self.done_of = escape(gettext("%(done)s of %(total)s done"))

    def count(self, node) -> str:
        """A station's count: "5 of 7 done" for a learner, "7 resources" for a visitor."""
        if not node.total:
            return ""
        if self.learner:
            return self.done_of % {"done": node.completed, "total": node.total}
        words = ngettext("%(count)s resource", "%(count)s resources", node.total)
        return escape(words) % {"count": node.total}


def _station_markup(row: PreparedStation, outline: Outline, words: _Words, part: int) -> str:
    node = outline.node_for_section[row.section_id]
    count = words.count(node)
    state = ""
    if words.learner and node.total:
        if node.is_finished:
            state = " st-done"
        elif node.completed or node.in_progress:
            state = " st-started"
    name = row.title
    if row.kind == "part":
        name = words.part % {"number": part, "title": name}
    if count:
        name = words.with_count % {"title": name, "count": count}
    mark = row.mark + (row.tick if state == " st-done" else "")
    count_text = f"{row.count_at}{count}</text>" if count else ""
    link = f'<a href="{row.href}" class="st {row.kind}{state}" aria-label="{name}">'
    # The number, the title, then the count: what the link shows reads as its name begins.
    # The spaces keep words apart where assistive technology reads the texts as one.
    return f"{link}{row.hit}{mark} {row.text} {count_text}</a>"


def _node_markup(row: PreparedNode, outline: Outline | None, words: _Words, next_pk) -> str:
    pk = row.pk
    halo = ""
    if outline is None:
        status, name, classes = Status.NOT_STARTED, row.title, "n n-not_started"
    else:
        status = outline.statuses.get(pk, Status.NOT_STARTED)
        values = {"title": row.title, "status": words.status[status]}
        classes = f"n n-{status}"
        if pk == next_pk:
            name = words.continue_here % values
            classes += " n-next"
            halo = row.halo
        else:
            name = words.with_status % values
    return (
        # The <title> is the group's, not the link's: a link's name must contain the text it
        # shows, and a title inside it would count as shown.
        f'<g>{row.details}<a href="{row.href}" class="{classes}" aria-label="{name}">'
        f'{row.hit}{halo}<use href="#map-{status}" {row.at}/>{row.after}</a></g>'
    )


def draw(
    roadmap: Roadmap,
    outline: Outline,
    *,
    learner: bool,
    show_continue: bool = True,
    label_prefix: str = "",
) -> SafeString:
    """The map's columns, one ``<li>`` each, with ``outline``'s progress when ``learner``.

    ``label_prefix`` tells apart the maps of several roadmaps on one page.
    """
    prepared = prepared_map(roadmap)
    next_pk = (
        outline.continue_with.pk
        if learner and show_continue and outline.continue_with is not None
        else None
    )
    state = outline if learner else None
    words = _Words(learner)
    out = []
    for column in prepared.columns:
        label = words.part % {"number": column.number, "title": column.part_title}
        if label_prefix:
            label = f"{escape(label_prefix)}, {label}"
        rows = []
        for row in column.rows:
            if isinstance(row, PreparedNode):
                rows.append(_node_markup(row, state, words, next_pk))
            else:
                rows.append(_station_markup(row, outline, words, column.number))
        out.append(
            f'<li class="map-part"><svg class="map-column" width="{geometry.WIDTH}" '
            f'height="{column.height}" viewBox="0 0 {geometry.WIDTH} {column.height}" '
            f'role="group" aria-label="{label}"><path class="line" d="{column.edges}"/>'
            f"{''.join(rows)}</svg></li>"
        )
    return mark_safe("".join(out))  # noqa: S308 - every text in it is escaped above
