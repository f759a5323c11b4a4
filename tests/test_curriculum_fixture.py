"""fixtures/curriculum.json is what ``make run`` loads; it must agree with the Markdown file.

Regenerate it after editing fixtures/llm-roadmap.md, from an empty database:
``manage.py import_curriculum fixtures/llm-roadmap.md`` then ``manage.py dumpdata roadmap.roadmap
roadmap.section roadmap.resource --natural-foreign --natural-primary --indent 2
-o fixtures/curriculum.json``.
"""

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from roadmap.models import Resource, Roadmap, Section

pytestmark = pytest.mark.django_db

MARKDOWN = Path(__file__).resolve().parent.parent / "fixtures" / "llm-roadmap.md"


def load_fixture() -> None:
    call_command("loaddata", "curriculum", stdout=io.StringIO())


def import_markdown() -> None:
    call_command("import_curriculum", str(MARKDOWN), stdout=io.StringIO())


def snapshot() -> dict[str, list[tuple]]:
    """Everything the curriculum says, by natural key, free of primary keys."""
    sections = [
        (
            s.slug,
            s.parent.slug if s.parent else None,
            s.title,
            s.intro,
            s.group_intros,
            s.order,
            s.is_published,
        )
        for s in Section.objects.select_related("parent").order_by("slug")
    ]
    resources = [
        (
            r.url,
            r.title,
            r.author,
            r.description,
            r.kind,
            r.level,
            r.estimated_minutes,
            r.section.slug,
            r.order,
            r.is_published,
        )
        for r in Resource.objects.select_related("section").order_by("url")
    ]
    roadmaps = list(Roadmap.objects.values_list("slug", "title", "description", "is_published"))
    return {"roadmaps": roadmaps, "sections": sections, "resources": resources}


def flush_curriculum() -> None:
    Resource.objects.all().delete()
    # Sections protect their children; unhook them first so they can all go at once.
    Section.objects.update(parent=None)
    Section.objects.all().delete()
    Roadmap.objects.all().delete()


def test_loaddata_loads_all_31_resources_published():
    load_fixture()

    assert Roadmap.objects.get().slug == "llm-roadmap"
    assert Resource.objects.count() == 31
    assert Resource.objects.published().count() == 31
    assert Section.objects.filter(is_published=False).count() == 0
    transformer = Resource.objects.get(url="https://jalammar.github.io/illustrated-transformer/")
    assert (transformer.section.slug, transformer.author) == ("llm-basic", "Jay Alammar")
    chapter = Resource.objects.get(url="https://web.stanford.edu/~jurafsky/slp3/10.pdf")
    assert (chapter.level, chapter.kind) == ("theoretical", "book")
    assert Resource.objects.get(url="https://realpython.com/").kind == "website"
    assert Section.objects.get(slug="mathematical-basis").parent.slug == "preliminary-a-refresh"


def test_the_fixture_carries_both_fixes_to_the_source_file():
    load_fixture()
    spacy = Resource.objects.get(
        url="https://realpython.com/natural-language-processing-spacy-python/"
    )
    assert "spaCy" in spacy.description
    assert "PyTorch" not in spacy.description
    ml = Resource.objects.get(url="https://youtu.be/i_LwzRVP7bg")
    assert ml.description.startswith("This YouTube video by freeCodeCamp")


def test_loading_twice_keeps_the_same_pks_and_counts():
    load_fixture()
    pks = dict(Resource.objects.values_list("url", "pk"))
    section_pks = dict(Section.objects.values_list("slug", "pk"))

    load_fixture()

    assert dict(Resource.objects.values_list("url", "pk")) == pks
    assert dict(Section.objects.values_list("slug", "pk")) == section_pks
    assert (Roadmap.objects.count(), Section.objects.count(), Resource.objects.count()) == (
        1,
        6,
        31,
    )


def test_loading_after_a_markdown_import_updates_in_place():
    import_markdown()
    pks = dict(Resource.objects.values_list("url", "pk"))
    url = "https://jalammar.github.io/illustrated-transformer/"
    Resource.objects.filter(url=url).update(title="Edited by hand")

    load_fixture()

    assert dict(Resource.objects.values_list("url", "pk")) == pks
    assert Resource.objects.get(url=url).title == "The Illustrated Transformer"
    assert Section.objects.count() == 6


def test_the_fixture_and_the_markdown_file_agree():
    import_markdown()
    from_markdown = snapshot()
    flush_curriculum()
    assert Resource.objects.count() == 0

    load_fixture()

    assert len(from_markdown["resources"]) == 31
    assert snapshot() == from_markdown


# A length the resource states itself: "2 hours", "45-minute", "1.5 h", "90 min".
STATED_LENGTH = re.compile(r"\b\d+(?:\.\d+)?[ -]?(?:h|hours?|hrs?|min|minutes?)\b", re.IGNORECASE)


def test_only_resources_that_state_their_own_length_carry_an_estimate():
    """The shipped curriculum guesses no time: "Long video" says how long it is not."""
    import_markdown()
    from_markdown = dict(Resource.objects.values_list("url", "estimated_minutes"))
    flush_curriculum()
    load_fixture()
    from_fixture = dict(Resource.objects.values_list("url", "estimated_minutes"))

    stating = {
        r.url for r in Resource.objects.all() if STATED_LENGTH.search(f"{r.title} {r.description}")
    }
    estimated = {url for url, minutes in from_fixture.items() if minutes is not None}
    assert from_fixture == from_markdown
    assert estimated == stating
    assert len(from_fixture) == 31
    learn_python = Resource.objects.get(url="https://www.youtube.com/watch?v=rfscVS0vtbw")
    assert "Long video" in learn_python.description
    assert learn_python.estimated_minutes is None
