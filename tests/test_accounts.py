import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import caches
from django.test import Client, override_settings

from accounts.models import User
from tests.conftest import PASSWORD, client_for

pytestmark = pytest.mark.django_db


def test_a_visitor_signs_up_with_email_and_password_and_is_signed_in(anon):
    response = anon.post(
        "/accounts/signup/",
        {"email": "new@example.com", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    user = User.objects.get(email="new@example.com")
    assert anon.get("/").context["user"] == user
    assert len(mail.outbox) == 1  # the (optional) verification email


def test_a_learner_logs_in_with_email(alice, anon):
    response = anon.post("/accounts/login/", {"login": "alice@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert anon.get("/").context["user"] == alice


def test_the_session_key_changes_at_login(alice, anon):
    anon.get("/accounts/login/")
    before = anon.session.session_key
    anon.post("/accounts/login/", {"login": "alice@example.com", "password": PASSWORD})
    assert anon.session.session_key != before


def test_logout_needs_a_post(alice_client, alice):
    alice_client.get("/accounts/logout/")
    assert alice_client.get("/").context["user"] == alice
    alice_client.post("/accounts/logout/")
    assert not alice_client.get("/").context["user"].is_authenticated


@override_settings(REGISTRATION_OPEN=False)
def test_the_operator_can_close_sign_up(anon):
    page = anon.get("/accounts/signup/").content.decode()
    assert "Sign Up Closed" in page or "closed" in page.lower()
    anon.post(
        "/accounts/signup/",
        {"email": "new@example.com", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert not User.objects.filter(email="new@example.com").exists()
    assert 'href="/accounts/signup/"' not in anon.get("/").content.decode()


def test_password_reset_sends_an_email_and_does_not_reveal_unknown_addresses(alice, anon):
    known = anon.post("/accounts/password/reset/", {"email": "alice@example.com"})
    unknown = anon.post("/accounts/password/reset/", {"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert any("alice@example.com" in m.to for m in mail.outbox)


@pytest.mark.parametrize(
    "url", ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]
)
def test_account_pages_use_the_site_layout(anon, url):
    html = anon.get(url).content.decode()
    assert 'class="skip-link"' in html and 'class="site-header"' in html
    assert 'class="wrap account-page"' in html


@pytest.mark.parametrize("url", ["/accounts/email/", "/accounts/password/change/"])
def test_account_settings_pages_use_the_site_layout(alice_client, url):
    html = alice_client.get(url).content.decode()
    assert 'aria-label="Profile and settings"' in html and 'aria-current="page"' in html


def test_users_are_created_by_email_without_a_username():
    user = User.objects.create_user(email="Ada@Example.COM", password=PASSWORD)
    assert user.email == "Ada@example.com"
    assert str(user) == "Ada@example.com"
    admin = User.objects.create_superuser(email="root@example.com", password=PASSWORD)
    assert admin.is_staff and admin.is_superuser


# Sessions live in the database and are read through a shared cache (settings: cached_db).
# Whatever ends a session must end it in both, or a copied cookie would outlive it.


def signed_in(client) -> bool:
    return client.get("/notes/").status_code == 200  # My notes; otherwise a redirect to login


def copy_of(browser: Client) -> Client:
    thief = Client()
    thief.cookies[settings.SESSION_COOKIE_NAME] = browser.cookies[
        settings.SESSION_COOKIE_NAME
    ].value
    return thief


def test_a_copied_session_cookie_stops_working_at_logout(alice):
    browser = client_for(alice)
    thief = copy_of(browser)
    assert signed_in(thief)  # read once, so the session is in the cache too
    browser.post("/accounts/logout/")
    assert not signed_in(thief)
    assert not signed_in(browser)


def test_changing_the_password_signs_out_the_other_sessions(alice):
    here, elsewhere = client_for(alice), client_for(alice)
    assert signed_in(elsewhere)
    response = here.post(
        "/accounts/password/change/",
        {
            "oldpassword": PASSWORD,
            "password1": "A new pass phrase 42",
            "password2": "A new pass phrase 42",
        },
    )
    assert response.status_code == 302
    assert signed_in(here)
    assert not signed_in(elsewhere)


def test_sessions_survive_losing_the_cache(alice):
    browser = client_for(alice)
    assert signed_in(browser)
    caches[settings.SESSION_CACHE_ALIAS].clear()  # a Redis restart, or an eviction
    assert signed_in(browser)


def test_sessions_are_kept_in_the_database_and_read_through_a_shared_cache():
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db"
    backend = settings.CACHES[settings.SESSION_CACHE_ALIAS]["BACKEND"]
    assert backend in {
        "django.core.cache.backends.db.DatabaseCache",
        "django.core.cache.backends.redis.RedisCache",
    }
