"""A learner's weekly goal: settings, this week's progress, weeks in a row, the pace to finish,
and where it shows (My progress, the roadmap page); the Atom feed of new resources."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from goals.models import Goal
from goals.pace import pace_for, week_start, weeks_back
from history.models import Event
from roadmap import learning
from roadmap.models import Progress
from tests.conftest import make_resource, make_roadmap, make_section

pytestmark = pytest.mark.django_db
DONE = Progress.Status.DONE


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def done_at(user, resource, moment: datetime) -> None:
    with time_machine.travel(moment, tick=False):
        learning.set_status(user, resource, DONE)


def settings_post(**fields) -> dict:
    base = {"time_zone": "UTC", "summary_day": "0", "weekly_goal_unit": "resources"}
    return base | {name: str(value) for name, value in fields.items()}


# The week's arithmetic.


def test_weeks_start_on_the_chosen_day():
    thursday = date(2026, 3, 5)
    assert week_start(thursday, 0) == date(2026, 3, 2)  # Monday
    assert week_start(thursday, 3) == thursday
    assert week_start(thursday, 4) == date(2026, 2, 27)  # the Friday before
    assert week_start(date(2024, 3, 1), 3) == date(2024, 2, 29)  # a leap day starts a week
    assert week_start(date(2027, 1, 1), 0) == date(2026, 12, 28)  # a week across the year's end


def test_days_fall_in_the_week_counted_back():
    start = date(2026, 3, 2)
    assert [weeks_back(start + timedelta(days=d), start) for d in (0, 6, -1, -7, -8)] == [
        0,
        0,
        1,
        1,
        2,
    ]


# This week's progress and the weeks in a row.


def test_no_goal_means_nothing_to_show(alice):
    assert pace_for(alice) is None
    Goal.objects.create(user=alice, weekly_summary=True)
    assert pace_for(alice) is None


def test_this_weeks_progress_counts_resources_done_since_the_week_began(alice):
    Goal.objects.create(user=alice, weekly_goal=3)
    a, b, c = make_resource(), make_resource(), make_resource()
    done_at(alice, a, utc(2026, 3, 1, 23))  # Sunday: last week
    done_at(alice, b, utc(2026, 3, 2, 9))
    done_at(alice, c, utc(2026, 3, 4, 9))
    pace = pace_for(alice, now=utc(2026, 3, 5, 12))
    assert (pace.done_this_week, pace.goal) == (2, 3)
    assert pace.progress_text == "2 of 3 resources this week"
    assert not pace.met_this_week


def test_a_resource_marked_done_twice_in_a_week_counts_once(alice):
    Goal.objects.create(user=alice, weekly_goal=3)
    a = make_resource()
    done_at(alice, a, utc(2026, 3, 2, 9))
    with time_machine.travel(utc(2026, 3, 2, 10), tick=False):
        learning.set_status(alice, a, "in_progress")
    done_at(alice, a, utc(2026, 3, 3, 9))
    assert pace_for(alice, now=utc(2026, 3, 5)).done_this_week == 1


def test_weeks_in_a_row_count_back_from_last_week_and_this_one_once_met(alice):
    Goal.objects.create(user=alice, weekly_goal=1)
    for day in (utc(2026, 2, 17, 9), utc(2026, 2, 24, 9)):  # two weeks met, one before missed
        done_at(alice, make_resource(), day)
    pace = pace_for(alice, now=utc(2026, 3, 4, 12))
    assert pace.weeks_in_a_row == 2
    assert pace.streak_text == "Goal met 2 weeks in a row"
    done_at(alice, make_resource(), utc(2026, 3, 4, 13))
    assert pace_for(alice, now=utc(2026, 3, 4, 14)).weeks_in_a_row == 3


def test_a_missed_week_breaks_the_run(alice):
    Goal.objects.create(user=alice, weekly_goal=1)
    done_at(alice, make_resource(), utc(2026, 2, 17, 9))  # two weeks ago; last week missed
    assert pace_for(alice, now=utc(2026, 3, 4, 12)).weeks_in_a_row == 0


def test_an_hours_goal_adds_the_estimated_time(alice):
    Goal.objects.create(user=alice, weekly_goal=2, weekly_goal_unit=Goal.Unit.HOURS)
    done_at(alice, make_resource(estimated_minutes=90), utc(2026, 3, 2, 9))
    done_at(alice, make_resource(), utc(2026, 3, 2, 10))  # no estimate: adds nothing
    pace = pace_for(alice, now=utc(2026, 3, 3))
    assert pace.done_this_week == 90
    assert pace.progress_text == "1.5 of 2 hours this week"


def test_weeks_are_counted_in_the_learners_time_zone(alice):
    alice.time_zone = "Pacific/Kiritimati"  # UTC+14
    alice.save()
    Goal.objects.create(user=alice, weekly_goal=1)
    # Sunday 11:00 UTC is Monday 01:00 in Kiritimati: this week, there.
    done_at(alice, make_resource(), utc(2026, 3, 1, 11))
    # Monday 13:00 UTC: Tuesday 03:00 there, the same week.
    assert pace_for(alice, now=utc(2026, 3, 2, 13)).done_this_week == 1
    # In UTC-12 the same moment was Saturday 23:00, and Monday 01:00 began a new week.
    alice.time_zone = "Etc/GMT+12"
    alice.save()
    pace = pace_for(alice, now=utc(2026, 3, 2, 13))
    assert (pace.done_this_week, pace.weeks_in_a_row) == (0, 1)


def test_a_week_across_a_daylight_saving_change_is_seven_local_days(alice):
    alice.time_zone = "Europe/Paris"  # clocks go forward on Sunday 29 March 2026
    alice.save()
    Goal.objects.create(user=alice, weekly_goal=1, summary_day=Goal.Weekday.MONDAY)
    # Sunday 29 March 23:30 in Paris (21:30 UTC, summer time): the week of 23 March.
    done_at(alice, make_resource(), utc(2026, 3, 29, 21, 30))
    pace = pace_for(alice, now=utc(2026, 3, 29, 21, 45))
    assert (pace.week_starts, pace.done_this_week) == (date(2026, 3, 23), 1)
    # Monday 00:10 in Paris (22:10 UTC Sunday): a new week has begun there.
    pace = pace_for(alice, now=utc(2026, 3, 29, 22, 10))
    assert (pace.week_starts, pace.done_this_week, pace.weeks_in_a_row) == (
        date(2026, 3, 30),
        0,
        1,
    )


# Finishing by a date.


def test_the_pace_needed_to_finish_by_a_date(alice):
    roadmap = make_roadmap()
    section = make_section(roadmap)
    resources = [make_resource(section) for _ in range(8)]
    Goal.objects.create(user=alice, weekly_goal=1, finish_by=date(2026, 3, 29))
    done_at(alice, resources[0], utc(2026, 2, 24, 9))
    # 7 left, 4 weeks from Monday 2 March to Sunday 29 March: 2 a week; last weeks made 1/4.
    pace = pace_for(alice, now=utc(2026, 3, 2, 9))
    assert (pace.remaining, pace.needed_per_week, pace.on_track) == (7, 2, False)
    assert pace.needed_text == "about 2 resources a week from now"
    assert pace.finish_text == (
        "Behind to finish by 2026-03-29: it takes about 2 resources a week from now."
    )
    for resource in resources[1:3]:
        done_at(alice, resource, utc(2026, 3, 2, 10))
    pace = pace_for(alice, now=utc(2026, 3, 2, 11))
    assert (pace.remaining, pace.on_track) == (5, True)
    assert pace.finish_text.startswith("On track to finish by 2026-03-29")


def test_skipped_resources_are_not_left_to_do_and_a_passed_date_says_so(alice):
    section = make_section()
    a, b = make_resource(section), make_resource(section)
    Goal.objects.create(user=alice, finish_by=date(2026, 3, 1))
    with time_machine.travel(utc(2026, 2, 1), tick=False):
        learning.set_status(alice, a, "skipped")
    pace = pace_for(alice, now=utc(2026, 3, 5))
    assert (pace.remaining, pace.overdue) == (1, True)
    assert "has passed" in pace.finish_text
    done_at(alice, b, utc(2026, 3, 5))
    assert pace_for(alice, now=utc(2026, 3, 6)).finish_text.startswith("Everything is done")


# The settings.


def test_the_settings_page_saves_the_goal_and_emails(alice, alice_client):
    page = alice_client.get("/accounts/settings/").content.decode()
    for name in (
        "weekly_goal",
        "weekly_goal_unit",
        "finish_by",
        "weekly_summary",
        "summary_day",
        "inactivity_reminder_days",
    ):
        assert f'name="{name}"' in page
    with time_machine.travel(utc(2026, 3, 2, 9), tick=False):
        response = alice_client.post(
            "/accounts/settings/",
            settings_post(
                weekly_goal=3,
                finish_by="2026-06-30",
                weekly_summary="on",
                summary_day=6,
                inactivity_reminder_days=7,
            ),
        )
    assert response.status_code == 302
    goal = Goal.objects.get(user=alice)
    assert (goal.weekly_goal, goal.finish_by, goal.weekly_summary, goal.summary_day) == (
        3,
        date(2026, 6, 30),
        True,
        6,
    )
    assert goal.inactivity_reminder_days == 7


def test_saving_settings_without_a_goal_makes_no_goal_row(alice, alice_client):
    assert alice_client.post("/accounts/settings/", settings_post()).status_code == 302
    assert not Goal.objects.exists()


def test_bad_goal_values_are_a_422_with_a_message_and_change_nothing(alice, alice_client):
    Goal.objects.create(user=alice, weekly_goal=2)
    for bad in (
        {"weekly_goal": "-1"},
        {"weekly_goal": "lots"},
        {"weekly_goal_unit": "pages"},
        {"summary_day": "9"},
        {"inactivity_reminder_days": "0"},
        {"finish_by": "2026-02-30"},
    ):
        response = alice_client.post("/accounts/settings/", settings_post(**bad))
        assert response.status_code == 422, bad
        assert 'class="errorlist' in response.content.decode()
    assert Goal.objects.get(user=alice).weekly_goal == 2


def test_a_finish_date_in_the_past_is_refused(alice, alice_client):
    with time_machine.travel(utc(2026, 3, 2, 9), tick=False):
        response = alice_client.post("/accounts/settings/", settings_post(finish_by="2026-03-01"))
    assert response.status_code == 422
    assert "Choose a date from today on." in response.content.decode()


def test_the_settings_say_emails_wait_for_a_verified_address(alice, alice_client):
    page = alice_client.get("/accounts/settings/").content.decode()
    assert "not verified yet" in page


# Where it shows.


def test_my_progress_and_the_roadmap_page_show_the_goal(alice, alice_client):
    section = make_section()
    Goal.objects.create(user=alice, weekly_goal=3, finish_by=date(2026, 3, 29))
    for day in (utc(2026, 2, 24, 9), utc(2026, 3, 2, 9), utc(2026, 3, 3, 9)):
        done_at(alice, make_resource(section), day)
    for _ in range(5):
        make_resource(section)
    with time_machine.travel(utc(2026, 3, 4, 12), tick=False):
        dashboard = alice_client.get("/me/").content.decode()
        roadmap = alice_client.get(f"/roadmaps/{section.roadmap.slug}/").content.decode()
    for html in (dashboard, roadmap):
        assert "2 of 3 resources this week" in html
        assert "Goal met 0 weeks in a row" in html
        assert "about 2 resources a week from now" in html


def test_my_progress_invites_a_learner_without_a_goal(alice, alice_client):
    html = alice_client.get("/me/").content.decode()
    assert "Set a weekly goal" in html


def test_the_roadmap_page_updates_when_the_week_moves_on(alice, alice_client):
    section = make_section()
    Goal.objects.create(user=alice, weekly_goal=2)
    done_at(alice, make_resource(section), utc(2026, 3, 3, 9))
    url = f"/roadmaps/{section.roadmap.slug}/"
    with time_machine.travel(utc(2026, 3, 4), tick=False):
        assert "1 of 2 resources this week" in alice_client.get(url).content.decode()
    with time_machine.travel(utc(2026, 3, 10), tick=False):  # the page cache must not keep it
        assert "0 of 2 resources this week" in alice_client.get(url).content.decode()


def test_the_roadmap_page_costs_no_query_without_a_goal_and_one_with(alice, alice_client):
    section = make_section()
    resources = [make_resource(section) for _ in range(20)]
    url = f"/roadmaps/{section.roadmap.slug}/"
    alice_client.get(url)  # curriculum read and cached

    def queries() -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            assert alice_client.get(url).status_code == 200
        return [q["sql"] for q in captured.captured_queries]

    without = queries()
    # The goal comes with the signed-in user, in the query that loads them.
    [user_query] = [sql for sql in without if 'FROM "accounts_user"' in sql]
    assert 'JOIN "goals_goal"' in user_query
    assert not [sql for sql in without if 'FROM "goals_goal"' in sql]
    Goal.objects.create(user=alice, weekly_goal=2, finish_by=date(2099, 1, 1))
    with_goal = queries()
    assert len(with_goal) == len(without) + 1
    for resource in resources:
        done_at(alice, resource, utc(2026, 3, 3, 9))
    assert len(queries()) == len(with_goal)


# The feed.


def test_the_feed_lists_resources_newest_first_with_title_author_description_and_link(anon):
    section = make_section()
    with time_machine.travel(utc(2026, 3, 1), tick=False):
        make_resource(section, title="Old one", author="Ada", description="First.")
    with time_machine.travel(utc(2026, 3, 2), tick=False):
        new = make_resource(section, title="New one", author="Grace", description="Second.")
    make_resource(section, title="Hidden", is_published=False)
    response = anon.get(f"/roadmaps/{section.roadmap.slug}/feed.atom")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    xml = response.content.decode()
    assert xml.index("New one") < xml.index("Old one")
    assert "<name>Grace</name>" in xml and "Second." in xml
    assert f"/roadmaps/{section.roadmap.slug}/#resource-{new.pk}" in xml
    assert "Hidden" not in xml


def test_the_feed_of_an_unknown_or_unpublished_roadmap_is_404(anon):
    hidden = make_roadmap(is_published=False)
    assert anon.get("/roadmaps/nope/feed.atom").status_code == 404
    assert anon.get(f"/roadmaps/{hidden.slug}/feed.atom").status_code == 404
    assert anon.post(f"/roadmaps/{make_roadmap().slug}/feed.atom").status_code == 405


def test_the_roadmap_page_links_its_feed_in_the_head(anon, alice_client):
    section = make_section()
    make_resource(section)
    feed = f"/roadmaps/{section.roadmap.slug}/feed.atom"
    link = f'<link rel="alternate" type="application/atom+xml" href="{feed}"'
    for client in (anon, alice_client):
        html = client.get(f"/roadmaps/{section.roadmap.slug}/").content.decode()
        assert link in html.split("</head>")[0]


def test_events_are_the_record_of_done(alice):
    # The pace reads history's events, which every status change through learning records.
    resource = make_resource()
    done_at(alice, resource, utc(2026, 3, 2, 9))
    assert Event.objects.filter(user=alice, status=DONE).count() == 1


def test_checking_a_resource_off_updates_the_goal_out_of_band(alice, alice_client):
    section = make_section()
    resource = make_resource(section)
    Goal.objects.create(user=alice, weekly_goal=2)
    with time_machine.travel(utc(2026, 3, 4, 12), tick=False):
        response = alice_client.post(
            f"/resources/{resource.pk}/status/",
            {"status": "done"},
            HTTP_HX_REQUEST="true",
        )
    html = response.content.decode()
    assert response.status_code == 200
    assert '<section id="goal-pace" class="goal-pace"' in html
    assert 'hx-swap-oob="true">' in html.split('id="goal-pace"')[1]
    assert "1 of 2 resources this week" in html


def test_learners_without_a_goal_get_no_goal_fragment(alice, alice_client):
    resource = make_resource()
    response = alice_client.post(
        f"/resources/{resource.pk}/status/", {"status": "done"}, HTTP_HX_REQUEST="true"
    )
    assert "goal-pace" not in response.content.decode()
