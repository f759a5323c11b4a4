"""The roadmap page's tree: sections in reading order, their resources, and one learner's progress.

Two parts with different lifetimes:

- the curriculum (sections, resources, groups) changes only when curators edit it, so it is
  read once per process and kept until the roadmap's ``content_version`` moves;
- the learner's state (each resource's status and bookmark, when they last touched the ones in
  progress, where they have notes, and up to when they have seen what is new) is one query per
  request.

Everything else is arithmetic in Python, so the page costs the same few queries however long
the curriculum grows.
"""

import hashlib
import logging
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from functools import cached_property

from django.db import connection
from django.utils.dateparse import parse_datetime

from roadmap import caches, estimates
from roadmap.models import MAX_SECTION_DEPTH, Progress, Resource, Roadmap, Section

logger = logging.getLogger(__name__)
Status = Progress.Status


@dataclass(frozen=True)
class Group:
    level: str
    label: str
    intro: str
    heading_level: int
    resources: tuple[Resource, ...]

    @property
    def has_heading(self) -> bool:
        return bool(self.level)

    @property
    def resource_heading_level(self) -> int:
        # Headings may only go one level deeper at a time, so general groups add none.
        return min(self.heading_level + (1 if self.has_heading else 0), 6)


@dataclass(frozen=True)
class Entry:
    """A section as the curriculum places it: shared by every request, never mutated."""

    section: Section
    depth: int
    parent_pk: int | None
    groups: tuple[Group, ...]
    resource_ids: frozenset[int]  # its own and its descendants' resources


@dataclass(frozen=True)
class Curriculum:
    entries: tuple[Entry, ...]  # depth first, in reading order
    resources: tuple[Resource, ...]  # in reading order

    @cached_property
    def resource_ids(self) -> frozenset[int]:
        return frozenset(resource.pk for resource in self.resources)

    @cached_property
    def heading_levels(self) -> dict[int, int]:
        """Each resource's heading level on the roadmap page: its note, shown in its card,
        nests under it."""
        return {
            resource.pk: group.resource_heading_level
            for entry in self.entries
            for group in entry.groups
            for resource in group.resources
        }

    @cached_property
    def last_added_at(self) -> datetime | None:
        return max((resource.added_at for resource in self.resources), default=None)

    @cached_property
    def search_texts(self) -> dict[int, str]:
        """Each resource's title, author and description, casefolded once per content version
        (what the filter's words are looked for in, roadmap/finder.py)."""
        return {
            r.pk: "\n".join((r.title, r.author, r.description)).casefold() for r in self.resources
        }

    @cached_property
    def times(self) -> estimates.CurriculumTimes:
        """Each section's estimated minutes, summed once per content version."""
        return estimates.curriculum_times(self.entries, self.resources)


@dataclass
class SectionNode:
    """A section with one learner's progress in it."""

    entry: Entry
    parent: "SectionNode | None"
    children: list["SectionNode"] = field(default_factory=list)
    total: int = 0
    done: int = 0
    skipped: int = 0
    in_progress: int = 0
    skipped_count_as_done: bool = False
    time: estimates.TimeLeft | None = None  # of what is neither done nor skipped

    @property
    def completed(self) -> int:
        """What the progress bar counts: done, and skipped too when the learner says so."""
        return self.done + (self.skipped if self.skipped_count_as_done else 0)

    @property
    def section(self) -> Section:
        return self.entry.section

    @property
    def depth(self) -> int:
        return self.entry.depth

    @property
    def groups(self) -> tuple[Group, ...]:
        return self.entry.groups

    @property
    def heading_level(self) -> int:
        return min(2 + self.depth, 6)

    @property
    def is_finished(self) -> bool:
        return self.total > 0 and self.completed == self.total

    def look(self) -> tuple:
        """Everything the section shows of the learner: every field but the curriculum's
        structure (``entry``, ``parent``, ``children``: the curriculum's version keys those). A
        field added here joins the section cache's key (roadmap/fragments.py) by itself."""
        values = (getattr(self, name) for name in _NODE_LOOK)
        return tuple(v.key() if isinstance(v, estimates.TimeLeft) else v for v in values)

    @property
    def ancestors_and_self(self) -> list["SectionNode"]:
        node, chain = self, []
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain


_STRUCTURE = ("entry", "parent", "children")
_NODE_LOOK = tuple(f.name for f in fields(SectionNode) if f.name not in _STRUCTURE)


@dataclass
class Outline:
    roadmap: Roadmap
    parts: list[SectionNode]
    sections: list[SectionNode]
    resources: tuple[Resource, ...]
    node_for_section: dict[int, SectionNode]
    statuses: dict[int, str]  # resource id -> status, for every resource not "not started"
    bookmarks: dict[int, str]
    noted_ids: frozenset[int]
    skipped_count_as_done: bool = False
    continue_with: Resource | None = None
    new_resources: tuple[Resource, ...] = ()
    time: estimates.TimeLeft | None = None  # of what is neither done nor skipped
    state: "LearnerState | None" = None  # what it was built from (the page cache's key)

    @cached_property
    def done_ids(self) -> frozenset[int]:
        return frozenset(pk for pk, status in self.statuses.items() if status == Status.DONE)

    @cached_property
    def new_ids(self) -> frozenset[int]:
        return frozenset(resource.pk for resource in self.new_resources)

    @property
    def total(self) -> int:
        return len(self.resources)

    @cached_property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(Status.values, 0)
        for status in self.statuses.values():  # already limited to this curriculum
            counts[status] += 1
        return counts

    @property
    def done(self) -> int:
        return self.counts[Status.DONE]

    @property
    def skipped(self) -> int:
        return self.counts[Status.SKIPPED]

    @property
    def in_progress(self) -> int:
        return self.counts[Status.IN_PROGRESS]

    @property
    def completed(self) -> int:
        return self.done + (self.skipped if self.skipped_count_as_done else 0)

    @property
    def percent(self) -> int:
        return round(100 * self.completed / self.total) if self.total else 0

    @property
    def continue_bookmark(self) -> str:
        return self.bookmarks.get(self.continue_with.pk, "") if self.continue_with else ""

    def status_of(self, resource: Resource) -> str:
        return self.statuses.get(resource.pk, Status.NOT_STARTED)

    def node_for(self, resource: Resource) -> SectionNode:
        return self.node_for_section[resource.section_id]


# Plain dicts: one assignment is atomic, and two threads filling the same entry agree.
_curricula: dict[int, tuple[int, Curriculum]] = {}


def curriculum_of(roadmap: Roadmap) -> Curriculum:
    """The roadmap's published curriculum, read from the database once per content version."""
    cached = _curricula.get(roadmap.pk)
    if cached is not None and cached[0] == roadmap.content_version:
        return cached[1]
    curriculum = read_curriculum(roadmap)
    _curricula[roadmap.pk] = (roadmap.content_version, curriculum)
    return curriculum


def forget_curricula() -> None:
    _curricula.clear()
    _roadmaps.clear()


caches.register(
    "curricula",
    keyed_by="the roadmap and its content_version",
    clear=forget_curricula,
    size=lambda: len(_curricula),
)


def read_curriculum(roadmap: Roadmap) -> Curriculum:
    """The roadmap's published curriculum read now (two queries), past the process's cache.

    For work that must cost the same queries whatever the process read before, such as a run
    of emails (goals/emails.py); pages use ``curriculum_of``.
    """
    sections = list(Section.objects.published().filter(roadmap=roadmap).order_by("order", "pk"))
    resources = Resource.objects.published().filter(roadmap=roadmap).order_by("order", "pk")

    by_pk = {section.pk: section for section in sections}
    children: dict[int | None, list[Section]] = {}
    for section in sections:
        parent = section.parent_id
        if parent is not None and parent not in by_pk:
            continue  # a section under an unpublished parent is hidden with it
        children.setdefault(parent, []).append(section)

    # Depth first, without recursion: parts are placed from the top, so a section whose parents
    # loop (planted with QuerySet.update(), the shell or a fixture) is never reached.
    placed: list[tuple[Section, int]] = []
    stack = [(part, 0) for part in reversed(children.get(None, []))]
    while stack:
        section, depth = stack.pop()
        if depth >= MAX_SECTION_DEPTH:
            logger.warning("Section %s is nested too deep to show; it is skipped.", section.pk)
            continue
        placed.append((section, depth))
        stack.extend((child, depth + 1) for child in reversed(children.get(section.pk, [])))
    depth_of = {section.pk: depth for section, depth in placed}
    if unreachable := [s.pk for s in sections if s.pk not in depth_of and s.parent_id in by_pk]:
        logger.warning("Sections %s hang from no part (their parents loop); skipped.", unreachable)

    own: dict[int, list[Resource]] = {}
    for resource in resources:
        if resource.section_id in depth_of:
            own.setdefault(resource.section_id, []).append(resource)

    labels = dict(Resource.Level.choices)
    groups_of: dict[int, tuple[Group, ...]] = {}
    for section, depth in placed:
        runs: list[list[Resource]] = []  # consecutive resources of the same level
        for resource in own.get(section.pk, []):
            if not runs or runs[-1][0].level != resource.level:
                runs.append([])
            runs[-1].append(resource)
        intros = _group_intros(section)
        groups_of[section.pk] = tuple(
            Group(
                level=run[0].level,
                label=labels.get(run[0].level, ""),
                intro=intros.get(run[0].level, ""),
                heading_level=min(2 + depth + 1, 6),
                resources=tuple(run),
            )
            for run in runs
        )

    in_reading_order = tuple(
        resource
        for section, _ in placed
        for group in groups_of[section.pk]
        for resource in group.resources
    )
    subtree: dict[int, set[int]] = {section.pk: set() for section, _ in placed}
    for resource in in_reading_order:
        section_id: int | None = resource.section_id
        while section_id is not None:  # placed sections hang from a part: no loop up here
            subtree[section_id].add(resource.pk)
            section_id = by_pk[section_id].parent_id
    entries = tuple(
        Entry(
            section, depth, section.parent_id, groups_of[section.pk], frozenset(subtree[section.pk])
        )
        for section, depth in placed
    )
    return Curriculum(entries=entries, resources=in_reading_order)


def _group_intros(section: Section) -> dict[str, str]:
    """The section's group introductions that can be shown; the rest is skipped and logged.

    Admin and the model refuse bad values, but fixtures, the shell and old rows bypass them,
    and one bad row must not take the roadmap down for everyone.
    """
    intros = section.group_intros
    if not intros:
        return {}
    if not isinstance(intros, dict):
        logger.warning(
            "Section %s: group_intros is a %s, not an object; ignored.",
            section.pk,
            type(intros).__name__,
        )
        return {}
    usable = {}
    for level, text in intros.items():
        if level in Resource.Level.values and isinstance(text, str):
            usable[level] = text
        else:
            logger.warning(
                "Section %s: group intro %r (%s) cannot be shown; ignored.",
                section.pk,
                level,
                type(text).__name__,
            )
    return usable


# The learner's rows come with the roadmap's current version in one round trip: on a page view
# that is the only query besides Django's session and user lookups. Written out, because
# compiling it through the ORM cost more than running it. Columns: kind, id, number, text,
# text, time. Only in-progress rows need their time ("Continue with" picks the latest one).
# One round trip: the roadmap (kind 0), then the learner's progress (1), notes (2) and last
# visits (3), each by the learner's own index; load_state keeps the rows of this roadmap.
_STATE_SQL = (
    "SELECT 0, id, content_version, '', '', NULL FROM roadmap_roadmap WHERE {roadmap} "
    "UNION ALL SELECT 1, resource_id, 0, status, bookmark, "
    "CASE WHEN status = 'in_progress' THEN updated_at END FROM roadmap_progress WHERE user_id = %s "
    "UNION ALL SELECT 2, resource_id, 0, '', '', NULL FROM roadmap_note WHERE user_id = %s "
    "UNION ALL SELECT 3, roadmap_id, 0, '', '', seen_until FROM roadmap_visit WHERE user_id = %s"
)
_BY_SLUG = _STATE_SQL.format(roadmap="slug = %s AND is_published")
_HOME = _STATE_SQL.format(
    roadmap='id = (SELECT id FROM roadmap_roadmap WHERE is_published ORDER BY "order", id LIMIT 1)'
)
_BY_ID = _STATE_SQL.format(roadmap="id = %s")

_roadmaps: dict[int, Roadmap] = {}


@dataclass(frozen=True)
class LearnerState:
    roadmap: Roadmap | None
    statuses: dict[int, str] = field(default_factory=dict)  # never "not started"
    bookmarks: dict[int, str] = field(default_factory=dict)
    touched: dict[int, datetime] = field(default_factory=dict)  # in-progress rows' updated_at
    noted_ids: frozenset[int] = frozenset()
    seen_until: datetime | None = None  # what is new is what was added after this
    skipped_count_as_done: bool = False

    def cache_key(self) -> bytes:
        """A digest of every field: two states with the same key show the same page.

        Derived from the fields themselves, so a field added here is in the key without anyone
        remembering to add it. The roadmap counts by its id and content version (its curriculum
        as this process has it). Long enough that no learner can make another's key.
        """
        parts = []
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, Roadmap):
                value = caches.curriculum_key(value)[:2]
            elif isinstance(value, dict):
                value = sorted(value.items())
            elif isinstance(value, (set, frozenset)):
                value = sorted(value)
            parts.append((f.name, value))
        return hashlib.blake2b(repr(parts).encode(), digest_size=32).digest()


def _as_datetime(value) -> datetime:
    # SQLite's driver hands back the stored text; PostgreSQL's an aware datetime.
    if isinstance(value, str):
        value = parse_datetime(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def load_state(
    user, *, slug: str | None = None, roadmap_id: int | None = None, every_roadmap: bool = False
) -> LearnerState:
    """The published roadmap (by slug, by id, or the home one) and what ``user`` did in it.

    With ``every_roadmap``, what they did in every roadmap, for the pages that show each
    roadmap's figures from one read (``build_outline`` takes each roadmap's part).
    """
    uid = user.pk if user.is_authenticated else None
    if roadmap_id is not None:
        sql, params = _BY_ID, [roadmap_id, uid, uid, uid]
    elif slug is not None:
        sql, params = _BY_SLUG, [slug, uid, uid, uid]
    else:
        sql, params = _HOME, [uid, uid, uid]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    found = next(((pk, version) for kind, pk, version, *_ in rows if kind == 0), None)
    if found is None:
        return LearnerState(None)
    roadmap = _roadmaps.get(found[0])
    if roadmap is None or roadmap.content_version != found[1]:
        roadmap = _roadmaps[found[0]] = Roadmap.objects.with_published_count().get(pk=found[0])
    if uid is None:
        return LearnerState(roadmap)
    statuses, bookmarks, touched, noted = {}, {}, {}, set()
    seen_until = None
    # Otherwise the learner's rows in this roadmap only: what they do in another neither costs
    # this page nor moves its cache key. (Its curriculum is read for the outline next anyway.)
    ids = None if every_roadmap else curriculum_of(roadmap).resource_ids
    for kind, pk, _, status, bookmark, when in rows:
        if ids is not None and kind in (1, 2) and pk not in ids:
            continue
        if kind == 1:
            if status != Status.NOT_STARTED:
                statuses[pk] = status
            if bookmark:
                bookmarks[pk] = bookmark
            if when is not None:
                touched[pk] = when
        elif kind == 2:
            noted.add(pk)
        elif kind == 3 and pk == roadmap.pk:
            seen_until = _as_datetime(when)
    if touched:
        touched = {pk: _as_datetime(when) for pk, when in touched.items()}
    return LearnerState(
        roadmap,
        statuses=statuses,
        bookmarks=bookmarks,
        touched=touched,
        noted_ids=frozenset(noted),
        # A learner who never came back sees what was added since they signed up.
        seen_until=seen_until or user.date_joined,
        skipped_count_as_done=user.count_skipped_as_done,
    )


def build_outline(state: LearnerState) -> Outline:
    roadmap = state.roadmap
    curriculum = curriculum_of(roadmap)
    ids = curriculum.resource_ids
    statuses = {pk: status for pk, status in state.statuses.items() if pk in ids}
    done_ids = frozenset(pk for pk, status in statuses.items() if status == Status.DONE)
    skipped_ids = frozenset(pk for pk, status in statuses.items() if status == Status.SKIPPED)
    active_ids = frozenset(pk for pk, status in statuses.items() if status == Status.IN_PROGRESS)
    counting = state.skipped_count_as_done
    times = curriculum.times
    learner_times = estimates.LearnerTimes(times, done_ids | skipped_ids)

    nodes: dict[int, SectionNode] = {}
    parts: list[SectionNode] = []
    ordered: list[SectionNode] = []
    for entry in curriculum.entries:
        parent = nodes.get(entry.parent_pk) if entry.parent_pk is not None else None
        own = entry.resource_ids
        node = SectionNode(
            entry=entry,
            parent=parent,
            total=len(own),
            done=len(own & done_ids) if done_ids else 0,
            skipped=len(own & skipped_ids) if skipped_ids else 0,
            in_progress=len(own & active_ids) if active_ids else 0,
            skipped_count_as_done=counting,
            time=learner_times.left_of(times.sections[entry.section.pk], own),
        )
        nodes[entry.section.pk] = node
        ordered.append(node)
        if parent is None:
            parts.append(node)
        else:
            parent.children.append(node)

    by_pk = {resource.pk: resource for resource in curriculum.resources} if active_ids else {}
    latest = max(
        (pk for pk in active_ids if pk in state.touched),
        key=lambda pk: (state.touched[pk], pk),
        default=None,
    )
    continue_with = by_pk.get(latest) if latest is not None else None
    if continue_with is None:
        continue_with = next((r for r in curriculum.resources if r.pk not in statuses), None)

    seen = state.seen_until
    new: tuple[Resource, ...] = ()
    if seen is not None and curriculum.last_added_at and curriculum.last_added_at > seen:
        new = tuple(r for r in curriculum.resources if r.added_at > seen)

    return Outline(
        roadmap=roadmap,
        parts=parts,
        sections=ordered,
        resources=curriculum.resources,
        node_for_section=nodes,
        statuses=statuses,
        bookmarks={pk: text for pk, text in state.bookmarks.items() if pk in ids},
        noted_ids=state.noted_ids & ids,
        skipped_count_as_done=counting,
        continue_with=continue_with,
        new_resources=new,
        time=learner_times.left_of(times.whole, ids),
        state=state,
    )
