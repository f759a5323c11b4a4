"""The roadmaps list and the learner statistics in Chromium, by role and name, as people use them.

The browser, pages and the shipped curriculum (31 resources) come from tests/browser/conftest.py.
"""

import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import Page, expect

from roadmap.models import Progress, Resource
from tests.browser.helpers import TOTAL, log_in
from tests.conftest import make_resource, make_roadmap, make_section, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def second_roadmap() -> None:
    maths = make_roadmap(slug="maths", title="Maths for ML", description="Vectors first.", order=5)
    section = make_section(maths, title="Vectors")
    make_resource(section, title="Essence of vectors")
    make_resource(section, title="Dot products")


def test_a_learner_finds_every_roadmap_and_their_progress_in_each(page: Page, console_errors):
    second_roadmap()
    learner = make_user("several@example.com")
    for resource in Resource.objects.filter(roadmap__slug="llm-roadmap")[:3]:
        Progress.objects.create(user=learner, resource=resource)
    log_in(page, "several@example.com")

    page.get_by_role("navigation", name="Roadmaps").get_by_role("link", name="All roadmaps").click()

    expect(page.get_by_role("heading", name="Roadmaps", level=1)).to_be_visible()
    llm = page.get_by_role("progressbar", name=f"3 of {TOTAL} resources done in LLM Roadmap")
    expect(llm).to_have_attribute("value", "3")
    maths = page.get_by_role("progressbar", name="0 of 2 resources done in Maths for ML")
    expect(maths).to_have_attribute("max", "2")
    page.get_by_role("link", name="Maths for ML", exact=True).click()
    expect(page.get_by_role("heading", name="Maths for ML", level=1)).to_be_visible()
    assert console_errors == []


def test_with_one_roadmap_the_header_has_no_roadmaps_link(page: Page, console_errors):
    page.goto("/")
    expect(page.get_by_role("navigation", name="Roadmaps")).to_have_count(0)
    assert console_errors == []


def test_a_curator_reads_the_learner_statistics_in_the_admin(page: Page, console_errors):
    learner = make_user("counted@example.com")
    first = Resource.objects.filter(roadmap__slug="llm-roadmap").order_by("section__order").first()
    Progress.objects.create(user=learner, resource=first)
    curator = make_user("curator@example.com", is_staff=True)
    curator.groups.add(Group.objects.get(name="Curators"))
    log_in(page, "curator@example.com")

    page.goto("/admin/")
    page.get_by_role("link", name="Learner statistics").click()

    expect(page.get_by_role("heading", name="Learner statistics", level=1)).to_be_visible()
    expect(page.get_by_text(re.compile(r"1 learner started this roadmap"))).to_be_visible()
    row = page.get_by_role("row", name=re.compile(rf"^{re.escape(first.title)} 1 1 0 100%"))
    expect(row).to_be_visible()
    expect(page.get_by_role("link", name="Download as CSV")).to_have_attribute(
        "href", re.compile(r"statistics\.csv\?roadmap=llm-roadmap$")
    )
    expect(page.get_by_text("counted@example.com")).to_have_count(0)
    # Django's admin index links no icon, so the browser asks for /favicon.ico and gets a 404.
    favicon = "/admin/: Failed to load resource: the server responded with a status of 404"
    assert [error for error in console_errors if favicon not in error] == []
