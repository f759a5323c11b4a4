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
from datetime import datetime, timedelta

from django.db.models import Count, Max, Min
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
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
from insights.admin import csv_cell
from roadmap.models import Progress
from roadmap.outline import curriculum_of

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
    total = len(curriculum.resource_ids)
    members = list(group.memberships.select_related(None).order_by("display_name", "pk"))
    rows = {m.user_id: Row(m, [Cell(p.total) for p in parts], Cell(total)) for m in members}
    counted = (
        Progress.objects.filter(
            user_id__in=group.memberships.values("user_id"),
            resource_id__in=curriculum.resource_ids,
        )
        .order_by()
        .values_list("user_id", "resource__section_id", "status")
        .annotate(n=Count("pk"), last=Max("updated_at"), oldest=Min("updated_at"))
    )
    for user_id, section_id, status, n, last, oldest in counted:
        row = rows.get(user_id)
        if row is None:
            continue  # joined after the members were read
        if last is not None and (row.last_active is None or last > row.last_active):
            row.last_active = last
        part = index.get(part_of_section.get(section_id))
        targets = [row.overall] + ([row.cells[part]] if part is not None else [])
        for cell in targets:
            if status == Status.DONE:
                cell.done += n
            elif status == Status.SKIPPED:
                cell.skipped += n
            elif status == Status.IN_PROGRESS:
                cell.in_progress += n
        if status == Status.IN_PROGRESS and (
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
        context |= {
            "rows": apply_view(table.rows, view, table.parts),
            "view": view,
            "show_choices": SHOW.items(),
            "columns": _columns(view, table.parts, request.GET),
            "invitations": [
                (inv, inv.state(now))
                for inv in group.invitations.order_by("-created_at", "-pk")[:50]
            ],
            "link_form": LinkInvitationForm(),
            "email_form": EmailInvitationForm(),
            "settings_form": GroupSettingsForm(instance=group),
            "members": table.rows,
            "reminded_today": group.nudges.filter(day=timezone.localdate(now)).exists(),
        }
    elif group.shares_member_list:
        context["shared"] = [r for r in table.rows if r.membership.shares_progress]
    mine = next((r for r in table.rows if r.membership.pk == me.pk), None)
    context["mine"] = mine
    return render(request, "groups/detail.html", context)


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
