"""The learner's main flow in every language, and Arabic right to left on a phone.

A browser that asks for the language (Playwright's ``locale`` sends it as Accept-Language)
signs up, checks a resource off, sets a status, writes a note, filters the roadmap and opens
My progress. Controls are found by their ids and form fields, which are the same in every
language; the words checked are the ones the catalog gives for that language.
"""

import re

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from roadmap.models import Note, Progress, Resource
from tests.conftest import PASSWORD

LANGUAGES = ["en", "fr", "de", "es", "ar"]
PHONE = {"width": 390, "height": 844}


def words(language: str, message: str) -> str:
    with translation.override(language):
        return translation.gettext(message)


@pytest.fixture
def open_in(browser, live_server, console_errors):
    contexts = []

    def open_page(language: str, **options) -> Page:
        context = browser.new_context(base_url=live_server.url, locale=language, **options)
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda m: m.type == "error" and console_errors.append(m.text))
        page.on("pageerror", lambda error: console_errors.append(str(error)))
        return page

    yield open_page
    for context in contexts:
        context.close()


def expect_language(page: Page, language: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if language == "ar" else "ltr")


def sign_up(page: Page, language: str, email: str) -> None:
    page.goto("/accounts/signup/")
    expect_language(page, language)
    form = page.locator("form[action='/accounts/signup/']")
    form.locator("input[name=email]").fill(email)
    form.locator("input[name=password1]").fill(PASSWORD)
    form.locator("input[name=password2]").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    expect(page.get_by_role("button", name=words(language, "Log out"))).to_be_visible()


def has_horizontal_scroll(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth")


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_learner_goes_through_the_main_flow_in_their_language(open_in, console_errors, language):
    transformer = Resource.objects.get(title="The Illustrated Transformer")
    lstm = Resource.objects.get(title="Understanding LSTM Networks")
    page = open_in(language)
    email = f"learner-{language}@example.com"
    sign_up(page, language, email)
    expect_language(page, language)

    # Check a resource off, in place.
    page.locator(f"#resource-{transformer.pk}").get_by_role("checkbox").check()
    # Saved: the server's answer has set the status menu beside it (out of band) to Done.
    expect(page.locator(f"#resource-{transformer.pk}").get_by_role("combobox")).to_have_value("d")

    # Give another one a status.
    page.locator(f"#resource-{lstm.pk}").get_by_role("combobox").select_option("p")
    expect(page.locator(f"#resource-{lstm.pk}").get_by_role("combobox")).to_have_value("p")

    # Write a note on its own page.
    page.goto(f"/resources/{lstm.pk}/note/")
    expect_language(page, language)
    expect(page.get_by_role("link", name=words(language, "Back to the roadmap"))).to_be_visible()
    page.locator(f"#note-body-{lstm.pk}").fill("Gates decide what to *forget*.")
    page.locator(f"#note-save-{lstm.pk}").click()
    expect(page.get_by_role("status")).to_have_text(words(language, "Note saved."))

    # Filter the roadmap.
    page.goto("/")
    page.locator("#find-q").fill("Illustrated Transformer")
    expect(page.locator("li.resource")).to_have_count(1)
    expect(page.locator(f"#resource-{transformer.pk}").get_by_role("checkbox")).to_be_checked()

    # My progress, in the same language, dates and all.
    page.goto("/me/")
    expect_language(page, language)
    expect(page.get_by_role("heading", level=1)).to_have_text(words(language, "My progress"))
    expect(page.get_by_role("heading", name=words(language, "Recent activity"))).to_be_visible()

    progress = dict(Progress.objects.filter(user__email=email).values_list("resource_id", "status"))
    assert progress == {transformer.pk: "done", lstm.pk: "in_progress"}
    assert Note.objects.filter(user__email=email, resource=lstm).exists()
    assert console_errors == []


def test_arabic_on_a_phone_is_right_to_left_without_sideways_scrolling(open_in, console_errors):
    page = open_in("ar", viewport=PHONE)
    sign_up(page, "ar", "learner-ar-phone@example.com")
    lstm = Resource.objects.get(title="Understanding LSTM Networks")
    page.locator(f"#resource-{lstm.pk}").get_by_role("checkbox").check()
    for address in ("/", "/me/", "/notes/", f"/resources/{lstm.pk}/note/", "/accounts/settings/"):
        page.goto(address)
        expect_language(page, "ar")
        assert not has_horizontal_scroll(page), f"{address} scrolls sideways at 390 px"
    # The page reads from the right: the main heading starts at the right-hand edge.
    page.goto("/me/")
    heading = page.get_by_role("heading", level=1).bounding_box()
    assert heading["x"] + heading["width"] > PHONE["width"] - 40
    # The activity calendar opens on today, at its left end when right to left.
    scroller = page.locator(".heatmap-scroll")
    assert scroller.evaluate("element => getComputedStyle(element).direction") == "ltr"
    assert scroller.evaluate("element => element.scrollLeft") == 0
    assert console_errors == []


def test_the_language_picker_switches_the_page_without_javascript(open_in, console_errors):
    page = open_in("en", java_script_enabled=False)
    page.goto("/roadmaps/")
    page.get_by_label("Language").select_option("ar")
    page.get_by_role("button", name="Change language").click()
    expect(page).to_have_url(re.compile(r"/roadmaps/$"))
    expect_language(page, "ar")
    expect(page.get_by_label(words("ar", "Language"))).to_have_value("ar")
