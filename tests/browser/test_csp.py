"""No Content-Security-Policy violation anywhere a learner goes, in Debian's Chromium.

The policy is strict (``style-src 'self'``, scripts by nonce only): anything inline that htmx or
our own scripts add at run time is refused by the browser. Chromium reports a refusal twice: as
a console error and as a ``securitypolicyviolation`` event; both are collected, from the first
byte of every page, over the flows a learner goes through.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import (
    anchor,
    done_checkbox,
    expect_overall,
    log_in,
    settled,
    status_select,
)
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "The Illustrated Transformer"

# Runs in every document before its own scripts, and reports each violation to the test as it
# happens (a list kept in the page would go with the page at the next navigation).
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (event) {
  window.reportCspViolation(
    location.pathname + location.search + ": " + event.violatedDirective + " " +
    (event.blockedURI || "inline") + " from " + (event.sourceFile || "the page") +
    " " + (event.sample || "")
  );
});
"""


class Violations:
    """Every CSP violation in the pages of ``page``'s context: the events and the console's."""

    def __init__(self, page: Page) -> None:
        self.found: list[str] = []
        page.context.expose_function("reportCspViolation", lambda text: self.found.append(text))
        page.context.add_init_script(REPORT_VIOLATIONS)
        page.on("console", self._on_console)

    def _on_console(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.found.append(f"console: {message.text}")


def drag_to_resize(page: Page, field) -> None:
    """Make a text area taller by its corner, as people do with long notes."""
    field.scroll_into_view_if_needed()
    box = field.bounding_box()
    corner_x, corner_y = box["x"] + box["width"] - 6, box["y"] + box["height"] - 6
    page.mouse.move(corner_x, corner_y)
    page.mouse.down()
    page.mouse.move(corner_x, corner_y + 120, steps=5)
    page.mouse.up()
    assert field.bounding_box()["height"] > box["height"] + 60, "the text area was not resized"


def test_a_learners_flows_raise_no_content_security_policy_violation(page, console_errors):
    violations = Violations(page)
    make_user("strict@example.com")
    log_in(page, "strict@example.com")
    item = page.locator(anchor(TITLE))

    # Check-off and status, by mouse and by keyboard shortcut.
    done_checkbox(page, TITLE).check()
    expect_overall(page, 1)
    settled(page)
    status_select(page, TITLE).select_option(label="In progress")
    expect(item.locator(".resource-meta").get_by_text("In progress", exact=True)).to_be_visible()
    settled(page)
    page.get_by_role("link", name=f"{TITLE} (opens in a new tab)").focus()
    page.keyboard.press("s")
    expect(status_select(page, TITLE)).to_have_value("s")
    settled(page)
    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Close").click()

    # Where I stopped.
    item.get_by_role("link", name=f"Where I stopped in {TITLE}").click()  # loads its editor
    page.get_by_role("textbox", name=f"Where I stopped: {TITLE}", exact=True).fill("part 2")
    page.get_by_role("button", name=f"Save where I stopped in {TITLE}").click()
    expect(item.get_by_role("status")).to_have_text("Saved.")
    settled(page)

    # A note, inline.
    page.get_by_role("link", name=re.compile(rf"^Notes on {re.escape(TITLE)}")).click()
    field = page.get_by_label(f"Notes on {TITLE}")
    field.fill("# Attention\n\nA *weighted* average.")
    drag_to_resize(page, field)
    page.get_by_role("button", name=f"Save note on {TITLE}").click()
    expect(page.get_by_role("status").filter(has_text="Note saved.")).to_be_visible()
    settled(page)

    # The filter, as the learner types, then cleared.
    page.get_by_role("searchbox", name="Words").fill("attention")
    expect(page.locator("#find-count")).to_contain_text("match")
    settled(page)
    page.get_by_role("link", name="Clear filter").first.click()
    expect(page.get_by_role("searchbox", name="Words")).to_have_value("")

    # My progress, history, notes, settings, the public page switch.
    page.get_by_role("navigation", name="Account").get_by_role("link", name="My progress").click()
    expect(page.get_by_role("heading", name="My progress", level=1)).to_be_visible()
    page.get_by_role("navigation", name="My progress", exact=True).get_by_role(
        "link", name="History"
    ).click()
    expect(page.get_by_role("heading", name="History", level=1)).to_be_visible()
    page.get_by_role("navigation", name="Account").get_by_role("link", name="My notes").click()
    expect(page.get_by_role("heading", name="My notes", level=1)).to_be_visible()
    page.goto("/accounts/settings/")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_role("heading", name="Settings", level=1)).to_be_visible()
    page.goto("/accounts/profile/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    assert violations.found == []
    assert console_errors == []
