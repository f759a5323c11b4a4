"""Link checks as tasks: the immediate backend in tests, the database backend and its worker in
production, and a daily check that schedules itself."""

import sys
import time
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from linkhealth.models import LinkCheck, LinkCheckRun
from linkhealth.tasks import check_links, daily_link_check, schedule_daily_check
from tests.conftest import make_resource
from tests.processes import manage, production_env, run

pytestmark = pytest.mark.django_db
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = DATABASE_TASKS


def daily_tasks_waiting():
    return DBTaskResult.objects.filter(
        task_path="linkhealth.tasks.daily_link_check", status=TaskResultStatus.READY
    )


def test_development_and_tests_run_tasks_at_once(link_server):
    resource = make_resource(url=link_server.url("/ok"))
    result = check_links.enqueue()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert LinkCheck.objects.get(url=resource.url).outcome == "ok"


# The worker closes connections between tasks, as it does in production: these tests commit.
@pytest.mark.django_db(transaction=True)
def test_the_database_backend_queues_a_check_for_the_worker(database_tasks, link_server):
    resource = make_resource(url=link_server.url("/ok"))
    result = check_links.enqueue()
    assert result.status == TaskResultStatus.READY
    assert not LinkCheck.objects.exists()  # nothing ran in the request
    call_command("run_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=StringIO())
    assert LinkCheck.objects.get(url=resource.url).outcome == "ok"
    assert DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.SUCCESSFUL


def test_the_worker_queues_the_first_daily_check_for_now(database_tasks):
    assert schedule_daily_check() is not None
    [task] = daily_tasks_waiting()
    assert abs(task.run_after - timezone.now()) < timedelta(minutes=1)


def test_a_daily_check_already_waiting_is_not_queued_twice(database_tasks):
    schedule_daily_check()
    assert schedule_daily_check() is None
    assert daily_tasks_waiting().count() == 1


def test_the_next_daily_check_comes_24_hours_after_the_last_full_run(database_tasks):
    started = timezone.now() - timedelta(hours=3)
    LinkCheckRun.objects.create(trigger="schedule", started_at=started, finished_at=started)
    # Checking only some links, or one roadmap, is not the daily check.
    LinkCheckRun.objects.create(trigger="admin", partial=True)
    LinkCheckRun.objects.create(trigger="command", roadmap_slug="other")
    schedule_daily_check()
    assert daily_tasks_waiting().get().run_after == started + timedelta(hours=24)


@pytest.mark.django_db(transaction=True)
def test_the_daily_check_runs_and_queues_the_next_one(database_tasks, link_server):
    resource = make_resource(url=link_server.url("/gone"))
    schedule_daily_check()
    out = StringIO()
    call_command("run_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=out)
    assert LinkCheck.objects.get(url=resource.url).http_status == 410
    run = LinkCheckRun.objects.get()
    assert (run.trigger, run.checked, run.failing) == ("schedule", 1, 1)
    next_one = daily_tasks_waiting().get()
    assert next_one.run_after == run.started_at + timedelta(hours=24)


def left_running(result, *, worker_ids: list[str], started_at) -> None:
    DBTaskResult.objects.filter(pk=result.id).update(
        status=TaskResultStatus.RUNNING, worker_ids=worker_ids, started_at=started_at
    )


def test_a_worker_starting_while_a_daily_check_runs_leaves_the_next_one_to_it(database_tasks):
    # Running elsewhere, or left by a worker that died and about to be run again: either way
    # that run queues its successor when it ends, timed from a run that did the work.
    result = daily_link_check.enqueue()
    left_running(result, worker_ids=["killed"], started_at=timezone.now())
    LinkCheckRun.objects.create(trigger="schedule", task_id=str(result.id))  # cut short
    assert schedule_daily_check() is None
    assert not daily_tasks_waiting().exists()


def test_a_daily_check_given_up_for_good_has_its_successor_queued(database_tasks):
    from worker.management.commands.run_worker import Command

    result = daily_link_check.enqueue()
    left_running(result, worker_ids=["one", "two"], started_at=timezone.now() - timedelta(hours=1))
    Command(stdout=StringIO()).recover()  # what the worker does at every heartbeat
    assert DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.FAILED
    waiting = daily_tasks_waiting().get()
    assert abs(waiting.run_after - timezone.now()) < timedelta(minutes=1)


def test_a_daily_check_right_after_a_full_run_checks_nothing(link_server):
    make_resource(url=link_server.url("/ok"))
    call_command("check_links", stdout=StringIO())
    result = daily_link_check.enqueue()
    assert "skipped" in result.return_value
    assert LinkCheckRun.objects.count() == 1
    assert link_server.requests == [("HEAD", "/ok")]


def test_the_checks_deadline_comes_from_the_settings(link_server, settings):
    settings.LINKCHECK_TOTAL_TIMEOUT = 1
    link_server.trickle_every = 0.1
    resource = make_resource(url=link_server.url("/trickle"))
    started = time.monotonic()
    check_links.enqueue()
    assert time.monotonic() - started < 3
    check = LinkCheck.objects.get(url=resource.url)
    assert (check.outcome, check.error) == ("unreachable", "timed out")


def test_the_immediate_backend_queues_nothing_for_later():
    assert schedule_daily_check() is None
    assert not DBTaskResult.objects.exists()


@pytest.mark.processes
@pytest.mark.parametrize(
    ("env", "backend"),
    [
        ({}, "django_tasks_db.DatabaseBackend"),
        ({"TASKS_BACKEND": "immediate"}, "django.tasks.backends.immediate.ImmediateBackend"),
        ({"DEBUG": "1"}, "django.tasks.backends.immediate.ImmediateBackend"),
    ],
)
def test_production_queues_tasks_for_the_worker_and_development_runs_them_at_once(env, backend):
    code = "import django.conf as c; print(c.settings.TASKS['default']['BACKEND'])"
    proc = run([sys.executable, "-c", code], production_env(**env))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == backend


@pytest.mark.processes
def test_an_unknown_tasks_backend_is_refused_by_name():
    proc = manage("check", env=production_env(TASKS_BACKEND="celery"))
    assert proc.returncode != 0 and "TASKS_BACKEND must be one of" in proc.stderr


@pytest.mark.django_db(transaction=True)
def test_the_daily_check_forgets_old_runs_and_old_finished_tasks(database_tasks):
    long_ago = timezone.now() - timedelta(days=91)
    LinkCheckRun.objects.create(trigger="admin", started_at=long_ago, finished_at=long_ago)
    recent = LinkCheckRun.objects.create(trigger="admin", partial=True)
    old_task = check_links.enqueue()
    DBTaskResult.objects.filter(pk=old_task.id).update(
        status=TaskResultStatus.SUCCESSFUL, finished_at=timezone.now() - timedelta(days=31)
    )
    daily_link_check.enqueue()
    call_command("run_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=StringIO())
    assert set(LinkCheckRun.objects.values_list("trigger", flat=True)) == {"admin", "schedule"}
    assert LinkCheckRun.objects.filter(pk=recent.pk).exists()
    assert not DBTaskResult.objects.filter(pk=old_task.id).exists()


@pytest.mark.processes
def test_production_refuses_to_fetch_private_addresses_even_when_asked():
    proc = manage("check", env=production_env(LINKCHECK_ALLOW_PRIVATE="1"))
    assert proc.returncode != 0 and "LINKCHECK_ALLOW_PRIVATE=1 is for the test suite" in proc.stderr
