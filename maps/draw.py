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


def status_label(status: str) -> str:
    return {
        Status.NOT_STARTED: gettext("not started"),
        Status.IN_PROGRESS: gettext("in progress"),
        Status.DONE: gettext("done"),
        Status.SKIPPED: gettext("skipped"),
    }[status]


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
    href: str
    title: str
    body: str  # the hit area and the title's lines
    count_x: str


@dataclass(frozen=True)
class PreparedNode:
    node: geometry.Node
    href: str
    title: str
    before: str  # <title> and the hit area
    at: str  # x, y, width and height of the status shape
    after: str  # the label and the tip


@dataclass(frozen=True)
class PreparedColumn:
    part_title: str
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


def _prepare_station(station: geometry.Station, base: str) -> PreparedStation:
    lines = "".join(
        f'<tspan x="{_n(station.text_x)}" dy="{0 if i == 0 else _n(station.font * geometry.LINE)}"'
        f">{escape(line)}</tspan>"
        for i, line in enumerate(station.lines)
    )
    kind = "part" if station.depth == 0 else "section"
    body = (
        _hit(station.top, station.bottom)
        + f'<text class="{kind}-title" x="{_n(station.text_x)}" y="{_n(station.text_y)}">'
        + f"{lines}</text>"
    )
    return PreparedStation(
        station=station,
        href=f"{base}#{station.anchor}",
        title=station.title,
        body=body,
        count_x=_n(station.text_x),
    )


def _prepare_node(node: geometry.Node) -> PreparedNode:
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
        href="",  # set by _prepare
        title=resource.title,
        before=f"<title>{escape(node.details)}</title>{_hit(node.top, node.bottom)}",
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
                rows.append(_prepare_station(row, base))
            else:
                prepared = _prepare_node(row)
                href = f"{base}#{row.resource.anchor}"
                rows.append(PreparedNode(**{**prepared.__dict__, "href": href}))
        columns.append(
            PreparedColumn(
                part_title=column.part.title,
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


def _section_count(node, learner: bool) -> tuple[str, str]:
    """The station's visible count and the words its accessible name adds."""
    if not node.total:
        return "", ""
    if learner:
        text = gettext("%(done)s of %(total)s done") % {
            "done": node.completed,
            "total": node.total,
        }
        return text, text
    text = ngettext("%(count)s resource", "%(count)s resources", node.total) % {"count": node.total}
    return text, text


def _station_markup(row: PreparedStation, outline: Outline, learner: bool, part: int) -> str:
    station = row.station
    node = outline.node_for_section[station.section_id]
    count, spoken = _section_count(node, learner)
    state = ""
    if learner and node.total:
        if node.is_finished:
            state = " st-done"
        elif node.completed or node.in_progress:
            state = " st-started"
    if station.depth == 0:
        name = gettext("Part %(number)s: %(title)s") % {"number": part, "title": row.title}
        mark = (
            f'<circle class="dot" cx="{_n(station.x)}" cy="{_n(station.y)}" r="{station.radius}"/>'
            f'<text class="number" x="{_n(station.x)}" y="{_n(station.y + 4.5)}">{part}</text>'
        )
    else:
        name = row.title
        mark = (
            f'<circle class="dot" cx="{_n(station.x)}" cy="{_n(station.y)}" r="{station.radius}"/>'
        )
        if state == " st-done":
            mark += (
                f'<path class="tick" d="M{_n(station.x - 3.6)} {_n(station.y + 0.2)}'
                'l2.4 2.6 4.6-5.2"/>'
            )
    if spoken:
        name = gettext("%(title)s: %(count)s") % {"title": name, "count": spoken}
    kind = "part" if station.depth == 0 else "section"
    if count:
        y = _n(station.count_y)
        mark += f'<text class="count" x="{row.count_x}" y="{y}">{escape(count)}</text>'
    link = f'<a href="{row.href}" class="st {kind}{state}" aria-label="{escape(name)}">'
    return f"{link}{row.body}{mark}</a>"


def _node_markup(row: PreparedNode, outline: Outline | None, next_pk: int | None) -> str:
    pk = row.node.resource.pk
    if outline is None:
        status, name = Status.NOT_STARTED, row.title
    else:
        status = outline.statuses.get(pk, Status.NOT_STARTED)
        said = status_label(status)
        if pk == next_pk:
            name = gettext("%(title)s: %(status)s, continue with this one") % {
                "title": row.title,
                "status": said,
            }
        else:
            name = gettext("%(title)s: %(status)s") % {"title": row.title, "status": said}
    classes = f"n n-{status}"
    halo = ""
    if pk == next_pk:
        classes += " n-next"
        node = row.node
        halo = f'<circle class="halo" cx="{_n(node.x)}" cy="{_n(node.y)}" r="11"/>'
    return (
        f'<a href="{row.href}" class="{classes}" aria-label="{escape(name)}">{row.before}{halo}'
        f'<use href="#map-{status}" {row.at}/>{row.after}</a>'
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
    out = []
    for column in prepared.columns:
        label = gettext("Part %(number)s: %(title)s") % {
            "number": column.number,
            "title": column.part_title,
        }
        if label_prefix:
            label = f"{label_prefix}, {label}"
        rows = []
        for row in column.rows:
            if isinstance(row, PreparedStation):
                rows.append(_station_markup(row, outline, learner, column.number))
            else:
                rows.append(_node_markup(row, state, next_pk))
        out.append(
            f'<li class="map-part"><svg class="map-column" width="{geometry.WIDTH}" '
            f'height="{column.height}" viewBox="0 0 {geometry.WIDTH} {column.height}" '
            f'role="group" aria-label="{escape(label)}"><path class="line" d="{column.edges}"/>'
            f"{''.join(rows)}</svg></li>"
        )
    return mark_safe("".join(out))  # noqa: S308 - every text in it is escaped above
