"""What every browser test shares: Debian's Chromium through Playwright, the real curriculum,
a fresh browser context per person, and the console errors of every page it opens.

Every test in this folder is a browser test (marked ``browser`` here); the helpers that act as
a person would are in helpers.py.
"""

import os
import shutil
from collections.abc import Callable, Iterator

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, Page, expect, sync_playwright

from roadmap.models import Resource
from tests.browser.helpers import TIMEOUT_MS, TOTAL

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
expect.set_options(timeout=TIMEOUT_MS)


def find_chromium() -> str | None:
    if os.path.exists("/usr/bin/chromium"):
        return "/usr/bin/chromium"
    return shutil.which("chromium")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = find_chromium()
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium not found; CI must install Debian's chromium", pytrace=False)
        pytest.skip("Chromium not installed: apt install chromium")
    # Playwright's sync API keeps an event loop in this thread, which Django would take for
    # async code and refuse every query the tests make; scoped to the browser's lifetime.
    with pytest.MonkeyPatch.context() as env, sync_playwright() as playwright:
        env.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def curriculum(transactional_db) -> None:
    call_command("loaddata", "curriculum", verbosity=0)
    assert Resource.objects.published().count() == TOTAL


@pytest.fixture
def console_errors() -> list[str]:
    """Console errors and uncaught exceptions from every page a test opens."""
    return []


@pytest.fixture
def new_page(browser, live_server, console_errors) -> Iterator[Callable[..., Page]]:
    """Opens a page in a fresh browser context: a new person, with no cookies."""
    contexts = []

    def open_page(*, javascript: bool = True) -> Page:
        context = browser.new_context(base_url=live_server.url, java_script_enabled=javascript)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()

        def on_console(message) -> None:
            if message.type == "error":
                console_errors.append(f"{page.url}: {message.text}")

        page.on("console", on_console)
        page.on("pageerror", lambda error: console_errors.append(f"{page.url}: {error}"))
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page) -> Page:
    return new_page()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    folder = os.path.dirname(__file__)
    for item in items:
        if str(item.path).startswith(folder):
            item.add_marker(pytest.mark.browser)
