"""``/healthz`` (the process answers) and ``/readyz`` (its dependencies do), and the worker's
heartbeat that ``/readyz`` reads when the worker runs the task queue."""

import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from tests.test_cache_outage import DEAD_REDIS, caches_at, no_outage_left_over  # noqa: F401
from worker.heartbeat import beat

pytestmark = pytest.mark.django_db


@pytest.fixture
def probe() -> Client:
    """A probe as a container runtime sends it: internal address, plain HTTP, no cookie."""
    return Client(HTTP_HOST="10.1.2.3:8000")


@pytest.fixture
def queue_in_database(settings):
    settings.TASKS_BACKEND = "database"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def answer(response) -> dict:
    assert response["Cache-Control"] == "no-store"
    assert response.cookies == {}
    return json.loads(response.content)


def test_healthz_says_the_process_answers_and_checks_nothing_else(probe, settings):
    settings.CACHES = caches_at(DEAD_REDIS)
    settings.TASKS_BACKEND = "database"
    response = probe.get("/healthz")
    assert response.status_code == 200
    assert answer(response) == {"status": "ok"}


def test_readyz_is_200_when_every_dependency_answers(probe):
    response = probe.get("/readyz")
    assert response.status_code == 200
    assert answer(response) == {"status": "ok", "database": "ok", "cache": "ok"}


def test_readyz_names_redis_when_it_does_not_answer(probe, settings):
    settings.CACHES = caches_at(DEAD_REDIS)
    response = probe.get("/readyz")
    assert response.status_code == 503
    assert answer(response) == {
        "status": "error",
        "database": "ok",
        "cache": "unavailable: Redis at 127.0.0.1:6390 does not answer",
    }


def test_readyz_with_the_database_queue_reads_the_workers_heartbeat(probe, queue_in_database):
    response = probe.get("/readyz")
    assert response.status_code == 503
    assert answer(response)["worker"] == "no heartbeat yet: is the worker running?"

    long_ago = timezone.now() - timedelta(minutes=5)
    beat("gone", now=long_ago)
    response = probe.get("/readyz")
    assert response.status_code == 503
    assert answer(response)["worker"] == f"no heartbeat since {long_ago.isoformat('T', 'seconds')}"

    beat("alive")
    response = probe.get("/readyz")
    assert response.status_code == 200
    assert answer(response) == {"status": "ok", "database": "ok", "cache": "ok", "worker": "ok"}


def test_readyz_can_leave_checks_out(probe, queue_in_database, settings):
    settings.CACHES = caches_at(DEAD_REDIS)
    response = probe.get("/readyz?exclude=worker&exclude=cache")
    assert response.status_code == 200
    assert answer(response) == {"status": "ok", "database": "ok"}

    response = probe.get("/readyz?exclude=everything")
    assert response.status_code == 400
    assert "Unknown check 'everything'" in answer(response)["error"]


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_probes_refuse_other_methods(probe, path):
    for method in ("post", "put", "patch", "delete"):
        response = getattr(probe, method)(path)
        assert response.status_code == 405
        assert response["Allow"] == "GET, HEAD"
    assert probe.head(path).status_code == 200


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_probes_are_never_redirected_to_https_nor_refused_for_their_host(probe, settings, path):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["roadmap.example.org"]
    assert probe.get(path).status_code == 200


def test_check_ready_fails_naming_what_is_down_and_passes_once_it_is_up(queue_in_database):
    with pytest.raises(CommandError, match=r"Not ready: worker\."):
        call_command("check_ready", "--exclude=cache", stdout=io.StringIO())
    beat("alive")
    out = io.StringIO()
    call_command("check_ready", "--exclude=cache", stdout=out)
    assert json.loads(out.getvalue()) == {"database": "ok", "worker": "ok"}


def test_compose_checks_web_readiness_but_the_worker_and_the_worker_by_its_heartbeat():
    compose = (Path(__file__).parent.parent / "compose.yaml").read_text()
    web, worker = compose.split("\n  worker:\n")[0], compose.split("\n  worker:\n")[1]
    # The worker starts once web is healthy, so web's check cannot wait for the worker.
    assert "/readyz?exclude=worker" in web.split("healthcheck:")[1]
    assert '"manage.py", "check_ready", "--exclude=cache"' in worker.split("healthcheck:")[1]
