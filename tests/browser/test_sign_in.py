"""Two-factor, passkeys and the account pages in Debian's Chromium, under the real CSP.

Passkeys are made by Chromium's virtual authenticator (the DevTools WebAuthn domain): the same
navigator.credentials calls, the same allauth JavaScript and server checks as with a phone or a
security key. Every test fails on a console error, so a CSP violation fails it too.
"""

import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.utils.csp import CSP
from playwright.sync_api import Page, expect

from accounts import providers as identity_providers
from accounts.models import User
from tests.browser.helpers import log_in
from tests.conftest import PASSWORD, make_user
from tests.provider_stubs import OIDCStub, Person

# The browser, its pages and the console watch come from the roadmap's browser tests.

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def strict_origin_checks(settings) -> None:
    # As in production: the server checks the passkey was made for this very origin.
    settings.MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = False


def make_verified_user(email: str, **extra):
    """allauth lets only people with a verified address add a second factor."""
    user = make_user(email, **extra)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def add_virtual_authenticator(page: Page) -> None:
    """A platform authenticator (like a phone's) that says yes at once."""
    devtools = page.context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    devtools.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )


def confirm_password_if_asked(page: Page) -> None:
    if "/accounts/reauthenticate/" in page.url:
        page.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
        page.get_by_role("button", name="Confirm").click()


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("navigation", name="Account").get_by_role("link", name="Log in"))


def open_two_factor(page: Page) -> None:
    page.get_by_role("navigation", name="Account").get_by_role("link", name="Account").click()
    settings_nav = page.get_by_role("navigation", name="Profile and settings")
    settings_nav.get_by_role("link", name="Two-factor").click()
    expect(page.get_by_role("heading", name="Two-Factor Authentication", level=1)).to_be_visible()


def test_a_learner_adds_a_passkey_and_signs_in_with_it_alone(page, console_errors):
    user = make_verified_user("passkey@example.com")
    add_virtual_authenticator(page)
    log_in(page, "passkey@example.com")
    open_two_factor(page)

    keys = page.get_by_role("region", name="Security Keys")
    keys.get_by_role("link", name="Add").click()
    confirm_password_if_asked(page)
    expect(page.get_by_role("heading", name="Add Security Key")).to_be_visible()
    page.get_by_label("Name").fill("My laptop")
    page.get_by_label("Passwordless").check()
    page.get_by_role("button", name="Add").click()

    # The first key comes with recovery codes, shown once it is saved.
    expect(page.get_by_role("heading", name="Recovery Codes")).to_be_visible()
    key = Authenticator.objects.get(user=user, type=Authenticator.Type.WEBAUTHN)
    assert key.wrap().name == "My laptop" and key.wrap().is_passwordless
    codes = page.get_by_label("Unused codes").input_value().split()
    assert len(codes) == 10

    log_out(page)
    page.get_by_role("navigation", name="Account").get_by_role("link", name="Log in").click()
    page.get_by_role("button", name="Sign in with a passkey").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/$"))

    assert console_errors == []


def test_a_security_key_is_the_second_factor_after_the_password(page, console_errors):
    user = make_verified_user("second@example.com")
    add_virtual_authenticator(page)
    log_in(page, "second@example.com")
    open_two_factor(page)
    page.get_by_role("region", name="Security Keys").get_by_role("link", name="Add").click()
    confirm_password_if_asked(page)
    page.get_by_role("button", name="Add").click()
    expect(page.get_by_role("heading", name="Recovery Codes")).to_be_visible()
    assert Authenticator.objects.filter(user=user, type="webauthn").exists()

    log_out(page)
    page.get_by_role("navigation", name="Account").get_by_role("link", name="Log in").click()
    page.get_by_label("Email").fill("second@example.com")
    page.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
    page.get_by_role("button", name="Sign In", exact=True).click()
    expect(page.get_by_role("heading", name="Two-Factor Authentication")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)
    page.get_by_role("button", name="Use a security key").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()

    assert console_errors == []


ACCOUNT_PAGES = [
    ("/accounts/email/", "Email Addresses"),
    ("/accounts/2fa/", "Two-Factor Authentication"),
    ("/accounts/2fa/totp/activate/", "Activate Authenticator App"),
    ("/accounts/2fa/webauthn/add/", "Add Security Key"),
    ("/accounts/sessions/", "Sessions"),
    ("/accounts/3rdparty/", "Account Connections"),
    ("/accounts/login/", None),
]

LABELLING_PROBLEMS = """() => {
  const problems = [];
  for (const field of document.querySelectorAll('input:not([type=hidden]), textarea, select')) {
    const named = field.labels.length || field.getAttribute('aria-label')
      || field.getAttribute('aria-labelledby');
    if (!named) problems.push(`unlabelled ${field.outerHTML}`);
  }
  for (const control of document.querySelectorAll('a[href], button')) {
    if (!control.textContent.trim() && !control.getAttribute('aria-label')) {
      problems.push(`nameless ${control.outerHTML}`);
    }
  }
  const levels = [...document.querySelectorAll('h1, h2, h3, h4')].map(h => +h.tagName[1]);
  if (document.querySelectorAll('h1').length !== 1) problems.push('not exactly one h1');
  levels.forEach((level, i) => {
    if (i && level > levels[i - 1] + 1) problems.push(`heading jumps to h${level}`);
  });
  return problems;
}"""


def test_the_new_account_pages_have_labelled_fields_and_ordered_headings(page, console_errors):
    make_verified_user("tidy@example.com")
    log_in(page, "tidy@example.com")
    page.goto("/accounts/2fa/totp/activate/")
    confirm_password_if_asked(page)
    for url, heading in ACCOUNT_PAGES:
        page.goto(url)
        if heading:
            expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
        assert page.evaluate(LABELLING_PROBLEMS) == [], url
        # A keyboard reaches the first field or button of the page's main part.
        page.locator("main").focus()
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.closest('main') !== null"), url

    assert console_errors == []


def test_staff_without_a_second_factor_are_led_from_the_admin_to_set_one_up(
    page, console_errors, settings
):
    settings.MFA_REQUIRED_FOR_STAFF = True
    make_user("curator@example.com", is_staff=True)
    log_in(page, "curator@example.com")
    page.goto("/admin/")
    expect(page.get_by_role("heading", name="Two-Factor Authentication", level=1)).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("The admin needs two-factor authentication")

    assert console_errors == []


@pytest.fixture
def identity_provider(settings):
    stub = OIDCStub()
    providers, origins = identity_providers.from_environment(stub.env())
    settings.SOCIALACCOUNT_PROVIDERS = providers
    # As settings.py does: the Continue form's redirect to the provider is allowed by the CSP.
    settings.SECURE_CSP = {**settings.SECURE_CSP, "form-action": [CSP.SELF, *origins]}
    yield stub
    stub.close()


def test_a_person_signs_in_through_the_organisations_provider(
    page, console_errors, identity_provider
):
    identity_provider.person = Person("kc-77", "member@example.org", name="Grace Member")
    page.goto("/")
    page.get_by_role("navigation", name="Account").get_by_role("link", name="Log in").click()
    providers = page.get_by_role("region", name="Or use another account")
    providers.get_by_role("link", name="Continue with Test IdP").click()
    expect(page.get_by_role("heading", name="Sign In Via Test IdP")).to_be_visible()
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    assert identity_provider.errors == []
    assert "GET /authorize" in identity_provider.requests  # the browser really went there
    assert User.objects.get(email="member@example.org").first_name == "Grace"
    assert console_errors == []


def test_without_the_provider_in_form_action_the_browser_would_not_go(
    page, console_errors, identity_provider, settings
):
    settings.SECURE_CSP = {**settings.SECURE_CSP, "form-action": [CSP.SELF]}
    page.goto("/accounts/oidc/sso/login/?process=login")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_timeout(500)
    assert "GET /authorize" not in identity_provider.requests
    assert any("form-action" in error for error in console_errors)
