"""What a person sees and does in the browser tests: sign up, log in, find a control by its
accessible name, press Tab until focus arrives, and check that htmx did not reload the page."""

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Page, expect

from roadmap.models import Resource
from tests.conftest import PASSWORD

TOTAL = 31  # resources in fixtures/curriculum.json
TIMEOUT_MS = 5_000


def sign_up(page: Page, email: str) -> None:
    page.goto("/")
    page.get_by_role("navigation", name="Account").get_by_role("link", name="Sign up").click()
    page.get_by_label("Email").fill(email)
    page.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
    page.get_by_label(re.compile(r"^Password \(again\):?$")).fill(PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def log_in(page: Page, email: str) -> None:
    page.goto("/")
    page.get_by_role("navigation", name="Account").get_by_role("link", name="Log in").click()
    page.get_by_label("Email").fill(email)
    page.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
    page.get_by_role("button", name="Sign In", exact=True).click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def done_checkbox(page: Page | Locator, title: str) -> Locator:
    return page.get_by_role("checkbox", name=f"Done: {title}", exact=True)


def overall_progress(page: Page) -> Locator:
    return page.get_by_role("progressbar", name=re.compile(r"^Your progress:"))


def expect_overall(page: Page, done: int) -> None:
    percent = round(100 * done / TOTAL)
    bar = overall_progress(page)
    expect(bar).to_have_accessible_name(
        f"Your progress: {done} of {TOTAL} resources done ({percent}%)"
    )
    expect(bar).to_have_attribute("value", str(done))


def expect_section(page: Page, section: str, slug: str, done: int, total: int) -> None:
    bar = page.get_by_role("progressbar", name=re.compile(rf" done in {re.escape(section)}$"))
    expect(bar).to_have_accessible_name(re.compile(rf"^{done} of {total} done in "))
    expect(bar).to_have_attribute("value", str(done))
    # The contents list repeats each section's count; no role names that one entry.
    expect(page.locator(f"#toc-{slug}")).to_have_text(re.compile(rf"{done}/{total} done$"))


def continue_link(page: Page) -> Locator:
    return page.get_by_text("Continue with:").get_by_role("link")


def tab_until(page: Page, reached: Callable[[], bool], what: str, presses: int = 80) -> None:
    """Press Tab, like a keyboard user, until ``reached()``; fail naming ``what`` if never."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if reached():
            return
    pytest.fail(f"Tab never reached {what}")


def on_checkbox(page: Page) -> Callable[[], bool]:
    return lambda: page.evaluate("document.activeElement.type") == "checkbox"


def on(locator: Locator) -> Callable[[], bool]:
    return lambda: locator.evaluate("element => element === document.activeElement")


def anchor(title: str) -> str:
    return f"#resource-{Resource.objects.get(title=title).pk}"


class NoReload:
    """Proves a page was not reloaded: a window property survives and no navigation happened."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.navigations: list[str] = []
        page.on("framenavigated", self._on_navigation)

    def _on_navigation(self, frame) -> None:
        if frame == self.page.main_frame:
            self.navigations.append(frame.url)

    def arm(self) -> None:
        self.page.evaluate("window.__marker = 1")
        self.navigations.clear()

    def check(self) -> None:
        assert self.page.evaluate("window.__marker") == 1, "the page was reloaded"
        assert self.navigations == [], f"the page navigated: {self.navigations}"


def status_select(page: Page, title: str):
    return page.get_by_role("combobox", name=f"Status: {title}", exact=True)


def settled(page: Page) -> None:
    """htmx has swapped and settled the last response: a person never types faster than that."""
    expect(page.locator(".htmx-request, .htmx-settling, .htmx-swapping")).to_have_count(0)
