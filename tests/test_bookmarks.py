"""Where I stopped: a short private bookmark per resource, on the roadmap and in Continue with."""

import re

import pytest

from roadmap.models import Progress
from tests.conftest import make_resource, make_section

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://testserver/"}


@pytest.fixture
def resources():
    section = make_section(title="Basics", slug="basics")
    return [make_resource(section, title=f"Lecture {i}") for i in range(3)]


def url(resource) -> str:
    return f"/resources/{resource.pk}/bookmark/"


def bookmark_of(user, resource) -> str | None:
    row = Progress.objects.filter(user=user, resource=resource).first()
    return row.bookmark if row else None


def test_a_bookmark_saved_without_javascript_redirects_back_and_shows_on_the_roadmap(
    alice, alice_client, resources
):
    response = alice_client.post(url(resources[1]), {"bookmark": "  video 7, 12:40 "})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#resource-{resources[1].pk}")
    assert bookmark_of(alice, resources[1]) == "video 7, 12:40"
    html = alice_client.get("/").content.decode()
    assert "Where I stopped: <span class=bookmark-text>video 7, 12:40</span>" in html
    # Its editor is a page of its own (loaded in place with htmx), holding the saved text.
    editor = alice_client.get(url(resources[1])).content.decode()
    assert f'id="bookmark-input-{resources[1].pk}" value="video 7, 12:40"' in editor


def test_an_htmx_save_returns_the_bookmark_and_continue_with_out_of_band(
    alice, alice_client, resources
):
    response = alice_client.post(url(resources[0]), {"bookmark": "chapter 3"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert html.lstrip().startswith(f'<div class="bookmark" id="bm{resources[0].pk}">')
    assert 'role="status">Saved.</p>' in html
    assert 'id="continue-link" class="continue" hx-swap-oob="true"' in html
    assert "(you stopped at “chapter 3”)" in html
    # The bookmark alone starts nothing.
    assert Progress.objects.get(user=alice).status == Progress.Status.NOT_STARTED


def test_continue_with_shows_where_the_learner_stopped(alice, alice_client, resources):
    alice_client.post(f"/resources/{resources[2].pk}/status/", {"status": "in_progress"})
    alice_client.post(url(resources[2]), {"bookmark": "12:40"})
    html = alice_client.get("/").content.decode()
    assert (
        f'Continue with: <a href="#resource-{resources[2].pk}">Lecture 2</a> '
        '<span class="continue-bookmark">(you stopped at “12:40”)</span>'
    ) in html


def test_a_bookmark_over_200_characters_is_a_422_that_keeps_the_text(
    alice, alice_client, resources
):
    alice_client.post(url(resources[0]), {"bookmark": "page 4"})
    long = "x" * 201
    htmx = alice_client.post(url(resources[0]), {"bookmark": long}, **HTMX)
    assert htmx.status_code == 422
    html = htmx.content.decode()
    assert "<html" not in html
    assert "This is 201 characters long; where you stopped can hold at most 200." in html
    assert f'value="{long}"' in html and 'aria-invalid="true"' in html
    plain = alice_client.post(url(resources[0]), {"bookmark": long})
    assert plain.status_code == 422
    page = plain.content.decode()
    assert "<html" in page and f'value="{long}"' in page and "at most 200" in page
    assert bookmark_of(alice, resources[0]) == "page 4"


def test_exactly_200_characters_fit(alice, alice_client, resources):
    assert alice_client.post(url(resources[0]), {"bookmark": "y" * 200}).status_code == 302
    assert bookmark_of(alice, resources[0]) == "y" * 200


def test_an_empty_bookmark_clears_it(alice, alice_client, resources):
    alice_client.post(url(resources[0]), {"bookmark": "page 4"})
    alice_client.post(url(resources[0]), {"bookmark": "  "})
    assert bookmark_of(alice, resources[0]) is None
    assert "bookmark-text" not in alice_client.get("/").content.decode()


def test_a_bookmark_is_plain_text_and_escaped(alice_client, resources):
    alice_client.post(url(resources[0]), {"bookmark": '<b>x</b> {{ y }} "q"'})
    html = alice_client.get("/").content.decode()
    assert "<b>x</b>" not in html
    assert "&lt;b&gt;x&lt;/b&gt; {{ y }} &quot;q&quot;" in html


def test_a_nul_character_is_refused(alice, alice_client, resources):
    assert alice_client.post(url(resources[0]), {"bookmark": "a\x00b"}, **HTMX).status_code == 422
    assert bookmark_of(alice, resources[0]) is None


def test_anonymous_visitors_are_sent_to_log_in_and_nothing_is_written(anon, resources):
    response = anon.post(url(resources[0]), {"bookmark": "x"}, HTTP_REFERER="http://testserver/")
    assert response["Location"].startswith("/accounts/login/?next=/")
    assert anon.post(url(resources[0]), {"bookmark": "x"}, **HTMX)["HX-Redirect"]
    assert not Progress.objects.exists()


def test_get_shows_the_editor_in_place_for_htmx_and_as_a_page_without_javascript(
    alice_client, resources
):
    alice_client.post(url(resources[0]), {"bookmark": "part 2"})
    fragment = alice_client.get(url(resources[0]), **HTMX).content.decode()
    assert "<html" not in fragment
    assert fragment.lstrip().startswith(f'<div class="bookmark" id="bm{resources[0].pk}">')
    assert 'value="part 2"' in fragment and "autofocus" in fragment
    page = alice_client.get(url(resources[0]), HTTP_REFERER="http://testserver/?q=lecture")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<html" in html and 'value="part 2"' in html
    # Saving it sends the learner back to the filtered page they came from.
    assert '<input type="hidden" name="next" value="/?q=lecture">' in html
    assert f'href="/?q=lecture#resource-{resources[0].pk}">' in html


def test_other_methods_are_not_allowed(alice_client, resources):
    assert alice_client.put(url(resources[0])).status_code == 405


@pytest.mark.parametrize("path", ["/resources/999999/bookmark/", "/resources/0/bookmark/"])
def test_unknown_resources_are_404(alice_client, path):
    assert alice_client.post(path, {"bookmark": "x"}).status_code == 404


def test_another_learners_bookmark_never_shows(alice_client, bob_client, resources):
    alice_client.post(url(resources[0]), {"bookmark": "alice-secret-spot"})
    assert "alice-secret-spot" in alice_client.get("/").content.decode()
    assert "alice-secret-spot" not in bob_client.get("/").content.decode()


def test_the_page_cache_never_shows_one_learners_bookmark_to_another(
    alice, bob, alice_client, bob_client, resources
):
    # Same statuses, same notes, same everything but the bookmark's text.
    for learner, text in ((alice, "alice was here"), (bob, "bob was here")):
        Progress.objects.create(
            user=learner, resource=resources[0], status="in_progress", bookmark=text
        )
    tokens = re.compile(r"[A-Za-z0-9_-]{22,}")
    for _ in range(2):  # rendered, then served from the page cache
        alice_html = alice_client.get("/").content.decode()
        bob_html = bob_client.get("/").content.decode()
        assert "alice was here" in alice_html and "bob was here" not in alice_html
        assert "bob was here" in bob_html and "alice was here" not in bob_html
        assert tokens.sub("T", alice_html).replace("alice", "bob") == tokens.sub("T", bob_html)
