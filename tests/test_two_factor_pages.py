"""What the two-factor pages offer: the verification email before a second factor can be added,
and at sign-in exactly what the account has, with recovery codes as the way out.

Second factors are set up here with allauth's own models and helpers (the pages that set them
up are tested in test_mfa.py and, for security keys, in Chromium); a security key's credential is
minted with fido2, as a browser's authenticator would answer.
"""

import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core import mail
from django.test import Client

from accounts.templatetags.two_factor import second_factors
from tests.conftest import PASSWORD
from tests.helpers import add_security_key

# allauth limits verification emails and code attempts per account.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rate_limits")]


def add_authenticator_app(user) -> None:
    TOTP.activate(user, generate_totp_secret())


def second_step(user) -> tuple[Client, str]:
    """A browser past the password, at the second step; and that page."""
    browser = Client()
    response = browser.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response["Location"] == "/accounts/2fa/authenticate/"
    page = browser.get("/accounts/2fa/authenticate/")
    assert page.status_code == 200
    return browser, page.text


def signed_in(browser: Client) -> bool:
    return browser.get("/notes/").status_code == 200


# The two-factor page, before anything is added.


def test_an_unverified_address_is_named_on_the_page_with_a_button_that_sends_its_email(
    alice, alice_client
):
    EmailAddress.objects.create(user=alice, email=alice.email, primary=True, verified=False)
    html = alice_client.get("/accounts/2fa/").text
    assert "First, verify your email address" in html
    form = re.search(r'<form method="post" action="/accounts/email/">(.*?)</form>', html, re.S)[1]
    assert 'name="csrfmiddlewaretoken"' in form
    assert '<input type="hidden" name="email" value="alice@example.com">' in form
    assert '<input type="hidden" name="next" value="/accounts/2fa/">' in form
    assert (
        'name="action_send"' in form and "Send the verification email to alice@example.com" in form
    )
    # Nothing on the page leads to a refusal.
    assert 'href="/accounts/2fa/totp/activate/"' not in html
    assert 'href="/accounts/2fa/webauthn/add/"' not in html

    response = alice_client.post(
        "/accounts/email/", {"email": alice.email, "action_send": "", "next": "/accounts/2fa/"}
    )
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/"
    assert [message.to for message in mail.outbox] == [[alice.email]]
    assert "/accounts/confirm-email/" in mail.outbox[0].body
    assert "Confirmation email sent to alice@example.com" in alice_client.get("/accounts/2fa/").text


def test_once_every_address_is_verified_the_page_offers_to_activate(alice, alice_client):
    EmailAddress.objects.create(user=alice, email=alice.email, primary=True, verified=True)
    html = alice_client.get("/accounts/2fa/").text
    assert "First, verify" not in html
    assert 'href="/accounts/2fa/totp/activate/"' in html
    assert 'href="/accounts/2fa/webauthn/add/"' in html


def test_a_second_unverified_address_is_named_too(alice, alice_client):
    EmailAddress.objects.create(user=alice, email=alice.email, primary=True, verified=True)
    EmailAddress.objects.create(user=alice, email="old@example.com", verified=False)
    html = alice_client.get("/accounts/2fa/").text
    assert "Send the verification email to old@example.com" in html
    assert "Send the verification email to alice@example.com" not in html


def test_without_allauths_rule_there_is_nothing_to_verify_first(alice, alice_client, settings):
    settings.MFA_ALLOW_UNVERIFIED_EMAIL = True
    EmailAddress.objects.create(user=alice, email=alice.email, primary=True, verified=False)
    html = alice_client.get("/accounts/2fa/").text
    assert "First, verify" not in html and 'href="/accounts/2fa/totp/activate/"' in html


def test_the_email_page_sends_the_learner_back_only_within_the_site(alice, alice_client):
    EmailAddress.objects.create(user=alice, email=alice.email, primary=True, verified=False)
    send = {"email": alice.email, "action_send": ""}
    away = alice_client.post("/accounts/email/", send | {"next": "https://evil.example/"})
    assert away["Location"] == "/accounts/email/"
    assert alice_client.post("/accounts/email/", send)["Location"] == "/accounts/email/"


# The second step of signing in.


def test_an_authenticator_app_alone_is_asked_for_its_code_with_recovery_codes_as_the_way_out(
    alice,
):
    add_authenticator_app(alice)
    codes = RecoveryCodes.activate(alice)
    browser, html = second_step(alice)
    assert "Use a security key" not in html and "webauthn" not in html
    assert "Enter the code your authenticator app shows" in html
    assert "Can't use your authenticator app?" in html
    assert "Enter one of your recovery codes in the Code field above instead" in html
    assert "you have 10 left." in html
    assert html.count('name="code"') == 1

    code = codes.get_unused_codes()[0]
    assert browser.post("/accounts/2fa/authenticate/", {"code": code}).status_code == 302
    assert signed_in(browser)


def test_a_security_key_alone_is_offered_with_a_recovery_code_form(alice):
    add_security_key(alice)
    codes = RecoveryCodes.activate(alice)
    browser, html = second_step(alice)
    assert ">Use a security key</button>" in html
    assert "authenticator app" not in html
    assert "Can't use your security key?" in html
    assert re.search(
        r'<label for="id_code">Recovery code</label>\s*<input type="text" name="code"', html
    )

    wrong = browser.post("/accounts/2fa/authenticate/", {"code": "12345678"})
    assert wrong.status_code == 200 and "Incorrect code." in wrong.text
    assert not signed_in(browser)
    code = codes.get_unused_codes()[0]
    assert browser.post("/accounts/2fa/authenticate/", {"code": code}).status_code == 302
    assert signed_in(browser)


def test_an_app_and_a_key_are_both_offered(alice):
    add_authenticator_app(alice)
    add_security_key(alice)
    RecoveryCodes.activate(alice)
    _browser, html = second_step(alice)
    assert "Enter the code your authenticator app shows" in html
    assert "Or use your security key" in html and ">Use a security key</button>" in html
    assert "Can't use your app or your security key?" in html


def test_without_recovery_codes_left_the_page_says_so(alice):
    add_security_key(alice)
    _browser, html = second_step(alice)
    assert "no recovery codes left" in html
    assert 'name="code"' not in html


def test_the_recovery_codes_left_are_counted(alice):
    add_authenticator_app(alice)
    codes = RecoveryCodes.activate(alice)
    for code in codes.get_unused_codes()[:9]:
        codes.validate_code(code)
    assert second_factors(alice).recovery_codes == 1
    assert "you have 1 left." in second_step(alice)[1]
