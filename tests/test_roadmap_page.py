import pytest
from django.utils import timezone

from accounts.models import User
from roadmap.models import Resource
from tests.conftest import make_resource, make_roadmap, make_section
from tests.helpers import build_curriculum, count_queries, give_every_kind_of_state

pytestmark = pytest.mark.django_db


def test_it_lists_every_published_resource_with_its_link_author_kind_and_description(anon):
    part = make_section(title="Preliminary: a refresh", intro="Focus on **three** axes.")
    section = make_section(part.roadmap, title="Mathematical basis", parent=part)
    make_resource(
        section,
        title="The Essence of Linear Algebra",
        url="https://www.youtube.com/watch?v=fNk_zzaMoSs&list=PLZHQ",
        author="3Blue1Brown",
        kind=Resource.Kind.PLAYLIST,
        level=Resource.Level.HIGH_LEVEL,
        description="Visually intuitive explanations.",
    )
    html = anon.get("/").content.decode()
    assert "<h1>" in html and part.roadmap.title in html
    assert '<h2 id="section-' in html and "Preliminary: a refresh" in html
    assert '<h3 id="section-' in html and "Mathematical basis" in html
    assert "Focus on <strong>three</strong> axes." in html
    assert (
        '<a href="https://www.youtube.com/watch?v=fNk_zzaMoSs&amp;list=PLZHQ" target="_blank" '
        'rel="noopener">The Essence of Linear Algebra' in html
    )
    assert "by 3Blue1Brown" in html
    assert "Playlist" in html and "High level" in html
    assert "Visually intuitive explanations." in html


def test_sections_and_resources_come_in_curated_order(anon):
    roadmap = make_roadmap()
    second = make_section(roadmap, title="Second part", order=20)
    first = make_section(roadmap, title="First part", order=10)
    make_resource(first, title="Later resource", order=2)
    make_resource(first, title="Earlier resource", order=1)
    html = anon.get(roadmap.get_absolute_url()).content.decode()
    assert html.index("First part") < html.index("Second part")
    assert html.index("Earlier resource") < html.index("Later resource")
    assert second.title in html


def test_the_table_of_contents_links_to_every_section(anon):
    part = make_section(title="Neural nets", slug="neural-nets")
    make_section(part.roadmap, title="Backprop", slug="backprop", parent=part)
    html = anon.get("/").content.decode()
    assert '<a href="#section-neural-nets">Neural nets</a>' in html
    assert '<a href="#section-backprop">Backprop</a>' in html
    assert 'id="section-backprop"' in html


def test_unpublished_resources_and_sections_are_hidden(anon):
    section = make_section()
    make_resource(section, title="Visible one")
    make_resource(section, title="Retired one", is_published=False)
    hidden = make_section(section.roadmap, title="Hidden section", is_published=False)
    make_resource(hidden, title="Inside hidden")
    html = anon.get("/").content.decode()
    assert "Visible one" in html
    assert (
        "Retired one" not in html and "Hidden section" not in html and "Inside hidden" not in html
    )


def test_curriculum_text_is_escaped(anon):
    make_resource(title='<script>alert("x")</script> {{ secret }}', description="a < b")
    html = anon.get("/").content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; {{ secret }}" in html
    assert "a &lt; b" in html


def test_an_unknown_roadmap_is_a_404(anon):
    assert anon.get("/roadmaps/nope/").status_code == 404


def test_the_home_page_explains_an_empty_site(anon):
    response = anon.get("/")
    assert response.status_code == 200
    assert "loaddata curriculum" in response.content.decode()


def test_a_post_to_the_roadmap_is_refused(anon):
    build_curriculum()
    assert anon.post("/").status_code == 405


def test_anonymous_visitors_are_invited_to_sign_up_and_see_no_progress(anon):
    make_resource()
    html = anon.get("/").content.decode()
    assert 'href="/accounts/signup/"' in html
    assert "<progress" not in html and 'name="done"' not in html


def test_the_query_count_is_the_same_at_1x_and_10x_the_curriculum_for_a_visitor(anon):
    small = build_curriculum(scale=1, slug="small")
    big = build_curriculum(scale=10, slug="big")
    assert big.resources.count() == 10 * small.resources.count()
    small_count = count_queries(anon, small.get_absolute_url())
    assert count_queries(anon, big.get_absolute_url()) == small_count
    assert small_count <= 6


def test_the_query_count_is_the_same_at_1x_and_10x_for_a_learner_with_every_kind_of_state(
    alice, alice_client
):
    small = build_curriculum(scale=1, slug="small")
    big = build_curriculum(scale=10, slug="big")
    User.objects.filter(pk=alice.pk).update(date_joined=timezone.now())  # nothing new to her
    give_every_kind_of_state(alice)
    small_count = count_queries(alice_client, small.get_absolute_url())
    assert count_queries(alice_client, big.get_absolute_url()) == small_count
    # A cold view also reads the signs from other learners (groups/signs.py): one aggregated
    # query per roadmap, kept for SITE_TTL; warm views make none (test_groups_signs.py).
    assert small_count <= 7


def test_showing_what_is_new_costs_one_write_once_and_the_same_at_1x_and_10x(alice, alice_client):
    small = build_curriculum(scale=1, slug="small")  # added after Alice signed up: new to her
    big = build_curriculum(scale=10, slug="big")
    give_every_kind_of_state(alice)
    first = [count_queries(alice_client, r.get_absolute_url()) for r in (small, big)]
    again = [count_queries(alice_client, r.get_absolute_url()) for r in (small, big)]
    assert first[0] == first[1] <= 8  # with the signs from other learners, read cold
    # No write, no curriculum or roadmap read, no signs read (kept per process).
    assert again[0] == again[1] == first[0] - 5
