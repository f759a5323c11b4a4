"""My progress (/me/) and the history list (/me/history/)."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.formats import date_format

from history.activity import activity_for
from history.models import Event
from roadmap import learning
from roadmap.models import Progress
from tests.conftest import make_resource, make_roadmap, make_section

pytestmark = pytest.mark.django_db

DONE = Progress.Status.DONE


def add_events(user, resource, moments, *, status=DONE) -> None:
    Event.objects.bulk_create(
        Event(user=user, resource=resource, kind=Event.Kind.STATUS, status=status, created_at=when)
        for when in moments
    )


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_the_header_links_to_my_progress_for_learners_only(alice_client, anon):
    assert '<a href="/me/">My progress</a>' in alice_client.get("/").content.decode()
    assert "My progress" not in anon.get("/").content.decode()


def test_anonymous_visitors_are_sent_to_log_in(anon):
    for url in ("/me/", "/me/history/"):
        response = anon.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"/accounts/login/?next={url}"


def test_wrong_methods_are_405(alice_client):
    assert alice_client.post("/me/").status_code == 405
    assert alice_client.post("/me/history/").status_code == 405


def test_streaks_count_consecutive_days_and_survive_until_today_ends(alice):
    resource = make_resource()
    now = utc(2026, 6, 20, 12)
    # A 5-day run long ago, then a 3-day run ending yesterday, two events on one of its days.
    old = [utc(2025, 1, d, 9) for d in range(1, 6)]
    recent = [utc(2026, 6, 17, 9), utc(2026, 6, 18, 9), utc(2026, 6, 18, 10), utc(2026, 6, 19, 9)]
    add_events(alice, resource, old + recent)
    activity = activity_for(alice, now=now)
    assert (activity.current_streak, activity.longest_streak) == (3, 5)
    assert activity.active_days_last_year == 3  # the 2025 run is more than a year ago
    assert activity.events_last_year == 4
    assert activity.active_days_this_month == 3

    # The day after tomorrow, the streak is broken.
    assert activity_for(alice, now=now + timedelta(days=2)).current_streak == 0


def test_days_are_counted_in_the_learners_time_zone(alice):
    resource = make_resource()
    # 23:30 and 00:30 UTC are two days in London in winter, one evening in New York.
    add_events(alice, resource, [utc(2026, 1, 10, 23, 30), utc(2026, 1, 11, 0, 30)])
    now = utc(2026, 1, 11, 12)
    assert activity_for(alice, now=now).active_days_last_year == 2
    alice.time_zone = "America/New_York"
    activity = activity_for(alice, now=now)
    assert activity.active_days_last_year == 1
    busy = [day for day in activity.days if day.count]
    assert [(day.date.isoformat(), day.count) for day in busy] == [("2026-01-10", 2)]
    assert busy[0].label == "2 events on Sat Jan. 10, 2026"


def test_the_heatmap_has_a_square_per_day_with_a_title_and_a_text_alternative(alice, alice_client):
    resource = make_resource()
    today = timezone.now()
    add_events(alice, resource, [today, today - timedelta(days=3), today - timedelta(days=3)])
    html = alice_client.get("/me/").content.decode()
    assert html.count("<rect ") == 365
    assert re.search(r"<title>2 events on \w{3} \w+\.? \d+, \d{4}</title>", html)
    assert html.count("<title>no activity on ") == 363
    assert 'role="img" aria-labelledby="heatmap-summary"' in html
    assert "2 active days in the last year" in html
    assert "level-4" in html and "level-2" in html  # the busier day is darker


def test_the_heatmaps_days_are_named_in_the_learners_language(alice, alice_client):
    add_events(alice, make_resource(), [utc(2026, 1, 10, 12)])
    day = datetime(2026, 1, 10).date()
    pages = {}
    with time_machine.travel(utc(2026, 1, 11, 12), tick=False):
        for code in ("en", "fr", "en"):
            alice.language = code
            alice.save(update_fields=["language"])
            pages[code] = alice_client.get("/me/").content.decode()
    assert "<title>1 event on Sat Jan. 10, 2026</title>" in pages["en"]
    with translation.override("fr"):
        french = f"{date_format(day, 'D')} {date_format(day, 'DATE_FORMAT')}"
    assert french == "sam 10 janvier 2026"
    assert french in pages["fr"]
    assert "Jan. 10, 2026" not in pages["fr"]


@pytest.mark.parametrize(
    "now", [utc(2026, 12, 3, 8), utc(2026, 3, 31, 12), utc(2024, 3, 1, 12), utc(2026, 1, 15)]
)
def test_resources_done_per_month_counts_each_resource_once(alice, alice_client, now):
    first, second = make_resource(), make_resource()
    add_events(alice, first, [now, now - timedelta(minutes=5)])
    add_events(alice, second, [now - timedelta(minutes=1)])
    add_events(alice, second, [now - timedelta(minutes=2)], status="in_progress")
    activity = activity_for(alice, now=now)
    assert activity.months[-1].start == now.date().replace(day=1)  # this month, last
    assert activity.months[-1].done == 2
    assert sum(month.done for month in activity.months) == 2
    starts = [month.start for month in activity.months]
    assert len(set(starts)) == 12 and starts == sorted(starts)
    assert all(start.day == 1 for start in starts)


def test_section_figures_are_the_roadmap_pages_figures(alice, alice_client):
    section = make_section(title="Maths")
    child = make_section(section.roadmap, title="Linear algebra", parent=section)
    resources = [make_resource(child) for _ in range(3)] + [make_resource(section)]
    learning.set_status(alice, resources[0], DONE)
    learning.set_status(alice, resources[3], DONE)
    learning.set_status(alice, resources[1], "in_progress")
    dashboard = alice_client.get("/me/").content.decode()
    roadmap = alice_client.get("/").content.decode()
    assert 'aria-label="2 of 4 done in Maths"' in dashboard
    assert 'aria-label="1 of 3 done in Linear algebra"' in dashboard
    assert '2 of 4 done<span class="visually-hidden"> in Maths' in roadmap
    assert '1 of 3 done<span class="visually-hidden"> in Linear algebra' in roadmap
    assert f"{section.roadmap.title}</span>: 2 of 4 done (50%)" in dashboard


def test_recent_activity_reads_as_sentences_newest_first(alice, alice_client):
    a, b = make_resource(title="Attention"), make_resource(title="Backprop")
    # An hour apart: changes close together read as one (tests/test_recent_activity.py).
    with time_machine.travel(utc(2026, 3, 10, 9), tick=False) as clock:
        learning.set_status(alice, a, "in_progress")
        clock.shift(timedelta(hours=1))
        learning.set_status(alice, a, DONE)
        learning.set_status(alice, b, "skipped")
        learning.save_note(alice, b, "why")
    html = alice_client.get("/me/").content.decode()
    lines = re.findall(r"</time> (.*?) <a", html)
    assert lines == ["Edited the note on", "Skipped", "Checked off", "Started"]


def test_history_is_paginated_newest_first_in_the_learners_time_zone(alice, alice_client):
    resource = make_resource(title="Attention")
    start = utc(2026, 3, 1, 23, 30)
    add_events(alice, resource, [start + timedelta(days=n) for n in range(120)])
    alice.time_zone = "Asia/Tokyo"
    alice.save(update_fields=["time_zone"])
    first = alice_client.get("/me/history/").content.decode()
    assert first.count('class="event"') == 50
    assert "Page 1 of 3" in first and 'rel="next"' in first
    newest = (start + timedelta(days=119)).astimezone(ZoneInfo("Asia/Tokyo"))
    assert f"{date_format(newest, 'DATE_FORMAT')}, 8:30 a.m." in first.split('class="event"')[1]
    last = alice_client.get("/me/history/?page=3").content.decode()
    assert last.count('class="event"') == 20
    assert alice_client.get("/me/history/?page=abc").status_code == 200
    assert alice_client.get("/me/history/?page=999").status_code == 200


def test_another_learners_activity_never_shows(alice, bob_client):
    resource = make_resource(title="Alice-only resource")
    learning.set_status(alice, resource, DONE)
    for url in ("/me/", "/me/history/"):
        html = bob_client.get(url).content.decode()
        assert "Alice-only resource" not in html and "alice@example.com" not in html
    assert "0 active days in the last year" in bob_client.get("/me/").content.decode()


def test_the_dashboard_costs_the_same_queries_at_10_and_5000_events(alice, alice_client):
    section = make_section()
    resources = [make_resource(section) for _ in range(20)]
    make_resource()  # and a second roadmap
    now = timezone.now()

    def queries() -> int:
        alice_client.get("/me/")  # the curriculum is read once per process
        with CaptureQueriesContext(connection) as captured:
            assert alice_client.get("/me/").status_code == 200
        return len(captured)

    add_events(alice, resources[0], [now - timedelta(hours=n) for n in range(10)])
    few = queries()
    Event.objects.all().delete()
    add_events(
        alice,
        resources[1],
        [now - timedelta(minutes=105 * n) for n in range(5000)],  # about a year, every day
    )
    assert Event.objects.count() == 5000
    assert queries() == few


def test_my_progress_counts_what_was_done_in_every_roadmap_not_just_the_home_one(
    alice, alice_client
):
    home = make_roadmap(title="Home roadmap", order=1, is_published=True)
    other = make_roadmap(title="Other roadmap", order=2, is_published=True)
    first = make_resource(make_section(home))
    second, third = make_resource(make_section(other)), make_resource(make_section(other))
    learning.set_status(alice, first, DONE)
    learning.set_status(alice, second, DONE)
    learning.set_status(alice, third, DONE)

    page = alice_client.get("/me/").content.decode()

    assert "Home roadmap</span>: 1 of 1 done (100%)" in page
    assert "Other roadmap</span>: 2 of 2 done (100%)" in page
