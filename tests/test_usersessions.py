"""Your sessions: where a learner is signed in, when each browser was last seen, and signing
out the others. Recording "last seen" must cost the roadmap page no query."""

import time
from datetime import timedelta

import pytest
from allauth.usersessions.models import UserSession
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.middleware import ACTIVITY_INTERVAL, ACTIVITY_KEY
from accounts.templatetags.devices import device
from tests.conftest import PASSWORD
from tests.helpers import build_curriculum

pytestmark = pytest.mark.django_db

FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.5 Mobile/15E148 Safari/604.1"
)


def signed_in_browser(email: str, user_agent: str, ip: str = "127.0.0.1") -> Client:
    client = Client(HTTP_USER_AGENT=user_agent, REMOTE_ADDR=ip)
    response = client.post("/accounts/login/", {"login": email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def test_a_learner_sees_each_browser_they_are_signed_in_on(alice):
    laptop = signed_in_browser("alice@example.com", FIREFOX_LINUX, "192.0.2.10")
    signed_in_browser("alice@example.com", SAFARI_IPHONE, "198.51.100.7")

    page = laptop.get("/accounts/sessions/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "<h1>Sessions</h1>" in html
    assert "Firefox on Linux" in html and "Safari on iPhone" in html
    assert "192.0.2.10" in html and "198.51.100.7" in html
    assert html.count("This browser") == 1
    assert "Last seen" in html
    assert "Sign out the other session</button>" in html


def test_the_sign_out_button_counts_the_other_sessions(alice):
    laptop = signed_in_browser("alice@example.com", FIREFOX_LINUX)
    signed_in_browser("alice@example.com", SAFARI_IPHONE)
    signed_in_browser("alice@example.com", SAFARI_IPHONE)
    assert "Sign out the other 2 sessions</button>" in laptop.get("/accounts/sessions/").text


def test_signing_out_the_other_sessions_keeps_this_one(alice, bob):
    laptop = signed_in_browser("alice@example.com", FIREFOX_LINUX)
    phone = signed_in_browser("alice@example.com", SAFARI_IPHONE)
    bobs = signed_in_browser("bob@example.com", FIREFOX_LINUX)

    response = laptop.post("/accounts/sessions/")
    assert response.status_code == 302

    assert laptop.get("/notes/").status_code == 200
    assert phone.get("/notes/")["Location"].startswith("/accounts/login/")
    assert bobs.get("/notes/").status_code == 200  # only Alice's own sessions end
    assert UserSession.objects.filter(user=alice).count() == 1
    assert "This is the only browser" in laptop.get("/accounts/sessions/").content.decode()


def test_the_sessions_page_needs_a_signed_in_learner(anon):
    assert anon.get("/accounts/sessions/")["Location"].startswith("/accounts/login/")
    assert anon.post("/accounts/sessions/")["Location"].startswith("/accounts/login/")


def test_signing_out_others_needs_the_csrf_token(alice):
    phone = signed_in_browser("alice@example.com", SAFARI_IPHONE)
    laptop = Client(enforce_csrf_checks=True, HTTP_USER_AGENT=FIREFOX_LINUX)
    laptop.post("/accounts/login/", {"login": "alice@example.com", "password": PASSWORD})
    # That login itself lacked a token: sign in the laptop the way the test client can.
    laptop.force_login(alice)
    response = laptop.post("/accounts/sessions/")
    assert response.status_code == 403
    assert phone.get("/notes/").status_code == 200


def test_a_page_view_costs_no_query_for_last_seen(alice, settings):
    roadmap = build_curriculum()
    url = roadmap.get_absolute_url()
    browser = signed_in_browser("alice@example.com", FIREFOX_LINUX)
    browser.get(url)

    counts = {}
    for tracking in (True, False):
        middleware = list(settings.MIDDLEWARE)
        if not tracking:
            middleware.remove("accounts.middleware.SessionActivityMiddleware")
        settings.MIDDLEWARE = middleware
        same_browser = Client(HTTP_USER_AGENT=FIREFOX_LINUX)  # a client loads middleware once
        same_browser.cookies = browser.cookies
        with CaptureQueriesContext(connection) as queries:
            assert same_browser.get(url).status_code == 200
        counts[tracking] = len(queries)
    assert counts[True] == counts[False]


def test_the_first_page_after_signing_in_costs_no_query_for_last_seen(alice):
    roadmap = build_curriculum()
    first = signed_in_browser("alice@example.com", FIREFOX_LINUX)
    second = signed_in_browser("alice@example.com", FIREFOX_LINUX)
    second.get(roadmap.get_absolute_url())  # warm every process cache
    with CaptureQueriesContext(connection) as queries:
        first.get(roadmap.get_absolute_url())
    assert not [q for q in queries.captured_queries if "usersession" in q["sql"].lower()]


def test_last_seen_is_written_again_once_the_interval_has_passed(alice):
    browser = signed_in_browser("alice@example.com", FIREFOX_LINUX)
    record = UserSession.objects.get(user=alice)
    long_ago = timezone.now() - timedelta(hours=3)
    UserSession.objects.filter(pk=record.pk).update(last_seen_at=long_ago)

    browser.get("/")  # within the interval: nothing written
    record.refresh_from_db()
    assert record.last_seen_at == long_ago

    session = browser.session
    session[ACTIVITY_KEY] = int(time.time()) - ACTIVITY_INTERVAL - 1
    session.save()
    browser.get("/")
    record.refresh_from_db()
    assert timezone.now() - record.last_seen_at < timedelta(minutes=1)


@pytest.mark.parametrize(
    ("user_agent", "expected"),
    [
        (FIREFOX_LINUX, "Firefox on Linux"),
        (SAFARI_IPHONE, "Safari on iPhone"),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/141.0.0.0 Safari/537.36 Edg/141.0.0.0",
            "Edge on Windows",
        ),
        (
            "Mozilla/5.0 (Linux; Android 15) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/141.0.0.0 Mobile Safari/537.36",
            "Chrome on Android",
        ),
        ("", "Unknown browser"),
        ("curl/8.14.1", "Unknown browser"),
    ],
)
def test_devices_are_named_as_people_know_them(user_agent, expected):
    assert device(user_agent) == expected
