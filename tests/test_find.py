"""Find: the roadmap filtered by words, kind, level and status, with and without htmx."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.http import QueryDict
from django.utils import timezone

from accounts.models import User
from roadmap import finder, pagecache
from roadmap.models import Progress, Resource
from tests.conftest import make_resource, make_roadmap, make_section
from tests.helpers import build_curriculum, count_queries, give_every_kind_of_state

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def shelf():
    """Two parts, the first with a nested section: enough to tell what shows and what hides."""
    roadmap = make_roadmap(slug="llm-roadmap", title="LLM Roadmap")
    basics = make_section(roadmap, title="Preliminary", slug="preliminary", intro="Start *here*.")
    maths = make_section(roadmap, title="Mathematical basis", slug="maths", parent=basics)
    llm = make_section(roadmap, title="LLM basic", slug="llm-basic")
    resources = {
        "algebra": make_resource(
            maths,
            title="The Essence of Linear Algebra",
            author="3Blue1Brown",
            kind=Resource.Kind.PLAYLIST,
            level=Resource.Level.HIGH_LEVEL,
            description="Visually intuitive explanations.",
        ),
        "python": make_resource(
            basics, title="Real Python", kind=Resource.Kind.WEBSITE, description="Tutorials."
        ),
        "transformer": make_resource(
            llm,
            title="The Illustrated Transformer",
            author="Jay Alammar",
            kind=Resource.Kind.ARTICLE,
            level=Resource.Level.HIGH_LEVEL,
            description="Attention, drawn step by step.",
        ),
        "attention": make_resource(
            llm,
            title="Attention? Attention!",
            author="Lilian Weng",
            kind=Resource.Kind.ARTICLE,
            level=Resource.Level.THEORETICAL,
        ),
        "gpt": make_resource(
            llm,
            title="Visual intro to Transformers",
            author="3Blue1Brown",
            kind=Resource.Kind.VIDEO,
            level=Resource.Level.HIGH_LEVEL,
        ),
    }
    return roadmap, resources


def listed(html: str) -> set[str]:
    """The titles of the resources a page (or fragment) lists."""
    return set(re.findall(r'<h\d class="resource-title"><a [^>]*>(?:<span[^>]*>)?([^<]+)<', html))


def titles(shelf, *names: str) -> set[str]:
    return {shelf[1][name].title for name in names}


def sections_shown(html: str) -> list[str]:
    return re.findall(r'<h\d id="section-[^"]+-title">([^<]+)</h\d>', html)


def live_region(html: str) -> str:
    return re.search(r'<p id="find-count"[^>]*>([^<]*)</p>', html).group(1)


# What matches.


def test_words_match_title_author_and_description_in_any_case(anon, shelf):
    assert listed(anon.get("/?q=ILLUSTRATED").content.decode()) == titles(shelf, "transformer")
    assert listed(anon.get("/?q=lilian").content.decode()) == titles(shelf, "attention")
    assert listed(anon.get("/?q=intuitive").content.decode()) == titles(shelf, "algebra")


def test_every_word_must_match_somewhere(anon, shelf):
    assert listed(anon.get("/?q=attention+weng").content.decode()) == titles(shelf, "attention")
    html = anon.get("/?q=3blue1brown transformers").content.decode()
    assert listed(html) == titles(shelf, "gpt")
    assert listed(anon.get("/?q=attention").content.decode()) == titles(
        shelf, "attention", "transformer"
    )


def test_kind_and_level_filter_and_combine_with_words(anon, shelf):
    assert listed(anon.get("/?kind=article").content.decode()) == titles(
        shelf, "transformer", "attention"
    )
    assert listed(anon.get("/?level=theoretical").content.decode()) == titles(shelf, "attention")
    assert listed(anon.get("/?level=general").content.decode()) == titles(shelf, "python")
    html = anon.get("/?q=3blue1brown&kind=video&level=high_level").content.decode()
    assert listed(html) == titles(shelf, "gpt")
    assert listed(anon.get("/?kind=article&level=high_level").content.decode()) == titles(
        shelf, "transformer"
    )


def test_a_learner_filters_by_their_own_statuses(alice, alice_client, bob_client, shelf):
    _, resources = shelf
    Progress.objects.create(user=alice, resource=resources["gpt"], status="in_progress")
    Progress.objects.create(user=alice, resource=resources["python"], status="done")
    Progress.objects.create(user=alice, resource=resources["attention"], status="skipped")

    def shown(client, query):
        return listed(client.get(f"/?{query}").content.decode())

    assert shown(alice_client, "status=in_progress") == titles(shelf, "gpt")
    assert shown(alice_client, "status=done") == titles(shelf, "python")
    assert shown(alice_client, "status=skipped") == titles(shelf, "attention")
    assert shown(alice_client, "status=not_started") == titles(shelf, "algebra", "transformer")
    assert shown(alice_client, "status=not_started&kind=article") == titles(shelf, "transformer")
    assert shown(bob_client, "status=in_progress") == set()  # Bob has his own statuses


def test_status_is_offered_to_learners_only_and_a_visitors_status_is_ignored(
    anon, alice_client, shelf
):
    html = anon.get("/").content.decode()
    assert '<select name="status" id="find-status"' not in html
    assert '<select name="kind" id="find-kind"' in html
    learner = alice_client.get("/").content.decode()
    assert '<select name="status" id="find-status"' in learner
    # A learner's bookmarked status filter, opened signed out: nothing to filter by, all shown.
    response = anon.get("/?status=done")
    assert response.status_code == 200
    assert listed(response.content.decode()) == titles(shelf, *shelf[1])


def test_an_empty_or_blank_filter_lists_everything(anon, shelf):
    html = anon.get("/?q=++&kind=&level=").content.decode()
    assert listed(html) == titles(shelf, *shelf[1])
    assert live_region(html) == ""
    assert "Clear filter" not in html


# The page around the results.


def test_the_no_javascript_form_is_a_plain_get_form_that_keeps_what_was_asked(alice_client, shelf):
    html = alice_client.get("/?q=attention&kind=article&status=not_started").content.decode()
    form = re.search(r'<form class="find-form"[^>]*>', html).group(0)
    assert 'method="get"' in form and 'action="/"' in form
    assert re.search(r'<input type="search" name="q" id="find-q" value="attention"', html)
    assert '<option value="article" selected>' in html
    assert '<option value="not_started" selected>Not started</option>' in html
    assert '<button type="submit" class="button button-small">Find</button>' in html
    assert '<label for="find-q">Words</label>' in html
    assert '<label for="find-kind">Kind</label>' in html
    assert '<a href="/">Clear filter</a>' in html
    assert "<search " in html and 'aria-labelledby="find-heading"' in html
    ids = re.findall(r' id="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "an id is used twice"


def test_htmx_updates_the_list_as_the_learner_types_or_picks_and_pushes_the_url(anon, shelf):
    html = anon.get("/").content.decode()
    form = re.search(r'<form class="find-form"[^>]*>', html).group(0)
    assert 'hx-get="/"' in form
    assert 'hx-target="#roadmap-sections"' in form
    assert 'hx-push-url="true"' in form
    assert "input changed delay:300ms from:#find-q" in form
    assert "change from:.find-pick" in form
    assert html.count('class="find-pick"') == 2  # kind and level, for a visitor


def test_an_htmx_filter_answers_the_sections_only_with_the_count_out_of_band(anon, shelf):
    response = anon.get("/?q=attention&kind=&level=", **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert html.startswith('<div id="roadmap-sections"')
    assert listed(html) == titles(shelf, "transformer", "attention")
    assert '<p id="find-count" class="find-count" role="status" hx-swap-oob="innerHTML">' in html
    assert live_region(html) == "2 resources match"
    assert 'id="find-clear" hx-swap-oob="true"><a href="/">Clear filter</a>' in html
    assert 'id="find-errors" class="find-errors" hx-swap-oob="true"></div>' in html
    assert 'id="toc-heading"' not in html  # the contents are not swapped
    # The URL carries the filter, without its empty fields, so it can be bookmarked.
    assert response["HX-Push-Url"] == "/?q=attention"
    assert "HX-Request" in response["Vary"]


def test_the_pushed_url_reloads_to_the_same_filtered_page(alice_client, shelf):
    roadmap, _ = shelf
    url = roadmap.get_absolute_url()
    fragment = alice_client.get(f"{url}?q=3blue1brown&kind=video&level=&status=", **HTMX)
    pushed = fragment["HX-Push-Url"]
    assert urlsplit(pushed).path == url
    assert parse_qs(urlsplit(pushed).query) == {"q": ["3blue1brown"], "kind": ["video"]}
    page = alice_client.get(pushed).content.decode()
    assert "<html" in page
    assert listed(page) == listed(fragment.content.decode()) == titles(shelf, "gpt")
    assert live_region(page) == "1 resource matches"


def test_restoring_htmx_history_gets_the_whole_page(anon, shelf):
    response = anon.get("/?q=attention", HTTP_HX_HISTORY_RESTORE_REQUEST="true", **HTMX)
    html = response.content.decode()
    assert "<html" in html
    assert listed(html) == titles(shelf, "transformer", "attention")


def test_no_match_says_so_plainly_with_a_way_back(anon, shelf):
    response = anon.get("/?q=quantum&kind=video")
    html = response.content.decode()
    assert response.status_code == 200
    assert listed(html) == set()
    assert "No resources match “quantum”, kind Video." in html
    assert '<a href="/">Clear filter</a> to see the whole roadmap.' in html
    assert live_region(html) == "No resources match"
    assert "no published sections yet" not in html
    fragment = anon.get("/?q=quantum", **HTMX).content.decode()
    assert "No resources match “quantum”." in fragment


def test_sections_without_a_match_hide_and_matches_keep_their_headings(anon, shelf):
    html = anon.get("/?q=essence").content.decode()
    # The match is in a nested section: its part keeps its heading too, the other part hides.
    assert sections_shown(html) == ["Preliminary", "Mathematical basis"]
    assert "Start <em>here</em>." not in html  # introductions stay out of a filtered list
    whole = anon.get("/").content.decode()
    assert sections_shown(whole) == ["Preliminary", "Mathematical basis", "LLM basic"]
    assert "Start <em>here</em>." in whole


def test_contents_and_progress_stay_those_of_the_whole_roadmap(alice, alice_client, shelf):
    _, resources = shelf
    Progress.objects.create(user=alice, resource=resources["transformer"], status="done")
    Progress.objects.create(user=alice, resource=resources["algebra"], status="done")
    whole = alice_client.get("/").content.decode()
    filtered = alice_client.get("/?q=attention").content.decode()

    def toc(html):
        return re.search(r'<nav class="toc".*?</nav>', html, re.S).group(0)

    def overall(html):
        return re.search(r'<div id="overall-progress".*?</div>', html, re.S).group(0)

    assert toc(filtered) == toc(whole)
    assert overall(filtered) == overall(whole)
    assert "2 of 5" in overall(filtered)
    # The LLM section shows 2 of its 3 resources, and its progress counts all 3.
    section = re.search(r'id="section-progress-llm-basic".*?</div>', filtered, re.S).group(0)
    assert "1 of 3 done" in section


def test_status_controls_stay_in_a_filtered_list_and_still_work(alice, alice_client, shelf):
    _, resources = shelf
    resource = resources["transformer"]
    html = alice_client.get("/?q=illustrated", **HTMX).content.decode()
    assert f"<select name=status-{resource.pk} form=pf" in html
    assert f'aria-labelledby="wd t{resource.pk}"' in html
    # The page's one form comes with the list, holding the filtered address for a no-JS Save.
    assert '<form id="pf" method="post" action="/resources/progress/">' in html
    assert '<input type="hidden" name="next" value="/?q=illustrated">' in html
    assert "<span id=wd>Done:</span>" in html  # the words of the controls' names
    response = alice_client.post(
        f"/resources/{resource.pk}/status/", {"status": "in_progress"}, **HTMX
    )
    assert response.status_code == 200
    assert Progress.objects.get(user=alice, resource=resource).status == "in_progress"
    assert listed(alice_client.get("/?status=in_progress").content.decode()) == {resource.title}


def test_it_works_on_a_roadmaps_own_address_too(anon, shelf):
    other = make_roadmap(slug="other", title="Other", order=5)
    make_resource(make_section(other), title="Elsewhere", kind=Resource.Kind.BOOK)
    html = anon.get("/roadmaps/other/?kind=book").content.decode()
    assert listed(html) == {"Elsewhere"}
    assert 'action="/roadmaps/other/"' in html
    fragment = anon.get("/roadmaps/other/?kind=book", **HTMX)
    assert fragment["HX-Push-Url"] == "/roadmaps/other/?kind=book"
    assert listed(anon.get("/?kind=book").content.decode()) == set()  # the home roadmap's own


# Bad input.


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("kind=podcast", "kind", "There is no such kind of resource. Choose one from the list:"),
        ("level=expert", "level", "There is no such level. Choose one from the list:"),
        ("status=finished", "status", "There is no such status. Choose one from the list:"),
        (
            "q=" + "a" * 201,
            "q",
            "The search text is 201 characters long; it can be at most 200.",
        ),
        ("q=a%00b", "q", "The search text cannot contain null characters."),
    ],
)
def test_bad_input_is_a_400_with_the_message_in_the_form_and_the_whole_roadmap(
    alice_client, shelf, query, field, message
):
    response = alice_client.get(f"/?{query}")
    html = response.content.decode()
    assert response.status_code == 400
    error = re.search(rf'<p class="field-error" id="find-error-{field}" role="alert">([^<]*)', html)
    assert error and message in error.group(1)
    assert "The whole roadmap is shown." in error.group(1)
    assert f'aria-describedby="find-error-{field}"' in html or (
        field == "q" and "find-q-help find-error-q" in html
    )
    assert listed(html) == titles(shelf, *shelf[1])  # still usable
    assert '<a href="/">Clear filter</a>' in html
    fragment = alice_client.get(f"/?{query}", **HTMX)
    assert fragment.status_code == 400
    assert "<html" not in fragment.content.decode()
    assert "HX-Push-Url" not in fragment


def test_text_of_exactly_200_characters_is_fine(anon, shelf):
    assert anon.get("/?q=" + "a" * 200).status_code == 200


def test_unknown_query_parameters_are_ignored(anon, shelf):
    response = anon.get("/?utm_source=newsletter&page=2&kind=article&sort=new")
    assert response.status_code == 200
    assert listed(response.content.decode()) == titles(shelf, "transformer", "attention")
    assert anon.get("/?utm_source=newsletter").status_code == 200


# The page cache.


def test_filtered_pages_and_fragments_are_never_cached_nor_served_from_the_cache(
    alice_client, shelf
):
    whole = alice_client.get("/").content.decode()
    size = pagecache.size()
    assert size > 0
    filtered = alice_client.get("/?q=attention").content.decode()
    alice_client.get("/?q=attention", **HTMX)
    alice_client.get("/?kind=nonsense")
    assert pagecache.size() == size  # nothing new was kept
    assert listed(filtered) != listed(whole)
    # And the cached whole page is not what a filtered URL gets, nor the other way round.
    assert listed(alice_client.get("/?q=attention").content.decode()) == listed(filtered)
    assert listed(alice_client.get("/").content.decode()) == listed(whole)
    assert listed(alice_client.get("/?utm_source=x").content.decode()) == listed(whole)


def test_the_cache_never_gives_one_learner_anothers_filtered_list(
    alice, bob, alice_client, bob_client, shelf
):
    _, resources = shelf
    Progress.objects.create(user=alice, resource=resources["gpt"], status="done")
    Progress.objects.create(user=bob, resource=resources["python"], status="done")
    for _ in range(2):  # the second time, anything cached would be served
        assert listed(alice_client.get("/?status=done").content.decode()) == {
            "Visual intro to Transformers"
        }
        assert listed(bob_client.get("/?status=done").content.decode()) == {"Real Python"}


def test_the_unfiltered_page_is_still_cached(anon, shelf):
    first = anon.get("/")
    size = pagecache.size()
    assert size > 0
    anon.get("/")
    assert pagecache.size() == size
    assert "HX-Request" in first["Vary"]


# Queries.


def test_a_filter_costs_the_queries_of_the_whole_page_at_1x_and_10x(alice, alice_client):
    small = build_curriculum(scale=1, slug="small")
    big = build_curriculum(scale=10, slug="big")
    User.objects.filter(pk=alice.pk).update(date_joined=timezone.now())  # nothing new to her
    give_every_kind_of_state(alice)
    counts = set()
    for roadmap in (small, big):
        url = roadmap.get_absolute_url()
        count_queries(alice_client, url)  # warm: the curriculum is read once per process
        counts.add(count_queries(alice_client, url))
        counts.add(count_queries(alice_client, f"{url}?q=resource+ada&level=high_level"))
        counts.add(count_queries(alice_client, f"{url}?status=in_progress", **HTMX))
        counts.add(count_queries(alice_client, f"{url}?q=nothing-matches-this", **HTMX))
    assert len(counts) == 1
    assert counts.pop() <= 6


def test_a_filter_is_read_not_posted(anon, alice_client, shelf):
    assert anon.post("/?q=attention").status_code == 405
    assert alice_client.post("/roadmaps/llm-roadmap/?kind=article", **HTMX).status_code == 405


def test_a_roadmap_without_resources_offers_no_filter(anon):
    make_section(make_roadmap(slug="empty-one"))
    html = anon.get("/roadmaps/empty-one/").content.decode()
    assert "<search" not in html


@pytest.mark.parametrize("learner", [True, False])
def test_a_page_without_a_filter_reads_as_an_empty_filter(learner):
    # The page's usual view skips the form; it must agree with the form on empty fields.
    assert finder.parse(QueryDict(""), learner=learner) == finder.parse(
        QueryDict("q=&kind=&level=&status="), learner=learner
    )
    assert finder.parse(QueryDict("other=1"), learner=learner)[0] == finder.Query()
