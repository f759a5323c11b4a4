"""My progress (/me/) at the dates where calendar arithmetic goes wrong: every month of a
leap and a common year, month and year ends, 29 February and daylight-saving changes in the
learner's own time zone. The clock is frozen for each case, so none depends on today."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils.formats import date_format

from history.activity import activity_for
from history.models import Event
from roadmap import learning
from roadmap.models import Progress
from tests.conftest import client_for, make_resource

pytestmark = pytest.mark.django_db

DONE = Progress.Status.DONE


def last_minute_of(year: int, month: int) -> datetime:
    following = date(year + month // 12, month % 12 + 1, 1)
    return datetime.combine(following, time(), tzinfo=UTC) - timedelta(minutes=1)


def month_starts(year: int, month: int, count: int) -> list[date]:
    """``count`` firsts of the month, oldest first, ending with ``year``-``month``."""
    starts = []
    for _ in range(count):
        starts.append(date(year, month, 1))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return starts[::-1]


def check_off_at(user, resource, moment: datetime) -> None:
    with time_machine.travel(moment, tick=False):
        learning.set_status(user, resource, DONE)


@pytest.mark.parametrize("month", range(1, 13))
@pytest.mark.parametrize("year", [2027, 2028])  # a common year, then a leap year
def test_the_twelve_months_end_with_this_one_in_every_month(alice, year, month):
    now = last_minute_of(year, month)
    months = month_starts(year, month, 12)
    resource = make_resource()
    # A check-off in this month's last minute, one in the first second of the oldest month
    # shown, and one a second before it, which falls outside the window.
    check_off_at(alice, resource, now)
    first_second = datetime.combine(months[0], time(), tzinfo=UTC)
    check_off_at(alice, make_resource(), first_second)
    check_off_at(alice, make_resource(), first_second - timedelta(seconds=1))

    with time_machine.travel(now + timedelta(seconds=30), tick=False):
        activity = activity_for(alice)
        page = client_for(alice).get("/me/")

    assert [month.start for month in activity.months] == months
    assert [month.done for month in activity.months] == [1] + [0] * 10 + [1]
    assert activity.today == now.date()
    assert activity.active_days_this_month == 1
    assert page.status_code == 200


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def at_local(zone: str, day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(zone))


def add_done(user, resource, moments) -> None:
    Event.objects.bulk_create(
        Event(user=user, resource=resource, kind=Event.Kind.STATUS, status=DONE, created_at=when)
        for when in moments
    )


# (the learner's zone, the day of the change or the day after the boundary)
BOUNDARIES = {
    "month end": ("UTC", date(2027, 2, 1)),
    "year end": ("UTC", date(2028, 1, 1)),
    "29 February": ("UTC", date(2028, 2, 29)),
    "29 February, far east": ("Pacific/Kiritimati", date(2028, 2, 29)),
    "Paris springs forward": ("Europe/Paris", date(2027, 3, 28)),
    "Paris falls back": ("Europe/Paris", date(2027, 10, 31)),
    "New York springs forward": ("America/New_York", date(2027, 3, 14)),
    "New York falls back": ("America/New_York", date(2027, 11, 7)),
}


@pytest.mark.parametrize(("zone", "day"), BOUNDARIES.values(), ids=BOUNDARIES.keys())
def test_streaks_and_the_heatmap_run_across_the_boundary(alice, zone, day):
    alice.time_zone = zone
    alice.save(update_fields=["time_zone"])
    resource = make_resource()
    before, after = day - timedelta(days=1), day + timedelta(days=1)
    # Just after midnight and just before the next one, local time, on each of three days:
    # on a day of 23 or 25 hours, both ends still fall on that day.
    add_done(
        alice,
        resource,
        [
            at_local(zone, d, hour, minute)
            for d in (before, day, after)
            for hour, minute in [(0, 5), (23, 55)]
        ],
    )

    with time_machine.travel(at_local(zone, after, 23, 58), tick=False):
        activity = activity_for(alice)
        page = client_for(alice).get("/me/")

    assert activity.today == after
    assert (activity.current_streak, activity.longest_streak) == (3, 3)
    assert activity.active_days_last_year == 3 and activity.events_last_year == 6
    dates = [cell.date for cell in activity.days]
    assert dates == [after - timedelta(days=n) for n in range(364, -1, -1)]  # no day twice or lost
    counts = {cell.date: cell.count for cell in activity.days if cell.count}
    assert counts == {before: 2, day: 2, after: 2}
    # Squares go down the week and across the weeks, whatever the day's length.
    for earlier, later in zip(activity.days, activity.days[1:], strict=False):
        assert (later.week, later.weekday) in {
            (earlier.week, earlier.weekday + 1),
            (earlier.week + 1, 0),
        }
    assert page.status_code == 200
    spoken = f"{date_format(day, 'D')} {date_format(day, 'DATE_FORMAT')}"  # "Tue Feb. 29, 2028"
    assert f"2 events on {spoken}" in page.content.decode()


@pytest.mark.parametrize(("zone", "day"), BOUNDARIES.values(), ids=BOUNDARIES.keys())
def test_the_streak_lasts_until_the_learners_day_ends_and_no_longer(alice, zone, day):
    alice.time_zone = zone
    alice.save(update_fields=["time_zone"])
    add_done(alice, make_resource(), [at_local(zone, day - timedelta(days=1), 12)])
    # The last minute of the following day, in the learner's zone: yesterday's streak holds.
    end_of_day = at_local(zone, day, 23, 59)
    assert activity_for(alice, now=end_of_day).current_streak == 1
    # A minute later it is the day after, the learner's time: the streak is over.
    next_morning = datetime.combine(day + timedelta(days=1), time(0, 0, 30), ZoneInfo(zone))
    assert activity_for(alice, now=next_morning).current_streak == 0


def test_today_is_the_learners_date_not_the_servers(alice):
    alice.time_zone = "Europe/Paris"
    alice.save(update_fields=["time_zone"])
    # 23:58 on 31 January in UTC is two minutes to one on 1 February in Paris.
    now = utc(2027, 1, 31, 23, 58)
    check_off_at(alice, make_resource(), now)
    activity = activity_for(alice, now=now)
    assert activity.today == date(2027, 2, 1)
    assert activity.months[-1].start == date(2027, 2, 1) and activity.months[-1].done == 1
    assert activity.active_days_this_month == 1
