"""Weekly summaries and inactivity reminders: what is due when (time zones, daylight saving,
the year's end, a leap day), sending once however often and wherever it runs, retries, the
emails' parts and headers, and one-click unsubscribing without a session."""

import re
import threading
from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.mail.backends import locmem
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from goals.models import Delivery, Goal
from goals.reminders import due_at, summary_period
from goals.sending import send_due
from goals.tasks import next_quarter_hour, schedule_reminders, send_reminders
from roadmap import learning
from roadmap.models import Roadmap
from roadmap.outline import curriculum_of
from tests.conftest import make_resource, make_section, make_user

pytestmark = pytest.mark.django_db
SUMMARY = Delivery.Kind.WEEKLY_SUMMARY
INACTIVITY = Delivery.Kind.INACTIVITY


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def verify(user) -> None:
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)


def learner(email: str, *, zone: str = "UTC", joined: datetime | None = None, **goal):
    with time_machine.travel(joined or utc(2026, 1, 1), tick=False):
        user = make_user(email, time_zone=zone)
    verify(user)
    goal.setdefault("weekly_summary", True)
    Goal.objects.create(user=user, **goal)
    return user


def due_kinds(now: datetime) -> list[tuple[str, str, str]]:
    return [(d.user.email, d.kind, d.period) for batch in due_at(now) for d in batch]


@pytest.fixture
def site(settings):
    settings.SITE_NAME = "Deep Roadmap"
    settings.SITE_URL = "https://roadmap.example.org"


# When a weekly summary is due.


def test_a_summary_is_due_from_08_00_on_the_chosen_day_until_sent(alice):
    verify(alice)
    Goal.objects.create(user=alice, weekly_summary=True, summary_day=Goal.Weekday.MONDAY)
    # Monday 2 March 2026.
    assert due_kinds(utc(2026, 3, 2, 7, 59)) == [(alice.email, SUMMARY, "2026-02-23")]
    assert due_kinds(utc(2026, 3, 2, 8)) == [(alice.email, SUMMARY, "2026-03-02")]
    send_due(utc(2026, 3, 2, 8))
    assert due_kinds(utc(2026, 3, 4, 20)) == []
    assert due_kinds(utc(2026, 3, 9, 8)) == [(alice.email, SUMMARY, "2026-03-09")]


@pytest.mark.parametrize(
    ("zone", "utc_moment", "period"),
    [
        # UTC+14: Monday 08:00 there is Sunday 18:00 UTC.
        ("Pacific/Kiritimati", utc(2026, 3, 1, 17, 59), "2026-02-23"),
        ("Pacific/Kiritimati", utc(2026, 3, 1, 18), "2026-03-02"),
        # UTC-12: Monday 08:00 there is Monday 20:00 UTC.
        ("Etc/GMT+12", utc(2026, 3, 2, 19, 59), "2026-02-23"),
        ("Etc/GMT+12", utc(2026, 3, 2, 20), "2026-03-02"),
        # Paris, the Monday after clocks went forward (UTC+2 from 29 March): 06:00 UTC.
        ("Europe/Paris", utc(2026, 3, 30, 5, 59), "2026-03-23"),
        ("Europe/Paris", utc(2026, 3, 30, 6), "2026-03-30"),
        # New York, the Monday after clocks went back (UTC-5 from 1 November): 13:00 UTC.
        ("America/New_York", utc(2026, 11, 2, 12, 59), "2026-10-26"),
        ("America/New_York", utc(2026, 11, 2, 13), "2026-11-02"),
    ],
)
def test_summaries_come_at_08_00_local_time(zone, utc_moment, period):
    user = learner("tz@example.com", zone=zone)
    assert due_kinds(utc_moment) == [(user.email, SUMMARY, period)]


def test_the_week_summarised_across_a_daylight_saving_change_is_seven_local_days(site):
    user = learner("paris@example.com", zone="Europe/Paris")
    section = make_section()
    inside = make_resource(section, title="Sunday night in Paris")
    outside = make_resource(section, title="Monday just after midnight")
    # Sunday 29 March 23:30 in Paris is 21:30 UTC (summer time began that morning).
    with time_machine.travel(utc(2026, 3, 29, 21, 30), tick=False):
        learning.set_status(user, inside, "done")
    with time_machine.travel(utc(2026, 3, 29, 22, 30), tick=False):  # Monday 00:30 there
        learning.set_status(user, outside, "done")
    send_due(utc(2026, 3, 30, 6))
    [message] = mail.outbox
    assert "Sunday night in Paris" in message.body
    assert "Monday just after midnight" not in message.body
    assert "March 23, 2026 to March 29, 2026" in message.body


@pytest.mark.parametrize(
    ("summary_day", "now", "period"),
    [
        (Goal.Weekday.FRIDAY, utc(2027, 1, 1, 8), "2027-01-01"),  # a new year's first day
        (Goal.Weekday.THURSDAY, utc(2026, 12, 31, 7), "2026-12-24"),  # the year's last day
        (Goal.Weekday.THURSDAY, utc(2024, 2, 29, 8), "2024-02-29"),  # a leap day
        (Goal.Weekday.THURSDAY, utc(2024, 3, 6, 8), "2024-02-29"),  # the week after it
    ],
)
def test_periods_across_the_year_end_and_a_leap_day(summary_day, now, period):
    learner("edge@example.com", summary_day=summary_day)
    assert due_kinds(now) == [("edge@example.com", SUMMARY, period)]
    assert summary_period(Goal.objects.get(), now) == date.fromisoformat(period)


# Who gets nothing.


def test_unverified_addresses_inactive_accounts_and_learners_who_did_not_ask_get_nothing(
    alice, bob
):
    Goal.objects.create(user=alice, weekly_summary=True, inactivity_reminder_days=1)  # unverified
    EmailAddress.objects.create(user=bob, email="old@example.com", verified=True)
    Goal.objects.create(user=bob, weekly_summary=True)  # verified an address, not his login
    learner("gone@example.com").__class__.objects.filter(email="gone@example.com").update(
        is_active=False
    )
    learner("quiet@example.com", weekly_summary=False, weekly_goal=3)
    report = send_due(utc(2026, 3, 2, 9))
    assert (report.claimed, report.sent) == (0, 0)
    assert mail.outbox == []


def test_a_learner_who_unverifies_or_unsubscribes_after_the_claim_gets_nothing(alice):
    user = learner("late@example.com")
    Delivery.objects.create(
        user=user, kind=SUMMARY, period="2026-03-02", next_attempt_at=utc(2026, 1, 1)
    )
    Goal.objects.filter(user=user).update(weekly_summary=False)
    report = send_due(utc(2026, 3, 2, 9))
    assert (report.sent, report.skipped, mail.outbox) == (0, 1, [])
    assert Delivery.objects.get().status == Delivery.Status.SKIPPED


# Inactivity reminders.


def test_an_inactivity_reminder_comes_once_per_inactive_stretch(site):
    user = learner("idle@example.com", weekly_summary=False, inactivity_reminder_days=7)
    resource = make_resource()
    with time_machine.travel(utc(2026, 3, 2, 10), tick=False):
        learning.set_status(user, resource, "in_progress")
    assert due_kinds(utc(2026, 3, 9, 9, 59)) == []
    assert due_kinds(utc(2026, 3, 9, 10)) == [
        ("idle@example.com", INACTIVITY, "2026-03-02T10:00:00Z")
    ]
    send_due(utc(2026, 3, 9, 10))
    send_due(utc(2026, 3, 20, 10))  # still inactive: no second reminder
    assert len(mail.outbox) == 1
    assert "It has been 7 days since you last worked on the roadmap." in mail.outbox[0].body
    with time_machine.travel(utc(2026, 3, 21, 10), tick=False):  # back, then gone again
        learning.set_status(user, resource, "done")
    send_due(utc(2026, 3, 28, 10))
    assert len(mail.outbox) == 2


def test_a_learner_who_never_did_anything_is_reminded_from_signing_up():
    learner(
        "new@example.com",
        joined=utc(2026, 3, 1, 12),
        weekly_summary=False,
        inactivity_reminder_days=3,
    )
    assert due_kinds(utc(2026, 3, 4, 11)) == []
    assert due_kinds(utc(2026, 3, 4, 12)) == [
        ("new@example.com", INACTIVITY, "2026-03-01T12:00:00Z")
    ]


def test_reminders_wait_for_the_learners_daytime():
    learner(
        "night@example.com",
        zone="Pacific/Kiritimati",
        joined=utc(2026, 3, 1, 12),
        weekly_summary=False,
        inactivity_reminder_days=1,
    )
    # 13:00 UTC is 03:00 in Kiritimati: night there; 18:00 UTC is 08:00.
    assert due_kinds(utc(2026, 3, 2, 13)) == []
    assert [kind for _, kind, _ in due_kinds(utc(2026, 3, 2, 18))] == [INACTIVITY]


# The emails.


def test_the_weekly_summary_has_both_parts_the_goal_whats_next_and_whats_new(site):
    user = learner("sum@example.com", weekly_goal=2)
    section = make_section()
    first = make_resource(section, title="Attention is all you need")
    make_resource(section, title="The next one")
    with time_machine.travel(utc(2026, 2, 25, 9), tick=False):
        learning.set_status(user, first, "done")
        make_resource(section, title="Added this week")
    send_due(utc(2026, 3, 2, 8, 5))
    [message] = mail.outbox
    assert message.to == ["sum@example.com"]
    assert message.subject == "Your week on Deep Roadmap"
    assert "You finished 1 resource" in message.body
    assert "Attention is all you need" in message.body
    assert "Your goal: 2 resources a week. Not met this time." in message.body
    assert "What is next: The next one" in message.body
    assert "1 resource was added to the roadmap this week" in message.body
    assert "Added this week" in message.body
    assert "Deep Roadmap · https://roadmap.example.org/" in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert "<li>Attention is all you need</li>" in html
    assert 'href="https://roadmap.example.org/roadmaps/' in html


def test_titles_are_escaped_in_the_html_part(site):
    user = learner("xss@example.com")
    resource = make_resource(title="<script>alert(1)</script>")
    with time_machine.travel(utc(2026, 2, 25, 9), tick=False):
        learning.set_status(user, resource, "done")
    send_due(utc(2026, 3, 2, 8, 5))
    [(html, _)] = mail.outbox[0].alternatives
    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html


def test_every_email_carries_one_click_unsubscribe_headers(site):
    learner("hdr@example.com", inactivity_reminder_days=1, joined=utc(2026, 2, 1))
    send_due(utc(2026, 3, 2, 9))
    assert {m.subject for m in mail.outbox} == {
        "Your week on Deep Roadmap",
        "Pick up where you left off on Deep Roadmap",
    }
    for message in mail.outbox:
        header = message.extra_headers["List-Unsubscribe"]
        assert re.fullmatch(r"<https://roadmap\.example\.org/email/unsubscribe/\w+/[^/]+/>", header)
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert header[1:-1] in message.body


def test_emails_speak_the_learners_language_and_others_the_sites(site):
    french = learner("fr@example.com")
    french.language = "fr"
    french.save()
    learner("default@example.com")  # no language chosen: the site's
    before = translation.get_language()
    send_due(utc(2026, 3, 2, 9))
    languages = {m.to[0]: m.alternatives[0][0] for m in mail.outbox}
    assert '<html lang="fr">' in languages["fr@example.com"]
    assert '<html lang="en">' in languages["default@example.com"]
    assert translation.get_language() == before


# Sending once.


def test_running_twice_sends_once():
    learner("once@example.com")
    first = send_due(utc(2026, 3, 2, 9))
    second = send_due(utc(2026, 3, 2, 9, 15))
    assert (first.sent, second.sent, len(mail.outbox)) == (1, 0, 1)
    assert Delivery.objects.get().status == Delivery.Status.SENT


def test_a_dry_run_sends_and_records_nothing():
    learner("dry@example.com")
    out = StringIO()
    call_command("send_reminders", "--dry-run", "--now", "2026-03-02T09:00:00+00:00", stdout=out)
    assert "would send weekly_summary (2026-03-02) to dry@example.com" in out.getvalue()
    assert "1 due at 2026-03-02T09:00:00+00:00; nothing sent." in out.getvalue()
    assert (mail.outbox, Delivery.objects.count()) == ([], 0)


def test_the_command_sends_what_is_due_at_the_given_moment():
    learner("cmd@example.com")
    out = StringIO()
    call_command("send_reminders", "--now", "2026-03-02T09:00", stdout=out)
    assert out.getvalue().startswith("1 sent, 0 not sent")
    assert len(mail.outbox) == 1
    with pytest.raises(CommandError, match="not an ISO 8601"):
        call_command("send_reminders", "--now", "next monday")


def test_a_failure_is_retried_with_backoff_and_never_blocks_the_others(monkeypatch):
    learner("a@example.com")
    learner("broken@example.com")
    learner("c@example.com")
    real_send = locmem.EmailBackend.send_messages

    def send_messages(self, messages):
        if messages[0].to == ["broken@example.com"]:
            raise ConnectionRefusedError("SMTP down for this one")
        return real_send(self, messages)

    monkeypatch.setattr(locmem.EmailBackend, "send_messages", send_messages)
    now = utc(2026, 3, 2, 9)
    report = send_due(now)
    assert (report.sent, report.retrying) == (2, 1)
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.com", "c@example.com"]
    broken = Delivery.objects.get(user__email="broken@example.com")
    assert (broken.status, broken.attempts) == (Delivery.Status.PENDING, 1)
    assert broken.next_attempt_at == now + timedelta(minutes=5)
    assert "SMTP down" in broken.last_error
    assert send_due(now + timedelta(minutes=4)).retrying == 0  # not yet
    assert send_due(now + timedelta(minutes=5)).retrying == 1
    broken.refresh_from_db()
    assert broken.next_attempt_at == now + timedelta(minutes=15)  # twice the wait
    later = now + timedelta(hours=1)
    for _ in range(3):
        send_due(later)
        later += timedelta(hours=2)
    broken.refresh_from_db()
    assert (broken.status, broken.attempts) == (Delivery.Status.FAILED, 5)
    monkeypatch.setattr(locmem.EmailBackend, "send_messages", real_send)
    assert send_due(later).sent == 0  # given up: never sent twice later either


def test_each_batch_costs_the_same_queries_whatever_the_learners_and_the_process_read(site):
    section = make_section()
    resources = [make_resource(section) for _ in range(3)]
    numbers = iter(range(100))
    now = utc(2026, 3, 2, 9)

    def add(learners: int) -> None:
        for _ in range(learners):
            n = next(numbers)
            user = learner(f"batch{n}@example.com", weekly_goal=2)
            with time_machine.travel(utc(2026, 2, 25, 9, n), tick=False):
                learning.set_status(user, resources[n % 3], "done")

    def queries() -> int:
        """The queries of a run that sends every learner their summary, three at a time."""
        Delivery.objects.all().delete()
        mail.outbox.clear()
        with CaptureQueriesContext(connection) as captured:
            report = send_due(now, batch=3)
        assert report.sent == len(mail.outbox) == Goal.objects.count()
        assert all("What is next: " in message.body for message in mail.outbox)
        return len(captured)

    add(1)
    one = queries()
    add(2)
    three = queries()  # still one batch
    add(1)
    four = queries()  # two
    # Anything in the process may ask for the roadmap read before its last edit (the bench's
    # learners did): the process's curriculum cache then holds the older version.
    stale = Roadmap.objects.get(pk=section.roadmap_id)
    make_resource(section)
    curriculum_of(stale)
    add(11)
    fifteen = queries()  # five
    assert one == three  # no query per learner
    per_batch = four - three
    assert fifteen == four + 3 * per_batch
    # At most: claiming (the learners, the emails already recorded, the insert) and sending
    # (the rows, the done events, the resources added, what each finished, the update, and
    # the transaction's BEGIN and COMMIT).
    assert per_batch <= 10


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_email_once():
    if connection.vendor != "postgresql":
        pytest.skip("Needs PostgreSQL's concurrent writers (CI runs it with DATABASE_URL set).")
    for n in range(30):
        learner(f"race{n}@example.com")
    barrier = threading.Barrier(2)
    errors = []

    def worker():
        try:
            barrier.wait()
            send_due(utc(2026, 3, 2, 9))
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(m.to[0] for m in mail.outbox) == sorted(f"race{n}@example.com" for n in range(30))
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 30


# The worker's schedule.


def test_the_task_sends_and_the_schedule_runs_at_quarter_hours():
    learner("task@example.com")
    with time_machine.travel(utc(2026, 3, 2, 9, 7), tick=False):
        result = send_reminders.enqueue()
    assert result.return_value["sent"] == 1
    assert next_quarter_hour(utc(2026, 3, 2, 9, 7, 30)) == utc(2026, 3, 2, 9, 15)
    assert next_quarter_hour(utc(2026, 3, 2, 9, 45)) == utc(2026, 3, 2, 10)
    assert schedule_reminders() is None  # the immediate backend cannot run it later


def test_a_database_queue_gets_one_waiting_run(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    from django_tasks_db.models import DBTaskResult

    assert schedule_reminders() is not None
    assert schedule_reminders() is None  # one is waiting already
    assert DBTaskResult.objects.filter(task_path="goals.tasks.send_reminders").count() == 1


# Unsubscribing.


def unsubscribe_link(message) -> str:
    return message.extra_headers["List-Unsubscribe"][1:-1].removeprefix(
        "https://roadmap.example.org"
    )


def test_one_click_unsubscribe_works_without_a_session_and_only_once(site):
    user = learner("click@example.com")
    send_due(utc(2026, 3, 2, 9))
    link = unsubscribe_link(mail.outbox[0])
    mail_client = Client(enforce_csrf_checks=True)  # a mail provider: no cookie, no token
    response = mail_client.post(link, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert not Goal.objects.get(user=user).weekly_summary
    again = mail_client.post(link, {"List-Unsubscribe": "One-Click"})
    assert again.status_code == 410
    assert "no longer valid" in again.content.decode()
    send_due(utc(2026, 3, 9, 9))
    assert len(mail.outbox) == 1


def test_the_unsubscribe_page_confirms_on_get_and_changes_nothing_until_posted(site):
    user = learner("page@example.com")
    send_due(utc(2026, 3, 2, 9))
    link = unsubscribe_link(mail.outbox[0])
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(link)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Stop sending the weekly summary to page@example.com?" in html
    assert f'<form method="post" action="{link}">' in html
    assert page["Referrer-Policy"] == "no-referrer"
    assert Goal.objects.get(user=user).weekly_summary
    done = browser.post(link)
    assert "gets no more emails of this kind" in done.content.decode()


def test_a_summary_link_does_not_unsubscribe_from_reminders(site):
    user = learner("kinds@example.com", inactivity_reminder_days=1, joined=utc(2026, 2, 1))
    send_due(utc(2026, 3, 2, 9))
    summary = next(m for m in mail.outbox if m.subject.startswith("Your week"))
    link = unsubscribe_link(summary)
    swapped = link.replace("/weekly_summary/", "/inactivity/")
    assert Client().post(swapped).status_code == 400
    assert Goal.objects.get(user=user).inactivity_reminder_days == 1
    assert Client().post(link).status_code == 200
    goal = Goal.objects.get(user=user)
    assert (goal.weekly_summary, goal.inactivity_reminder_days) == (False, 1)


def test_unknown_kinds_and_garbage_tokens_are_4xx(site):
    learner("junk@example.com")
    for url in (
        "/email/unsubscribe/newsletter/abc/",
        "/email/unsubscribe/weekly_summary/abc/",
        "/email/unsubscribe/weekly_summary/%ED%A0%80/",
    ):
        for method in ("get", "post"):
            assert getattr(Client(), method)(url).status_code in (400, 404), (url, method)
    assert Client().put("/email/unsubscribe/weekly_summary/abc/").status_code == 405
