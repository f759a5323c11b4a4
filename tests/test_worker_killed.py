"""A worker killed mid-run (SIGKILL on its process group, as an out-of-memory kill or a lost
machine would) on PostgreSQL: a second worker notices its heartbeat stopped, fails the run it
left, runs the task once more, and the admin says so.

Real ``manage.py run_worker`` processes, a link that answers only when the test lets it, and a
heartbeat every second (a worker counts as gone after six missed), so it all takes seconds.
"""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from linkhealth.models import LinkCheckRun
from tests.conftest import client_for, make_resource, make_user
from tests.link_server import LinkServer
from tests.processes import ROOT, production_env
from worker.heartbeat import BEATS_MISSED
from worker.models import WorkerHeartbeat

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.processes]
HEARTBEAT_SECONDS = 1
# A worker starts in a second or two; far longer on a machine busy with other test runs.
STARTUP_SECONDS = 60


@pytest.fixture
def postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("Needs PostgreSQL, as production runs it (CI runs it with DATABASE_URL set).")


@pytest.fixture
def gate_server() -> Iterator[LinkServer]:
    server = LinkServer().start()
    yield server
    server.stop()


@pytest.fixture
def start_worker(tmp_path: Path, settings) -> Iterator[Callable[[str], subprocess.Popen]]:
    """Starts ``manage.py run_worker`` in a process group of its own, on the test database."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.WORKER_HEARTBEAT_SECONDS = HEARTBEAT_SECONDS  # as the admin reads it here
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    env = production_env(
        DEBUG="1",  # the only mode in which the checker may fetch the loopback
        TASKS_BACKEND="database",
        DATABASE_URL=f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        LINKCHECK_ALLOW_PRIVATE="1",
        LINKCHECK_READ_TIMEOUT="60",
        LINKCHECK_TOTAL_TIMEOUT="60",
        WORKER_HEARTBEAT_SECONDS=str(HEARTBEAT_SECONDS),
    )
    started: list[subprocess.Popen] = []

    def start(name: str) -> subprocess.Popen:
        log = (tmp_path / f"{name}.log").open("w")
        command = [sys.executable, "manage.py", "run_worker", "--no-reload"]
        command += ["--no-startup-delay", "--interval", "0.2", "--worker-id", name]
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def wait_for(what: str, condition: Callable[[], bool], seconds: float, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen within {seconds} s. Worker log:\n{log.read_text()}")
        time.sleep(0.1)


def test_a_run_cut_short_by_a_killed_worker_is_failed_then_run_again(
    postgres, gate_server, start_worker, tmp_path
):
    make_resource(url=gate_server.url("/gate"))
    # A fresh install: the worker queues the first daily check of every link as it starts.
    first = start_worker("first")
    wait_for(
        "the first worker starting the daily check",
        lambda: ("HEAD", "/gate") in gate_server.requests,
        STARTUP_SECONDS,
        tmp_path / "first.log",
    )
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    # What the dead worker leaves: the task "running", the run unfinished.
    task = DBTaskResult.objects.filter(
        pk=DBTaskResult.objects.get(worker_ids=["first"], task_path__startswith="linkhealth.").pk
    )
    assert (task.get().task_name, task.get().status) == ("daily_link_check", "RUNNING")
    cut_short = LinkCheckRun.objects.get()
    assert (cut_short.finished_at, cut_short.checked, cut_short.failure) == (None, 0, "")

    gate_server.gate_open.set()  # the site answers at once from now on
    start_worker("second")
    wait_for(
        "the task running again to the end",
        lambda: task.get().status == TaskResultStatus.SUCCESSFUL,
        STARTUP_SECONDS + BEATS_MISSED * HEARTBEAT_SECONDS + 10,
        tmp_path / "second.log",
    )
    assert task.get().worker_ids == ["first", "second"]
    cut_short.refresh_from_db()
    assert cut_short.failure == LinkCheckRun.STOPPED_AND_RUN_AGAIN
    assert cut_short.finished_at == cut_short.heartbeat_at  # its last sign of life
    again = LinkCheckRun.objects.exclude(pk=cut_short.pk).get()
    assert (again.task_id, again.attempt, again.checked) == (str(task.get().pk), 2, 1)
    assert (again.trigger, again.state()) == ("schedule", "Finished")
    # Only then is the next daily check queued, a day after the run that did the work.
    next_daily = DBTaskResult.objects.get(
        status=TaskResultStatus.READY, task_path__startswith="linkhealth."
    )
    assert next_daily.run_after == again.started_at + timedelta(hours=24)

    alive = dict(WorkerHeartbeat.objects.values_list("worker_id", "beat_at"))
    assert set(alive) == {"first", "second"} and alive["second"] > alive["first"]

    curator = client_for(make_user("root@example.com", is_staff=True, is_superuser=True))
    runs = curator.get("/admin/linkhealth/linkcheckrun/").content.decode()
    assert "Failed: its worker stopped mid-run; the task was run again" in runs
    assert '<td class="field-state">Finished</td><td class="field-attempt">2</td>' in runs
    workers = curator.get("/admin/worker/workerheartbeat/").content.decode()
    assert workers.count('alt="True"') == 1 and workers.count('alt="False"') == 1
