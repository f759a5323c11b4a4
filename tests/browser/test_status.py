"""Statuses, where I stopped, what is new and the keyboard shortcuts, in Debian's Chromium.

Driven like a person would, by role and accessible name, with the fixtures of
tests/browser/conftest.py (console errors fail the test).
"""

import re

import pytest
from playwright.sync_api import Page, expect

from roadmap.models import Progress, Resource
from tests.browser.helpers import (
    TOTAL,
    NoReload,
    anchor,
    continue_link,
    done_checkbox,
    expect_overall,
    log_in,
    on,
    overall_progress,
    settled,
    status_select,
    tab_until,
)
from tests.conftest import make_resource, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def badge(item, text: str):
    """A badge beside the resource's kind and author (the select's options say the same)."""
    return item.locator(".resource-meta").get_by_text(text, exact=True)


def test_the_status_select_and_the_done_checkbox_always_agree(page, console_errors):
    make_user("statuses@example.com")
    log_in(page, "statuses@example.com")
    title = "The Illustrated Transformer"
    item = page.locator(anchor(title))
    no_reload = NoReload(page)
    no_reload.arm()

    expect(status_select(page, title)).to_have_value("n")
    status_select(page, title).select_option(label="In progress")
    expect(badge(item, "In progress")).to_be_visible()  # the badge
    expect(done_checkbox(page, title)).not_to_be_checked()
    expect(overall_progress(page)).to_have_accessible_name(
        f"Your progress: 0 of {TOTAL} resources done (0%), 1 in progress"
    )
    expect(continue_link(page)).to_have_text(title)
    expect(page.locator("#toc-llm-basic")).to_contain_text("1 in progress")

    done_checkbox(page, title).check()
    expect(status_select(page, title)).to_have_value("d")
    expect(badge(item, "In progress")).to_have_count(0)
    expect_overall(page, 1)

    status_select(page, title).select_option(label="Skipped")
    expect(done_checkbox(page, title)).not_to_be_checked()
    expect(badge(item, "Skipped")).to_be_visible()
    expect(overall_progress(page)).to_have_accessible_name(
        f"Your progress: 0 of {TOTAL} resources done (0%), 1 skipped"
    )

    status_select(page, title).select_option(label="Done")
    expect(done_checkbox(page, title)).to_be_checked()
    done_checkbox(page, title).uncheck()
    expect(status_select(page, title)).to_have_value("n")
    expect_overall(page, 0)
    no_reload.check()

    page.reload()
    expect(status_select(page, title)).to_have_value("n")
    assert console_errors == []


def test_every_status_select_is_named_status_and_its_title(page, console_errors):
    make_user("names@example.com")
    log_in(page, "names@example.com")
    expect(page.get_by_role("combobox", name=re.compile(r"^Status: "))).to_have_count(TOTAL)
    for resource in Resource.objects.published():
        select = page.locator(f"#resource-{resource.pk}").get_by_role("combobox")
        expect(select).to_have_accessible_name(f"Status: {resource.title}")
        options = select.get_by_role("option")
        expect(options).to_have_text(["Not started", "In progress", "Done", "Skipped"])
    assert console_errors == []


def test_a_status_is_set_without_javascript(new_page, live_server, console_errors):
    make_user("nojs-status@example.com")
    page = new_page(javascript=False)
    log_in(page, "nojs-status@example.com")
    title = "Understanding LSTM Networks"
    address = page.url.split("#")[0]
    status_select(page, title).select_option(label="Done")
    page.get_by_role("button", name=f"Save progress for {title}").click()
    expect(page).to_have_url(f"{address}{anchor(title)}")  # back where the learner was
    expect(done_checkbox(page, title)).to_be_checked()
    expect(status_select(page, title)).to_have_value("d")
    expect_overall(page, 1)
    assert console_errors == []


def test_a_learner_notes_where_they_stopped_and_finds_it_in_continue_with(page, console_errors):
    learner = make_user("bookmark@example.com")
    log_in(page, "bookmark@example.com")
    title = "The Illustrated GPT-2"
    resource = Resource.objects.get(title=title)
    no_reload = NoReload(page)
    no_reload.arm()

    status_select(page, title).select_option(label="In progress")
    expect(continue_link(page)).to_have_text(title)
    item = page.locator(anchor(title))
    item.get_by_role("link", name=f"Where I stopped in {title}").click()  # loads its editor
    field = page.get_by_role("textbox", name=f"Where I stopped: {title}", exact=True)
    expect(field).to_be_focused()
    field.fill("section 3.2 <b>")
    field.press("Enter")
    expect(item.get_by_role("status")).to_have_text("Saved.")
    expect(field).to_be_focused()
    expect(field).to_have_value("section 3.2 <b>")
    expect(page.locator("#continue-link")).to_contain_text("(you stopped at “section 3.2 <b>”)")
    no_reload.check()
    assert Progress.objects.get(user=learner, resource=resource).bookmark == "section 3.2 <b>"

    page.reload()
    expect(page.locator("#continue-link")).to_contain_text("you stopped at “section 3.2 <b>”")
    assert console_errors == []


def focus_resource_link(page: Page, title: str) -> None:
    """Tab, like a keyboard user, until the resource's own link has focus."""
    link = page.get_by_role("link", name=f"{title} (opens in a new tab)")
    tab_until(page, on(link), title, presses=120)


def test_keyboard_shortcuts_set_statuses_open_the_note_and_list_the_keys(page, console_errors):
    make_user("shortcuts@example.com")
    log_in(page, "shortcuts@example.com")
    page.goto("/")
    title = "The Essence of Linear Algebra"
    focus_resource_link(page, title)

    page.keyboard.press("d")
    expect(done_checkbox(page, title)).to_be_checked()
    expect(status_select(page, title)).to_have_value("d")
    expect_overall(page, 1)
    settled(page)
    page.keyboard.press("d")
    expect(done_checkbox(page, title)).not_to_be_checked()
    expect_overall(page, 0)
    settled(page)

    item = page.locator(anchor(title))
    page.keyboard.press("p")
    expect(status_select(page, title)).to_have_value("p")
    expect(page.get_by_role("status").filter(has_text=title)).to_have_text(f"{title}: In progress")
    expect(badge(item, "In progress")).to_be_visible()  # the server agreed
    settled(page)
    page.keyboard.press("s")
    expect(status_select(page, title)).to_have_value("s")
    expect(badge(item, "Skipped")).to_be_visible()
    expect(done_checkbox(page, title)).not_to_be_checked()
    settled(page)
    page.keyboard.press("s")
    expect(status_select(page, title)).to_have_value("n")
    expect(badge(item, "Skipped")).to_have_count(0)

    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("term")).to_have_text(["d", "p", "s", "n", "?"])
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    page.keyboard.press("n")
    note = page.get_by_role("textbox", name=f"Notes on {title}", exact=True)
    expect(note).to_be_focused()
    page.keyboard.type("d p s")  # typing in a field is typing, never a shortcut
    expect(note).to_have_value("d p s")
    expect(status_select(page, title)).to_have_value("n")
    expect(done_checkbox(page, title)).not_to_be_checked()

    page.keyboard.press("Shift+Tab")  # off the field, back to the resource's controls
    page.keyboard.press("Control+d")  # a browser's own shortcut is left alone
    expect(done_checkbox(page, title)).not_to_be_checked()
    assert console_errors == []


def test_a_returning_learner_sees_what_is_new_once(page, console_errors):
    make_user("returning@example.com")
    log_in(page, "returning@example.com")
    expect(page.get_by_role("region", name="New since your last visit")).to_have_count(0)

    section = Resource.objects.get(title="The Illustrated GPT-2").section
    added = make_resource(section, title="A resource added today")
    page.reload()
    news = page.get_by_role("region", name="New since your last visit")
    expect(news).to_be_visible()
    expect(news.get_by_role("link")).to_have_text(["A resource added today"])
    item = page.locator(f"#resource-{added.pk}")
    expect(badge(item, "New")).to_be_visible()
    news.get_by_role("link", name="A resource added today").click()
    expect(page).to_have_url(re.compile(f"#resource-{added.pk}$"))

    news.get_by_role("button", name="Dismiss the list of new resources").focus()
    page.keyboard.press("Enter")
    expect(news).to_have_count(0)
    expect(page.get_by_role("main")).to_be_focused()  # not dropped on <body>
    page.reload()
    expect(page.get_by_role("region", name="New since your last visit")).to_have_count(0)
    expect(badge(page.locator(f"#resource-{added.pk}"), "New")).to_have_count(0)
    assert console_errors == []


def test_where_i_stopped_is_saved_without_javascript(new_page, live_server, console_errors):
    make_user("nojs-bookmark@example.com")
    page = new_page(javascript=False)
    log_in(page, "nojs-bookmark@example.com")
    title = "nanoGPT"
    address = page.url.split("#")[0]
    item = page.locator(anchor(title))
    item.get_by_role("link", name=f"Where I stopped in {title}").click()  # a page of its own
    page.get_by_role("textbox", name=f"Where I stopped: {title}", exact=True).fill("lecture 2")
    page.get_by_role("button", name=f"Save where I stopped in {title}").click()
    expect(page).to_have_url(f"{address}{anchor(title)}")
    expect(page.get_by_text(f"Where you stopped in “{title}” was saved.")).to_be_visible()
    expect(page.locator(anchor(title)).locator(".bookmark-text")).to_have_text("lecture 2")
    assert console_errors == []


def test_following_continue_with_lands_on_the_resource_ready_for_its_shortcuts(
    page, console_errors
):
    make_user("continue@example.com")
    log_in(page, "continue@example.com")
    title = "The Essence of Linear Algebra"
    continue_link(page).focus()
    page.keyboard.press("Enter")
    expect(page.locator(anchor(title))).to_be_focused()
    page.keyboard.press("p")
    expect(status_select(page, title)).to_have_value("p")
    expect(badge(page.locator(anchor(title)), "In progress")).to_be_visible()
    assert console_errors == []
