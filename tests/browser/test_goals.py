"""The weekly goal in Debian's Chromium: set in the settings, shown on My progress and the
roadmap page, driven like a person would."""

import re

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import expect

from goals.models import Goal
from roadmap import learning
from roadmap.models import Resource
from tests.browser.helpers import log_in
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The real clock: what is done now is always in this week, whatever day it is, and the finish
# date is far enough ahead for any run of this suite.
FINISH_BY = "2099-12-31"


def test_a_learner_sets_a_weekly_goal_and_sees_their_pace(page, console_errors):
    user = make_user("pace@example.com")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    first = Resource.objects.published().order_by("pk").first()
    learning.set_status(user, first, "done")
    log_in(page, "pace@example.com")

    page.goto("/accounts/settings/")
    goal = page.get_by_role("group", name="Weekly goal")
    goal.get_by_label("Weekly goal").fill("2")
    goal.get_by_label("Counted in").select_option("resources")
    goal.get_by_label("My week starts on").select_option(label="Monday")
    goal.get_by_label("Finish the roadmap by").fill(FINISH_BY)
    emails = page.get_by_role("group", name="Emails")
    emails.get_by_label("Email me a summary of my week").check()
    emails.get_by_label("Remind me after this many days without activity").fill("7")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Your settings were saved.")).to_be_visible()
    saved = Goal.objects.get(user=user)
    assert (saved.weekly_goal, saved.weekly_summary, saved.inactivity_reminder_days) == (2, True, 7)
    expect(page.get_by_label("Weekly goal")).to_have_value("2")

    page.goto("/me/")
    panel = page.get_by_role("region", name="Your weekly goal")
    expect(panel.get_by_role("progressbar", name="1 of 2 resources this week")).to_be_visible()
    expect(panel.get_by_text("Goal met 0 weeks in a row")).to_be_visible()
    finish = re.compile(rf"to finish by {FINISH_BY}: .*about \d+ resources? a week from now")
    expect(panel.get_by_text(finish)).to_be_visible()

    page.goto("/")
    panel = page.get_by_role("region", name="Your weekly goal")
    expect(panel.get_by_role("progressbar", name="1 of 2 resources this week")).to_be_visible()
    second = Resource.objects.published().order_by("pk")[1]
    page.locator(f"#resource-{second.pk}").get_by_role("checkbox").check()
    # The check-off has been saved once its answer has moved the goal's bar (out of band).
    expect(panel.get_by_role("progressbar", name="2 of 2 resources this week")).to_be_visible()
    page.reload()
    expect(panel.get_by_role("progressbar", name="2 of 2 resources this week")).to_be_visible()
    expect(panel.get_by_text("Goal met 1 week in a row · This week's goal is met.")).to_be_visible()
    feed = page.locator('head link[rel="alternate"][type="application/atom+xml"]')
    expect(feed).to_have_attribute("href", re.compile(r"^/roadmaps/[\w-]+/feed\.atom$"))
    panel.get_by_role("link", name="Change your goal").click()
    expect(page.get_by_role("group", name="Weekly goal")).to_be_visible()
    assert console_errors == []


def test_an_unverified_learner_is_told_emails_wait_for_verification(page):
    make_user("unverified@example.com")
    log_in(page, "unverified@example.com")
    page.goto("/accounts/settings/")
    emails = page.get_by_role("group", name="Emails")
    expect(emails.get_by_text("Your email address is not verified yet")).to_be_visible()
    expect(emails.get_by_role("link", name="Verify it")).to_have_attribute(
        "href", "/accounts/email/"
    )
