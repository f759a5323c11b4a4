"""A note's headings as a learner sees them, in Debian's Chromium: below the resource's own
heading, in the page's heading order, and no larger than it, wherever the note is shown."""

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from roadmap.models import Resource
from tests.browser.helpers import anchor, log_in
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "The Illustrated Transformer"
NOTE = "# Attention\n\nA weighted average.\n\n## Queries and keys\n\nDot products."


def level(heading: Locator) -> int:
    return int(heading.evaluate("h => h.tagName.slice(1)"))


def font_size(heading: Locator) -> float:
    return float(heading.evaluate("h => parseFloat(getComputedStyle(h).fontSize)"))


def test_a_notes_headings_come_below_the_resource_they_are_about(page: Page, console_errors):
    make_user("headings@example.com")
    log_in(page, "headings@example.com")
    item = page.locator(anchor(TITLE))
    title = item.get_by_role("heading", name=re.compile(rf"^{re.escape(TITLE)}"))
    section = page.locator("section.section").filter(has=item).first.locator(".section-head > *")

    item.get_by_role("link", name=re.compile(rf"^Notes on {re.escape(TITLE)}")).click()
    page.get_by_label(f"Notes on {TITLE}").fill(NOTE)
    page.get_by_role("button", name=f"Save note on {TITLE}").click()
    expect(page.get_by_role("status").filter(has_text="Note saved.")).to_be_visible()

    top = item.get_by_role("heading", name="Attention", exact=True)
    below = item.get_by_role("heading", name="Queries and keys", exact=True)
    expect(top).to_be_visible()
    assert level(top) == level(title) + 1
    assert level(below) == level(title) + 2
    assert font_size(top) <= font_size(title) < font_size(section.first)

    page.get_by_role("navigation", name="Account").get_by_role("link", name="My notes").click()
    card = page.get_by_role("article").filter(has=page.get_by_role("heading", name=TITLE))
    expect(card.get_by_role("heading", name="Attention", level=4)).to_be_visible()
    expect(card.get_by_role("heading", name="Queries and keys", level=5)).to_be_visible()

    page.goto(f"/resources/{Resource.objects.get(title=TITLE).pk}/note/")
    expect(page.get_by_role("heading", name=f"Notes on {TITLE}", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Attention", level=2)).to_be_visible()
    expect(page.get_by_role("heading", name="Queries and keys", level=3)).to_be_visible()
    assert console_errors == []
