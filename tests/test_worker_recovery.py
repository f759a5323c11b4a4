"""A worker that dies mid-task: its heartbeat stops, another worker runs the task once more, then
fails it for good. The clock is whatever ``now`` the test passes."""

import time
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from linkhealth.tasks import check_links
from worker.heartbeat import Heartbeat, beat, last_heartbeat, stale_after
from worker.models import WorkerHeartbeat
from worker.recovery import recover_abandoned_tasks

pytestmark = pytest.mark.django_db
NOW = datetime(2027, 1, 31, 23, 58, tzinfo=UTC)
LONG_AGO = NOW - timedelta(hours=1)


@pytest.fixture(autouse=True)
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def running_task(*worker_ids: str, started_at: datetime = LONG_AGO) -> DBTaskResult:
    result = check_links.enqueue()
    task = DBTaskResult.objects.get(pk=result.id)
    task.status = TaskResultStatus.RUNNING
    task.worker_ids = list(worker_ids)
    task.started_at = started_at
    task.save()
    return task


def test_without_any_worker_there_is_no_heartbeat():
    assert last_heartbeat() is None


def test_a_worker_writes_one_heartbeat_row_and_moves_it_on():
    beat("w1", now=NOW - timedelta(seconds=20))
    beat("w1", now=NOW)
    beat("w2", now=NOW - timedelta(minutes=5))
    assert WorkerHeartbeat.objects.count() == 2
    row = WorkerHeartbeat.objects.get(worker_id="w1")
    assert (row.started_at, row.beat_at) == (NOW - timedelta(seconds=20), NOW)
    assert row.pid and row.hostname
    assert last_heartbeat() == NOW


def test_a_task_whose_worker_stopped_beating_is_queued_again_once():
    beat("dead", now=NOW - stale_after() - timedelta(seconds=1))
    task = running_task("dead")
    assert recover_abandoned_tasks(now=NOW) == [task]
    task.refresh_from_db()
    assert task.status == TaskResultStatus.READY
    # The same row: its worker ids count the attempts, as Django's TaskResult.attempts does.
    assert task.worker_ids == ["dead"]


def test_a_task_that_lost_its_worker_on_the_second_attempt_fails_for_good():
    beat("first", now=LONG_AGO)
    beat("second", now=NOW - stale_after() - timedelta(seconds=1))
    task = running_task("first", "second")
    recover_abandoned_tasks(now=NOW)
    task.refresh_from_db()
    assert task.status == TaskResultStatus.FAILED and task.finished_at is not None
    assert task.exception_class_path == "worker.recovery.WorkerStopped"
    assert "The worker (second) stopped before the task ended, on attempt 2 of 2" in task.traceback
    assert task.task_result.errors[0].exception_class_path == "worker.recovery.WorkerStopped"


def test_a_task_whose_worker_is_alive_is_left_running():
    beat("busy", now=NOW - stale_after() + timedelta(seconds=1))
    task = running_task("busy")
    assert recover_abandoned_tasks(now=NOW) == []
    task.refresh_from_db()
    assert task.status == TaskResultStatus.RUNNING


def test_a_worker_that_never_wrote_a_heartbeat_counts_as_gone_once_its_task_is_old():
    old = running_task("no-heartbeat", started_at=LONG_AGO)
    just_claimed = running_task("no-heartbeat-yet", started_at=NOW - timedelta(seconds=1))
    assert recover_abandoned_tasks(now=NOW) == [old]
    just_claimed.refresh_from_db()
    assert just_claimed.status == TaskResultStatus.RUNNING


def test_finished_and_waiting_tasks_are_not_touched():
    waiting = DBTaskResult.objects.get(pk=check_links.enqueue().id)
    done = running_task("gone")
    DBTaskResult.objects.filter(pk=done.pk).update(status=TaskResultStatus.SUCCESSFUL)
    assert recover_abandoned_tasks(now=NOW) == []
    assert DBTaskResult.objects.get(pk=waiting.pk).status == TaskResultStatus.READY


@pytest.mark.django_db(transaction=True)
def test_a_starting_worker_beats_then_runs_again_the_task_a_dead_worker_left(link_server):
    # Claimed an hour ago by a worker that has written nothing since.
    task = running_task("killed", started_at=timezone.now() - timedelta(hours=1))
    out = StringIO()
    call_command("run_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=out)
    task.refresh_from_db()
    assert task.status == TaskResultStatus.SUCCESSFUL
    assert len(task.worker_ids) == 2 and task.worker_ids[0] == "killed"
    assert WorkerHeartbeat.objects.filter(worker_id=task.worker_ids[1]).exists()


@pytest.mark.processes
def test_the_heartbeat_interval_must_be_at_least_a_second():
    from tests.processes import manage, production_env

    proc = manage("check", env=production_env(WORKER_HEARTBEAT_SECONDS="0"))
    assert proc.returncode != 0 and "WORKER_HEARTBEAT_SECONDS must be 1 or more" in proc.stderr


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_thread_beats_and_sweeps_until_stopped(settings):
    settings.WORKER_HEARTBEAT_SECONDS = 1
    sweeps: list[int] = []
    heartbeat = Heartbeat("busy-worker", also=lambda: sweeps.append(1))
    heartbeat.start()
    try:
        deadline = time.monotonic() + 10
        while len(sweeps) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        heartbeat.stop()
    assert len(sweeps) >= 2 and not heartbeat.is_alive()
    first_beat = WorkerHeartbeat.objects.get(worker_id="busy-worker")
    assert first_beat.beat_at > first_beat.started_at  # moved on by the second beat
