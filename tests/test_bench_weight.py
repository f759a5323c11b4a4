"""The bench's page-weight budget (bench/pages/weight.py), measured here on a small roadmap."""

import pytest

from bench.pages import Line, discover, weight
from tests.conftest import make_resource, make_roadmap, make_section
from tests.helpers import bench_context


def test_the_weight_is_measured_by_the_bench():
    assert "weight" in discover()


@pytest.mark.django_db
def test_it_measures_the_signed_in_page_against_the_anonymous_one_at_both_scales(alice):
    roadmap = make_roadmap()
    for n in range(3):
        make_resource(make_section(roadmap), title=f"The resource {n}")
    ctx = bench_context(alice, roadmap)

    lines = weight.measure(ctx)

    assert all(isinstance(line, Line) for line in lines)
    assert [line.name for line in lines] == [
        "signed-in roadmap page's HTML at 1x",
        "signed-in roadmap page's HTML at 10x",
    ]
    assert lines[0].budget == "<= 60 KB and <= 2x anonymous"
    sizes = ctx.details["weight"]["1x"]
    assert sizes["signed_in_bytes"] > sizes["anonymous_bytes"] > 0
    ratio = sizes["signed_in_bytes"] / sizes["anonymous_bytes"]
    assert lines[0].ok == (ratio <= 2 and sizes["signed_in_bytes"] <= 60_000)
