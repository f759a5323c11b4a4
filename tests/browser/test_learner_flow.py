"""A learner's way through the roadmap in Debian's Chromium, driven like a person would.

Every test loads the real curriculum, works by role, label and text, and fails on any console
error or uncaught exception: the Content-Security-Policy is strict, so a violation is an error.
"""

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from roadmap.models import Resource
from tests.browser.helpers import (
    TOTAL,
    NoReload,
    anchor,
    continue_link,
    done_checkbox,
    expect_overall,
    expect_section,
    log_in,
    on_checkbox,
    sign_up,
    tab_until,
)
from tests.conftest import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The tests.


def test_a_new_learner_signs_up_and_checks_resources_off_without_a_reload(page, console_errors):
    page.goto("/")
    invite = page.get_by_role("complementary", name="Track your way through")
    invite.get_by_role("link", name="Sign up").click()
    expect(page.get_by_role("heading", name="Sign Up")).to_be_visible()
    page.get_by_label("Email").fill("newcomer@example.com")
    page.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
    page.get_by_label(re.compile(r"^Password \(again\):?$")).fill(PASSWORD)
    page.get_by_role("button", name="Sign Up").click()

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    expect_overall(page, 0)
    expect(page.get_by_role("checkbox")).to_have_count(TOTAL)
    expect(page.get_by_role("checkbox", checked=True)).to_have_count(0)
    expect(continue_link(page)).to_have_text("The Essence of Linear Algebra")

    no_reload = NoReload(page)

    no_reload.arm()
    done_checkbox(page, "The Illustrated Transformer").check()
    expect_overall(page, 1)
    expect_section(page, "LLM basic", "llm-basic", 1, 10)
    expect(done_checkbox(page, "The Illustrated Transformer")).to_be_checked()
    no_reload.check()

    no_reload.arm()
    done_checkbox(page, "Understanding LSTM Networks").check()
    expect_overall(page, 2)
    expect_section(page, "Natural Language Processing", "natural-language-processing", 1, 5)
    expect_section(page, "Preliminary: a refresh", "preliminary-a-refresh", 1, 21)
    expect_section(page, "LLM basic", "llm-basic", 1, 10)
    no_reload.check()

    no_reload.arm()
    done_checkbox(page, "The Essence of Linear Algebra").check()
    expect_overall(page, 3)
    expect_section(page, "Mathematical basis", "mathematical-basis", 1, 7)
    expect_section(page, "Preliminary: a refresh", "preliminary-a-refresh", 2, 21)
    expect(continue_link(page)).to_have_text("Statistics Fundamentals")
    no_reload.check()

    page.reload()
    expect_overall(page, 3)
    for title in (
        "The Illustrated Transformer",
        "Understanding LSTM Networks",
        "The Essence of Linear Algebra",
    ):
        expect(done_checkbox(page, title)).to_be_checked()
    expect(page.get_by_role("checkbox", checked=True)).to_have_count(3)
    expect_section(page, "Preliminary: a refresh", "preliminary-a-refresh", 2, 21)

    no_reload.arm()
    done_checkbox(page, "The Essence of Linear Algebra").uncheck()
    expect_overall(page, 2)
    expect_section(page, "Mathematical basis", "mathematical-basis", 0, 7)
    expect_section(page, "Preliminary: a refresh", "preliminary-a-refresh", 1, 21)
    expect(done_checkbox(page, "The Essence of Linear Algebra")).not_to_be_checked()
    no_reload.check()

    link = continue_link(page)
    expect(link).to_have_text("The Essence of Linear Algebra")
    expect(link).to_have_attribute("href", anchor("The Essence of Linear Algebra"))
    link.click()
    expect(page).to_have_url(re.compile(re.escape(anchor("The Essence of Linear Algebra")) + "$"))
    target = page.locator(anchor("The Essence of Linear Algebra"))
    expect(done_checkbox(target, "The Essence of Linear Algebra")).to_be_in_viewport()

    assert console_errors == []


NOTE = """My **bold** idea

- attention is a weighted average
- the weights come from a softmax

<script>window.__pwned = 1</script>

[x](javascript:alert(1))
"""


def expect_rendered_safely(page: Page, note_body: Locator) -> None:
    expect(note_body.get_by_role("strong")).to_have_text("bold")
    expect(note_body.get_by_role("listitem")).to_have_text(
        ["attention is a weighted average", "the weights come from a softmax"]
    )
    expect(note_body.locator("script")).to_have_count(0)
    expect(page.locator("[href^='javascript:' i]")).to_have_count(0)
    assert page.evaluate("typeof window.__pwned") == "undefined"


def test_a_learner_writes_a_markdown_note_that_renders_safely(page, console_errors):
    make_user("writer@example.com")
    log_in(page, "writer@example.com")
    title = "The Illustrated Transformer"
    pk = Resource.objects.get(title=title).pk
    no_reload = NoReload(page)
    no_reload.arm()

    page.get_by_role("link", name=re.compile(rf"^Notes on {re.escape(title)}")).click()
    page.get_by_label(f"Notes on {title}").fill(NOTE)
    page.get_by_role("button", name=f"Save note on {title}").click()

    expect(page.get_by_role("status").filter(has_text="Note saved.")).to_be_visible()
    # The editor was swapped out from under the button: focus comes back to it, not to <body>.
    expect(page.get_by_role("button", name=f"Save note on {title}")).to_be_focused()
    editor = page.locator(f"#note-editor-{pk}")  # no role names the editor
    expect_rendered_safely(page, editor.locator(".note-body"))
    expect(page.get_by_label(f"Notes on {title}")).to_have_value(NOTE)
    no_reload.check()

    page.reload()
    expect(page.get_by_role("link", name=f"Notes on {title} (saved)")).to_be_visible()
    page.get_by_role("navigation", name="Account").get_by_role("link", name="My notes").click()
    expect(page.get_by_role("heading", name="My notes", level=1)).to_be_visible()
    card = page.get_by_role("article").filter(has=page.get_by_role("heading", name=title))
    expect(card).to_have_count(1)
    expect_rendered_safely(page, card.locator(".note-body"))

    assert console_errors == []


def test_a_second_learner_sees_none_of_the_first_learners_progress_or_notes(
    new_page, console_errors
):
    title = "The Illustrated Transformer"
    make_user("first@example.com")
    first = new_page()
    log_in(first, "first@example.com")
    done_checkbox(first, title).check()
    expect_overall(first, 1)
    first.get_by_role("link", name=re.compile(rf"^Notes on {re.escape(title)}")).click()
    first.get_by_label(f"Notes on {title}").fill("A **private** thought")
    first.get_by_role("button", name=f"Save note on {title}").click()
    expect(first.get_by_role("status").filter(has_text="Note saved.")).to_be_visible()

    second = new_page()
    sign_up(second, "second@example.com")
    expect_overall(second, 0)
    expect(second.get_by_role("checkbox", checked=True)).to_have_count(0)
    expect(done_checkbox(second, title)).not_to_be_checked()
    expect(second.get_by_role("link", name=f"Notes on {title}", exact=True)).to_be_visible()
    second.get_by_role("link", name=re.compile(rf"^Notes on {re.escape(title)}")).click()
    expect(second.get_by_label(f"Notes on {title}")).to_have_value("")
    second.get_by_role("navigation", name="Account").get_by_role("link", name="My notes").click()
    expect(second.get_by_text("You have no notes yet.")).to_be_visible()
    expect(second.get_by_role("article")).to_have_count(0)
    expect(second.get_by_text("private thought")).to_have_count(0)

    first.reload()  # and the first learner's own data is still there
    expect_overall(first, 1)
    expect(first.get_by_role("link", name=f"Notes on {title} (saved)")).to_be_visible()

    assert console_errors == []


def test_checking_off_works_without_javascript(new_page, live_server, console_errors):
    make_user("nojs@example.com")
    page = new_page(javascript=False)
    log_in(page, "nojs@example.com")
    title = "Understanding LSTM Networks"
    expect(page.get_by_role("button", name=re.compile(r"^Save progress for "))).to_have_count(TOTAL)

    done_checkbox(page, title).check()
    expect_overall(page, 0)  # ticking alone sends nothing without JavaScript
    address = page.url.split("#")[0]
    page.get_by_role("button", name=f"Save progress for {title}").click()

    expect(page).to_have_url(f"{address}{anchor(title)}")
    expect(done_checkbox(page, title)).to_be_checked()
    expect(page.get_by_role("checkbox", checked=True)).to_have_count(1)
    expect_overall(page, 1)
    expect_section(page, "Natural Language Processing", "natural-language-processing", 1, 5)

    assert console_errors == []


def test_a_keyboard_user_checks_a_resource_off_and_keeps_focus(page, console_errors):
    make_user("keys@example.com")
    log_in(page, "keys@example.com")
    page.goto("/")

    tab_until(page, on_checkbox(page), "a checkbox")
    checkbox = done_checkbox(page, "The Essence of Linear Algebra")
    expect(checkbox).to_be_focused()
    focused_id = page.evaluate("document.activeElement.id")

    page.keyboard.press("Space")
    expect_overall(page, 1)
    expect(checkbox).to_be_checked()
    expect(checkbox).to_be_focused()
    assert page.evaluate("document.activeElement.id") == focused_id

    page.keyboard.press("Tab")  # on from where the learner was, not from the top of the page
    expect(
        page.get_by_role("combobox", name="Status: The Essence of Linear Algebra", exact=True)
    ).to_be_focused()
    page.keyboard.press("Tab")
    expect(
        page.get_by_role("link", name=re.compile(r"^Notes on The Essence of Linear Algebra"))
    ).to_be_focused()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Space")
    expect_overall(page, 0)
    expect(checkbox).not_to_be_checked()
    assert page.evaluate("document.activeElement.id") == focused_id

    assert console_errors == []


def test_an_anonymous_visitor_sees_the_whole_roadmap_and_an_invitation(page, console_errors):
    page.goto("/")
    expect(page.get_by_role("heading", name="LLM Roadmap", level=1)).to_be_visible()

    links = page.get_by_role("link", name=re.compile(r" \(opens in a new tab\)$"))
    expect(links).to_have_count(TOTAL)
    expect(
        page.get_by_role("link", name="The Illustrated Transformer (opens in a new tab)")
    ).to_be_visible()
    assert links.evaluate_all("links => links.map(a => a.target)") == ["_blank"] * TOTAL
    assert all("noopener" in rel for rel in links.evaluate_all("as => as.map(a => a.rel)"))

    invite = page.get_by_role("complementary", name="Track your way through")
    expect(invite.get_by_role("link", name="Sign up")).to_have_attribute(
        "href", "/accounts/signup/"
    )
    expect(page.get_by_role("checkbox")).to_have_count(0)
    expect(page.get_by_role("progressbar")).to_have_count(0)
    expect(page.get_by_role("link", name=re.compile(r"^Notes on "))).to_have_count(0)

    invite.get_by_role("link", name="Sign up").click()
    expect(page.get_by_role("heading", name="Sign Up")).to_be_visible()

    assert console_errors == []


def test_each_checkbox_is_named_done_and_its_title(page, console_errors):
    make_user("names@example.com")
    log_in(page, "names@example.com")
    expect(page.get_by_role("checkbox")).to_have_count(TOTAL)
    for resource in Resource.objects.published():
        # Each resource's item is found by its id, to read what a screen reader would announce.
        checkbox = page.locator(f"#resource-{resource.pk}").get_by_role("checkbox")
        expect(checkbox).to_have_accessible_name(f"Done: {resource.title}")

    assert console_errors == []


def test_a_note_too_large_to_render_is_refused_in_place_and_keeps_the_text(page, console_errors):
    make_user("writer@example.com")
    log_in(page, "writer@example.com")
    title = "The Illustrated Transformer"
    # Wide tables over columns of one-letter rows: megabytes of empty cells once rendered.
    block = "|" + "|".join("a" * 180) + "|\n|" + "|".join("-" * 180) + "|\n" + "a\n" * 200 + "\n"
    exploding = block * 2  # 2,246 characters that would render to ~700 KB
    no_reload = NoReload(page)
    no_reload.arm()

    page.get_by_role("link", name=re.compile(rf"^Notes on {re.escape(title)}")).click()
    page.get_by_label(f"Notes on {title}").click()
    page.keyboard.insert_text(exploding)  # pasted, as a person would
    page.get_by_role("button", name=f"Save note on {title}").click()

    expect(page.get_by_role("alert")).to_contain_text("too large to display")
    expect(page.get_by_label(f"Notes on {title}")).to_have_value(exploding)
    expect(page.get_by_label(f"Notes on {title}")).to_have_attribute("aria-invalid", "true")
    no_reload.check()
    # The refusal's own 422 is the one console line allowed.
    assert [e for e in console_errors if "status of 422" not in e] == []
