"""The roadmap page: its SQL queries at 1x and 10x, and its render time at 10x.

Its two lines are the app's render and query budgets; its details (every query with its time,
render times in five cache states, a profile) feed the report's "In-process" section.
"""

from __future__ import annotations

import statistics
from contextlib import contextmanager
from typing import TYPE_CHECKING

from bench.pages import Context, Line
from bench.report import percentile

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

BUDGET_RENDER_MS = 25.0  # median in-process render at 10x
BUDGET_QUERIES = 6
SAMPLES = 50


def measure(ctx: Context) -> list[Line]:
    from roadmap import caches, pagecache

    small, big = ctx.roadmap_1x.get_absolute_url(), ctx.roadmap_10x.get_absolute_url()
    queries = {
        "learner_1x": ctx.capture(ctx.client, small),
        "learner_10x": ctx.capture(ctx.client, big),
        "anon_1x": ctx.capture(ctx.anon, small),
        "anon_10x": ctx.capture(ctx.anon, big),
    }
    with _changes(ctx.learner, ctx.roadmap_10x) as change:
        # A page render after the learner's own change: before each sample they give another
        # resource a new status, so no page is cached for the new state and the section it
        # touched renders again (roadmap/fragments.py); the other sections are kept.
        learner_10x = ctx.render_ms(ctx.client, big, SAMPLES, (change,))
    render = {
        "learner_10x": learner_10x,
        "learner_1x": ctx.render_ms(ctx.client, small, SAMPLES // 2, (pagecache.clear,)),
        "anon_10x": ctx.render_ms(ctx.anon, big, SAMPLES // 2, (pagecache.clear,)),
        # After a curriculum edit: nothing cached at all.
        "learner_10x_cold": ctx.render_ms(ctx.client, big, SAMPLES // 2, (caches.clear_all,)),
        # Served from the page cache: the learner reloads, or comes back unchanged.
        "learner_10x_cached": ctx.render_ms(ctx.client, big, SAMPLES // 2),
    }
    ctx.details["roadmap"] = {
        "queries": queries,
        "render_ms": render,
        "profile_10x": ctx.profile(ctx.client, big),
    }

    q1, q10 = len(queries["learner_1x"]), len(queries["learner_10x"])
    median, p95 = statistics.median(render["learner_10x"]), percentile(render["learner_10x"], 95)
    return [
        Line(
            "render at 10x",
            f"{median:.1f} ms (p95 {p95:.1f} ms"
            f"{', also under' if p95 < BUDGET_RENDER_MS else ', over'})",
            f"< {BUDGET_RENDER_MS:.0f} ms (median)",
            median < BUDGET_RENDER_MS,
        ),
        Line(
            "queries equal at 1x and 10x and",
            f"{q1} and {q10}",
            f"≤ {BUDGET_QUERIES}",
            q1 == q10 <= BUDGET_QUERIES,
        ),
    ]


@contextmanager
def _changes(learner, roadmap) -> Iterator[Callable[[], None]]:
    """A function that changes one more of ``learner``'s statuses on ``roadmap`` each call (a
    resource not started becomes in progress, any other becomes not started); every status is
    put back afterwards, for the modules measured next."""
    from roadmap import learning
    from roadmap.models import Progress
    from roadmap.outline import curriculum_of

    resources = list(curriculum_of(roadmap).resources)
    before = dict(
        Progress.objects.filter(user=learner, resource__in=resources).values_list(
            "resource_id", "status"
        )
    )
    changed = []

    def change() -> None:
        resource = resources[len(changed) % len(resources)]
        was = before.get(resource.pk, Progress.Status.NOT_STARTED)
        new = (
            Progress.Status.IN_PROGRESS
            if was == Progress.Status.NOT_STARTED
            else Progress.Status.NOT_STARTED
        )
        learning.set_status(learner, resource, new)
        changed.append(resource)

    try:
        yield change
    finally:
        for resource in changed:
            learning.set_status(
                learner, resource, before.get(resource.pk, Progress.Status.NOT_STARTED)
            )
