"""Estimated time and time left, in Debian's Chromium, driven by keyboard and by name.

The shipped curriculum states no lengths, so each test gives two resources an estimate the
way a curator would (a saved resource, which moves the roadmap's content version).
"""

import pytest
from playwright.sync_api import Page, expect

from roadmap.models import Resource
from tests.browser.helpers import (
    TOTAL,
    NoReload,
    anchor,
    done_checkbox,
    expect_overall,
    log_in,
    on_checkbox,
    tab_until,
)
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ESSENCE = "The Essence of Linear Algebra"  # the first resource on the page
STATISTICS = "Statistics Fundamentals"  # in the same section
UNESTIMATED = TOTAL - 2


@pytest.fixture(autouse=True)
def estimates(curriculum) -> None:
    for title, minutes in ((ESSENCE, 120), (STATISTICS, 45)):
        resource = Resource.objects.get(title=title)
        resource.estimated_minutes = minutes
        resource.save()


def overall_time(page: Page):
    return page.locator("#overall-time")


def section_time(page: Page):
    return page.locator("#section-time-mathematical-basis")


def test_a_keyboard_user_marks_a_resource_done_and_sees_the_time_left_shrink(page, console_errors):
    make_user("time@example.com")
    log_in(page, "time@example.com")
    page.goto("/")
    without = f", {UNESTIMATED} resources without an estimate"
    expect(overall_time(page)).to_have_text(f"About 3 hours left{without}")
    expect(section_time(page)).to_have_text("About 3 hours left, 5 resources without an estimate")
    # A screen reader hears the estimate in words, never "~2 h".
    meta = page.locator(anchor(ESSENCE)).locator(".resource-meta")
    expect(meta).to_match_aria_snapshot("- paragraph: /about 2 hours/")
    assert "~2 h" not in meta.aria_snapshot()
    expect(meta).to_contain_text("~2 h")  # what the eye sees
    no_reload = NoReload(page)
    no_reload.arm()

    tab_until(page, on_checkbox(page), "a checkbox")
    checkbox = done_checkbox(page, ESSENCE)
    expect(checkbox).to_be_focused()
    page.keyboard.press("Space")

    expect_overall(page, 1)
    expect(overall_time(page)).to_have_text(f"About 45 minutes left{without}")
    expect(section_time(page)).to_have_text(
        "About 45 minutes left, 5 resources without an estimate"
    )
    expect(page.locator("#section-time-preliminary-a-refresh")).to_have_text(
        "About 45 minutes left, 19 resources without an estimate"
    )
    expect(checkbox).to_be_focused()

    # Skipping the other one leaves no estimate in the section: it says so plainly.
    status = page.get_by_role("combobox", name=f"Status: {STATISTICS}", exact=True)
    status.focus()
    status.select_option(label="Skipped")
    expect(section_time(page)).to_have_text("No time estimate for the 5 resources left")
    expect(overall_time(page)).to_have_text(
        f"No time estimate for the {UNESTIMATED} resources left"
    )
    no_reload.check()

    page.reload()
    expect(section_time(page)).to_have_text("No time estimate for the 5 resources left")
    assert console_errors == []


def test_without_javascript_the_page_after_saving_shows_the_new_time_left(new_page, console_errors):
    make_user("time-nojs@example.com")
    page = new_page(javascript=False)
    log_in(page, "time-nojs@example.com")
    done_checkbox(page, ESSENCE).check()
    page.get_by_role("button", name=f"Save progress for {ESSENCE}").click()
    expect(done_checkbox(page, ESSENCE)).to_be_checked()
    expect(overall_time(page)).to_have_text(
        f"About 45 minutes left, {UNESTIMATED} resources without an estimate"
    )
    assert console_errors == []


def test_a_visitor_sees_the_time_the_whole_roadmap_takes(page, console_errors):
    page.goto("/")
    expect(overall_time(page)).to_have_text(
        f"About 3 hours in all, {UNESTIMATED} resources without an estimate"
    )
    expect(page.locator(anchor(STATISTICS)).locator(".resource-meta")).to_match_aria_snapshot(
        "- paragraph: /about 45 minutes/"
    )
    assert console_errors == []
