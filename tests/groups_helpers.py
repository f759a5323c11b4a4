"""Builders for the groups' tests: a group with its owner, members joined directly."""

from groups.models import Group, Membership
from tests.conftest import make_resource, make_section

Role = Membership.Role


def make_group(owner, roadmap=None, **fields) -> Group:
    if roadmap is None:
        roadmap = make_section().roadmap
    fields.setdefault("name", "Reading club")
    group = Group.objects.create(roadmap=roadmap, **fields)
    Membership.objects.create(group=group, user=owner, role=Role.OWNER, display_name="Owner")
    return group


def add_member(group: Group, user, role=Role.MEMBER, name: str = "") -> Membership:
    return Membership.objects.create(
        group=group, user=user, role=role, display_name=name or user.email.split("@")[0]
    )


def resources_in(group: Group, n: int) -> list:
    section = group.roadmap.sections.first()
    return [make_resource(section) for _ in range(n)]
