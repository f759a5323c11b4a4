import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from roadmap.models import Progress, Roadmap
from tests.conftest import make_resource, make_roadmap, make_section

pytestmark = pytest.mark.django_db

ALL_ROADMAPS = '<a href="/roadmaps/"'


def roadmap_with(n_resources: int, **fields) -> Roadmap:
    roadmap = make_roadmap(**fields)
    section = make_section(roadmap)
    for _ in range(n_resources):
        make_resource(section)
    return roadmap


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_it_lists_published_roadmaps_in_curated_order_with_their_resource_counts(anon):
    roadmap_with(2, title="Maths for ML", description="Vectors first.", order=2)
    roadmap_with(3, title="LLM Roadmap", order=1)
    roadmap_with(1, title="Draft", is_published=False)

    html = anon.get("/roadmaps/").content.decode()

    assert html.index("LLM Roadmap</a></h2>") < html.index("Maths for ML</a></h2>")
    assert "Vectors first." in html
    assert "3 resources" in html and "2 resources" in html
    assert "Draft" not in html
    assert "<progress" not in html


def test_unpublished_resources_and_sections_are_not_counted(anon):
    roadmap = roadmap_with(2, title="LLM Roadmap")
    make_resource(make_section(roadmap), is_published=False)
    hidden_part = make_section(roadmap, is_published=False)
    make_resource(make_section(roadmap, parent=hidden_part))

    html = anon.get("/roadmaps/").content.decode()

    assert "2 resources" in html


def test_a_learner_sees_their_progress_in_each_roadmap(alice, alice_client, bob):
    llm = roadmap_with(4, title="LLM Roadmap", slug="llm", order=1)
    maths = roadmap_with(2, title="Maths", slug="maths", order=2)
    first, second, third, fourth = llm.resources.order_by("order")
    for resource in (first, second, third):
        Progress.objects.create(user=alice, resource=resource)
    # Only "done" counts as done.
    Progress.objects.create(user=alice, resource=fourth, status=Progress.Status.IN_PROGRESS)
    Progress.objects.create(
        user=alice, resource=maths.resources.first(), status=Progress.Status.SKIPPED
    )
    for resource in maths.resources.all():
        Progress.objects.create(user=bob, resource=resource)  # Bob's progress is not Alice's
    hidden = make_resource(make_section(llm), is_published=False)
    Progress.objects.create(user=alice, resource=hidden)

    html = alice_client.get("/roadmaps/").content.decode()

    assert "3 of 4 resources done" in html
    assert '<progress id="roadmap-progress-llm" max="4" value="3">' in html
    assert "0 of 2 resources done" in html
    assert '<progress id="roadmap-progress-maths" max="2" value="0">' in html


def test_with_one_roadmap_the_list_still_works_and_the_header_does_not_link_to_it(anon):
    roadmap_with(1, title="LLM Roadmap")

    listing = anon.get("/roadmaps/").content.decode()
    home = anon.get("/").content.decode()

    assert "LLM Roadmap" in listing
    assert ALL_ROADMAPS not in home and ALL_ROADMAPS not in listing


def test_without_roadmaps_the_list_says_so(anon):
    assert "No roadmap is published yet" in anon.get("/roadmaps/").content.decode()


def test_the_header_links_to_the_list_once_a_second_roadmap_is_published(alice_client):
    first = roadmap_with(1, title="LLM Roadmap", order=1)
    second = roadmap_with(1, title="Maths", order=2, is_published=False)
    assert ALL_ROADMAPS not in alice_client.get("/").content.decode()
    assert ALL_ROADMAPS not in alice_client.get(first.get_absolute_url()).content.decode()

    second.is_published = True
    second.save()

    assert ALL_ROADMAPS in alice_client.get("/").content.decode()
    assert ALL_ROADMAPS in alice_client.get(first.get_absolute_url()).content.decode()
    assert ALL_ROADMAPS in alice_client.get("/notes/").content.decode()


def test_unpublishing_a_roadmap_in_the_admin_removes_the_header_link_at_once(anon, carol_client):
    roadmap_with(1, title="LLM Roadmap", order=1)
    second = roadmap_with(1, title="Maths", order=2)
    assert ALL_ROADMAPS in anon.get("/").content.decode()

    carol_client.post(
        "/admin/roadmap/roadmap/", {"action": "unpublish", "_selected_action": [second.pk]}
    )

    assert ALL_ROADMAPS not in anon.get("/").content.decode()


def test_the_home_page_shows_the_first_roadmap_by_order(anon):
    roadmap_with(1, title="Second by order", order=2)
    roadmap_with(1, title="First by order", order=1)

    html = anon.get("/").content.decode()

    assert "<h1>First by order</h1>" in html


def test_the_header_link_costs_a_warm_roadmap_page_no_query(alice_client):
    roadmap_with(1, order=1)
    roadmap_with(1, order=2)
    alice_client.get("/")

    with CaptureQueriesContext(connection) as queries:
        html = alice_client.get("/").content.decode()

    assert ALL_ROADMAPS in html
    assert len(queries) == 3  # session, user, and the roadmap's state (tests/test_outline_cache)


@pytest.mark.parametrize("client_name", ["anon", "alice_client"])
def test_the_list_costs_the_same_queries_at_2_and_6_roadmaps(request, alice, client_name):
    client = request.getfixturevalue(client_name)
    for _ in range(2):
        roadmap = roadmap_with(3)
        Progress.objects.create(user=alice, resource=roadmap.resources.first())
    at_two = queries_for(client, "/roadmaps/")
    for _ in range(4):
        roadmap = roadmap_with(3)
        Progress.objects.create(user=alice, resource=roadmap.resources.first())

    assert queries_for(client, "/roadmaps/") == at_two


def test_a_post_to_the_list_is_refused(anon):
    assert anon.post("/roadmaps/").status_code == 405


def test_a_curator_reorders_roadmaps_in_the_admin_list_and_the_home_page_follows(
    anon, carol_client
):
    first = roadmap_with(1, title="LLM Roadmap", order=1)
    second = roadmap_with(1, title="Maths for ML", order=2)
    assert "<h1>LLM Roadmap</h1>" in anon.get("/").content.decode()

    response = carol_client.post(
        "/admin/roadmap/roadmap/",
        {
            "form-TOTAL_FORMS": "2",
            "form-INITIAL_FORMS": "2",
            "form-MIN_NUM_FORMS": "0",
            "form-MAX_NUM_FORMS": "1000",
            "form-0-id": first.pk,
            "form-0-order": "2",
            "form-0-is_published": "on",
            "form-1-id": second.pk,
            "form-1-order": "1",
            "form-1-is_published": "on",
            "_save": "Save",
        },
    )

    assert response.status_code == 302
    assert "<h1>Maths for ML</h1>" in anon.get("/").content.decode()
    listing = anon.get("/roadmaps/").content.decode()
    assert listing.index("Maths for ML</a></h2>") < listing.index("LLM Roadmap</a></h2>")
