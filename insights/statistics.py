"""Where learners go in a roadmap and where they stop, counted in SQL and never per learner.

Every figure is a count of learners; no query returns a learner's id to Python. The figures
cost the same queries at any number of learners (the roadmap's curriculum comes from the
per-process outline cache, roadmap/outline.py): a look at whether the learners' activity per
section is current (insights/section_activity.py; it is rebuilt first if the curriculum changed
since),
a ``SET LOCAL`` on PostgreSQL, and two queries:

1. per resource, from the progress table and notes: learners who started it (any progress or a
   note), finished it, skipped it, noted it;
2. from the learners' activity per section (``SectionActivity``, one row per learner and
   section, kept by the write path): per section (with its subsections) the learners who
   started it and who finished every resource in it; and per learner, their latest activity in
   the roadmap (a status, bookmark or note): which resource, whether it is older than
   ``INACTIVE_AFTER``, whether they finished the roadmap, counted per resource: "where learners
   stop" and the headline figures.

Any progress row (in progress, done, skipped, or only a bookmark) or a note means the learner
started the resource; its status says whether they finished or skipped it.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connection, transaction

from groups.models import Membership, WorthAnswer
from insights.models import SectionActivity
from insights.section_activity import PACK, ensure_current
from roadmap.models import Note, Progress, Resource, Roadmap, Section
from roadmap.outline import Curriculum, Entry, curriculum_of

INACTIVE_AFTER = timedelta(days=30)
TOP = 10
WORK_MEM = "64MB"
PARALLEL_TUPLE_COST = "0.01"

# The SQL below is assembled from these table names and "%s" placeholders only (hence the
# S608 waivers); every value travels as a parameter.
_P = Progress._meta.db_table
_N = Note._meta.db_table
_A = SectionActivity._meta.db_table
_M = Membership._meta.db_table
_W = WorthAnswer._meta.db_table


@dataclass
class Figures:
    started: int = 0
    finished: int = 0
    skipped: int = 0
    noted: int = 0
    stopped: int = 0
    worth_yes: int = 0  # learners who found it worth their time (groups' "worth your time")
    worth_no: int = 0

    @property
    def worth_answers(self) -> int:
        return self.worth_yes + self.worth_no

    @property
    def worth_percent(self) -> str:
        """The share who found it worth their time, as "80%", or "" before anyone answered."""
        return f"{self.worth_yes / self.worth_answers:.0%}" if self.worth_answers else ""

    @property
    def worth_key(self) -> tuple[float, int]:
        """For sorting by it: the share of yes, then how many answered."""
        share = self.worth_yes / self.worth_answers if self.worth_answers else -1.0
        return (share, self.worth_answers)

    @property
    def completion_rate(self) -> float | None:
        """Of the learners who started it, the share who finished it; None before anyone did."""
        return self.finished / self.started if self.started else None

    @property
    def completion_percent(self) -> str:
        """The completion rate as "75%", or "" before anyone started."""
        rate = self.completion_rate
        return "" if rate is None else f"{rate:.0%}"


@dataclass
class ResourceRow:
    resource: Resource
    section: Section
    figures: Figures


@dataclass
class SectionRow:
    entry: Entry
    figures: Figures
    total: int
    resources: list[ResourceRow] = field(default_factory=list)

    @property
    def section(self) -> Section:
        return self.entry.section


@dataclass
class Statistics:
    roadmap: Roadmap
    sections: list[SectionRow]
    learners: int  # with any activity in the roadmap
    finished_roadmap: int
    inactive: int  # no activity for INACTIVE_AFTER, and not finished
    cutoff: datetime
    group: object = None  # the study group whose members alone are counted, if any

    @property
    def resources(self) -> list[ResourceRow]:
        return [row for section in self.sections for row in section.resources]

    @property
    def most_stopped(self) -> list[ResourceRow]:
        rows = [row for row in self.resources if row.figures.stopped]
        return sorted(rows, key=lambda row: -row.figures.stopped)[:TOP]

    @property
    def by_worth(self) -> list[ResourceRow]:
        """Resources someone answered "worth your time" on, the most found worth it first."""
        rows = [row for row in self.resources if row.figures.worth_answers]
        return sorted(rows, key=lambda row: row.figures.worth_key, reverse=True)

    @property
    def most_noted(self) -> list[ResourceRow]:
        rows = [row for row in self.resources if row.figures.noted]
        return sorted(rows, key=lambda row: -row.figures.noted)[:TOP]


def learner_statistics(roadmap: Roadmap, now: datetime, *, group=None) -> Statistics:
    """The roadmap's figures; with ``group`` (a study group), counting its members only."""
    ensure_current(roadmap)  # the learners' activity per section, after a curriculum change
    curriculum = curriculum_of(roadmap)
    cutoff = now - INACTIVE_AFTER
    if not curriculum.resources:
        return Statistics(roadmap, _section_rows(curriculum, {}, {}), 0, 0, 0, cutoff, group)

    # The curriculum (cached per process) already knows each resource's section and each
    # section's subtree: the queries take that map as a table of values instead of joining
    # resources and walking sections, and it holds exactly the published resources.
    section_of = [(resource.pk, resource.section_id) for resource in curriculum.resources]
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # For this transaction only. Grouping the activity rows by learner holds a group
            # per learner, more than the default 4 MB of work_mem keeps in memory at a few
            # thousand learners. JIT compiling (whenever a plan's cost passes jit_above_cost, as
            # the per-note probes soon do) costs more than it wins on queries this simple. The
            # planner prices gathering the workers' partial groups so high that it keeps the
            # scan of the progress table on one core; at 0.01 a tuple it splits the scan.
            cursor.execute(
                "SELECT set_config('work_mem', %s, true), set_config('jit', 'off', true), "
                "set_config('parallel_tuple_cost', %s, true)",
                [WORK_MEM, PARALLEL_TUPLE_COST],
            )
        members = _members_of(group)
        by_resource = _resource_figures(cursor, [pk for pk, _ in section_of], members)
        by_section, (learners, finished, inactive) = _learner_figures(
            cursor, section_of, curriculum, cutoff, by_resource, members
        )
    rows = _section_rows(curriculum, by_resource, by_section)
    return Statistics(roadmap, rows, learners, finished, inactive, cutoff, group)


def _values(name: str, columns: str, rows: list[tuple]) -> tuple[str, list]:
    """A common table expression of literal rows, e.g. ``r(id, section_id) AS (VALUES ...)``:
    SQLite and PostgreSQL both read it (SQLite cannot name the columns of a bare VALUES)."""
    width = len(rows[0])
    row = "(" + ", ".join(["%s"] * width) + ")"
    sql = f"{name}({columns}) AS (VALUES {', '.join([row] * len(rows))})"
    return sql, [value for values in rows for value in values]


def _members_of(group) -> tuple[str, list]:
    """A condition on ``user_id`` that keeps a group's members, with its parameters; none
    without a group."""
    if group is None:
        return "", []
    return (
        f" AND user_id IN (SELECT user_id FROM {_M} WHERE group_id = %s)",  # noqa: S608
        [group.pk],
    )


def _resource_figures(cursor, ids: list[int], members: tuple[str, list]) -> dict[int, Figures]:
    # A learner has at most one progress row and one note per resource, so rows are learners.
    # One pass over progress counts all three figures with FILTER; a note adds a learner who
    # started only when no progress row sits beside it: an index probe per note on the
    # (user, resource) unique key, as notes are few next to progress rows. (A NOT EXISTS in the
    # WHERE clause lets PostgreSQL hash the whole progress table for an anti-join instead.)
    # The third part counts the "worth your time" answers (groups.models.WorthAnswer).
    in_roadmap = f"resource_id IN ({', '.join(['%s'] * len(ids))})"
    only, only_params = members
    cursor.execute(
        "SELECT resource_id, COUNT(*), COUNT(*) FILTER (WHERE status = %s), "  # noqa: S608
        f"COUNT(*) FILTER (WHERE status = %s), 0, 0, 0 FROM {_P} WHERE {in_roadmap}{only} "
        "GROUP BY resource_id "
        "UNION ALL SELECT n.resource_id, "
        f"COUNT(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM {_P} p "
        "WHERE p.user_id = n.user_id AND p.resource_id = n.resource_id)), 0, 0, COUNT(*), 0, 0 "
        f"FROM {_N} n WHERE n.{in_roadmap}{only.replace('user_id', 'n.user_id', 1)} "
        "GROUP BY n.resource_id "
        "UNION ALL SELECT resource_id, 0, 0, 0, 0, COUNT(*) FILTER (WHERE worth), "
        f"COUNT(*) FILTER (WHERE NOT worth) FROM {_W} WHERE {in_roadmap}{only} "
        "GROUP BY resource_id",
        [
            Progress.Status.DONE,
            Progress.Status.SKIPPED,
            *ids,
            *only_params,
            *ids,
            *only_params,
            *ids,
            *only_params,
        ],
    )
    figures: dict[int, Figures] = {}
    for pk, started, done, skipped, noted, yes, no in cursor.fetchall():
        f = figures.setdefault(pk, Figures())
        f.started += started
        f.finished += done
        f.skipped += skipped
        f.noted += noted
        f.worth_yes += yes
        f.worth_no += no
    return figures


def _learner_figures(
    cursor,
    section_of: list[tuple[int, int]],
    curriculum: Curriculum,
    cutoff: datetime,
    by_resource: dict[int, Figures],
    members: tuple[str, list] = ("", []),
) -> tuple[dict[int, Figures], tuple[int, int, int]]:
    """Per section: learners who started it and finished it; per learner: where they stopped.

    One pass over the learners' activity per section (``SectionActivity``: done and the
    latest activity, per learner and section); both answers come from that. Fills ``stopped``
    on ``by_resource``; returns the sections' figures and (learners, finished the roadmap,
    stopped).
    """
    # Per section, learners are counted by how many of its resources they finished (a few
    # hundred rows at most); Python compares that with the section's size. Cheaper than
    # joining a table of sizes to every learner's row.
    totals = {entry.section.pk: len(entry.resource_ids) for entry in curriculum.entries}
    # A section without subsections takes its learners' rows as they are; a section with some
    # adds up its own and its subsections' rows: "up" pairs each section with the sections it
    # counts towards (itself included) for those only, so far fewer rows are grouped again.
    leaf = dict(section_of)
    parents = {entry.parent_pk for entry in curriculum.entries} - {None}
    pairs = sorted(
        {
            (leaf[pk], entry.section.pk)
            for entry in curriculum.entries
            if entry.section.pk in parents
            for pk in entry.resource_ids
        }
    )
    if pairs:
        up, up_params = _values("up", "section_id, ancestor_id", pairs)
        per_section = (
            "SELECT user_id, section_id, done FROM per_leaf WHERE section_id NOT IN "  # noqa: S608
            f"({', '.join(['%s'] * len(parents))}) "
            "UNION ALL SELECT l.user_id, up.ancestor_id, SUM(l.done) FROM per_leaf l "
            "JOIN up ON up.section_id = l.section_id GROUP BY l.user_id, up.ancestor_id"
        )
        per_section_params = sorted(parents)
    else:
        up, up_params = "", []
        per_section, per_section_params = "SELECT user_id, section_id, done FROM per_leaf", []
    last_resource = f"packed %% {PACK}"
    is_inactive = f"CASE WHEN packed / {PACK} < %s THEN 1 ELSE 0 END"
    is_finisher = "CASE WHEN done >= %s THEN 1 ELSE 0 END"
    sections = sorted({section for _, section in section_of})
    cursor.execute(
        f"WITH {up}{', ' if up else ''}"  # noqa: S608
        "per_leaf AS (SELECT user_id, section_id, done, latest AS packed "
        f"FROM {_A} WHERE section_id IN ({', '.join(['%s'] * len(sections))}){members[0]}), "
        f"per_section AS ({per_section}), "
        "per_learner AS (SELECT user_id, SUM(done) AS done, MAX(packed) AS packed "
        "FROM per_leaf GROUP BY user_id) "
        "SELECT 0, section_id, 0, done, COUNT(*) FROM per_section GROUP BY section_id, done "
        f"UNION ALL SELECT 1, {last_resource}, {is_inactive}, {is_finisher}, COUNT(*) "
        f"FROM per_learner GROUP BY {last_resource}, {is_inactive}, {is_finisher}",
        [
            *up_params,
            *sections,
            *members[1],
            *per_section_params,
            int(cutoff.timestamp()),
            len(section_of),
            int(cutoff.timestamp()),
            len(section_of),
        ],
    )
    by_section: dict[int, Figures] = {}
    learners = finished = inactive = 0
    for kind, key, went_quiet, done_all, count in cursor.fetchall():
        if kind == 0:
            section = by_section.setdefault(key, Figures())
            section.started += count
            if done_all >= totals.get(key, 0):
                section.finished += count
            continue
        learners += count
        if done_all:
            finished += count
        elif went_quiet:
            inactive += count
            by_resource.setdefault(key, Figures()).stopped += count
    return by_section, (learners, finished, inactive)


def _section_rows(
    curriculum: Curriculum, by_resource: dict[int, Figures], by_section: dict[int, Figures]
) -> list[SectionRow]:
    rows = []
    for entry in curriculum.entries:
        figures = by_section.get(entry.section.pk, Figures())
        # Notes and stops are counted once per learner and resource, so they add up.
        in_subtree = [by_resource[pk] for pk in entry.resource_ids if pk in by_resource]
        figures.noted = sum(f.noted for f in in_subtree)
        figures.stopped = sum(f.stopped for f in in_subtree)
        row = SectionRow(entry, figures, total=len(entry.resource_ids))
        row.resources = [
            ResourceRow(resource, entry.section, by_resource.get(resource.pk, Figures()))
            for group in entry.groups
            for resource in group.resources
        ]
        rows.append(row)
    return rows
