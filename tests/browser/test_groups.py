"""A study group in Debian's Chromium: create, invite by link, join with consent (signing up
on the way), the organizer's table, the member's view, leaving; by role and label, by keyboard."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import log_in
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_teacher_creates_a_group_and_a_student_joins_and_leaves(new_page, console_errors):
    make_user("teacher@example.com")
    teacher = new_page()
    log_in(teacher, "teacher@example.com")
    teacher.get_by_role("navigation", name="Account").get_by_role("link", name="Groups").click()
    teacher.get_by_label("Name").fill("Tuesday class")
    teacher.get_by_role("button", name="Create the group").click()
    expect(teacher.get_by_role("heading", level=1, name="Tuesday class")).to_be_visible()

    teacher.get_by_label("Maximum uses").fill("5")
    teacher.get_by_role("button", name="Create a link").click()
    link = teacher.get_by_label("Link").first.input_value()
    assert "/groups/join/" in link

    student: Page = new_page()
    student.goto(link)
    expect(student.get_by_role("heading", name="What joining shares")).to_be_visible()
    expect(student.get_by_text("will not see your notes or your bookmarks")).to_be_visible()
    student.get_by_role("link", name="Sign up").last.click()
    sign_up_here(student, "student@example.com")
    # Back on the invitation, signed in: the name the group will see, prefilled.
    name = student.get_by_label("Your name in this group")
    expect(name).to_have_value("student")
    name.fill("Sam")
    name.press("Tab")
    student.keyboard.press("Enter")  # focus is on "Join the group"
    expect(student.get_by_role("heading", name="How the group is doing")).to_be_visible()
    expect(student.get_by_role("heading", name="Members’ progress")).to_have_count(0)

    teacher.reload()
    table = teacher.get_by_role("table")
    expect(table.get_by_role("rowheader", name="Sam")).to_be_visible()
    teacher.get_by_role("link", name=re.compile("^Member")).first.click()
    expect(teacher.get_by_role("columnheader", name=re.compile("^Member"))).to_have_attribute(
        "aria-sort", "descending"
    )

    student.get_by_role("button", name="Leave the group").click()
    expect(student.get_by_text("You left “Tuesday class”.")).to_be_visible()
    teacher.reload()
    expect(teacher.get_by_role("rowheader", name="Sam")).to_have_count(0)
    assert console_errors == []


def sign_up_here(page: Page, email: str) -> None:
    from tests.conftest import PASSWORD

    page.get_by_label("Email").fill(email)
    page.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
    page.get_by_label(re.compile(r"^Password \(again\):?$")).fill(PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def test_a_learner_says_a_finished_resource_was_worth_their_time(page: Page, console_errors):
    from tests.browser.helpers import done_checkbox

    make_user("worth@example.com")
    log_in(page, "worth@example.com")
    title = "The Illustrated Transformer"
    done_checkbox(page, title).check()
    question = page.get_by_role("group", name=f"Worth your time: {title}")
    expect(question).to_be_visible()
    yes = question.get_by_role("button", name="Yes")
    yes.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("You said yes.")).to_be_visible()
    expect(question.get_by_role("button", name="Yes")).to_have_attribute("aria-pressed", "true")
    page.reload()
    expect(page.get_by_text("You said yes.")).to_be_visible()
    assert console_errors == []


def test_worth_it_is_answered_and_changed_without_javascript(new_page, console_errors):
    from tests.browser.helpers import anchor, done_checkbox

    make_user("nojs-worth@example.com")
    page = new_page(javascript=False)
    log_in(page, "nojs-worth@example.com")
    title = "The Illustrated Transformer"
    page.goto("/?q=illustrated")
    done_checkbox(page, title).check()
    page.get_by_role("button", name=f"Save progress for {title}").click()
    question = page.get_by_role("group", name=f"Worth your time: {title}")
    question.get_by_role("button", name="No").click()
    # Back on the filtered page, at the resource, with the answer shown and changeable.
    expect(page).to_have_url(re.compile(rf"/\?q=illustrated{re.escape(anchor(title))}$"))
    expect(page.get_by_text("You said no.")).to_be_visible()
    expect(question.get_by_role("button", name="No")).to_have_attribute("aria-pressed", "true")
    question.get_by_role("button", name="Yes").click()
    expect(question.get_by_role("button", name="Yes")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_text("You said yes.")).to_be_visible()
    assert console_errors == []
