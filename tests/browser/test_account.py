"""The account area and the two-factor pages in Chromium, on a phone and without JavaScript.

Every test fails on a console error, so a CSP violation fails it too.
"""

import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.core import mail
from playwright.sync_api import Page, expect

from tests.browser.helpers import log_in
from tests.conftest import make_user
from tests.helpers import add_security_key

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
AREA = [
    ("Profile and public page", "Profile and public page"),
    ("Settings", "Settings"),
    ("Email addresses", "Email Addresses"),
    ("Password", "Change Password"),
    ("Two-factor", "Two-Factor Authentication"),
    ("Sessions", "Sessions"),
    ("Export and import", "Export and import"),
    ("Delete account", "Delete my account"),
]


def header(page: Page):
    return page.get_by_role("navigation", name="Account")


def area_nav(page: Page):
    return page.get_by_role("navigation", name="Profile and settings")


def overflows_sideways(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth")


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_one_navigation_leads_through_the_whole_account_area_on_a_phone(
    new_page, console_errors, javascript
):
    make_user("area@example.com")
    page = new_page(javascript=javascript)
    page.set_viewport_size(PHONE)
    log_in(page, "area@example.com")
    header(page).get_by_role("link", name="Account").click()

    for label, heading in AREA:
        link = area_nav(page).get_by_role("link", name=label, exact=True)
        expect(link).to_be_in_viewport()
        link.click()
        expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
        current = area_nav(page).locator('[aria-current="page"]')
        expect(current).to_have_count(1)
        expect(current).to_have_text(label)
        assert not overflows_sideways(page), label

    # My progress is about progress alone.
    header(page).get_by_role("link", name="My progress").click()
    expect(page.get_by_role("heading", name="My progress", level=1)).to_be_visible()
    expect(area_nav(page)).to_have_count(0)
    progress_nav = page.get_by_role("navigation", name="My progress", exact=True)
    expect(progress_nav.get_by_role("link")).to_have_text(["My progress", "History"])
    assert console_errors == []


def test_an_old_address_lands_on_its_page_in_the_account_area(page, console_errors):
    make_user("bookmark@example.com")
    log_in(page, "bookmark@example.com")
    page.goto("/me/public/")
    expect(page).to_have_url(re.compile(r"/accounts/profile/$"))
    expect(page.get_by_role("heading", name="Profile and public page", level=1)).to_be_visible()
    assert console_errors == []


def test_two_factor_asks_for_a_verified_address_first_and_sends_the_email(page, console_errors):
    user = make_user("unverified@example.com")
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=False)
    log_in(page, "unverified@example.com")
    header(page).get_by_role("link", name="Account").click()
    area_nav(page).get_by_role("link", name="Two-factor").click()

    notice = page.get_by_role("region", name="First, verify your email address")
    expect(notice).to_be_visible()
    expect(page.get_by_role("link", name="Activate")).to_have_count(0)
    notice.get_by_role(
        "button", name="Send the verification email to unverified@example.com"
    ).click()

    expect(page.get_by_role("heading", name="Two-Factor Authentication", level=1)).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Confirmation email sent to")
    assert [message.to for message in mail.outbox] == [["unverified@example.com"]]
    assert console_errors == []


def test_a_security_key_account_signs_in_with_a_recovery_code_without_javascript(
    new_page, console_errors
):
    user = make_user("keyonly@example.com")
    add_security_key(user)
    code = RecoveryCodes.activate(user).get_unused_codes()[0]
    page = new_page(javascript=False)
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("keyonly@example.com")
    page.get_by_label(re.compile(r"^Password:?$")).fill("correct horse battery staple")
    page.get_by_role("button", name="Sign In", exact=True).click()

    expect(page.get_by_role("heading", name="Two-Factor Authentication", level=1)).to_be_visible()
    expect(page.get_by_role("button", name="Use a security key")).to_be_visible()
    expect(page.get_by_text("authenticator app")).to_have_count(0)
    recovery = page.get_by_role("region", name="Can't use your security key?")
    recovery.get_by_label("Recovery code").fill(code)
    recovery.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    assert console_errors == []
