"""Builders and measures that several test files use (personas and ``make_*`` are in conftest)."""

from pathlib import Path

from django.db import connection
from django.test.utils import CaptureQueriesContext

from roadmap.models import Note, Progress, Resource
from tests.conftest import make_resource, make_roadmap, make_section

# The shipped curriculum's Markdown, which fixtures/curriculum.json is made from.
CURRICULUM_MARKDOWN = Path(__file__).resolve().parent.parent / "fixtures" / "llm-roadmap.md"


def build_curriculum(scale: int = 1, slug: str = "llm-roadmap"):
    """A roadmap shaped like the real one (parts with nested sections), ``scale`` times as long."""
    roadmap = make_roadmap(slug=slug, title=f"Roadmap {slug}")
    for p in range(2 * scale):
        part = make_section(roadmap, title=f"Part {p}", intro="Read *these* first.")
        for s in range(2):
            section = make_section(roadmap, title=f"Section {p}.{s}", parent=part)
            for r in range(4):
                level = ["high_level", "theoretical"][r % 2]
                make_resource(section, title=f"Resource {p}.{s}.{r}", level=level, author="Ada")
        make_resource(part, title=f"Direct {p}")
    return roadmap


def give_every_kind_of_state(alice) -> None:
    """All four statuses, bookmarks on 10% and notes on a third of the resources."""
    statuses = list(Progress.Status)
    for i, resource in enumerate(Resource.objects.order_by("pk")):
        status = statuses[i % 4]
        bookmark = f"video {i}, 12:40" if i % 10 == 0 else ""
        if status != Progress.Status.NOT_STARTED or bookmark:
            Progress.objects.create(user=alice, resource=resource, status=status, bookmark=bookmark)
        if i % 3 == 0:
            Note.objects.create(user=alice, resource=resource, body="n", body_html="<p>n</p>")


def count_queries(client, url: str = "/", **headers) -> int:
    """The queries a GET of ``url`` makes, which must answer 200: to compare sizes of data, where
    ``django_assert_num_queries`` would pin one number."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    assert response.status_code == 200
    return len(queries)
