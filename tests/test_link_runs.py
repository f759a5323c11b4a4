"""Runs of the link checker tell the truth: a run whose worker or command was killed does not
show "running" for ever; it is marked failed, and its task's second attempt is a run of its own."""

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from linkhealth.checker import Checker
from linkhealth.models import LinkCheckRun
from linkhealth.tasks import check_links, daily_link_check
from tests.conftest import make_resource
from worker.heartbeat import stale_after

pytestmark = pytest.mark.django_db
NOW = datetime(2028, 2, 29, 0, 2, tzinfo=UTC)


def unfinished_run(last_sign: datetime, trigger: str = "admin", **fields) -> LinkCheckRun:
    return LinkCheckRun.objects.create(
        trigger=trigger,
        started_at=last_sign - timedelta(minutes=1),
        heartbeat_at=last_sign,
        **fields,
    )


def test_a_run_that_went_quiet_is_marked_failed_as_of_its_last_sign_of_life():
    quiet_since = NOW - stale_after() - timedelta(seconds=1)
    quiet = unfinished_run(quiet_since)
    going = unfinished_run(NOW - timedelta(seconds=5))
    assert LinkCheckRun.objects.fail_abandoned(now=NOW) == 1
    quiet.refresh_from_db()
    assert quiet.finished_at == quiet_since
    assert quiet.state() == "Failed: stopped mid-run (its worker or command was stopped)"
    going.refresh_from_db()
    assert going.finished_at is None and going.state(now=NOW) == "Running"


def test_a_run_left_by_an_older_version_without_a_heartbeat_is_marked_failed_too():
    old = LinkCheckRun.objects.create(trigger="schedule", started_at=NOW - timedelta(days=2))
    LinkCheckRun.objects.fail_abandoned(now=NOW)
    old.refresh_from_db()
    assert (old.finished_at, old.failure) == (old.started_at, LinkCheckRun.STOPPED)


def test_when_a_task_starts_again_its_earlier_run_is_failed_at_once():
    cut_short = unfinished_run(NOW - timedelta(seconds=2), task_id="t-1")
    other = unfinished_run(NOW - timedelta(seconds=2), task_id="t-2")
    LinkCheckRun.objects.fail_abandoned(task_id="t-1", now=NOW)
    cut_short.refresh_from_db()
    assert cut_short.state() == "Failed: its worker stopped mid-run; the task was run again"
    other.refresh_from_db()
    assert other.failure == "" and other.finished_at is None


def test_a_quiet_run_nobody_has_marked_yet_already_shows_as_stopped():
    run = unfinished_run(datetime(2028, 2, 28, 23, 30, tzinfo=UTC))
    with timezone.override("UTC"):
        state = run.state(now=NOW)
    assert state == "Stopped: no sign of life since 2028-02-28 23:30:00"


def test_a_finished_run_is_finished():
    run = LinkCheckRun.objects.create(trigger="admin", finished_at=NOW, heartbeat_at=NOW)
    assert run.state(now=NOW + timedelta(days=1)) == "Finished"


def test_a_run_in_progress_writes_a_sign_of_life_while_slow_links_are_fetched(link_server):
    signs: list[float] = []
    local = Checker(read_timeout=2, allow_private=True)
    local.check_all([link_server.url("/slow")], keep_alive=lambda: signs.append(1), every=0.05)
    assert len(signs) >= 2


def test_a_task_names_itself_and_its_attempt_on_its_run(link_server):
    make_resource(url=link_server.url("/ok"))
    result = check_links.enqueue()
    run = LinkCheckRun.objects.get()
    assert (run.task_id, run.attempt) == (str(result.id), 1)
    assert run.heartbeat_at == run.finished_at and run.state() == "Finished"


@pytest.mark.django_db(transaction=True)
def test_a_daily_check_cut_short_by_its_worker_is_run_again_not_taken_for_done(
    link_server, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    make_resource(url=link_server.url("/ok"))
    # As recovery leaves it: queued again, after a first attempt whose worker died a minute in.
    queued = daily_link_check.enqueue()
    DBTaskResult.objects.filter(pk=queued.id).update(worker_ids=["dead"])
    minute_ago = timezone.now() - timedelta(minutes=1)
    first = unfinished_run(minute_ago, trigger="schedule", task_id=str(queued.id))
    call_command("run_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=StringIO())
    first.refresh_from_db()
    assert first.failure == LinkCheckRun.STOPPED_AND_RUN_AGAIN
    second = LinkCheckRun.objects.exclude(pk=first.pk).get(task_id=str(queued.id))
    assert (second.attempt, second.checked, second.state()) == (2, 1, "Finished")
    assert link_server.requests == [("HEAD", "/ok")]


def test_a_failed_full_run_is_not_the_last_check_of_every_link(carol_client):
    LinkCheckRun.objects.create(
        trigger="schedule", finished_at=timezone.now(), failure=LinkCheckRun.STOPPED
    )
    html = carol_client.get("/admin/").content.decode()
    assert "Links have never all been checked." in html


def test_the_admin_shows_each_runs_state_and_attempt(carol_client):
    unfinished_run(timezone.now() - timedelta(hours=1), task_id="t", failure="")
    LinkCheckRun.objects.fail_abandoned(task_id="t")
    LinkCheckRun.objects.create(
        trigger="admin", task_id="t", attempt=2, heartbeat_at=timezone.now()
    )
    html = carol_client.get("/admin/linkhealth/linkcheckrun/").content.decode()
    assert "Failed: its worker stopped mid-run; the task was run again" in html
    assert '<td class="field-state">Running</td><td class="field-attempt">2</td>' in html
