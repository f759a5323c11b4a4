"""The map at /roadmaps/<slug>/map/, its place on the learner's public page, and card.svg."""

import re
from html.parser import HTMLParser

import pytest
from django.utils import translation

from history.models import PublicProfile
from maps import draw
from roadmap import learning
from roadmap.models import Progress, Resource, Roadmap
from tests.conftest import make_resource, make_roadmap, make_section
from tests.helpers import build_curriculum, count_queries, give_every_kind_of_state

pytestmark = pytest.mark.django_db
Status = Progress.Status


class Links(HTMLParser):
    """Every link inside the map's SVG columns, in document order: (href, name, class)."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.links: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "svg" and "map-column" in (attrs.get("class") or ""):
            self.depth += 1
        elif tag == "a" and self.depth:
            self.links.append((attrs["href"], attrs["aria-label"], attrs.get("class", "")))

    def handle_endtag(self, tag):
        if tag == "svg" and self.depth:
            self.depth -= 1


def links_of(html: str) -> list[tuple[str, str, str]]:
    parser = Links()
    parser.feed(html)
    return parser.links


@pytest.fixture
def roadmap():
    roadmap = make_roadmap(slug="llm", title="LLM")
    basics = make_section(roadmap, title="Basics", slug="basics")
    maths = make_section(roadmap, title="Maths & stats", slug="maths", parent=basics)
    make_resource(maths, title="Linear <algebra>", kind="video", level="high_level", author="Ada")
    make_resource(maths, title="Calculus", estimated_minutes=90)
    make_resource(maths, title="Probability")
    models = make_section(roadmap, title="Models", slug="models")
    make_resource(models, title="Transformers", kind="article", author="Vaswani")
    return Roadmap.objects.get(pk=roadmap.pk)


def resource(title: str) -> Resource:
    return Resource.objects.get(title=title)


def test_every_part_section_and_resource_is_a_link_in_reading_order(anon, roadmap):
    response = anon.get("/roadmaps/llm/map/")
    assert response.status_code == 200
    links = links_of(response.content.decode())
    r = {title: resource(title).pk for title in ("Linear <algebra>", "Calculus", "Transformers")}
    assert [(href, name) for href, name, _ in links] == [
        ("/roadmaps/llm/#section-basics", "Part 1: Basics: 3 resources"),
        ("/roadmaps/llm/#section-maths", "Maths & stats: 3 resources"),
        (f"/roadmaps/llm/#resource-{r['Linear <algebra>']}", "Linear <algebra>"),
        (f"/roadmaps/llm/#resource-{r['Calculus']}", "Calculus"),
        (f"/roadmaps/llm/#resource-{resource('Probability').pk}", "Probability"),
        ("/roadmaps/llm/#section-models", "Part 2: Models: 1 resource"),
        (f"/roadmaps/llm/#resource-{r['Transformers']}", "Transformers"),
    ]


def test_the_anchors_it_links_to_are_on_the_roadmap_page(anon, roadmap):
    page = anon.get("/roadmaps/llm/").content.decode()
    for href, _, _ in links_of(anon.get("/roadmaps/llm/map/").content.decode()):
        assert f'id="{href.split("#")[1]}"' in page


def test_hover_and_focus_details_name_kind_level_author_and_time(anon, roadmap):
    html = anon.get("/roadmaps/llm/map/").content.decode()
    assert "<title>Video · High level · by Ada</title>" in html
    assert re.search(r"<title>\w+ · ~1 h 30 min</title>", html)
    assert '<g class="tip" aria-hidden="true">' in html


def test_anonymous_visitors_see_no_progress(anon, alice, roadmap):
    learning.set_status(alice, resource("Calculus"), Status.DONE)
    html = anon.get("/roadmaps/llm/map/").content.decode()
    assert "n-done" not in html and "of 3 done" not in html and "Continue with" not in html
    assert 'href="#map-not_started"' in html


def test_a_learner_sees_each_status_by_shape_and_name_and_the_section_counts(
    alice, alice_client, roadmap
):
    learning.set_status(alice, resource("Linear <algebra>"), Status.DONE)
    learning.set_status(alice, resource("Calculus"), Status.SKIPPED)
    learning.set_status(alice, resource("Probability"), Status.IN_PROGRESS)
    html = alice_client.get("/roadmaps/llm/map/").content.decode()
    names = {name: cls for _, name, cls in links_of(html)}
    assert names["Linear <algebra>: done"] == "n n-done"
    assert names["Calculus: skipped"] == "n n-skipped"
    assert names["Probability: in progress, continue with this one"] == "n n-in_progress n-next"
    assert names["Transformers: not started"] == "n n-not_started"
    assert names["Maths & stats: 1 of 3 done"] == "st section st-started"
    # The shape differs with the status, not only the colour.
    for status in ("done", "skipped", "in_progress", "not_started"):
        assert f'<use href="#map-{status}"' in html
        assert f'<symbol id="map-{status}"' in html
    assert "Continue with:" in html and "Done: 1 of 4 (25%)." in html


def test_skipped_counts_as_done_when_the_learner_says_so(alice, alice_client, roadmap):
    alice.count_skipped_as_done = True
    alice.save(update_fields=["count_skipped_as_done"])
    for title in ("Linear <algebra>", "Calculus", "Probability"):
        learning.set_status(alice, resource(title), Status.SKIPPED)
    html = alice_client.get("/roadmaps/llm/map/").content.decode()
    assert 'aria-label="Maths &amp; stats: 3 of 3 done"' in html
    assert 'class="st section st-done"' in html


def test_continue_with_is_the_first_resource_not_started_without_one_in_progress(
    alice, alice_client, roadmap
):
    learning.set_status(alice, resource("Linear <algebra>"), Status.DONE)
    html = alice_client.get("/roadmaps/llm/map/").content.decode()
    names = [name for _, name, _ in links_of(html)]
    assert "Calculus: not started, continue with this one" in names
    assert sum("continue with this one" in name for name in names) == 1


def test_a_new_section_takes_its_place_without_anyone_placing_it(anon, roadmap):
    anon.get("/roadmaps/llm/map/")  # laid out and kept
    models = roadmap.sections.get(slug="models")
    extra = make_section(roadmap, title="Attention", slug="attention", parent=models)
    make_resource(extra, title="Attention heads")
    names = [name for _, name, _ in links_of(anon.get("/roadmaps/llm/map/").content.decode())]
    assert names[-3:] == ["Transformers", "Attention: 1 resource", "Attention heads"]


def test_an_unpublished_roadmap_or_an_unknown_one_has_no_map(anon, alice_client):
    make_roadmap(slug="draft", is_published=False)
    assert anon.get("/roadmaps/draft/map/").status_code == 404
    assert alice_client.get("/roadmaps/draft/map/").status_code == 404
    assert anon.get("/roadmaps/nothing-here/map/").status_code == 404


def test_unpublished_sections_and_resources_stay_off_the_map(anon, roadmap):
    hidden = make_section(roadmap, title="Secret part", is_published=False)
    make_resource(hidden, title="Secret resource")
    make_resource(roadmap.sections.get(slug="models"), title="Draft", is_published=False)
    html = anon.get("/roadmaps/llm/map/").content.decode()
    assert "Secret" not in html and "Draft" not in html


def test_the_map_only_answers_reads(alice_client, roadmap):
    assert alice_client.post("/roadmaps/llm/map/").status_code == 405
    assert alice_client.head("/roadmaps/llm/map/").status_code == 200


def test_the_roadmap_page_and_the_list_link_to_the_map(anon, roadmap):
    make_roadmap(slug="other", title="Other")
    page = anon.get("/roadmaps/llm/").content.decode()
    assert '<a href="/roadmaps/llm/map/">Map<span class="visually-hidden"> (LLM)' in page
    # In another language, the roadmap's title keeps the curriculum's.
    french = anon.get("/roadmaps/llm/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert re.search(r'\(<span lang="en">LLM</span>\)', french)
    listing = anon.get("/roadmaps/").content.decode()
    assert 'href="/roadmaps/llm/map/"' in listing and 'href="/roadmaps/other/map/"' in listing


def test_the_map_costs_the_roadmap_pages_queries_at_any_size(alice, alice_client, anon):
    small, big = build_curriculum(1, slug="small"), build_curriculum(10, slug="big")
    give_every_kind_of_state(alice)
    for client in (alice_client, anon):
        for roadmap in (small, big):
            count_queries(client, f"/roadmaps/{roadmap.slug}/")  # warm the process caches
            count_queries(client, f"/roadmaps/{roadmap.slug}/map/")
        page = count_queries(client, "/roadmaps/small/")
        assert count_queries(client, "/roadmaps/small/map/") == page
        assert count_queries(client, "/roadmaps/big/map/") == page


def test_the_page_stays_small_at_the_shipped_curriculums_size(alice, alice_client, anon):
    from django.core.management import call_command

    call_command("loaddata", "curriculum", verbosity=0)
    give_every_kind_of_state(alice)
    slug = Roadmap.objects.get().slug
    assert Resource.objects.published().count() == 31
    for client in (alice_client, anon):
        response = client.get(f"/roadmaps/{slug}/map/")
        assert len(response.content) < 40 * 1024


def test_the_layout_is_kept_per_content_version_and_language(roadmap):
    first = draw.prepared_map(roadmap)
    assert draw.prepared_map(roadmap) is first
    with translation.override("fr"):
        assert draw.prepared_map(roadmap) is not first
    Roadmap.objects.filter(pk=roadmap.pk).touch()
    roadmap.refresh_from_db()
    assert draw.prepared_map(roadmap) is not first


def test_long_titles_are_shortened_to_the_column_and_named_in_full(anon, roadmap):
    long = "A very long title " * 6
    make_resource(roadmap.sections.get(slug="models"), title=long.strip())
    html = anon.get("/roadmaps/llm/map/").content.decode()
    assert f'aria-label="{long.strip()}"' in html
    label = re.search(r'<text class="label"[^>]*>(A very long[^<]*)</text>', html).group(1)
    assert label.endswith("…") and len(label) < len(long.strip())


# The public page


@pytest.fixture
def public(alice, roadmap):
    learning.set_status(alice, resource("Calculus"), Status.DONE)
    learning.set_status(alice, resource("Probability"), Status.IN_PROGRESS)
    return PublicProfile.objects.create(user=alice, handle="ada", is_enabled=True)


def test_the_public_page_shows_no_map_until_the_learner_turns_it_on(anon, public):
    html = anon.get("/u/ada/").content.decode()
    assert "map-column" not in html and "maps/map.css" not in html


def test_a_learner_shows_their_map_with_progress_on_their_public_page(alice_client, anon, public):
    response = alice_client.post(
        "/accounts/profile/", {"handle": "ada", "is_enabled": "on", "show_map": "on"}
    )
    assert response.status_code == 302
    assert PublicProfile.objects.get().show_map
    html = anon.get("/u/ada/").content.decode()
    names = [name for _, name, _ in links_of(html)]
    assert "Calculus: done" in names and "Probability: in progress" in names
    assert not any("continue with" in name for name in names)  # their next step stays theirs
    # Switched off again, it is gone.
    alice_client.post("/accounts/profile/", {"handle": "ada", "is_enabled": "on"})
    assert "map-column" not in anon.get("/u/ada/").content.decode()


def test_the_public_page_offers_its_card_as_open_graph_image(anon, public):
    html = anon.get("/u/ada/").content.decode()
    assert '<meta property="og:image" content="http://testserver/u/ada/card.svg">' in html


def test_the_card_draws_the_figures_and_the_marks_only_with_the_map_shown(anon, public):
    card = anon.get("/u/ada/card.svg")
    assert card.status_code == 200
    assert card["Content-Type"] == "image/svg+xml; charset=utf-8"
    svg = card.content.decode()
    assert svg.startswith("<svg") and "ada&#x27;s progress" in svg and "1 of 4 done (25%)" in svg
    assert '<use href="#c-done"' not in svg
    public.show_map = True
    public.save(update_fields=["show_map"])
    svg = anon.get("/u/ada/card.svg").content.decode()
    assert svg.count('<use href="#c-') == 4 and '<use href="#c-in_progress"' in svg


def test_no_card_for_a_page_that_is_off_or_unknown(anon, public):
    assert anon.get("/u/nobody/card.svg").status_code == 404
    public.is_enabled = False
    public.save(update_fields=["is_enabled"])
    assert anon.get("/u/ada/card.svg").status_code == 404
    assert anon.post("/u/ada/card.svg").status_code == 405


def test_an_app_registering_its_link_again_adds_it_once(roadmap):
    from roadmap import extensions

    extensions.register_link("Map again", "maps:map")
    links = extensions.links_for(roadmap)
    assert [(str(link.label), link.url) for link in links] == [("Map", "/roadmaps/llm/map/")]
