"""The caches of rendered content: one module names them, one call empties them, and their keys
are derived from what the page is made of rather than listed by hand."""

import dataclasses
from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django.utils import translation

import roadmap.caches
from roadmap import caches, fragments, learning, outline, pagecache
from roadmap.models import Progress, Roadmap
from roadmap.outline import LearnerState
from tests.conftest import client_for, make_resource, make_roadmap, make_section, make_user

pytestmark = pytest.mark.django_db


def test_every_cache_kept_in_the_process_is_named_in_the_caches_module():
    names = {cache.name for cache in caches.registered()}
    assert names == {
        "curricula",
        "resource items",
        "sections",
        "table of contents entries",
        "pages",
        "maps",
        "group signs",
        "heatmap dates",
    }
    for name in names:
        assert f"``{name}``" in roadmap.caches.__doc__


def test_clear_all_empties_every_cache(alice_client, anon):
    resource = make_resource()
    alice_client.get("/")
    alice_client.get("/me/")
    anon.get("/")
    anon.get(reverse("maps:map", args=[resource.section.roadmap.slug]))
    assert all(cache.size() > 0 for cache in caches.registered())
    caches.clear_all()
    assert all(cache.size() == 0 for cache in caches.registered())


def test_an_overridden_setting_empties_the_caches(settings, anon):
    make_resource()
    anon.get("/")
    assert pagecache.count() == 1
    settings.REGISTRATION_OPEN = False
    assert pagecache.count() == 0
    assert "/accounts/signup/" not in anon.get("/").content.decode()


def test_an_edited_template_empties_the_caches_in_development(anon):
    from pathlib import Path

    from django.conf import settings
    from django.utils.autoreload import file_changed

    make_resource()
    anon.get("/")
    template = Path(settings.BASE_DIR, "templates/roadmap/_resource.html")
    file_changed.send(sender=None, file_path=template)
    assert all(cache.size() == 0 for cache in caches.registered())


def example_state(roadmap: Roadmap) -> LearnerState:
    return LearnerState(
        roadmap,
        statuses={1: "done", 2: "skipped"},
        bookmarks={3: "video 2, 4:10"},
        touched={3: datetime(2026, 1, 2, tzinfo=UTC)},
        noted_ids=frozenset({1}),
        seen_until=datetime(2026, 1, 1, tzinfo=UTC),
        skipped_count_as_done=False,
    )


def other_value(value):
    """A different value of the same kind, for any field of LearnerState."""
    if isinstance(value, Roadmap):
        return Roadmap(pk=value.pk, content_version=value.content_version + 1)
    if isinstance(value, dict):
        return {**value, 99: next(iter(value.values()))}
    if isinstance(value, frozenset):
        return value | {99}
    if isinstance(value, datetime):
        return value.replace(second=1)
    if isinstance(value, bool):
        return not value
    raise AssertionError(f"no other value for {value!r}: teach this test the new field's kind")


def test_every_field_of_the_learners_state_is_in_its_cache_key():
    state = example_state(Roadmap(pk=1, content_version=3))
    for field in dataclasses.fields(LearnerState):
        value = other_value(getattr(state, field.name))
        changed = dataclasses.replace(state, **{field.name: value})
        assert changed.cache_key() != state.cache_key(), field.name
    assert example_state(Roadmap(pk=1, content_version=3)).cache_key() == state.cache_key()


def test_a_page_rendered_in_one_language_is_not_served_in_another(anon):
    make_resource()
    anon.get("/")
    anon.get("/")
    assert pagecache.count() == 1
    french = anon.get("/", HTTP_ACCEPT_LANGUAGE="fr")
    assert pagecache.count() == 2
    assert french["Content-Language"] == "fr"
    assert '<html lang="fr"' in french.content.decode()
    assert '<html lang="en"' in anon.get("/").content.decode()


def test_a_resource_item_is_kept_per_language_and_content_version(rf):
    resource = make_resource()
    roadmap = resource.roadmap
    look = fragments.ItemLook(authenticated=False)
    fragments.resource_item(roadmap, resource, 3, look, csrf_token="")
    fragments.resource_item(roadmap, resource, 3, look, csrf_token="")
    assert len(fragments.items) == 1
    with translation.override("fr"):
        fragments.resource_item(roadmap, resource, 3, look, csrf_token="")
    roadmap.content_version += 1
    fragments.resource_item(roadmap, resource, 3, look, csrf_token="")
    assert len(fragments.items) == 3


def test_an_edited_resource_is_rendered_anew_without_clearing_anything(anon):
    resource = make_resource(title="Old title")
    assert "Old title" in anon.get("/").content.decode()
    resource.description = "A new description"
    resource.save()
    assert "A new description" in anon.get("/").content.decode()
    assert outline.curriculum_of(Roadmap.objects.get()).resources[0].description == (
        "A new description"
    )


def test_after_a_learners_change_only_the_section_it_touched_renders_again():
    roadmap = make_roadmap(slug="llm", order=1)
    sections = [make_section(roadmap, title=f"Part {n}") for n in range(3)]
    resources = [make_resource(section) for section in sections]
    alice = make_user("alice@example.com")  # nothing is new to her
    alice_client = client_for(alice)
    alice_client.get("/")
    assert (len(fragments.sections), len(fragments.toc_entries)) == (3, 3)
    learning.set_status(alice, resources[1], Progress.Status.DONE)
    page = alice_client.get("/").content.decode()
    # The touched section and its entry in the contents, rendered for the new state; the
    # others came from the caches.
    assert (len(fragments.sections), len(fragments.toc_entries)) == (4, 4)
    assert 'id="section-progress-' + sections[1].slug in page
    assert "1 of 1 done" in page
    # A filter showing part of a section keeps that part apart from the whole section.
    alice_client.get("/?status=done")
    assert len(fragments.sections) == 5


def test_what_a_learner_does_in_another_roadmap_leaves_this_ones_page_cached():
    first, second = make_roadmap(slug="llm", order=1), make_roadmap(slug="agents", order=2)
    here, there = make_resource(make_section(first)), make_resource(make_section(second))
    alice = make_user("alice@example.com")
    alice_client = client_for(alice)
    learning.set_status(alice, here, Progress.Status.DONE)
    alice_client.get("/")
    assert pagecache.count() == 1
    learning.set_status(alice, there, Progress.Status.DONE)
    assert "1 of 1" in alice_client.get("/").content.decode()
    assert pagecache.count() == 1  # the same key: served from the cache
    learning.set_status(alice, here, Progress.Status.NOT_STARTED)
    assert "0 of 1" in alice_client.get("/").content.decode()
    assert pagecache.count() == 2
