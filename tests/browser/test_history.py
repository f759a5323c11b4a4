"""My progress, export, import and deletion in Debian's Chromium, driven like a person would."""

import json
import re

import pytest
from playwright.sync_api import Page, expect

from accounts.models import User
from history.models import Event
from roadmap.models import Note, Progress, Resource
from tests.browser.helpers import done_checkbox, log_in, sign_up
from tests.conftest import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "The Illustrated Transformer"


def account_nav(page: Page):
    return page.get_by_role("navigation", name="Account")


def me_nav(page: Page):
    return page.get_by_role("navigation", name="My progress", exact=True)


def settings_nav(page: Page):
    return page.get_by_role("navigation", name="Profile and settings")


def test_a_learner_sees_their_year_streak_and_sections_on_my_progress(page, console_errors):
    make_user("progress@example.com")
    log_in(page, "progress@example.com")
    done_checkbox(page, TITLE).check()
    progress = page.get_by_role("progressbar", name=re.compile(r"^Your progress: 1 of"))
    expect(progress).to_be_visible()

    account_nav(page).get_by_role("link", name="My progress").click()
    expect(page.get_by_role("heading", name="My progress", level=1)).to_be_visible()
    heatmap = page.get_by_role("img", name=re.compile(r"^1 active day in the last year"))
    expect(heatmap).to_be_visible()
    expect(heatmap.locator("rect")).to_have_count(365)
    expect(page.locator("dd").first).to_have_text("1 day")  # the current streak
    expect(page.get_by_role("progressbar", name="1 of 10 done in LLM basic")).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text=f"Checked off {TITLE}")).to_be_visible()

    me_nav(page).get_by_role("link", name="History").click()
    expect(page.get_by_role("heading", name="History", level=1)).to_be_visible()
    expect(page.get_by_role("link", name=TITLE)).to_be_visible()
    assert console_errors == []


def inside(box: dict, frame: dict) -> bool:
    return (
        box["x"] >= frame["x"] - 0.5
        and box["x"] + box["width"] <= frame["x"] + frame["width"] + 0.5
        and box["y"] >= frame["y"] - 0.5
        and box["y"] + box["height"] <= frame["y"] + frame["height"] + 0.5
    )


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_on_a_phone_the_year_opens_on_today_with_readable_month_labels(new_page, javascript):
    make_user("phone@example.com")
    page = new_page(javascript=javascript)
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, "phone@example.com")
    page.goto("/me/")
    calendar = page.get_by_role("region", name="Activity calendar")
    heatmap = calendar.get_by_role("img")
    calendar.scroll_into_view_if_needed()
    frame = calendar.bounding_box()
    assert frame["width"] < heatmap.bounding_box()["width"], "the calendar does not scroll here"

    squares = heatmap.locator("rect")
    expect(squares).to_have_count(365)
    assert inside(squares.last.bounding_box(), frame), "today's square is off screen"
    assert not inside(squares.first.bounding_box(), frame), "a year does not fit on a phone"

    # The labels scale with the drawing: their size on screen is the font's times that scale.
    months = heatmap.locator("text")
    assert months.count() >= 12
    for label in months.all():
        size = label.evaluate("t => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a")
        assert size >= 12, f"{label.text_content()} is {size:.1f} px"


def test_sign_up_takes_the_time_zone_from_the_browser(browser, live_server, console_errors):
    context = browser.new_context(base_url=live_server.url, timezone_id="Asia/Tokyo")
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: console_errors.append(str(error)))
        sign_up(page, "tokyo@example.com")
        assert User.objects.get(email="tokyo@example.com").time_zone == "Asia/Tokyo"
        page.goto("/accounts/settings/")
        expect(page.get_by_label("Time zone")).to_have_value("Asia/Tokyo")
        expect(page.get_by_text("Your browser's time zone: Asia/Tokyo.")).to_be_visible()
    finally:
        context.close()
    assert console_errors == []


def test_a_learner_exports_then_previews_and_imports_into_another_account(
    new_page, console_errors, tmp_path
):
    make_user("leaving@example.com")
    first = new_page()
    log_in(first, "leaving@example.com")
    done_checkbox(first, TITLE).check()
    expect(done_checkbox(first, TITLE)).to_be_checked()
    account_nav(first).get_by_role("link", name="Account").click()
    settings_nav(first).get_by_role("link", name="Export and import").click()
    with first.expect_download() as download:
        first.get_by_role("link", name="Download everything (JSON)").click()
    path = tmp_path / "export.json"
    download.value.save_as(path)
    data = json.loads(path.read_text())
    assert data["schema"] == 1 and data["account"]["email"] == "leaving@example.com"
    assert [row["resource"]["title"] for row in data["progress"]] == [TITLE]
    with first.expect_download() as markdown:
        first.get_by_role("link", name="Download your notes and progress (Markdown)").click()
    assert markdown.value.suggested_filename.endswith(".md")

    second = new_page()
    sign_up(second, "arriving@example.com")
    second.goto("/accounts/data/")
    second.get_by_label("Export file (JSON)").set_input_files(str(path))
    second.get_by_role("button", name="Upload and preview").click()
    expect(second.get_by_role("heading", name="Import preview", level=1)).to_be_visible()
    expect(second.get_by_text("1 status or bookmark added")).to_be_visible()
    assert not Progress.objects.filter(user__email="arriving@example.com").exists()
    second.get_by_role("button", name="Import").click()
    expect(second.get_by_role("heading", name="My progress", level=1)).to_be_visible()
    expect(
        second.get_by_text(re.compile(r"^Imported 1 status or bookmark and 1 history event\.$"))
    ).to_be_visible()
    second.goto("/")
    expect(done_checkbox(second, TITLE)).to_be_checked()

    second.goto("/accounts/data/")
    second.get_by_label("Export file (JSON)").set_input_files(
        files=[{"name": "bad.json", "mimeType": "application/json", "buffer": b"{nope"}]
    )
    second.get_by_role("button", name="Upload and preview").click()
    expect(second.get_by_role("alert")).to_contain_text("The file is not JSON")
    # The refused upload answers 422, which Chromium reports; nothing else may.
    assert [e for e in console_errors if "status of 422" not in e] == []


def test_a_learner_deletes_their_account_after_giving_the_password_again(page, console_errors):
    user = make_user("goodbye@example.com")
    log_in(page, "goodbye@example.com")
    done_checkbox(page, TITLE).check()
    expect(done_checkbox(page, TITLE)).to_be_checked()
    account_nav(page).get_by_role("link", name="Account").click()
    settings_nav(page).get_by_role("link", name="Delete account").click()
    expect(page.get_by_role("heading", name="Delete my account", level=1)).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="1 resource status")).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="0 bookmarks")).to_be_visible()
    page.get_by_role("button", name="Delete my account and all my data").click()

    expect(page).to_have_url(re.compile(r"/accounts/reauthenticate/"))
    page.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()

    goodbye = re.compile(r"^Your account and everything in it were deleted")
    expect(page.get_by_text(goodbye)).to_be_visible()
    expect(account_nav(page).get_by_role("link", name="Log in")).to_be_visible()
    assert not User.objects.filter(pk=user.pk).exists()
    assert not Event.objects.exists() and not Progress.objects.exists()
    assert console_errors == []


def test_a_note_is_made_public_without_javascript(new_page, console_errors):
    user = make_user("nojs-public@example.com")
    resource = Resource.objects.get(title=TITLE)
    Note.objects.create(
        user=user, resource=resource, body="public-idea", body_html="<p>public-idea</p>"
    )
    page = new_page(javascript=False)
    log_in(page, "nojs-public@example.com")
    page.goto("/accounts/profile/")
    page.get_by_label("Handle").fill("nojs-learner")
    page.get_by_label("Publish my page").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your public page is published.")).to_be_visible()

    page.goto("/notes/")
    page.get_by_role("button", name=f"Show on my public page (note on {TITLE})").click()
    shown = f"Your note on “{TITLE}” is shown on your public page."
    expect(page.get_by_text(shown)).to_be_visible()

    visitor = new_page()
    visitor.goto("/u/nojs-learner/")
    expect(visitor.get_by_role("heading", name="nojs-learner's progress")).to_be_visible()
    expect(visitor.get_by_text("public-idea")).to_be_visible()
    expect(visitor.get_by_text("nojs-public@example.com")).to_have_count(0)
    assert console_errors == []


def test_a_learner_counts_skipped_as_done_from_the_progress_panel_by_keyboard(page, console_errors):
    make_user("skipper@example.com")
    log_in(page, "skipper@example.com")
    page.get_by_role("combobox", name=f"Status: {TITLE}").select_option("Skipped")
    expect(
        page.get_by_role("progressbar", name=re.compile(r"^Your progress: 0 of"))
    ).to_be_visible()

    page.get_by_role("link", name="Progress settings").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Settings", level=1)).to_be_visible()
    progress = page.get_by_role("group", name="Progress")
    option = progress.get_by_role("checkbox", name="Count skipped resources as done")
    expect(option).not_to_be_checked()
    option.focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Save settings").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Your settings were saved.")).to_be_visible()
    assert User.objects.get(email="skipper@example.com").count_skipped_as_done is True

    page.get_by_role("link", name="Back to the roadmap").click()
    expect(
        page.get_by_role("progressbar", name=re.compile(r"^Your progress: 1 of"))
    ).to_be_visible()
