"""A study group's page as its organizer sees it: 500 members on ``bench-10x`` (310 resources).

Each member has done a prefix of the reading order (0 to 80 resources, the last one in
progress), written in bulk around the app's write path. The page's queries are counted with 10
members and with 500 (they must not grow), and its render time is measured at 500, against the
issue's budget. The group, its members and their rows are removed afterwards.
"""

from __future__ import annotations

import statistics

from bench.pages import Context, Line
from bench.report import percentile

MEMBERS = 500
FIRST = 10
BUDGET_MS = 300.0  # median render of the group page at MEMBERS members
SAMPLES = 15
EMAIL = "group-member-{}@bench.invalid"


def measure(ctx: Context) -> list[Line]:
    from groups.models import Group, Membership

    big = ctx.roadmap_10x
    group = Group.objects.create(name="Bench class", roadmap=big)
    Membership.objects.create(
        group=group, user=ctx.learner, role=Membership.Role.OWNER, display_name="Organizer"
    )
    page = f"/groups/{group.pk}/"
    try:
        _members(group, 0, FIRST)
        few = ctx.queries(ctx.client, page)
        _members(group, FIRST, MEMBERS)
        many = ctx.queries(ctx.client, page)
        times = ctx.render_ms(ctx.client, page, SAMPLES)
    finally:
        _clean_up(group)
    median, p95 = statistics.median(times), percentile(times, 95)
    ctx.details["groups"] = {"queries": [few, many], "render_ms": times}
    return [
        Line(
            f"group page, {MEMBERS} members",
            f"{median:.0f} ms (p95 {p95:.0f} ms)",
            f"< {BUDGET_MS:.0f} ms (median)",
            median < BUDGET_MS,
        ),
        Line(
            f"group page queries at {FIRST} and {MEMBERS} members",
            f"{few} and {many}",
            "equal",
            few == many,
        ),
    ]


def _members(group, start: int, stop: int) -> None:
    from django.contrib.auth import get_user_model

    from groups.models import Membership
    from roadmap.models import Progress
    from roadmap.outline import curriculum_of

    users = get_user_model().objects.bulk_create(
        [get_user_model()(email=EMAIL.format(i)) for i in range(start, stop)]
    )
    Membership.objects.bulk_create(
        [Membership(group=group, user=u, display_name=f"Member {u.pk}") for u in users]
    )
    resources = curriculum_of(group.roadmap).resources
    rows = []
    for n, user in enumerate(users, start):
        reached = (n * 37) % 81
        for i, resource in enumerate(resources[:reached]):
            status = Progress.Status.IN_PROGRESS if i == reached - 1 else Progress.Status.DONE
            rows.append(Progress(user=user, resource=resource, status=status))
    Progress.objects.bulk_create(rows, batch_size=5000)


def _clean_up(group) -> None:
    from django.contrib.auth import get_user_model

    from roadmap.models import Progress

    Progress.objects.filter(
        user__email__endswith="@bench.invalid", user__email__startswith="group-member-"
    ).delete()
    get_user_model().objects.filter(email__startswith="group-member-").delete()
    group.delete()
