"""The map in Debian's Chromium: links and their names, keyboard order, a learner's statuses,
a phone's width and print.

Driven like a person would, by role and accessible name, with the fixtures of
tests/browser/conftest.py (console errors fail the test).
"""

import re

import pytest
from playwright.sync_api import Page, expect

from roadmap import learning
from roadmap.models import Progress, Resource, Roadmap
from tests.browser.helpers import TOTAL, log_in, on, tab_until
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
Status = Progress.Status


def the_map(page: Page):
    return page.get_by_role("list", name=re.compile(r"^Map of "))


def map_links(page: Page):
    return the_map(page).get_by_role("link")


def open_map(page: Page) -> None:
    page.goto("/")
    page.get_by_role("link", name=re.compile(r"^Map")).first.click()
    expect(page.get_by_role("heading", level=1, name=re.compile(r"^Map of "))).to_be_visible()


def in_reading_order() -> list[Resource]:
    roadmap = Roadmap.objects.get()
    from roadmap.outline import curriculum_of

    return list(curriculum_of(roadmap).resources)


def test_every_resource_is_a_named_link_to_its_place_on_the_roadmap(page, console_errors):
    open_map(page)
    resources = in_reading_order()
    for resource in (resources[0], resources[-1]):
        link = the_map(page).get_by_role("link", name=resource.title, exact=True)
        expect(link).to_have_attribute(
            "href", f"/roadmaps/{resource.roadmap.slug}/#{resource.anchor}"
        )
    expect(map_links(page).filter(has_text=re.compile("."))).to_have_count(
        TOTAL + Roadmap.objects.get().sections.filter(is_published=True).count()
    )
    # Following a node lands on the resource on the roadmap page.
    the_map(page).get_by_role("link", name=resources[3].title, exact=True).click()
    expect(page).to_have_url(re.compile(rf"#{resources[3].anchor}$"))
    expect(page.locator(f"#{resources[3].anchor}")).to_be_in_viewport()
    assert console_errors == []


def test_tab_moves_through_the_map_in_reading_order_with_a_visible_ring(page, console_errors):
    open_map(page)
    links = map_links(page)
    first = links.first
    tab_until(page, on(first), "the map's first link")
    names = []
    for _ in range(8):
        names.append(page.evaluate("document.activeElement.getAttribute('aria-label')"))
        page.keyboard.press("Tab")
    expected = [links.nth(i).get_attribute("aria-label") for i in range(8)]
    assert names == expected
    resources = in_reading_order()
    assert names[2] == resources[0].title  # part, section, then its first resource
    # The focused row is ringed, and its details show.
    tab_until(page, on(the_map(page).get_by_role("link", name=resources[0].title)), "a resource")
    focused = the_map(page).get_by_role("link", name=resources[0].title)
    ring = focused.locator(".hit")
    assert ring.evaluate("e => getComputedStyle(e).strokeWidth") == "3px"
    expect(focused.locator(".tip")).to_be_visible()
    expect(focused.locator(".tip")).to_contain_text(resources[0].get_kind_display())
    assert console_errors == []


def test_a_learner_sees_their_statuses_and_where_to_continue(page, console_errors):
    learner = make_user("mapper@example.com")
    resources = in_reading_order()
    learning.set_status(learner, resources[0], Status.DONE)
    learning.set_status(learner, resources[1], Status.SKIPPED)
    learning.set_status(learner, resources[2], Status.IN_PROGRESS)
    log_in(page, "mapper@example.com")
    open_map(page)
    links = the_map(page)
    expect(
        links.get_by_role("link", name=f"{resources[0].title}: done", exact=True)
    ).to_be_visible()
    expect(
        links.get_by_role("link", name=f"{resources[1].title}: skipped", exact=True)
    ).to_be_visible()
    expect(
        links.get_by_role(
            "link", name=f"{resources[2].title}: in progress, continue with this one", exact=True
        )
    ).to_have_class(re.compile(r"n-next"))
    expect(
        links.get_by_role("link", name=f"{resources[3].title}: not started", exact=True)
    ).to_be_visible()
    expect(links.get_by_role("link", name=re.compile(r": 1 of \d+ done$")).first).to_be_visible()
    expect(page.get_by_text("Continue with:").get_by_role("link")).to_have_text(resources[2].title)
    assert console_errors == []


def test_the_map_fits_a_phone_without_scrolling_sideways(new_page, console_errors):
    page = new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    open_map(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # The columns stack: the second part starts below the first.
    columns = the_map(page).locator(".map-part")
    first, second = columns.nth(0).bounding_box(), columns.nth(1).bounding_box()
    assert second["y"] >= first["y"] + first["height"]
    page.set_viewport_size({"width": 1280, "height": 900})
    first, second = columns.nth(0).bounding_box(), columns.nth(1).bounding_box()
    assert second["y"] == first["y"] and second["x"] > first["x"]  # side by side
    assert console_errors == []


def test_the_map_prints_without_the_site_chrome_or_hover_details(page, console_errors):
    open_map(page)
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".map-hint")).to_be_hidden()
    expect(the_map(page)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    pdf = page.pdf(format="A4")
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    assert 1 <= pages <= 3, f"the map printed on {pages} pages"
    assert console_errors == []
