"""The bench's line for the roadmap page in French (bench/pages/languages.py), small roadmap."""

import pytest

from bench.pages import discover, languages
from tests.conftest import make_resource, make_roadmap, make_section
from tests.helpers import bench_context


def test_the_languages_are_measured_by_the_bench():
    assert "languages" in discover()


@pytest.mark.django_db
def test_it_compares_french_with_english_in_queries_and_render_time(alice):
    roadmap = make_roadmap()
    for n in range(3):
        make_resource(make_section(roadmap), title=f"The resource {n}")
    ctx = bench_context(alice, roadmap)

    lines = languages.measure(ctx)

    assert [line.name for line in lines] == [
        "roadmap page's queries at 1x and 10x, English and French",
        "roadmap page's render at 10x in French, nothing cached",
    ]
    details = ctx.details["languages"]
    assert details["content_language"] == {"en": "en", "fr": "fr"}
    assert len(set(details["queries"].values())) == 1
    assert lines[0].ok
    assert len(details["render_ms"]["en"]) == len(details["render_ms"]["fr"]) == 30
