"""Recent activity (/me/) and History (/me/history/) show a burst of changes to one resource as its
last change; the events themselves, the heatmap and the export keep every one."""

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from history.activity import activity_for
from history.models import COALESCE_WITHIN, Event
from tests.conftest import make_resource, make_section

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def lessons():
    section = make_section(title="Maths", slug="maths")
    return [make_resource(section, title=f"Lesson {n}") for n in range(1, 4)]


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def set_status(client, resource, status: str) -> None:
    response = client.post(f"/resources/{resource.pk}/status/", {"status": status})
    assert response.status_code == 302


def entries(client, url: str) -> list[str]:
    """The list's entries as read: "Checked off Lesson 1"."""
    html = client.get(url).content.decode()
    items = re.findall(r'<li class="event">.*?</time> (.*?)</li>', html, re.S)
    return [re.sub(r"<[^>]+>", "", item).strip() for item in items]


def test_pressing_d_p_and_s_twice_shows_one_entry_and_keeps_every_event(
    alice, alice_client, lessons, clock
):
    lesson = lessons[0]
    for status in ("done", "in_progress", "skipped", "done", "in_progress", "skipped"):
        set_status(alice_client, lesson, status)
        clock.shift(timedelta(seconds=20))

    assert entries(alice_client, "/me/") == ["Skipped Lesson 1"]
    assert entries(alice_client, "/me/history/") == ["Skipped Lesson 1"]
    # Nothing is lost: the record, the heatmap's count and the export hold all six.
    assert Event.objects.filter(user=alice).count() == 6
    assert activity_for(alice).events_last_year == 6
    export = b"".join(alice_client.get("/accounts/data/export.json").streaming_content)
    assert len(json.loads(export)["events"]) == 6


def test_changes_further_apart_than_the_window_are_each_shown(alice_client, lessons, clock):
    lesson = lessons[0]
    set_status(alice_client, lesson, "in_progress")
    clock.shift(COALESCE_WITHIN + timedelta(seconds=1))
    set_status(alice_client, lesson, "done")
    assert entries(alice_client, "/me/") == ["Checked off Lesson 1", "Started Lesson 1"]


def test_a_burst_is_one_entry_while_each_change_follows_the_last_within_the_window(
    alice_client, lessons, clock
):
    lesson = lessons[0]
    for status in ("in_progress", "done", "in_progress", "done"):
        set_status(alice_client, lesson, status)
        clock.shift(COALESCE_WITHIN - timedelta(minutes=1))  # 27 minutes in all
    assert entries(alice_client, "/me/") == ["Checked off Lesson 1"]


def test_other_resources_and_note_edits_keep_their_own_entries(alice_client, lessons, clock):
    first, second, _ = lessons
    set_status(alice_client, first, "in_progress")
    clock.shift(timedelta(minutes=1))
    response = alice_client.post(f"/resources/{first.pk}/note/", {"body": "Eigenvectors"})
    assert response.status_code == 302
    clock.shift(timedelta(minutes=1))
    set_status(alice_client, second, "done")
    clock.shift(timedelta(minutes=1))
    set_status(alice_client, first, "done")

    assert entries(alice_client, "/me/") == [
        "Checked off Lesson 1",
        "Checked off Lesson 2",
        "Edited the note on Lesson 1",
    ]


def test_another_learners_burst_does_not_hide_ones_own_change(
    alice, alice_client, bob_client, lessons, clock
):
    lesson = lessons[0]
    set_status(alice_client, lesson, "done")
    clock.shift(timedelta(minutes=1))
    set_status(bob_client, lesson, "in_progress")
    assert entries(alice_client, "/me/") == ["Checked off Lesson 1"]
    assert entries(bob_client, "/me/") == ["Started Lesson 1"]


def test_history_pages_count_the_entries_shown(alice, alice_client, lessons, settings, clock):
    # 60 events: 10 rounds of two minutes' fiddling with each of three lessons, an hour apart.
    events = []
    for round_ in range(10):
        for n, lesson in enumerate(lessons):
            for step in range(2):
                at = START + timedelta(hours=round_, minutes=10 * n + step)
                events.append(
                    Event(user=alice, resource=lesson, kind="status", status="done", created_at=at)
                )
    Event.objects.bulk_create(events)
    clock.move_to(START + timedelta(hours=11))
    html = alice_client.get("/me/history/").content.decode()
    assert html.count('<li class="event">') == 30  # one per lesson per round
    assert "Page 1 of" not in html  # 30 fit on one page of 50
