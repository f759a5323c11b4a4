"""A group's progress: the organizers' table of members by parts, the members' aggregate, and
the CSV.

The whole table costs three queries at any size: the membership asking, the members, and
their progress counted in SQL per member, section and status (never one row per resource);
the curriculum comes from the per-process outline cache (roadmap/outline.py), and the rest
(parts, on track or behind, possibly stuck) is arithmetic here.
"""

import csv
import statistics
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import connection
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_safe

from accounts.decorators import learner_required
from groups.access import membership_in, organizer_in
from groups.forms import (
    EmailInvitationForm,
    GroupSettingsForm,
    LinkInvitationForm,
    MemberSettingsForm,
)
from groups.models import Group, Membership
from roadmap.models import Progress, Resource
from roadmap.outline import curriculum_of
from roadmap.spreadsheets import csv_cell

Status = Progress.Status
STUCK_AFTER = timedelta(days=14)


@dataclass
class Cell:
    total: int
    done: int = 0
    in_progress: int = 0
    skipped: int = 0

    @property
    def covered(self) -> int:
        return self.done + self.skipped

    @property
    def finished(self) -> bool:
        return bool(self.total) and self.covered >= self.total


@dataclass
class Part:
    pk: int
    title: str
    total: int
    finished: int = 0  # members who finished it


@dataclass
class Row:
    membership: Membership
    cells: list[Cell]
    overall: Cell
    last_active: datetime | None = None
    oldest_in_progress: datetime | None = None
    behind: int | None = None  # resources behind the expected pace; None without a target date
    stuck: bool = False

    @property
    def percent(self) -> int:
        return round(100 * self.overall.covered / self.overall.total) if self.overall.total else 0

    @property
    def on_track(self) -> bool | None:
        return None if self.behind is None else self.behind == 0


@dataclass
class Table:
    group: Group
    parts: list[Part]
    rows: list[Row]
    expected: int | None  # resources that should be behind everyone by now
    total: int

    @property
    def median_percent(self) -> int | None:
        return round(statistics.median(r.percent for r in self.rows)) if self.rows else None


# Per member, part and status: how many resources, the latest change and the oldest resource
# still in progress (for "possibly stuck"). The parts come as a table of values (section, part)
# from the cached curriculum, so the rows are members by parts, never by resources. Written
# out: through the ORM, converting its rows cost more than running it. Only table names and
# placeholders are formatted in; every value is a parameter.
_COUNTS_SQL = (
    "WITH {parts} "  # noqa: S608
    "SELECT p.user_id, parts.part_id, p.status, COUNT(*), MAX(p.updated_at), "
    "MIN(CASE WHEN p.status = %s THEN p.updated_at END) "
    f"FROM {Progress._meta.db_table} p "
    f"JOIN {Membership._meta.db_table} m ON m.user_id = p.user_id AND m.group_id = %s "
    f"JOIN {Resource._meta.db_table} r ON r.id = p.resource_id "
    "JOIN parts ON parts.section_id = r.section_id "
    "WHERE p.resource_id IN ({ids}) GROUP BY p.user_id, parts.part_id, p.status"
)


def _as_datetime(value) -> datetime | None:
    # SQLite's driver hands back text; PostgreSQL's an aware datetime.
    if value is None or isinstance(value, datetime):
        return value
    parsed = parse_datetime(value)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def progress_table(group: Group, now: datetime) -> Table:
    curriculum = curriculum_of(group.roadmap)
    parts: list[Part] = []
    part_of_section: dict[int, int] = {}
    for entry in curriculum.entries:
        if entry.parent_pk is None:
            parts.append(Part(entry.section.pk, entry.section.title, len(entry.resource_ids)))
            part_of_section[entry.section.pk] = entry.section.pk
        else:
            part_of_section[entry.section.pk] = part_of_section.get(entry.parent_pk)
    index = {part.pk: i for i, part in enumerate(parts)}
    ids = sorted(curriculum.resource_ids)
    total = len(ids)
    members = list(group.memberships.select_related(None).order_by("display_name", "pk"))
    rows = {m.user_id: Row(m, [Cell(p.total) for p in parts], Cell(total)) for m in members}
    counted = []
    if ids:
        pairs = [(section, part) for section, part in part_of_section.items() if part]
        values = ", ".join(["(%s, %s)"] * len(pairs))
        sql = _COUNTS_SQL.format(
            parts=f"parts(section_id, part_id) AS (VALUES {values})",
            ids=", ".join(["%s"] * len(ids)),
        )
        params = [v for pair in pairs for v in pair] + [Status.IN_PROGRESS, group.pk, *ids]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            counted = cursor.fetchall()
    for user_id, part_pk, status, n, last, oldest in counted:
        row = rows.get(user_id)
        if row is None:
            continue  # joined after the members were read
        last, oldest = _as_datetime(last), _as_datetime(oldest)
        if last is not None and (row.last_active is None or last > row.last_active):
            row.last_active = last
        part = index.get(part_pk)
        targets = [row.overall] + ([row.cells[part]] if part is not None else [])
        for cell in targets:
            if status == Status.DONE:
                cell.done += n
            elif status == Status.SKIPPED:
                cell.skipped += n
            elif status == Status.IN_PROGRESS:
                cell.in_progress += n
        if oldest is not None and (
            row.oldest_in_progress is None or oldest < row.oldest_in_progress
        ):
            row.oldest_in_progress = oldest
    fraction = group.expected_fraction(timezone.localdate(now))
    expected = int(total * fraction) if fraction is not None else None
    for row in rows.values():
        if expected is not None:
            row.behind = max(expected - row.overall.covered, 0)
        row.stuck = (
            row.oldest_in_progress is not None and row.oldest_in_progress < now - STUCK_AFTER
        )
    ordered = [rows[m.user_id] for m in members]
    for i, part in enumerate(parts):
        part.finished = sum(1 for r in ordered if r.cells[i].finished)
    return Table(group, parts, ordered, expected, total)


SHOW = {
    "all": gettext_lazy("Everyone"),
    "behind": gettext_lazy("Behind"),
    "on_track": gettext_lazy("On track"),
    "stuck": gettext_lazy("Possibly stuck"),
    "inactive": gettext_lazy("Not started"),
}


@dataclass(frozen=True)
class View:
    sort: str
    descending: bool
    show: str
    q: str


def read_view(params: QueryDict, parts: list[Part]) -> View:
    columns = {"name", "role", "done", "progress", "last_active", "behind"} | {
        f"part-{p.pk}" for p in parts
    }
    sort = params.get("sort", "name")
    descending = sort.startswith("-")
    sort = sort.lstrip("-")
    if sort not in columns:
        sort, descending = "name", False
    show = params.get("show", "all")
    return View(sort, descending, show if show in SHOW else "all", params.get("q", "")[:80].strip())


def apply_view(rows: list[Row], view: View, parts: list[Part]) -> list[Row]:
    if view.q:
        needle = view.q.casefold()
        rows = [r for r in rows if needle in r.membership.display_name.casefold()]
    if view.show == "behind":
        rows = [r for r in rows if r.behind]
    elif view.show == "on_track":
        rows = [r for r in rows if r.behind == 0]
    elif view.show == "stuck":
        rows = [r for r in rows if r.stuck]
    elif view.show == "inactive":
        rows = [r for r in rows if r.last_active is None]
    epoch = datetime.min.replace(tzinfo=timezone.get_current_timezone())
    index = {f"part-{p.pk}": i for i, p in enumerate(parts)}
    keys = {
        "name": lambda r: r.membership.display_name.casefold(),
        "role": lambda r: r.membership.role,
        "done": lambda r: r.overall.done,
        "progress": lambda r: r.overall.covered,
        "last_active": lambda r: r.last_active or epoch,
        "behind": lambda r: r.behind or 0,
    }
    key = keys.get(view.sort) or (lambda r: r.cells[index[view.sort]].covered)
    return sorted(rows, key=lambda r: (key(r), r.membership.pk), reverse=view.descending)


@require_safe
@learner_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    me = membership_in(request, pk)
    group = me.group
    now = timezone.now()
    table = progress_table(group, now)
    context = {
        "group": group,
        "membership": me,
        "table": table,
        "today": timezone.localdate(now),
        "my_form": MemberSettingsForm(instance=me),
    }
    if me.organizes:
        view = read_view(request.GET, table.parts)
        rows = apply_view(table.rows, view, table.parts)
        columns = _columns(view, table.parts, request.GET)
        context |= {
            "rows": rows,
            "table_body": table_body(rows, len(columns)),
            "view": view,
            "show_choices": SHOW.items(),
            "columns": columns,
            "invitations": [
                (inv, inv.state(now))
                for inv in group.invitations.order_by("-created_at", "-pk")[:50]
            ],
            "link_form": LinkInvitationForm(),
            "email_form": EmailInvitationForm(),
            "settings_form": GroupSettingsForm(instance=group),
            **member_controls([row.membership for row in table.rows], me),
            "reminded_today": group.nudges.filter(day=timezone.localdate(now)).exists(),
        }
    elif group.shares_member_list:
        context["shared"] = [r for r in table.rows if r.membership.shares_progress]
    mine = next((r for r in table.rows if r.membership.pk == me.pk), None)
    context["mine"] = mine
    return render(request, "groups/detail.html", context)


def table_body(rows: list[Row], columns: int) -> SafeString:
    """The organizers' table rows, built here rather than in the template: at hundreds of
    members by dozens of parts, the template's lookups cost far more than the figures' SQL.
    Names are escaped; everything else is a number or a translated string."""
    if not rows:
        empty = escape(_("No member matches the filter."))
        return mark_safe(f'<tr><td colspan="{columns}">{empty}</td></tr>')  # noqa: S308
    # Outside the f-string, where Babel's extractor (make messages) finds it.
    possibly_stuck = escape(_("possibly stuck"))
    stuck = f' <span class="badge badge-active">{possibly_stuck}</span>'
    in_progress, skipped = _("%(n)s in progress"), _("%(n)s skipped")
    on_track, never = escape(_("on track")), escape(_("never"))
    roles = {value: escape(label) for value, label in Membership.Role.choices}
    days: dict = {}
    behinds: dict = {}
    parts = []
    for row in rows:
        member = row.membership
        cells = []
        for cell in row.cells:
            text = f"{cell.done}/{cell.total}"
            if cell.in_progress:
                text += " · " + escape(in_progress % {"n": cell.in_progress})
            if cell.skipped:
                text += " · " + escape(skipped % {"n": cell.skipped})
            cells.append(f'<td class="number">{text}</td>')
        if row.last_active:
            local = timezone.localtime(row.last_active)
            shown = days.get(local.date())
            if shown is None:
                shown = days[local.date()] = escape(date_format(local, "DATE_FORMAT"))
            active = f'<time datetime="{row.last_active.isoformat()}">{shown}</time>'
        else:
            active = never
        if row.behind is None:
            behind = "—"
        elif row.behind:
            behind = behinds.get(row.behind)
            if behind is None:
                text = ngettext("behind by %(n)s", "behind by %(n)s", row.behind)
                behind = behinds[row.behind] = escape(text % {"n": row.behind})
        else:
            behind = on_track
        parts.append(
            f'<tr><th scope="row">{escape(member.display_name)}{stuck if row.stuck else ""}</th>'
            f"<td>{roles[member.role]}</td>{''.join(cells)}"
            f'<td class="number">{row.percent}%</td><td>{active}</td><td>{behind}</td></tr>'
        )
    return mark_safe("".join(parts))  # noqa: S308 - names escaped above, the rest numbers


def member_controls(members: list[Membership], me: Membership) -> dict[str, SafeString]:
    """The member list and the options of the forms that name a member, built here for the
    same reason as ``table_body`` (names escaped, the rest ids and translated labels)."""
    roles = {value: escape(label) for value, label in Membership.Role.choices}
    names = {m.pk: escape(m.display_name) for m in members}

    def options(chosen) -> SafeString:
        return mark_safe("".join(f'<option value="{pk}">{text}</option>' for pk, text in chosen))  # noqa: S308

    removable = [
        m
        for m in members
        if not m.owns and m.pk != me.pk and (me.owns or m.role == Membership.Role.MEMBER)
    ]
    listed = "".join(
        f'<li>{names[m.pk]} <span class="help">{roles[m.role]}</span></li>' for m in members
    )
    return {
        "member_list": mark_safe(listed),  # noqa: S308 - escaped above
        "remove_options": options((m.pk, names[m.pk]) for m in removable),
        "role_options": options(
            (m.pk, f"{names[m.pk]} ({roles[m.role]})") for m in members if not m.owns
        ),
        "transfer_options": options(
            (m.pk, names[m.pk]) for m in members if m.role == Membership.Role.ORGANIZER
        ),
        "can_remove": bool(removable),
    }


def _columns(view: View, parts: list[Part], params: QueryDict) -> list[dict]:
    """Each sortable column's header: its label and the link that sorts by it (or reverses)."""
    names = [
        ("name", _("Member")),
        ("role", _("Role")),
        *[(f"part-{p.pk}", p.title) for p in parts],
        ("progress", _("Overall")),
        ("last_active", _("Last active")),
        ("behind", _("Behind")),
    ]
    columns = []
    for key, label in names:
        current = view.sort == key
        query = params.copy()
        query["sort"] = f"-{key}" if current and not view.descending else key
        columns.append(
            {
                "key": key,
                "label": label,
                "curriculum": key.startswith("part-"),  # a section's title, as written
                "url": f"?{query.urlencode()}#progress",
                "sort": ("descending" if view.descending else "ascending") if current else None,
            }
        )
    return columns


@require_safe
@learner_required
def progress_csv(request: HttpRequest, pk: int) -> HttpResponse:
    me = organizer_in(request, pk)
    group = me.group
    now = timezone.now()
    table = progress_table(group, now)
    day = timezone.localdate(now)
    name = f"group-{group.pk}-progress-{day:%Y-%m-%d}.csv"
    response = HttpResponse(
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
    writer = csv.writer(response)
    header = ["member", "display_name", "role", "done", "in_progress", "skipped", "total"]
    header += [f"{part.title}: done" for part in table.parts]
    header += ["last_active", "behind", "possibly_stuck"]
    writer.writerow([csv_cell(value) for value in header])
    for row in table.rows:
        line = [
            row.membership.pk,
            row.membership.display_name,
            row.membership.role,
            row.overall.done,
            row.overall.in_progress,
            row.overall.skipped,
            row.overall.total,
            *[cell.done for cell in row.cells],
            row.last_active.isoformat() if row.last_active else "",
            "" if row.behind is None else row.behind,
            "yes" if row.stuck else "no",
        ]
        writer.writerow([csv_cell(value) for value in line])
    return response
