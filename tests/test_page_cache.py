"""Cached roadmap pages: never stale, never sharing a token or a nonce between requests."""

import re
import secrets
import zlib

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


def random_page(n_bytes: int) -> str:
    """A page that barely compresses."""
    return secrets.token_urlsafe(n_bytes)[:n_bytes]


def stored_size(page: str) -> int:
    from roadmap import pagecache

    return len(zlib.compress(page.encode(), pagecache.COMPRESSION_LEVEL))


def serve(rf, key: str, page: str) -> bytes:
    from roadmap import pagecache

    return pagecache.cached_page(rf.get("/"), key, lambda overrides: page).content


def test_pages_are_kept_compressed_and_counted_as_stored(rf):
    from roadmap import pagecache

    page = "<li>Attention is all you need — é</li>\n" * 2000
    assert serve(rf, "repetitive", page) == page.encode()
    assert pagecache.size() == len(zlib.compress(page.encode(), pagecache.COMPRESSION_LEVEL))
    assert pagecache.size() < len(page.encode()) / 20
    assert serve(rf, "repetitive", "not rendered again") == page.encode()


def test_when_full_the_least_recently_served_pages_make_room(rf, monkeypatch):
    from roadmap import pagecache

    pages = {key: random_page(1000) for key in "abcd"}
    room_for_three = sum(stored_size(pages[key]) for key in "abc")
    monkeypatch.setattr(pagecache, "MAX_BYTES", room_for_three + 400)
    for key in "abc":
        serve(rf, key, pages[key])
    serve(rf, "a", "not rendered again")  # a is now the most recently served
    serve(rf, "d", pages["d"])  # no room for a fourth: b, the least recently served, goes
    assert list(pagecache._pages) == ["c", "a", "d"]
    assert serve(rf, "a", "not rendered again") == pages["a"].encode()
    serve(rf, "e", random_page(2000))  # needs about two pages' room: c and d go
    assert list(pagecache._pages) == ["a", "e"]
    assert serve(rf, "b", "rendered anew") == b"rendered anew"


def test_the_cache_never_holds_more_than_its_bound_in_bytes(rf, monkeypatch):
    from roadmap import pagecache

    monkeypatch.setattr(pagecache, "MAX_BYTES", 10_000)
    for n in range(60):
        serve(rf, f"page {n}", random_page(500 + 137 * (n % 17)))
        assert pagecache.size() == sum(len(stored) for stored in pagecache._pages.values())
        assert pagecache.size() <= 10_000
    assert pagecache.size() > 10_000 - 2 * stored_size(random_page(2800))  # full, not emptied
    assert pagecache.count() > 3


def test_a_page_larger_than_the_whole_cache_is_served_but_not_kept(rf, monkeypatch):
    from roadmap import pagecache

    monkeypatch.setattr(pagecache, "MAX_BYTES", 1000)
    serve(rf, "small", "small page")
    big = random_page(3000)
    assert serve(rf, "big", big) == big.encode()
    assert list(pagecache._pages) == ["small"]


def test_a_cached_non_latin_page_is_served_intact(anon):
    title = "Внимание — всё, что нужно: 注意力就是你所需要的一切 🧠"
    make_resource(title=title)
    first, second = anon.get("/"), anon.get("/")
    assert title in first.content.decode() and title in second.content.decode()
    assert second["Content-Type"] == "text/html; charset=utf-8"
