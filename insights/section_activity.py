"""Each learner's activity per section, kept current so the statistics page never groups every
progress row (insights/statistics.py reads ``SectionActivity``: a row per learner and section
touched, several times fewer than the progress rows and notes it sums up).

The rows are derived data, made by one aggregation over progress rows and notes
(``_aggregate``) and never edited by hand:

- ``refresh(user, resource)``: after a learner's write (``roadmap.learning.changed``, connected
  in apps.py), their row for that resource's section is made again;
- ``refresh_learner(user)``: after an import of their data (history/imports.py), all of theirs;
- ``rebuild(roadmap)``: a roadmap's rows made again from scratch. ``ensure_current(roadmap)``
  does it when the curriculum changed since the last build (resources move between sections,
  are published or withdrawn: the roadmap's ``content_version`` moved), and
  ``manage.py rebuild_section_activity`` does it on demand, after rows were written around the
  write path (a restore, the shell, the bench's bulk load).

Concurrency (PostgreSQL): every transaction that writes a learner's progress or notes takes
``roadmap.learning.lock_learner(user)`` first, before any row lock (the write path, the import,
account deletion), so one learner's writes run one after another in one lock order, and the
refresh at the end of each reads what the one before committed: two tabs end with the right
row, and an import beside a click cannot deadlock. A rebuild locks this table against writes
(reads go on), so a refresh lands either before it (and is read by it) or after it (and writes
its own, current row over the rebuilt one). SQLite runs one write transaction at a time.
"""

from django.db import connection, transaction

from insights.models import SectionActivity, SectionActivityBuild
from roadmap.models import Note, Progress, Resource, Roadmap, Section

# A moment and a resource packed into one number, so that MAX() picks a learner's latest
# activity and says where it was in one pass: seconds * PACK + resource id.
PACK = 1_000_000_000

# A progress row's SQL: is it done? (1 or 0, to be summed)
_DONE = f"CASE WHEN status = '{Progress.Status.DONE}' THEN 1 ELSE 0 END"

ACTIVITY = SectionActivity._meta.db_table
PROGRESS = Progress._meta.db_table
NOTES = Note._meta.db_table
RESOURCES = Resource._meta.db_table
SECTIONS = Section._meta.db_table


def _epoch(column: str) -> str:
    """A timestamp column as whole seconds since 1970, in this database's dialect."""
    if connection.vendor == "sqlite":
        return f"CAST(strftime('%%s', {column}) AS INTEGER)"
    # date_part() answers in double precision; EXTRACT() answers in numeric, whose arithmetic
    # is several times slower over the whole progress table.
    return f"CAST(date_part('epoch', {column}) AS BIGINT)"


def _aggregate(where: str) -> str:
    """Rows (user_id, section_id, done, latest) from progress and notes, ``where`` on both.

    Only published resources in published sections count (``Resource.objects.published()``);
    a section that is hidden under an unpublished parent keeps rows, which the statistics never
    read (they read the sections of the published curriculum only).
    """
    return (
        "SELECT touch.user_id, resource.section_id, SUM(touch.done), "  # noqa: S608 (table names only)
        f"MAX(touch.at * {PACK} + touch.resource_id) FROM ("
        f"SELECT user_id, resource_id, {_DONE} AS done, "
        f"{_epoch('updated_at')} AS at FROM {PROGRESS} WHERE {where} "
        f"UNION ALL SELECT user_id, resource_id, 0, {_epoch('updated_at')} FROM {NOTES} "
        f"WHERE {where}) touch "
        f"JOIN {RESOURCES} resource ON resource.id = touch.resource_id "
        f"JOIN {SECTIONS} section ON section.id = resource.section_id "
        "WHERE resource.is_published AND section.is_published "
        "GROUP BY touch.user_id, resource.section_id"
    )


_INSERT = f"INSERT INTO {ACTIVITY} (user_id, section_id, done, latest) "
_UPSERT = (
    _INSERT + "{select} ON CONFLICT (user_id, section_id) "
    "DO UPDATE SET done = excluded.done, latest = excluded.latest"
)


def refresh(user, resource: Resource) -> None:
    """Make the learner's row for ``resource``'s section again, from what is stored now.

    Called inside the write's transaction, after the write, under ``lock_learner``. The section
    is read from the database, not from ``resource``: a curator may have moved it since the
    request loaded it.
    """
    section = f"(SELECT section_id FROM {RESOURCES} WHERE id = %s)"  # noqa: S608
    # Its own transaction when called alone; inside the write's, no savepoint of its own.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {ACTIVITY} WHERE user_id = %s AND section_id = {section}",  # noqa: S608
            [user.pk, resource.pk],
        )
        in_section = f"SELECT id FROM {RESOURCES} WHERE section_id = {section}"  # noqa: S608
        select = _aggregate(f"user_id = %s AND resource_id IN ({in_section})")
        cursor.execute(_UPSERT.format(select=select), [user.pk, resource.pk] * 2)


def refresh_learner(user) -> None:
    """Make all of the learner's rows again (after an import wrote many of theirs at once),
    under ``lock_learner``."""
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {ACTIVITY} WHERE user_id = %s", [user.pk])  # noqa: S608
        cursor.execute(_UPSERT.format(select=_aggregate("user_id = %s")), [user.pk] * 2)


def is_current(roadmap: Roadmap) -> bool:
    built = SectionActivityBuild.objects.filter(roadmap=roadmap).values_list("content_version")
    return built.first() == (roadmap.content_version,)


def ensure_current(roadmap: Roadmap) -> bool:
    """Rebuild the roadmap's rows if its curriculum changed since they were built; True if so.

    One query when they are current, as they are but after a curriculum change.
    """
    if is_current(roadmap):
        return False
    rebuild(roadmap)
    return True


def rebuild(roadmap: Roadmap) -> None:
    """Make all of the roadmap's rows again, for its curriculum as it is now."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Writes wait (a learner's refresh, another rebuild); reads go on.
            cursor.execute(f"LOCK TABLE {ACTIVITY} IN EXCLUSIVE MODE")
            # The grouping holds a group per learner and section: in the default 4 MB of
            # work_mem it spills to disk at a few thousand learners. JIT compiling costs more
            # than it wins for a statement this simple.
            cursor.execute(
                "SELECT set_config('work_mem', '64MB', true), set_config('jit', 'off', true)"
            )
        # Read under the lock: a curriculum change that commits while this runs moves the
        # version past what is recorded, and the next look rebuilds again.
        version = Roadmap.objects.filter(pk=roadmap.pk).values_list("content_version", flat=True)
        version = version.first()
        if version is None:
            return
        # The roadmap's rows are those of its sections, deleted and made again alike (a section
        # moved to another roadmap takes its resources' rows with it).
        in_roadmap = f"SELECT id FROM {SECTIONS} WHERE roadmap_id = %s"  # noqa: S608
        cursor.execute(
            f"DELETE FROM {ACTIVITY} WHERE section_id IN ({in_roadmap})",  # noqa: S608
            [roadmap.pk],
        )
        # A plain INSERT: under the lock no other row of these sections can exist, and
        # ON CONFLICT's speculative insertion would cost much of the rebuild's time.
        select = _aggregate(
            f"resource_id IN (SELECT id FROM {RESOURCES} WHERE section_id IN ({in_roadmap}))"  # noqa: S608
        )
        cursor.execute(_INSERT + select, [roadmap.pk] * 2)
        SectionActivityBuild.objects.update_or_create(
            roadmap=roadmap, defaults={"content_version": version}
        )


def learner_changed(sender, *, user, resource: Resource, **kwargs) -> None:
    """``roadmap.learning.changed``'s receiver: the learner's row for that section again."""
    refresh(user, resource)
