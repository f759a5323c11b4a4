import pytest
from django.contrib.auth.models import Group

from linkhealth.signals import CURATOR_PERMISSIONS as LINK_HEALTH_PERMISSIONS
from roadmap.models import Progress, Resource, Section
from roadmap.signals import CURATOR_PERMISSIONS
from tests.conftest import make_resource, make_roadmap

pytestmark = pytest.mark.django_db


def test_migrate_creates_a_curators_group_with_exactly_the_curriculum_permissions():
    group = Group.objects.get(name="Curators")
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert codenames == set(CURATOR_PERMISSIONS) | set(LINK_HEALTH_PERMISSIONS)
    assert not any("note" in c or "progress" in c or "user" in c for c in codenames)


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/roadmap/roadmap/",
        "/admin/roadmap/section/",
        "/admin/roadmap/resource/",
        "/admin/roadmap/resource/?kind__exact=video&level__exact=high_level&is_published__exact=1",
        "/admin/roadmap/resource/?q=transformer",
        "/admin/roadmap/resource/add/",
        "/admin/roadmap/section/add/",
    ],
)
def test_curator_admin_pages_load(carol_client, url):
    make_resource()
    assert carol_client.get(url).status_code == 200


def test_curator_edit_pages_load_with_inlines(carol_client):
    resource = make_resource()
    assert carol_client.get(f"/admin/roadmap/resource/{resource.pk}/change/").status_code == 200
    page = carol_client.get(f"/admin/roadmap/section/{resource.section.pk}/change/")
    assert page.status_code == 200 and resource.title in page.content.decode()
    page = carol_client.get(f"/admin/roadmap/roadmap/{resource.roadmap.pk}/change/")
    assert page.status_code == 200 and resource.section.title in page.content.decode()


def test_a_curator_saves_a_resource(carol_client):
    resource = make_resource()
    response = carol_client.post(
        f"/admin/roadmap/resource/{resource.pk}/change/",
        {
            "section": resource.section.pk,
            "title": "Retitled",
            "url": "https://example.com/new",
            "author": "Ada Lovelace",
            "description": "Now better.",
            "kind": "video",
            "level": "in_depth",
            "order": 3,
            "is_published": "on",
        },
    )
    assert response.status_code == 302
    resource.refresh_from_db()
    assert (resource.title, resource.url, resource.kind, resource.level) == (
        "Retitled",
        "https://example.com/new",
        "video",
        "in_depth",
    )


def test_a_curator_adds_a_section_with_a_slug_and_a_resource_inline(carol_client):
    roadmap = make_roadmap()
    response = carol_client.post(
        "/admin/roadmap/section/add/",
        {
            "roadmap": roadmap.pk,
            "title": "Tokenizers",
            "slug": "tokenizers",
            "intro": "",
            "group_intros": "{}",
            "order": 5,
            "is_published": "on",
            "resources-TOTAL_FORMS": 1,
            "resources-INITIAL_FORMS": 0,
            "resources-0-title": "BPE explained",
            "resources-0-url": "https://example.com/bpe",
            "resources-0-kind": "article",
            "resources-0-level": "",
            "resources-0-order": 1,
            "resources-0-is_published": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    section = Section.objects.get(slug="tokenizers")
    assert section.resources.get().roadmap == roadmap


def test_a_duplicate_url_in_a_roadmap_is_a_form_error_not_a_crash(carol_client):
    existing = make_resource(url="https://example.com/dup")
    other = make_resource(section=existing.section)
    response = carol_client.post(
        f"/admin/roadmap/resource/{other.pk}/change/",
        {
            "section": other.section.pk,
            "title": other.title,
            "url": "https://example.com/dup",
            "kind": "article",
            "level": "",
            "order": 1,
        },
    )
    assert response.status_code == 200
    assert "already links to this URL" in response.content.decode()


def test_bulk_unpublish_and_publish(carol_client):
    resources = [make_resource(), make_resource()]
    ids = [r.pk for r in resources]
    data = {"action": "unpublish", "_selected_action": ids}
    assert carol_client.post("/admin/roadmap/resource/", data).status_code == 302
    assert not Resource.objects.filter(pk__in=ids, is_published=True).exists()
    data["action"] = "publish"
    carol_client.post("/admin/roadmap/resource/", data)
    assert Resource.objects.filter(pk__in=ids, is_published=True).count() == 2


def test_deleting_a_resource_with_learner_progress_is_refused_without_naming_learners(
    carol_client, alice
):
    resource = make_resource()
    Progress.objects.create(user=alice, resource=resource)
    page = carol_client.get(f"/admin/roadmap/resource/{resource.pk}/delete/").content.decode()
    assert "Unpublish it instead" in page
    assert "alice@example.com" not in page
    carol_client.post(f"/admin/roadmap/resource/{resource.pk}/delete/", {"post": "yes"})
    assert Resource.objects.filter(pk=resource.pk).exists()
    assert Progress.objects.filter(resource=resource).exists()


def test_view_on_site_links_to_the_resource_on_the_roadmap(carol_client):
    resource = make_resource()
    page = carol_client.get(f"/admin/roadmap/resource/{resource.pk}/change/").content.decode()
    assert "View on site" in page


@pytest.mark.parametrize("url", ["/admin/roadmap/resource/", "/admin/roadmap/section/add/"])
def test_a_learner_is_refused_the_admin(alice_client, url):
    response = alice_client.get(url)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_a_curator_cannot_see_learners_or_their_data(carol_client):
    assert carol_client.get("/admin/accounts/user/").status_code == 403
    assert carol_client.get("/admin/roadmap/progress/").status_code == 404
