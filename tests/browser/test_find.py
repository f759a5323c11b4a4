"""Find: filtering the roadmap in Debian's Chromium, by role and label, with and without JavaScript.

With the fixtures of tests/browser/conftest.py (console errors fail the test).
"""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import (
    TOTAL,
    done_checkbox,
    expect_overall,
    log_in,
    on,
    settled,
    status_select,
    tab_until,
)
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def words(page: Page):
    return page.get_by_role("searchbox", name="Words")


def picker(page: Page, name: str):
    return page.get_by_role("search", name="Find resources").get_by_role(
        "combobox", name=name, exact=True
    )


def results(page: Page):
    """The resources listed, by the name of their links."""
    return page.locator("#roadmap-sections .resource-title a")


def count(page: Page):
    return page.locator("#find-count")


def mark_document(page: Page) -> None:
    page.evaluate("window.__marker = 1")


def expect_same_document(page: Page) -> None:
    """No reload happened since mark_document (htmx's pushState is no navigation away)."""
    assert page.evaluate("window.__marker") == 1, "the page was reloaded"


def test_typing_filters_the_list_without_a_reload_and_the_url_keeps_it(page, console_errors):
    make_user("finder@example.com")
    log_in(page, "finder@example.com")
    expect(results(page)).to_have_count(TOTAL)
    mark_document(page)

    words(page).press_sequentially("jay alammar", delay=20)
    expect(results(page)).to_have_count(3)  # two Illustrated articles and Word2Vec
    expect(count(page)).to_have_text("3 resources match")
    expect(count(page)).to_have_attribute("role", "status")
    expect(page).to_have_url(re.compile(r"/\?q=jay\+alammar$"))
    # Contents and progress stay those of the whole roadmap; only matching sections show.
    expect(page.get_by_role("navigation", name="Contents").get_by_role("link")).to_have_count(6)
    expect_overall(page, 0)
    expect(page.get_by_role("heading", name="Mathematical basis")).to_have_count(0)
    expect(page.get_by_role("heading", name="LLM basic", level=2)).to_be_visible()

    picker(page, "Level").select_option(label="Theoretical")
    expect(count(page)).to_have_text("No resources match")
    expect(page.get_by_text("No resources match “jay alammar”, level Theoretical.")).to_be_visible()
    picker(page, "Level").select_option(label="High level")
    expect(count(page)).to_have_text("2 resources match")
    expect(page).to_have_url(re.compile(r"/\?q=jay\+alammar&level=high_level$"))

    # A status change inside the filtered list works and moves the whole roadmap's figures.
    done_checkbox(page, "The Illustrated GPT-2").check()
    expect_overall(page, 1)
    expect_same_document(page)

    page.reload()
    expect(words(page)).to_have_value("jay alammar")
    expect(picker(page, "Level")).to_have_value("high_level")
    expect(results(page)).to_have_text(
        [
            "The Illustrated Transformer (opens in a new tab)",
            "The Illustrated GPT-2 (opens in a new tab)",
        ]
    )
    expect(count(page)).to_have_text("2 resources match")

    page.get_by_role("link", name="Clear filter").click()
    expect(results(page)).to_have_count(TOTAL)
    expect(words(page)).to_have_value("")
    assert console_errors == []


def test_going_back_shows_each_filter_with_its_own_fields(page, console_errors):
    page.goto("/")
    words(page).press_sequentially("jay", delay=20)
    expect(count(page)).to_have_text("3 resources match")
    picker(page, "Kind").select_option(label="Article")
    expect(page).to_have_url(re.compile(r"/\?q=jay&kind=article$"))
    expect(count(page)).to_have_text("3 resources match")
    picker(page, "Level").select_option(label="Theoretical")
    expect(count(page)).to_have_text("No resources match")

    page.go_back()
    expect(page).to_have_url(re.compile(r"/\?q=jay&kind=article$"))
    expect(picker(page, "Level")).to_have_value("")
    expect(picker(page, "Kind")).to_have_value("article")
    expect(words(page)).to_have_value("jay")
    expect(count(page)).to_have_text("3 resources match")
    page.go_back()
    expect(page).to_have_url(re.compile(r"/\?q=jay$"))
    expect(picker(page, "Kind")).to_have_value("")
    expect(results(page)).to_have_count(3)
    assert console_errors == []


def test_a_keyboard_user_filters_and_uses_the_shortcuts_in_the_results(page, console_errors):
    make_user("keyfinder@example.com")
    log_in(page, "keyfinder@example.com")
    page.goto("/")
    tab_until(page, on(words(page)), "the filter's words", presses=60)
    mark_document(page)

    page.keyboard.type("attention")  # a shortcut key typed here is text, never a shortcut
    expect(words(page)).to_have_value("attention")
    expect(count(page)).to_have_text("3 resources match")
    page.keyboard.press("Tab")
    expect(picker(page, "Kind")).to_be_focused()
    # Down the list to "Article", as a keyboard user picks.
    for _ in range(4):
        page.keyboard.press("ArrowDown")
    expect(picker(page, "Kind")).to_have_value("article")
    expect(count(page)).to_have_text("2 resources match")
    expect(page).to_have_url(re.compile(r"/\?q=attention&kind=article$"))
    settled(page)

    # On into the swapped-in results: the shortcuts work there as on the whole page.
    title = "Attention? Attention!"
    link = page.get_by_role("link", name=f"{title} (opens in a new tab)")
    tab_until(page, on(link), title, presses=20)
    page.keyboard.press("p")
    expect(status_select(page, title)).to_have_value("p")
    settled(page)
    page.keyboard.press("d")
    expect(done_checkbox(page, title)).to_be_checked()
    expect_overall(page, 1)

    # Enter in the words field submits through htmx too, still without a reload.
    words(page).focus()
    page.keyboard.press("End")
    page.keyboard.type(" weng")
    page.keyboard.press("Enter")
    expect(count(page)).to_have_text("1 resource matches")
    expect(results(page)).to_have_text(["Attention? Attention! (opens in a new tab)"])
    expect_same_document(page)
    assert console_errors == []


def test_a_visitor_picks_a_kind_and_the_status_list_is_for_learners(page, console_errors):
    page.goto("/roadmaps/llm-roadmap/")
    expect(picker(page, "Status")).to_have_count(0)
    picker(page, "Kind").select_option(label="Video")
    expect(count(page)).to_have_text("6 resources match")
    expect(page).to_have_url(re.compile(r"/roadmaps/llm-roadmap/\?kind=video$"))
    page.reload()
    expect(results(page)).to_have_count(6)
    assert console_errors == []


def test_the_filter_works_without_javascript(new_page, console_errors):
    make_user("nojsfinder@example.com")
    page = new_page(javascript=False)
    log_in(page, "nojsfinder@example.com")
    words(page).fill("karpathy")
    picker(page, "Status").select_option(label="Not started")
    page.get_by_role("button", name="Find", exact=True).click()

    expect(page).to_have_url(re.compile(r"/\?q=karpathy&kind=&level=&status=not_started$"))
    expect(results(page)).to_have_text(["nanoGPT (opens in a new tab)"])
    expect(count(page)).to_have_text("1 resource matches")
    expect(words(page)).to_have_value("karpathy")

    words(page).fill("no such thing anywhere")
    page.get_by_role("button", name="Find", exact=True).click()
    expect(
        page.get_by_text(re.compile(r"^No resources match “no such thing anywhere”"))
    ).to_be_visible()
    page.get_by_role("link", name="Clear filter").first.click()
    expect(results(page)).to_have_count(TOTAL)
    assert console_errors == []


def test_a_save_without_javascript_keeps_the_filter_and_the_resource(
    new_page, live_server, console_errors
):
    make_user("nojs-save-filter@example.com")
    page = new_page(javascript=False)
    log_in(page, "nojs-save-filter@example.com")
    page.goto(f"{live_server.url}/?q=attention")
    listed = results(page).all_text_contents()
    assert 1 < len(listed) < TOTAL
    title = listed[0].removesuffix(" (opens in a new tab)")
    pk = done_checkbox(page, title).get_attribute("name").removeprefix("done-")

    done_checkbox(page, title).check()
    page.get_by_role("button", name=f"Save progress for {title}").click()

    # Same address, same filter, at the same resource.
    expect(page).to_have_url(f"{live_server.url}/?q=attention#resource-{pk}")
    expect(words(page)).to_have_value("attention")
    expect(results(page)).to_have_text(listed)
    expect(done_checkbox(page, title)).to_be_checked()
    expect(page.get_by_role("checkbox", checked=True)).to_have_count(1)
    assert console_errors == []


def test_find_stays_level_with_the_words_field_with_a_filter_active(page, console_errors):
    make_user("wide@example.com")
    log_in(page, "wide@example.com")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/?q=attention&status=not_started")
    expect(page.get_by_role("link", name="Clear filter").first).to_be_visible()

    field = words(page).bounding_box()
    button = page.get_by_role("button", name="Find", exact=True).bounding_box()
    assert abs(button["y"] - field["y"]) <= 2, f"Find is at {button['y']}, Words at {field['y']}"
    assert button["x"] > field["x"] + field["width"], "Find is not beside the fields"
    for name in ("Kind", "Level", "Status"):  # the pickers line up with them too
        assert abs(picker(page, name).bounding_box()["y"] - field["y"]) <= 2, name
    assert console_errors == []
