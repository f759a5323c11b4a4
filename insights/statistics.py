"""Where learners go in a roadmap and where they stop, counted in SQL and never per learner.

Every figure is a count of learners; no query returns a learner's id to Python. The page costs
the same four queries at any number of learners (the roadmap's curriculum comes from the
per-process outline cache, roadmap/outline.py):

1. per resource: learners who started it (any progress or a note), finished it, noted it;
2. per section, over its resources and its subsections': learners who started it, and who
   finished every resource in it;
3. per learner's most recent activity in the roadmap (a check-off or a note): which resource
   it was on, whether it is older than ``INACTIVE_AFTER``, and whether they finished the
   roadmap, counted per resource: "where learners stop" and the headline figures.

Any progress row (in progress, done, skipped, or only a bookmark) or a note means the learner
started the resource; its status says whether they finished or skipped it.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connection

from roadmap.models import Note, Progress, Resource, Roadmap, Section
from roadmap.outline import Curriculum, Entry, curriculum_of

INACTIVE_AFTER = timedelta(days=30)
TOP = 10

# SQL expressions on a progress row: is it done, is it skipped? (1 or 0, to be summed)
_PROGRESS_DONE = f"CASE WHEN status = '{Progress.Status.DONE}' THEN 1 ELSE 0 END"
_PROGRESS_SKIPPED = f"CASE WHEN status = '{Progress.Status.SKIPPED}' THEN 1 ELSE 0 END"

# The SQL below is assembled from these table names, the SQL expressions above and "%s"
# placeholders only (hence the S608 waivers); every value travels as a parameter.
_P = Progress._meta.db_table
_N = Note._meta.db_table
_S = Section._meta.db_table


@dataclass
class Figures:
    started: int = 0
    finished: int = 0
    skipped: int = 0
    noted: int = 0
    stopped: int = 0

    @property
    def completion_rate(self) -> float | None:
        """Of the learners who started it, the share who finished it; None before anyone did."""
        return self.finished / self.started if self.started else None


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

    @property
    def resources(self) -> list[ResourceRow]:
        return [row for section in self.sections for row in section.resources]

    @property
    def most_stopped(self) -> list[ResourceRow]:
        rows = [row for row in self.resources if row.figures.stopped]
        return sorted(rows, key=lambda row: -row.figures.stopped)[:TOP]

    @property
    def most_noted(self) -> list[ResourceRow]:
        rows = [row for row in self.resources if row.figures.noted]
        return sorted(rows, key=lambda row: -row.figures.noted)[:TOP]


def learner_statistics(roadmap: Roadmap, now: datetime) -> Statistics:
    curriculum = curriculum_of(roadmap)
    cutoff = now - INACTIVE_AFTER
    ids = [resource.pk for resource in curriculum.resources]
    if not ids:
        return Statistics(roadmap, _section_rows(curriculum, {}, {}), 0, 0, 0, cutoff)

    in_roadmap = f"resource_id IN ({', '.join(['%s'] * len(ids))})"
    activity = (
        f"SELECT user_id, resource_id, {_PROGRESS_DONE} AS done, "  # noqa: S608
        f"{_PROGRESS_SKIPPED} AS skipped, 0 AS noted, updated_at AS at "
        f"FROM {_P} WHERE {in_roadmap} "
        f"UNION ALL SELECT user_id, resource_id, 0, 0, 1, updated_at FROM {_N} WHERE {in_roadmap}"
    )
    with connection.cursor() as cursor:
        by_resource = _resource_figures(cursor, activity, ids)
        by_section = _section_figures(cursor, activity, ids, curriculum, roadmap)
        learners, finished, inactive = _last_activity(cursor, activity, ids, cutoff, by_resource)
    rows = _section_rows(curriculum, by_resource, by_section)
    return Statistics(roadmap, rows, learners, finished, inactive, cutoff)


def _resource_figures(cursor, activity: str, ids: list[int]) -> dict[int, Figures]:
    cursor.execute(
        f"WITH activity AS ({activity}), "  # noqa: S608
        "per_learner AS (SELECT resource_id, MAX(done) AS done, MAX(skipped) AS skipped, "
        "MAX(noted) AS noted FROM activity GROUP BY user_id, resource_id) "
        "SELECT resource_id, COUNT(*), SUM(done), SUM(skipped), SUM(noted) "
        "FROM per_learner GROUP BY resource_id",
        ids + ids,
    )
    return {
        pk: Figures(started=started, finished=done, skipped=skipped, noted=noted)
        for pk, started, done, skipped, noted in cursor.fetchall()
    }


def _section_figures(
    cursor, activity: str, ids: list[int], curriculum: Curriculum, roadmap: Roadmap
) -> dict[int, Figures]:
    """Learners who started each section (its subsections included) and who finished all of it."""
    totals = [(entry.section.pk, len(entry.resource_ids)) for entry in curriculum.entries]
    total_of = "CASE section_id " + " ".join(["WHEN %s THEN %s"] * len(totals)) + " END"
    # UNION, not UNION ALL: a parent loop left by bad data ends the walk instead of spinning.
    cursor.execute(
        f"WITH RECURSIVE ancestors(section_id, ancestor_id) AS ("  # noqa: S608
        f"SELECT id, id FROM {_S} WHERE roadmap_id = %s "
        f"UNION SELECT a.section_id, s.parent_id FROM ancestors a "
        f"JOIN {_S} s ON s.id = a.ancestor_id WHERE s.parent_id IS NOT NULL), "
        f"activity AS ({activity}), "
        "per_leaf AS (SELECT a.user_id, r.section_id, SUM(a.done) AS done "
        f"FROM activity a JOIN {Resource._meta.db_table} r ON r.id = a.resource_id "
        "GROUP BY a.user_id, r.section_id), "
        "per_section AS (SELECT l.user_id, x.ancestor_id AS section_id, SUM(l.done) AS done "
        "FROM per_leaf l JOIN ancestors x ON x.section_id = l.section_id "
        "GROUP BY l.user_id, x.ancestor_id) "
        f"SELECT section_id, COUNT(*), SUM(CASE WHEN done >= {total_of} THEN 1 ELSE 0 END) "
        "FROM per_section GROUP BY section_id",
        [roadmap.pk, *ids, *ids, *[value for pair in totals for value in pair]],
    )
    return {
        pk: Figures(started=started, finished=finished)
        for pk, started, finished in cursor.fetchall()
    }


def _last_activity(
    cursor, activity: str, ids: list[int], cutoff: datetime, by_resource: dict[int, Figures]
) -> tuple[int, int, int]:
    """Count learners by the resource of their latest activity; fills ``stopped`` in place."""
    cursor.execute(
        f"WITH activity AS ({activity}), "  # noqa: S608
        "ranked AS (SELECT user_id, resource_id, at, ROW_NUMBER() OVER "
        "(PARTITION BY user_id ORDER BY at DESC, resource_id DESC) AS n FROM activity), "
        "finishers AS (SELECT user_id FROM activity WHERE done = 1 "
        "GROUP BY user_id HAVING COUNT(*) >= %s) "
        "SELECT resource_id, CASE WHEN at < %s THEN 1 ELSE 0 END, "
        "CASE WHEN user_id IN (SELECT user_id FROM finishers) THEN 1 ELSE 0 END, COUNT(*) "
        "FROM ranked WHERE n = 1 GROUP BY 1, 2, 3",
        [*ids, *ids, len(ids), connection.ops.adapt_datetimefield_value(cutoff)],
    )
    learners = finished = inactive = 0
    for pk, is_inactive, is_finisher, count in cursor.fetchall():
        learners += count
        if is_finisher:
            finished += count
        elif is_inactive:
            inactive += count
            by_resource.setdefault(pk, Figures()).stopped += count
    return learners, finished, inactive


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
