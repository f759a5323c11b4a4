"""A learner reports a problem with a link in Chromium, with and without JavaScript."""

import re

import pytest
from playwright.sync_api import expect

from linkhealth.models import LinkReport
from tests.browser.helpers import NoReload, log_in
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TITLE = "The Illustrated Transformer"


def test_a_learner_reports_a_broken_link_in_place(page, console_errors):
    make_user("reporter@example.com")
    log_in(page, "reporter@example.com")
    no_reload = NoReload(page)
    no_reload.arm()

    page.get_by_role("link", name=f"Report a problem with the link to {TITLE}").click()
    group = page.get_by_role("group", name=f"What is wrong with the link to {TITLE}?")
    group.get_by_label("The link is broken or the page is gone").check()
    page.get_by_label("Anything curators should know? (optional)").fill("It answers 404 now")
    page.get_by_role("button", name=f"Send report on {TITLE}").click()

    thanks = page.get_by_role("status").filter(has_text="Thank you")
    expect(thanks).to_be_visible()
    expect(thanks).to_be_focused()
    no_reload.check()
    report = LinkReport.objects.get()
    assert (report.resource.title, report.reason, report.comment) == (
        TITLE,
        "broken",
        "It answers 404 now",
    )
    assert console_errors == []


def test_reporting_works_without_javascript(new_page, console_errors):
    make_user("nojs-reporter@example.com")
    page = new_page(javascript=False)
    log_in(page, "nojs-reporter@example.com")

    page.get_by_role("link", name=f"Report a problem with the link to {TITLE}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Report a problem with “{TITLE}”")
    page.get_by_label("It needs payment or an account").check()
    page.get_by_role("button", name=f"Send report on {TITLE}").click()

    expect(page).to_have_url(re.compile(r"/roadmaps/llm-roadmap/#resource-\d+$"))
    expect(page.get_by_text(f"curators will look at the link to “{TITLE}”")).to_be_visible()
    assert LinkReport.objects.get().reason == "paywalled"
    assert console_errors == []
