"""Single sign-on: identity providers from the environment, and a whole OpenID Connect sign-in.

The provider is tests/provider_stubs.py, served on loopback: allauth fetches its discovery document,
exchanges the code at its token endpoint and reads userinfo over real HTTP. The browser's part
(following the redirect to the provider and back) is played by the test.
"""

import http.client
import os
import re
import subprocess
import sys
from html import unescape
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user
from django.core import mail
from django.test import Client

from accounts import providers as identity_providers
from accounts.models import User
from roadmap.models import Progress
from tests.conftest import PASSWORD, make_resource, make_user
from tests.provider_stubs import GitHubStub, OIDCStub, Person

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
LOGIN_BUTTON = re.compile(r'href="(/accounts/oidc/sso/login/\?[^"]*)"[^>]*>Continue with Test IdP<')


@pytest.fixture
def idp(settings):
    stub = OIDCStub()
    settings.SOCIALACCOUNT_PROVIDERS, _ = identity_providers.from_environment(stub.env())
    yield stub
    stub.close()


def follow_provider_redirect(location: str) -> str:
    """What the browser does at the provider: GET the authorize URL, return where it sends us."""
    url = urlsplit(location)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    connection.request("GET", f"{url.path}?{url.query}")
    response = connection.getresponse()
    assert response.status == 302, response.read()
    back = response.getheader("Location")
    connection.close()
    return back


def sign_in_through_the_provider(client: Client, stub: OIDCStub, page: str = "/accounts/login/"):
    html = client.get(page).content.decode()
    button = LOGIN_BUTTON.search(html)
    assert button, "no button for the provider"
    url = unescape(button[1])
    confirm = client.get(url)  # allauth asks before leaving the site, with a form
    assert confirm.status_code == 200 and "Test IdP" in confirm.content.decode()
    to_provider = client.post(url)
    assert to_provider.status_code == 302
    assert to_provider["Location"].startswith(f"{stub.url}/authorize?")
    back = urlsplit(follow_provider_redirect(to_provider["Location"]))
    assert back.path == "/accounts/oidc/sso/login/callback/"
    response = client.get(f"{back.path}?{back.query}")
    assert stub.errors == []
    return response


def signed_in_user(client: Client):
    return get_user(client.get("/").wsgi_request)


def test_a_newcomer_signs_up_through_the_organisations_provider(idp):
    idp.person = Person("kc-42", "newcomer@example.com", name="Ada Newcomer")
    client = Client()
    response = sign_in_through_the_provider(client, idp)

    assert response.status_code == 302 and response["Location"] == "/"
    user = User.objects.get(email="newcomer@example.com")
    assert signed_in_user(client) == user
    assert user.first_name == "Ada" and user.last_name == "Newcomer"
    assert not user.has_usable_password()
    assert EmailAddress.objects.get(user=user).verified
    account = SocialAccount.objects.get(user=user)
    assert (account.provider, account.uid) == ("sso", "kc-42")
    assert {
        "GET /.well-known/openid-configuration",
        "GET /authorize",
        "POST /token",
        "GET /userinfo",
    } <= set(idp.requests)


def test_a_returning_person_comes_back_to_the_same_account(idp):
    idp.person = Person("kc-7", "back@example.com")
    sign_in_through_the_provider(Client(), idp)
    idp.person = Person("kc-7", "back@example.com")
    again = Client()
    sign_in_through_the_provider(again, idp)
    assert User.objects.filter(email="back@example.com").count() == 1
    assert signed_in_user(again).email == "back@example.com"


def test_a_verified_provider_email_signs_in_to_the_existing_account_and_links_it(alice, idp):
    EmailAddress.objects.create(user=alice, email=alice.email, verified=True, primary=True)
    resource = make_resource()
    Progress.objects.create(user=alice, resource=resource)
    idp.person = Person("kc-alice", "alice@example.com", email_verified=True)

    client = Client()
    sign_in_through_the_provider(client, idp)

    assert signed_in_user(client) == alice
    assert SocialAccount.objects.get(provider="sso").user == alice
    assert User.objects.count() == 1
    alice.refresh_from_db()
    assert alice.has_usable_password()  # her own address was verified: nothing to fear
    assert Progress.objects.filter(user=alice).count() == 1


def test_linking_an_account_whose_own_address_was_never_confirmed_switches_its_password_off(
    alice, idp
):
    # Someone may have signed up with Alice's address before her: they lose their way in.
    EmailAddress.objects.create(user=alice, email=alice.email, verified=False, primary=True)
    squatter = Client()
    squatter.post("/accounts/login/", {"login": alice.email, "password": PASSWORD})
    idp.person = Person("kc-alice", "alice@example.com", email_verified=True)

    client = Client()
    sign_in_through_the_provider(client, idp)

    assert signed_in_user(client) == alice
    alice.refresh_from_db()
    assert not alice.has_usable_password()
    assert not signed_in_user(squatter).is_authenticated


@pytest.mark.parametrize("email_verified", [False, None])
def test_an_unverified_provider_email_never_takes_over_an_account(alice, idp, email_verified):
    idp.person = Person("kc-mallory", "alice@example.com", email_verified=email_verified)

    client = Client()
    response = sign_in_through_the_provider(client, idp)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/3rdparty/signup/"  # asks for another address
    form = client.get(response["Location"]).content.decode()
    assert '<label for="id_email">' in form and "Test IdP" in form
    assert not signed_in_user(client).is_authenticated
    assert not SocialAccount.objects.filter(user=alice).exists()
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)
    assert User.objects.count() == 1


def test_signing_in_through_the_provider_respects_closed_registration(idp, settings):
    settings.REGISTRATION_OPEN = False
    idp.person = Person("kc-9", "late@example.com")
    client = Client()
    response = sign_in_through_the_provider(client, idp)
    assert "Sign Up Closed" in response.content.decode()
    assert not User.objects.filter(email="late@example.com").exists()
    assert not signed_in_user(client).is_authenticated


def test_a_tampered_state_signs_nobody_in(idp):
    idp.person = Person("kc-1", "x@example.com")
    client = Client()
    client.get("/accounts/login/")
    url = "/accounts/oidc/sso/login/?process=login"
    back = urlsplit(follow_provider_redirect(client.post(url)["Location"]))
    query = re.sub(r"state=[^&]+", "state=forged", back.query)
    response = client.get(f"{back.path}?{query}")
    assert response.status_code == 401
    assert "Third-Party Login Failure" in response.content.decode()
    assert not User.objects.exists()


@pytest.mark.parametrize(
    "query", ["", "?error=access_denied", "?code=nope&state=nope", "?state=%00&code=%ED%A0%80"]
)
def test_odd_callbacks_are_answered_without_an_error(idp, query):
    response = Client().get(f"/accounts/oidc/sso/login/callback/{query}")
    assert response.status_code in (200, 302, 400, 401)
    assert not User.objects.exists()


def test_a_learner_connects_the_provider_from_their_account_pages(alice, idp):
    client = Client()
    client.post("/accounts/login/", {"login": "alice@example.com", "password": PASSWORD})
    html = client.get("/accounts/3rdparty/").content.decode()
    assert 'href="/accounts/3rdparty/" aria-current="page">Connected accounts</a>' in html
    button = re.search(r'href="(/accounts/oidc/sso/login/\?process=connect[^"]*)"', html)
    assert button and "Connect Test IdP" in html
    idp.person = Person("kc-a", "alice.at.work@example.org")
    to_provider = client.post(unescape(button[1]))
    if to_provider["Location"].startswith("/accounts/reauthenticate/"):
        client.post(to_provider["Location"], {"password": PASSWORD})
        to_provider = client.post(unescape(button[1]))
    back = urlsplit(follow_provider_redirect(to_provider["Location"]))
    client.get(f"{back.path}?{back.query}")
    assert SocialAccount.objects.get(uid="kc-a").user == alice


# GitHub: its own API says which addresses are verified.


@pytest.fixture
def github(settings, monkeypatch):
    from allauth.socialaccount.providers.github.views import GitHubOAuth2Adapter

    stub = GitHubStub()
    settings.SOCIALACCOUNT_PROVIDERS, _ = identity_providers.from_environment(
        {"GITHUB_CLIENT_ID": "gh-id", "GITHUB_CLIENT_SECRET": "gh-secret"}
    )
    # allauth fixes GitHub's addresses when it is imported; these point them at the stub.
    for name, path in [
        ("authorize_url", "/login/oauth/authorize"),
        ("access_token_url", "/login/oauth/access_token"),
        ("profile_url", "/api/v3/user"),
        ("emails_url", "/api/v3/user/emails"),
    ]:
        monkeypatch.setattr(GitHubOAuth2Adapter, name, stub.url + path)
    yield stub
    stub.close()


def sign_in_with_github(client: Client, stub: GitHubStub):
    html = client.get("/accounts/login/").content.decode()
    assert 'href="/accounts/github/login/?process=login">Continue with GitHub</a>' in html
    to_github = client.post("/accounts/github/login/?process=login")
    assert to_github["Location"].startswith(f"{stub.url}/login/oauth/authorize?")
    back = urlsplit(follow_provider_redirect(to_github["Location"]))
    assert back.path == "/accounts/github/login/callback/"
    return client.get(f"{back.path}?{back.query}")


def test_a_verified_github_email_signs_in_to_the_existing_account(alice, github):
    EmailAddress.objects.create(user=alice, email=alice.email, verified=True, primary=True)
    github.emails = [{"email": "alice@example.com", "verified": True, "primary": True}]
    client = Client()
    sign_in_with_github(client, github)
    assert signed_in_user(client) == alice
    assert SocialAccount.objects.get(provider="github").user == alice
    assert "GET /api/v3/user/emails" in github.requests


def test_an_unverified_github_email_never_takes_over_an_account(alice, github):
    github.emails = [{"email": "alice@example.com", "verified": False, "primary": True}]
    client = Client()
    response = sign_in_with_github(client, github)
    assert response["Location"] == "/accounts/3rdparty/signup/"
    assert not signed_in_user(client).is_authenticated
    assert not SocialAccount.objects.exists()
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


# Buttons and SSO_ONLY.


def test_buttons_appear_only_for_configured_providers(anon, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {}
    for page in ("/accounts/login/", "/accounts/signup/"):
        html = anon.get(page).content.decode()
        assert "Continue with" not in html and "sign-in-providers" not in html
    settings.SOCIALACCOUNT_PROVIDERS, _ = identity_providers.from_environment(
        {"GITHUB_CLIENT_ID": "id", "GITHUB_CLIENT_SECRET": "secret"}
    )
    for page in ("/accounts/login/", "/accounts/signup/"):
        html = anon.get(page).content.decode()
        assert 'href="/accounts/github/login/?process=login">Continue with GitHub</a>' in html
        assert "Google" not in html and "GitLab" not in html and "/oidc/" not in html


def test_an_unconfigured_providers_addresses_are_404(anon, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {}
    for url in (
        "/accounts/github/login/",
        "/accounts/google/login/",
        "/accounts/gitlab/login/",
        "/accounts/oidc/sso/login/",
        "/accounts/oidc/sso/login/callback/?code=x&state=y",
    ):
        assert anon.get(url).status_code == 404, url


@pytest.fixture
def sso_only(settings, idp):
    settings.SSO_ONLY = True
    return idp


def test_sso_only_shows_the_provider_and_no_password_forms(anon, sso_only):
    for page in ("/accounts/login/", "/accounts/signup/"):
        html = anon.get(page).content.decode()
        assert 'type="password"' not in html
        assert "Continue with Test IdP" in html
        assert "Use your organisation's account" in html


def test_sso_only_refuses_password_sign_in(alice, sso_only):
    client = Client()
    response = client.post("/accounts/login/", {"login": alice.email, "password": PASSWORD})
    assert response.status_code == 403
    assert "only through its identity provider" in response.content.decode()
    assert not signed_in_user(client).is_authenticated


def test_sso_only_refuses_password_sign_up(sso_only):
    response = Client().post(
        "/accounts/signup/",
        {"email": "pw@example.com", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 403
    assert not User.objects.filter(email="pw@example.com").exists()


@pytest.mark.parametrize("email", ["alice@example.com", "nobody@example.com"])
def test_sso_only_refuses_a_password_reset_and_sends_no_email(alice, sso_only, email):
    response = Client().post("/accounts/password/reset/", {"email": email})
    assert response.status_code == 403
    assert "no passwords" in response.content.decode()
    assert mail.outbox == []


def test_sso_only_refuses_a_reset_link_sent_before_it_was_switched_on(alice, sso_only):
    key = f"{user_pk_to_url_str(alice)}-{default_token_generator.make_token(alice)}"
    url = f"/accounts/password/reset/key/{key}/"
    client = Client()
    assert client.get(url).status_code == 403
    new = {"password1": "a brand new passphrase", "password2": "a brand new passphrase"}
    assert client.post(url, new).status_code == 403
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)
    assert not signed_in_user(client).is_authenticated


def test_sso_only_refuses_changing_a_password(alice, sso_only):
    client = Client()
    client.force_login(alice)
    new = "a brand new passphrase"
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": new, "password2": new},
    )
    assert response.status_code == 403
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_sso_only_refuses_setting_a_password(sso_only):
    member = User.objects.create_user(email="member@example.com")  # signed up through the provider
    client = Client()
    client.force_login(member)
    new = "a brand new passphrase"
    response = client.post("/accounts/password/set/", {"password1": new, "password2": new})
    assert response.status_code == 403
    member.refresh_from_db()
    assert not member.has_usable_password()


@pytest.mark.parametrize(
    "url",
    [
        "/accounts/password/reset/",
        "/accounts/password/reset/done/",
        "/accounts/password/reset/key/done/",
        "/accounts/password/change/",
        "/accounts/password/set/",
    ],
)
def test_sso_only_explains_instead_of_showing_a_password_page(alice, sso_only, url):
    client = Client()
    client.force_login(alice)
    response = client.get(url)
    assert response.status_code == 403
    html = response.content.decode()
    assert 'type="password"' not in html and "sign-in page" in html


def test_sso_only_still_signs_people_in_through_the_provider(sso_only):
    sso_only.person = Person("kc-5", "member@example.com")
    client = Client()
    sign_in_through_the_provider(client, sso_only)
    assert signed_in_user(client).email == "member@example.com"


def test_sso_only_hides_the_password_page_from_the_account_menu(sso_only):
    client = Client()
    client.force_login(make_user("member@example.com"))
    nav = client.get("/accounts/email/").content.decode().split('aria-label="Profile and settings"')
    assert ">Password</a>" not in nav[1] and ">Two-factor</a>" in nav[1]


# Settings, as an operator's environment makes them.


def settings_from_env(expression: str, **env: str) -> str:
    """repr() of an expression on the settings module ``s``, in a fresh production process.

    Or the error's last line, when the settings refuse to load.
    """
    base = {
        "PATH": os.environ.get("PATH", ""),
        "DEBUG": "0",
        "SECRET_KEY": "x" * 50,
        "ALLOWED_HOSTS": "roadmap.example.org",
    }
    script = f"import config.settings as s; print(repr({expression}))"
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if result.returncode:
        return result.stderr.strip().splitlines()[-1]
    return result.stdout.strip()


@pytest.mark.processes
def test_no_provider_is_on_until_its_variables_are_set():
    assert settings_from_env("s.SOCIALACCOUNT_PROVIDERS") == "{}"


@pytest.mark.processes
@pytest.mark.parametrize(
    ("env", "provider", "origin"),
    [
        ({"GITHUB_CLIENT_ID": "i", "GITHUB_CLIENT_SECRET": "s"}, "github", "https://github.com"),
        (
            {"GOOGLE_CLIENT_ID": "i", "GOOGLE_CLIENT_SECRET": "s"},
            "google",
            "https://accounts.google.com",
        ),
        ({"GITLAB_CLIENT_ID": "i", "GITLAB_CLIENT_SECRET": "s"}, "gitlab", "https://gitlab.com"),
        (
            {
                "GITLAB_URL": "https://git.example.org/",
                "GITLAB_CLIENT_ID": "i",
                "GITLAB_CLIENT_SECRET": "s",
            },
            "gitlab",
            "https://git.example.org",
        ),
        (
            {
                "OIDC_NAME": "Keycloak",
                "OIDC_SERVER_URL": "https://id.example.org/realms/school",
                "OIDC_CLIENT_ID": "i",
                "OIDC_CLIENT_SECRET": "s",
            },
            "openid_connect",
            "https://id.example.org",
        ),
    ],
)
def test_each_provider_is_on_once_its_variables_are_set(env, provider, origin):
    providers = settings_from_env("list(s.SOCIALACCOUNT_PROVIDERS)", **env)
    assert providers == repr([provider])
    # The sign-in form's redirect to the provider is allowed by the CSP, nothing else is.
    form_action = settings_from_env("s.SECURE_CSP['form-action']", **env)
    assert form_action == f"[<CSP.SELF: \"'self'\">, '{origin}']"


@pytest.mark.processes
@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({"GITHUB_CLIENT_ID": "i"}, "GITHUB_CLIENT_SECRET"),
        ({"GOOGLE_CLIENT_SECRET": "s"}, "GOOGLE_CLIENT_ID"),
        ({"OIDC_CLIENT_ID": "i", "OIDC_CLIENT_SECRET": "s"}, "OIDC_SERVER_URL"),
    ],
)
def test_a_half_configured_provider_stops_the_start_with_a_clear_error(env, missing):
    error = settings_from_env("s.SOCIALACCOUNT_PROVIDERS", **env)
    assert error.startswith("django.core.exceptions.ImproperlyConfigured")
    assert missing in error


@pytest.mark.processes
def test_a_provider_url_must_be_a_web_address():
    env = {"OIDC_SERVER_URL": "id.example.org", "OIDC_CLIENT_ID": "i", "OIDC_CLIENT_SECRET": "s"}
    assert "must be an http(s):// URL" in settings_from_env("s.SOCIALACCOUNT_PROVIDERS", **env)


@pytest.mark.processes
def test_sso_only_without_a_provider_refuses_to_start():
    error = settings_from_env("s.SSO_ONLY", SSO_ONLY="1")
    assert "SSO_ONLY=1 needs an identity provider" in error


@pytest.mark.processes
def test_sso_only_turns_passkey_sign_in_off():
    env = {"SSO_ONLY": "1", "GITHUB_CLIENT_ID": "i", "GITHUB_CLIENT_SECRET": "s"}
    assert settings_from_env("s.MFA_PASSKEY_LOGIN_ENABLED", **env) == "False"
    assert settings_from_env("s.MFA_PASSKEY_LOGIN_ENABLED") == "True"
