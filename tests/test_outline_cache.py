"""The curriculum is read once per process and re-read whenever curators change it."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from roadmap.models import Progress, Resource, Roadmap
from tests.conftest import make_resource, make_section
from tests.helpers import CURRICULUM_MARKDOWN

pytestmark = pytest.mark.django_db


def page(client) -> str:
    return client.get("/").content.decode()


def test_a_warm_page_makes_one_query_besides_the_session_and_user(alice_client):
    make_resource()
    page(alice_client)
    with CaptureQueriesContext(connection) as queries:
        page(alice_client)
    tables = [q["sql"].split(" FROM ")[1].split()[0].strip('"') for q in queries]
    assert sorted(tables) == [
        "accounts_user",
        "roadmap_roadmap",  # its version, with the learner's progress and notes in one UNION
        "roadmap_session_cache",  # the session, read through the cache (settings: cached_db)
    ]


def test_editing_a_resource_shows_at_once(anon):
    resource = make_resource(title="Old title")
    assert "Old title" in page(anon)
    resource.title = "New title"
    resource.save()
    assert "New title" in page(anon)


def test_adding_and_deleting_resources_and_sections_shows_at_once(anon):
    resource = make_resource(title="First")
    page(anon)
    section = make_section(resource.roadmap, title="Brand new section")
    make_resource(section, title="Second")
    html = page(anon)
    assert "Brand new section" in html and "Second" in html
    Resource.objects.get(title="Second").delete()
    assert "Second" not in page(anon)


def test_bulk_publishing_in_admin_shows_at_once(anon, carol_client):
    resource = make_resource(title="Toggled")
    page(anon)
    carol_client.post(
        "/admin/roadmap/resource/", {"action": "unpublish", "_selected_action": [resource.pk]}
    )
    assert "Toggled" not in page(anon)
    carol_client.post(
        "/admin/roadmap/resource/", {"action": "publish", "_selected_action": [resource.pk]}
    )
    assert "Toggled" in page(anon)


def test_a_markdown_import_and_a_fixture_load_show_at_once(anon, tmp_path):
    call_command("loaddata", "curriculum", verbosity=0)
    assert "The Illustrated Transformer" in page(anon)
    source = tmp_path / "edited.md"
    source.write_text(
        CURRICULUM_MARKDOWN.read_text().replace("[The Illustrated Transformer]", "[Renamed]")
    )
    call_command("import_curriculum", str(source), stdout=io.StringIO())
    assert "Renamed" in page(anon)
    call_command("loaddata", "curriculum", verbosity=0)
    assert "Renamed" not in page(anon)


def test_checking_off_changes_only_the_learners_view(alice, alice_client, bob_client):
    resource = make_resource()
    page(alice_client), page(bob_client)
    Progress.objects.create(user=alice, resource=resource)
    assert f'aria-labelledby="wd t{resource.pk}" checked' in page(alice_client)
    assert f'aria-labelledby="wd t{resource.pk}" checked' not in page(bob_client)


def test_the_version_moves_with_every_change():
    resource = make_resource()
    version = Roadmap.objects.get().content_version
    resource.description = "changed"
    resource.save()
    assert Roadmap.objects.get().content_version > version


def test_renaming_or_unpublishing_the_roadmap_shows_at_once(anon):
    resource = make_resource()
    roadmap = resource.roadmap
    page(anon)
    roadmap.title = "Renamed roadmap"
    roadmap.save()
    assert "<h1>Renamed roadmap</h1>" in page(anon)
    roadmap.is_published = False
    roadmap.save()
    assert anon.get(roadmap.get_absolute_url()).status_code == 404
    assert "No roadmap yet" in page(anon)
