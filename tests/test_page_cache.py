"""Cached roadmap pages: never stale, never sharing a token or a nonce between requests."""

import re

import pytest

from roadmap.models import Progress
from tests.conftest import make_resource

pytestmark = pytest.mark.django_db


def test_a_cached_page_carries_the_requests_own_csrf_token_and_it_works(csrf_client, alice):
    resource = make_resource()
    csrf_client.get("/")  # renders and caches the page
    response = csrf_client.get("/")  # served from the cache
    html = response.content.decode()
    assert "\x00" not in html
    tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html))
    assert len(tokens) == 1
    post = csrf_client.post(
        f"/resources/{resource.pk}/progress/", {"csrfmiddlewaretoken": tokens.pop(), "done": "on"}
    )
    assert post.status_code == 302
    assert Progress.objects.filter(user=alice).count() == 1


def test_a_cached_page_carries_the_requests_own_csp_nonce(anon):
    make_resource()
    first, second = anon.get("/"), anon.get("/")
    for response in (first, second):
        nonce = re.search(r'<script[^>]* nonce="([^"]+)"', response.content.decode()).group(1)
        assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]
    assert first["Content-Security-Policy"] != second["Content-Security-Policy"]


def test_flash_messages_are_shown_once_and_never_cached(alice_client):
    resource = make_resource(title="Attention")
    alice_client.get("/")
    page = alice_client.post(f"/resources/{resource.pk}/note/", {"body": "x"}, follow=True)
    assert "was saved" in page.content.decode()
    assert "was saved" not in alice_client.get("/").content.decode()


def test_learners_with_the_same_progress_see_the_same_page_with_their_own_tokens(
    alice_client, bob_client
):
    make_resource()
    alice_html = alice_client.get("/").content.decode()
    bob_html = bob_client.get("/").content.decode()
    tokens = re.compile(r"[A-Za-z0-9_-]{22,}")  # CSRF tokens and CSP nonces
    assert tokens.findall(alice_html) != tokens.findall(bob_html)
    assert tokens.sub("T", alice_html) == tokens.sub("T", bob_html)


def test_the_cache_counts_bytes_not_characters_against_its_budget(rf, monkeypatch):
    from roadmap import pagecache

    monkeypatch.setattr(pagecache, "MAX_BYTES", 1000)
    page = "<p>é</p>" * 50  # 400 characters, 450 bytes

    pagecache.cached_page(rf.get("/"), "first", lambda overrides: page)
    assert pagecache.size() == len(page.encode()) == 450
    pagecache.cached_page(rf.get("/"), "second", lambda overrides: page)
    assert pagecache.size() == 900
    # 1,200 characters would fit in 1,000; 1,350 bytes do not: the cache starts over.
    pagecache.cached_page(rf.get("/"), "third", lambda overrides: page)
    assert pagecache.size() == 450
    assert list(pagecache._pages) == ["third"]


def test_a_cached_non_latin_page_is_served_intact(anon):
    title = "Внимание — всё, что нужно: 注意力就是你所需要的一切 🧠"
    make_resource(title=title)
    first, second = anon.get("/"), anon.get("/")
    assert title in first.content.decode() and title in second.content.decode()
    assert second["Content-Type"] == "text/html; charset=utf-8"
