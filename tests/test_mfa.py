"""Two-factor authentication: an authenticator app with recovery codes, and the staff rule.

Codes are computed here from the secret the set-up page shows, as an authenticator app would
(RFC 6238), not taken from allauth's own helpers. Security keys and passkeys are driven in
Chromium with a virtual authenticator (tests/browser/test_sign_in.py).
"""

import base64
import hashlib
import hmac
import re
import struct
import time
from html import unescape

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.messages import get_messages
from django.test import Client

from tests.conftest import PASSWORD, client_for

pytestmark = pytest.mark.django_db


def totp(secret: str, at: float | None = None) -> str:
    counter = int(time.time() if at is None else at) // 30
    digest = hmac.new(base64.b32decode(secret), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def fresh_totp(secret: str) -> str:
    """The current code, never one about to expire while the request is on its way."""
    if 30 - time.time() % 30 < 2:
        time.sleep(30 - time.time() % 30 + 0.1)
    return totp(secret)


def log_in(client: Client, email: str, password: str = PASSWORD):
    return client.post("/accounts/login/", {"login": email, "password": password})


def open_totp_setup(client: Client) -> str:
    page = client.get("/accounts/2fa/totp/activate/")
    # Changing how one signs in asks for the password again first.
    assert page["Location"].startswith("/accounts/reauthenticate/")
    client.post(page["Location"], {"password": PASSWORD})
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200, page
    return page.content.decode()


def activate_totp(client: Client) -> str:
    """Sets up an authenticator app through the pages; returns its secret."""
    html = open_totp_setup(client)
    secret = unescape(re.search(r'id="authenticator_secret"[^>]*value="([A-Z2-7=]+)"', html)[1])
    assert 'src="data:image/svg+xml' in html  # the QR code to scan
    response = client.post("/accounts/2fa/totp/activate/", {"code": fresh_totp(secret)})
    assert response.status_code == 302, response.content.decode()
    return secret


def unused_recovery_codes(client: Client) -> list[str]:
    html = client.get("/accounts/2fa/recovery-codes/").content.decode()
    textarea = re.search(r'<textarea[^>]*id="recovery_codes"[^>]*>(.*?)</textarea>', html, re.S)
    return textarea[1].split()


@pytest.fixture
def enrolled(alice) -> tuple[Client, str]:
    client = Client()
    log_in(client, "alice@example.com")
    return client, activate_totp(client)


def test_a_learner_sets_up_an_authenticator_app_and_gets_recovery_codes(alice, enrolled):
    client, _secret = enrolled
    assert Authenticator.objects.filter(user=alice, type=Authenticator.Type.TOTP).count() == 1
    assert len(unused_recovery_codes(client)) == 10
    page = client.get("/accounts/2fa/").content.decode()
    assert "Authentication using an authenticator app is active." in page


def test_a_wrong_code_does_not_activate_the_authenticator_app(alice):
    client = Client()
    log_in(client, "alice@example.com")
    open_totp_setup(client)
    response = client.post("/accounts/2fa/totp/activate/", {"code": "000000x"})
    assert response.status_code == 200
    assert "Incorrect code." in response.content.decode()
    assert not Authenticator.objects.filter(user=alice).exists()


def test_sign_in_asks_for_the_code_after_the_password(enrolled):
    _client, secret = enrolled
    browser = Client()
    response = log_in(browser, "alice@example.com")
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert browser.get("/notes/").status_code == 302  # not signed in yet

    wrong = browser.post("/accounts/2fa/authenticate/", {"code": "123456"})
    assert wrong.status_code == 200 and "Incorrect code." in wrong.content.decode()

    response = browser.post("/accounts/2fa/authenticate/", {"code": fresh_totp(secret)})
    assert response.status_code == 302
    assert browser.get("/notes/").status_code == 200


def test_a_code_works_once(enrolled):
    _client, secret = enrolled
    code = fresh_totp(secret)
    first, second = Client(), Client()
    log_in(first, "alice@example.com")
    assert first.post("/accounts/2fa/authenticate/", {"code": code}).status_code == 302
    log_in(second, "alice@example.com")
    replay = second.post("/accounts/2fa/authenticate/", {"code": code})
    assert replay.status_code == 200
    assert second.get("/notes/").status_code == 302


def test_a_recovery_code_signs_in_once(enrolled):
    client, _secret = enrolled
    code = unused_recovery_codes(client)[0]
    browser = Client()
    log_in(browser, "alice@example.com")
    assert browser.post("/accounts/2fa/authenticate/", {"code": code}).status_code == 302
    assert browser.get("/notes/").status_code == 200
    assert code not in unused_recovery_codes(client)

    again = Client()
    log_in(again, "alice@example.com")
    assert again.post("/accounts/2fa/authenticate/", {"code": code}).status_code == 200
    assert again.get("/notes/").status_code == 302


def test_the_two_factor_pages_need_a_signed_in_learner(anon):
    for url in ("/accounts/2fa/", "/accounts/2fa/totp/activate/", "/accounts/2fa/webauthn/"):
        response = anon.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_the_account_pages_link_to_two_factor_and_sessions(alice_client):
    html = alice_client.get("/accounts/email/").content.decode()
    nav = html.split('aria-label="Profile and settings"')
    assert 'href="/accounts/2fa/">Two-factor</a>' in nav[1]
    assert 'href="/accounts/sessions/">Sessions</a>' in nav[1]


# Staff need a second factor for the admin.


def test_staff_without_a_second_factor_are_sent_to_set_one_up(carol, settings):
    settings.MFA_REQUIRED_FOR_STAFF = True
    client = client_for(carol)
    for url in ("/admin/", "/admin/roadmap/resource/", "/admin/roadmap/resource/add/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == "/accounts/2fa/"
    page = client.get("/accounts/2fa/")
    messages = [str(m) for m in get_messages(page.wsgi_request)]
    assert any("The admin needs two-factor authentication" in m for m in messages)
    assert "two-factor authentication" in page.content.decode()


def test_staff_with_an_authenticator_app_reach_the_admin(carol, settings):
    settings.MFA_REQUIRED_FOR_STAFF = True
    client = Client()
    log_in(client, "carol@example.com")
    assert client.get("/admin/")["Location"] == "/accounts/2fa/"
    activate_totp(client)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/roadmap/resource/").status_code == 200


def test_recovery_codes_alone_do_not_count_as_a_second_factor(carol, settings):
    settings.MFA_REQUIRED_FOR_STAFF = True
    Authenticator.objects.create(
        user=carol, type=Authenticator.Type.RECOVERY_CODES, data={"seed": "00" * 20}
    )
    assert client_for(carol).get("/admin/")["Location"] == "/accounts/2fa/"


def test_without_the_rule_staff_reach_the_admin_with_a_password_alone(carol, settings):
    settings.MFA_REQUIRED_FOR_STAFF = False
    assert client_for(carol).get("/admin/").status_code == 200


def test_the_rule_leaves_learners_and_the_rest_of_the_site_alone(alice, carol, settings):
    settings.MFA_REQUIRED_FOR_STAFF = True
    learner = client_for(alice).get("/admin/")
    assert learner.status_code in (302, 403)
    assert learner.get("Location") != "/accounts/2fa/"
    staff = client_for(carol)
    assert staff.get("/").status_code == 200
    assert staff.get("/notes/").status_code == 200
    assert staff.post("/admin/logout/").status_code in (200, 302)


def test_the_staff_rule_adds_no_query_outside_the_admin(carol, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(carol)
    client.get("/")
    counts = []
    for required in (False, True):
        settings.MFA_REQUIRED_FOR_STAFF = required
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_staff_member_is_asked_for_the_code_before_the_admin(carol, settings):
    settings.MFA_REQUIRED_FOR_STAFF = True
    setup = Client()
    log_in(setup, "carol@example.com")
    secret = activate_totp(setup)
    browser = Client()
    response = browser.get(browser.get("/admin/")["Location"])
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"
    response = browser.post(
        "/accounts/login/?next=/admin/", {"login": "carol@example.com", "password": PASSWORD}
    )
    assert response["Location"] == "/accounts/2fa/authenticate/"
    response = browser.post("/accounts/2fa/authenticate/", {"code": fresh_totp(secret)})
    assert response["Location"] == "/admin/"
    assert browser.get("/admin/").status_code == 200


@pytest.mark.parametrize(("debug", "expected"), [("0", "True"), ("1", "False")])
def test_the_staff_rule_is_on_by_default_in_production_only(debug, expected):
    from tests.test_sso import settings_from_env

    assert settings_from_env("s.MFA_REQUIRED_FOR_STAFF", DEBUG=debug) == expected


def test_the_staff_rule_can_be_turned_off_in_production():
    from tests.test_sso import settings_from_env

    assert settings_from_env("s.MFA_REQUIRED_FOR_STAFF", MFA_REQUIRED_FOR_STAFF="0") == "False"


# The account pages and the admin around them.


@pytest.mark.parametrize(
    "url",
    ["/accounts/2fa/", "/accounts/sessions/", "/accounts/3rdparty/", "/accounts/2fa/webauthn/"],
)
def test_the_new_account_pages_use_the_site_layout(alice_client, url):
    response = alice_client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="skip-link"' in html and 'class="wrap account-page"' in html
    assert 'aria-label="Profile and settings"' in html


def test_the_admin_tells_the_projects_accounts_from_allauths(admin_client):
    html = admin_client.get("/admin/").content.decode()
    captions = re.findall(r"<caption>\s*<a [^>]*>([^<]+)</a>", html)
    assert "Learners and staff" in captions
    assert captions.count("Accounts") == 1
    assert len(captions) == len(set(captions))


# A security key's answer is JSON the browser posts; a forged one is an error message, not a 500.

GARBAGE_CREDENTIALS = [
    "{",
    "{}",
    "[]",
    "null",
    '"text"',
    '{"id": 1, "response": []}',
    '{"id": "x", "rawId": "x", "type": "public-key", "response": {}}',
    '{"id": "eA", "rawId": "eA", "type": "public-key", "response": {"clientDataJSON": "@@",'
    ' "authenticatorData": "eA", "signature": "eA"}}',
]


@pytest.mark.parametrize("credential", GARBAGE_CREDENTIALS)
@pytest.mark.parametrize("ask_first", [True, False])
def test_a_forged_passkey_sign_in_is_refused_without_an_error(alice, credential, ask_first):
    client = Client(raise_request_exception=False)
    if ask_first:  # the page asks the server for a challenge before the key answers
        client.get("/accounts/2fa/webauthn/login/", HTTP_ACCEPT="application/json")
    response = client.post("/accounts/2fa/webauthn/login/", {"credential": credential})
    assert response.status_code in (200, 302, 400), response.status_code
    assert client.get("/notes/").status_code == 302  # still signed out


@pytest.mark.parametrize("credential", GARBAGE_CREDENTIALS)
def test_a_forged_security_key_answer_at_the_second_step_is_refused(enrolled, credential):
    browser = Client(raise_request_exception=False)
    log_in(browser, "alice@example.com")
    response = browser.post("/accounts/2fa/authenticate/", {"credential": credential})
    assert response.status_code == 200
    assert browser.get("/notes/").status_code == 302


@pytest.mark.parametrize("credential", GARBAGE_CREDENTIALS)
def test_forged_security_key_answers_on_the_account_pages_are_refused(alice, credential):
    client = Client(raise_request_exception=False)
    log_in(client, "alice@example.com")
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    client.get("/accounts/2fa/webauthn/add/")
    add = client.post("/accounts/2fa/webauthn/add/", {"credential": credential, "name": "k"})
    assert add.status_code == 200
    again = client.post("/accounts/2fa/webauthn/reauthenticate/", {"credential": credential})
    assert again.status_code < 500
    assert not Authenticator.objects.filter(user=alice).exists()
