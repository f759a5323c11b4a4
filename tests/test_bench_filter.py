"""The bench's Find budgets (bench/pages/filter.py), measured here on a small roadmap."""

import pytest

from bench.pages import Line, discover
from bench.pages import filter as filter_page
from roadmap.models import Progress
from tests.conftest import make_resource, make_roadmap, make_section
from tests.helpers import bench_context


def test_the_filter_is_measured_by_the_bench():
    assert "filter" in discover()


@pytest.mark.django_db
def test_it_measures_a_broad_text_filter_and_a_status_filter_through_htmx(alice, monkeypatch):
    monkeypatch.setattr(filter_page, "SAMPLES", 3)
    roadmap = make_roadmap()
    section = make_section(roadmap)
    for n in range(6):
        resource = make_resource(section, title=f"The resource {n}")
        if n % 2:
            Progress.objects.create(user=alice, resource=resource, status="done")
    ctx = bench_context(alice, roadmap)

    lines = filter_page.measure(ctx)

    assert all(isinstance(line, Line) for line in lines)
    names = [line.name for line in lines]
    assert names[0] == "htmx filter at 10x, broad text (q=the, 6 resources match)"
    assert names[2] == "htmx filter at 10x, status (status=done, 3 resources match)"
    queries = [line for line in lines if line.name.startswith("its queries")]
    assert len(queries) == 2
    assert all(line.ok and line.budget == "all equal" for line in queries)
    details = ctx.details["filter"]
    assert len(details["status"]["render_ms"]) == 3
    assert details["status"]["queries_10x"] == details["whole_page_queries_10x"]
