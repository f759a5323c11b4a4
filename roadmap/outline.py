"""The roadmap page's tree: sections in reading order, their resources, and one learner's progress.

Built from three queries whatever the size of the curriculum: the roadmap, its sections, and its
resources annotated with the learner's state. Everything else is arithmetic in Python.
"""

from dataclasses import dataclass, field

from roadmap.models import Resource, Roadmap, Section


@dataclass
class Group:
    level: str
    label: str
    intro: str
    heading_level: int
    resources: list[Resource] = field(default_factory=list)

    @property
    def has_heading(self) -> bool:
        return bool(self.level)

    @property
    def resource_heading_level(self) -> int:
        # Headings may only go one level deeper at a time, so general groups add none.
        return min(self.heading_level + (1 if self.has_heading else 0), 6)


@dataclass
class SectionNode:
    section: Section
    depth: int
    parent: "SectionNode | None"
    children: list["SectionNode"] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    total: int = 0
    done: int = 0

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
    sections: list[SectionNode]  # every section, depth first, in reading order
    resources: list[Resource]  # in reading order
    node_for_section: dict[int, SectionNode]
    total: int = 0
    done: int = 0

    @property
    def next_resource(self) -> Resource | None:
        return next((r for r in self.resources if not r.is_done), None)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    def node_for(self, resource: Resource) -> SectionNode:
        return self.node_for_section[resource.section_id]


def build_outline(roadmap: Roadmap, user) -> Outline:
    sections = Section.objects.published().filter(roadmap=roadmap).order_by("order", "pk")
    resources = (
        Resource.objects.published()
        .filter(roadmap=roadmap)
        .with_learner_state(user)
        .order_by("order", "pk")
    )

    nodes: dict[int, SectionNode] = {}
    parts: list[SectionNode] = []
    # Sections arrive by order; a child may precede its parent, so link them in two passes.
    for section in sections:
        nodes[section.pk] = SectionNode(section=section, depth=0, parent=None)
    for node in nodes.values():
        parent_id = node.section.parent_id
        if parent_id is None:
            parts.append(node)
        elif parent_id in nodes:
            node.parent = nodes[parent_id]
            nodes[parent_id].children.append(node)
        # A section under an unpublished parent is hidden with it.

    ordered: list[SectionNode] = []

    def walk(node: SectionNode, depth: int) -> None:
        node.depth = depth
        ordered.append(node)
        for child in node.children:
            walk(child, depth + 1)

    for part in parts:
        walk(part, 0)
    visible = {node.section.pk: node for node in ordered}

    labels = dict(Resource.Level.choices)
    for resource in resources:
        node = visible.get(resource.section_id)
        if node is None:
            continue
        if not node.groups or node.groups[-1].level != resource.level:
            intro = (
                node.section.group_intros.get(resource.level, "")
                if node.section.group_intros
                else ""
            )
            label = labels.get(resource.level, "")
            node.groups.append(Group(resource.level, label, intro, min(node.heading_level + 1, 6)))
        node.groups[-1].resources.append(resource)

    in_reading_order: list[Resource] = []
    for node in ordered:
        for group in node.groups:
            in_reading_order.extend(group.resources)
    for resource in in_reading_order:
        for ancestor in visible[resource.section_id].ancestors_and_self:
            ancestor.total += 1
            ancestor.done += resource.is_done

    outline = Outline(
        roadmap=roadmap,
        parts=parts,
        sections=ordered,
        resources=in_reading_order,
        node_for_section=visible,
    )
    outline.total = len(in_reading_order)
    outline.done = sum(r.is_done for r in in_reading_order)
    return outline
