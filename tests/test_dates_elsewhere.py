"""Dates outside the dashboard, at the instants where calendar arithmetic goes wrong: the
statistics' 30 days without activity across month ends, an export's date in the learner's own
time zone near midnight, and the daily link check across a month end and 29 February. The
clock is frozen for each case, so none depends on today."""

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone
from django.utils.formats import date_format
from django_tasks_db.models import DBTaskResult

from insights.statistics import INACTIVE_AFTER, learner_statistics
from linkhealth.models import LinkCheckRun
from linkhealth.tasks import schedule_daily_check
from roadmap import learning
from roadmap.models import Progress
from tests.conftest import client_for, make_resource, make_roadmap, make_section, make_user

pytestmark = pytest.mark.django_db


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


# The first instant of a month after a month of 28, 29, 30 and 31 days, and of a year.
MONTH_STARTS = [
    utc(2027, 3, 1),
    utc(2028, 3, 1),
    utc(2027, 5, 1),
    utc(2027, 8, 1),
    utc(2028, 1, 1),
    utc(2027, 2, 1),
]


@pytest.mark.parametrize("now", MONTH_STARTS, ids=lambda now: f"{now:%Y-%m-%d}")
def test_inactive_means_thirty_days_to_the_second_whatever_the_months(now):
    roadmap = make_roadmap()
    section = make_section(roadmap)
    first, _unfinished = make_resource(section), make_resource(section)
    learners = {}
    for name, quiet_for in [
        ("quiet", INACTIVE_AFTER + timedelta(seconds=1)),
        ("just-active", INACTIVE_AFTER),
        ("yesterday", timedelta(days=1)),
    ]:
        learners[name] = make_user(f"{name}@example.com")
        with time_machine.travel(now - quiet_for, tick=False):
            learning.set_status(learners[name], first, Progress.Status.DONE)

    with time_machine.travel(now, tick=False):
        statistics = learner_statistics(roadmap, timezone.now())
        curator = make_user("curator@example.com", is_staff=True, is_superuser=True)
        page = client_for(curator).get(f"/admin/insights/learnerstatistics/?roadmap={roadmap.slug}")

    assert statistics.cutoff == now - timedelta(days=30)
    assert (statistics.learners, statistics.finished_roadmap, statistics.inactive) == (3, 0, 1)
    assert page.status_code == 200


EXPORT_DATES = [
    # (learner's zone, the clock in UTC, the learner's date then)
    ("Asia/Tokyo", utc(2027, 1, 31, 23, 58), "2027-02-01"),
    ("UTC", utc(2027, 1, 31, 23, 58), "2027-01-31"),
    ("America/Los_Angeles", utc(2028, 2, 29, 0, 2), "2028-02-28"),
    ("UTC", utc(2028, 2, 29, 0, 2), "2028-02-29"),
    ("Pacific/Kiritimati", utc(2027, 12, 31, 10, 1), "2028-01-01"),
]


@pytest.mark.parametrize(("zone", "now", "local_date"), EXPORT_DATES)
def test_exports_bear_the_learners_date_near_midnight(zone, now, local_date):
    learner = make_user("learner@example.com", time_zone=zone)
    with time_machine.travel(now, tick=False):
        client = client_for(learner)  # signed in then: a session lasts two weeks
        as_json = client.get("/accounts/data/export.json")
        data = json.loads(b"".join(as_json.streaming_content))  # made as it is read
        as_markdown = client.get("/accounts/data/export.md")

    assert as_json["Content-Disposition"] == (
        f'attachment; filename="llm-roadmap-{local_date}.json"'
    )
    exported_at = datetime.fromisoformat(data["exported_at"])
    assert exported_at == now and exported_at.date().isoformat() == local_date
    assert as_markdown["Content-Disposition"] == (
        f'attachment; filename="llm-roadmap-notes-{local_date}.md"'
    )
    day = datetime.fromisoformat(local_date)
    assert f"Exported {date_format(day, 'DATE_FORMAT')}." in as_markdown.content.decode()


@pytest.mark.parametrize(
    "last_run",
    [
        utc(2027, 1, 31, 23, 58),
        utc(2028, 2, 28, 0, 2),
        utc(2028, 2, 29, 0, 2),
        utc(2027, 12, 31, 12),
    ],
    ids=lambda moment: f"{moment:%Y-%m-%dT%H:%M}",
)
def test_the_next_daily_check_is_24_hours_after_the_last_across_any_date(settings, last_run):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    LinkCheckRun.objects.create(trigger="schedule", started_at=last_run, finished_at=last_run)
    with time_machine.travel(last_run + timedelta(minutes=5), tick=False):
        assert schedule_daily_check() == last_run + timedelta(hours=24)
    assert DBTaskResult.objects.get().run_after == last_run + timedelta(hours=24)
