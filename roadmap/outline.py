"""The roadmap page's tree: sections in reading order, their resources, and one learner's progress.

Two parts with different lifetimes:

- the curriculum (sections, resources, groups) changes only when curators edit it, so it is
  read once per process and kept until the roadmap's ``content_version`` moves;
- the learner's state (what they checked off, where they have notes) is one query per request.

Everything else is arithmetic in Python, so the page costs the same few queries however long
the curriculum grows.
"""

import logging
from dataclasses import dataclass, field
from functools import cached_property

from django.db import connection

from roadmap.models import MAX_SECTION_DEPTH, Resource, Roadmap, Section

logger = logging.getLogger(__name__)


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


@dataclass
class SectionNode:
    """A section with one learner's progress in it."""

    entry: Entry
    parent: "SectionNode | None"
    children: list["SectionNode"] = field(default_factory=list)
    total: int = 0
    done: int = 0

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
        return self.total > 0 and self.done == self.total

    @property
    def ancestors_and_self(self) -> list["SectionNode"]:
        node, chain = self, []
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain


@dataclass
class Outline:
    roadmap: Roadmap
    parts: list[SectionNode]
    sections: list[SectionNode]
    resources: tuple[Resource, ...]
    node_for_section: dict[int, SectionNode]
    done_ids: frozenset[int]
    noted_ids: frozenset[int]

    @property
    def total(self) -> int:
        return len(self.resources)

    @property
    def done(self) -> int:
        return len(self.done_ids)  # already limited to this curriculum by build_outline

    @property
    def next_resource(self) -> Resource | None:
        return next((r for r in self.resources if r.pk not in self.done_ids), None)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    def node_for(self, resource: Resource) -> SectionNode:
        return self.node_for_section[resource.section_id]


# Plain dicts: one assignment is atomic, and two threads filling the same entry agree.
_curricula: dict[int, tuple[int, Curriculum]] = {}


def curriculum_of(roadmap: Roadmap) -> Curriculum:
    """The roadmap's published curriculum, read from the database once per content version."""
    cached = _curricula.get(roadmap.pk)
    if cached is not None and cached[0] == roadmap.content_version:
        return cached[1]
    curriculum = _read_curriculum(roadmap)
    _curricula[roadmap.pk] = (roadmap.content_version, curriculum)
    return curriculum


def forget_curricula() -> None:
    _curricula.clear()
    _roadmaps.clear()


def _read_curriculum(roadmap: Roadmap) -> Curriculum:
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
# compiling it through the ORM cost more than running it.
_STATE_SQL = (
    "SELECT 0, id, content_version FROM roadmap_roadmap WHERE {roadmap} "
    "UNION ALL SELECT 1, resource_id, 0 FROM roadmap_progress "
    "WHERE user_id = %s AND status = 'done' "
    "UNION ALL SELECT 2, resource_id, 0 FROM roadmap_note WHERE user_id = %s"
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
    done_ids: frozenset[int]
    noted_ids: frozenset[int]


def load_state(user, *, slug: str | None = None, roadmap_id: int | None = None) -> LearnerState:
    """The published roadmap (by slug, by id, or the home one) and what ``user`` did in it."""
    uid = user.pk if user.is_authenticated else None
    if roadmap_id is not None:
        sql, params = _BY_ID, [roadmap_id, uid, uid]
    elif slug is not None:
        sql, params = _BY_SLUG, [slug, uid, uid]
    else:
        sql, params = _HOME, [uid, uid]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    found = next(((pk, version) for kind, pk, version in rows if kind == 0), None)
    if found is None:
        return LearnerState(None, frozenset(), frozenset())
    roadmap = _roadmaps.get(found[0])
    if roadmap is None or roadmap.content_version != found[1]:
        roadmap = _roadmaps[found[0]] = Roadmap.objects.with_published_count().get(pk=found[0])
    return LearnerState(
        roadmap,
        frozenset(pk for kind, pk, _ in rows if kind == 1),
        frozenset(pk for kind, pk, _ in rows if kind == 2),
    )


def build_outline(state: LearnerState) -> Outline:
    roadmap = state.roadmap
    curriculum = curriculum_of(roadmap)
    done_ids = state.done_ids & curriculum.resource_ids
    noted_ids = state.noted_ids & curriculum.resource_ids

    nodes: dict[int, SectionNode] = {}
    parts: list[SectionNode] = []
    ordered: list[SectionNode] = []
    for entry in curriculum.entries:
        parent = nodes.get(entry.parent_pk) if entry.parent_pk is not None else None
        node = SectionNode(
            entry=entry,
            parent=parent,
            total=len(entry.resource_ids),
            done=len(entry.resource_ids & done_ids),
        )
        nodes[entry.section.pk] = node
        ordered.append(node)
        if parent is None:
            parts.append(node)
        else:
            parent.children.append(node)

    return Outline(
        roadmap=roadmap,
        parts=parts,
        sections=ordered,
        resources=curriculum.resources,
        node_for_section=nodes,
        done_ids=done_ids,
        noted_ids=noted_ids,
    )
