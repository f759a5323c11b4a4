"""The container's start and stop, outside Docker: the Dockerfile's steps against the CI PostgreSQL.

Static files are collected as the image's build collects them, then ``scripts/entrypoint.sh``
runs the Dockerfile's CMD from another directory, with the venv first on PATH as in the image.
"""

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import time
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from django.utils import timezone

from tests.processes import (
    ROOT,
    free_port,
    manage,
    production_env,
    stop,
    wait_for_200,
)

pytestmark = pytest.mark.processes

ENTRYPOINT = ROOT / "scripts" / "entrypoint.sh"
DOCKERFILE = (ROOT / "Dockerfile").read_text()
CMD = json.loads(re.search(r"^CMD (\[.*\])$", DOCKERFILE, re.M).group(1))
HEALTHCHECK = json.loads(re.search(r"^\s+CMD (\[.*\])$", DOCKERFILE, re.M).group(1))
ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
STARTUP_BUDGET = 60  # seconds from an empty database to the first page


@pytest.fixture(scope="module")
def database_url():
    """A fresh PostgreSQL database for this module, dropped at the end."""
    try:
        admin = psycopg.connect(ADMIN_DSN, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL at 127.0.0.1:5432 is required in CI: {exc}")
        pytest.skip(f"PostgreSQL at 127.0.0.1:5432 is not reachable (CI would fail): {exc}")
    name = f"roadmap_entrypoint_{secrets.token_hex(4)}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"postgres://postgres@127.0.0.1:5432/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def env(database_url, tmp_path_factory) -> dict[str, str]:
    """The container's environment, with static files collected as the image build does."""
    env = production_env(
        DATABASE_URL=database_url,
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        STATIC_ROOT=str(tmp_path_factory.mktemp("static")),
        WEB_CONCURRENCY="2",
    )
    proc = manage("collectstatic", "--no-input", env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return env


def start(env: dict[str, str], tmp_path: Path) -> tuple[subprocess.Popen, int, Path]:
    """The entrypoint with the Dockerfile's CMD, run from another directory."""
    port = free_port()
    log = tmp_path / "entrypoint.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [ENTRYPOINT, *CMD],
            cwd=tmp_path,
            env=env | {"PORT": str(port)},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return server, port, log


def test_it_starts_on_an_empty_database_serves_the_curriculum_and_stops_cleanly(env, tmp_path):
    started = time.monotonic()
    server, port, log = start(env, tmp_path)
    try:
        deadline = started + STARTUP_BUDGET
        wait_for_200(port, "/healthz", server, log, deadline)
        home = wait_for_200(port, "/", server, log, deadline)
        startup = time.monotonic() - started

        assert startup < STARTUP_BUDGET
        assert b"The Illustrated Transformer" in home
        healthcheck = subprocess.run(
            HEALTHCHECK, env=env | {"PORT": str(port)}, timeout=10, check=False
        )
        assert healthcheck.returncode == 0
    finally:
        stopped = time.monotonic()
        code = stop(server)
        output = log.read_text()
    assert code == 0, output[-5000:]
    assert time.monotonic() - stopped < 30
    assert "Applying roadmap.0001_initial... OK" in output
    print(f"empty database to first page: {startup:.1f} s")


def test_a_restart_migrates_nothing_and_keeps_curators_edits(env, database_url, tmp_path):
    edited = "The Illustrated Transformer, as a curator edited it"
    first = subprocess.run([ENTRYPOINT, "true"], cwd=tmp_path, env=env, capture_output=True)
    assert first.returncode == 0, first.stdout + first.stderr
    with psycopg.connect(database_url, autocommit=True) as db:
        db.execute(
            "UPDATE roadmap_resource SET title = %s WHERE title = %s",
            (edited, "The Illustrated Transformer"),
        )
        try:
            restart = subprocess.run(
                [ENTRYPOINT, "true"], cwd=tmp_path, env=env, capture_output=True, text=True
            )
            titles = [row[0] for row in db.execute("SELECT title FROM roadmap_resource")]
        finally:
            db.execute(
                "UPDATE roadmap_resource SET title = %s WHERE title = %s",
                ("The Illustrated Transformer", edited),
            )

    assert restart.returncode == 0, restart.stdout + restart.stderr
    assert "No migrations to apply." in restart.stdout
    assert edited in titles
    assert "The Illustrated Transformer" not in titles


def test_a_start_deletes_expired_sessions_and_keeps_live_ones(env, database_url, tmp_path):
    first = subprocess.run([ENTRYPOINT, "true"], cwd=tmp_path, env=env, capture_output=True)
    assert first.returncode == 0, first.stdout + first.stderr
    with psycopg.connect(database_url, autocommit=True) as db:
        # Dated by the app's clock, which a run with ROADMAP_TEST_NOW moves (the server's does not).
        now = timezone.now()
        db.execute(
            "INSERT INTO django_session (session_key, session_data, expire_date) VALUES "
            "('expiredexpiredexpiredexpired0001', 'x', %s), "
            "('livelivelivelivelivelivelive0001', 'x', %s)",
            (now - timedelta(days=1), now + timedelta(days=1)),
        )
        restart = subprocess.run([ENTRYPOINT, "true"], cwd=tmp_path, env=env, capture_output=True)
        keys = {row[0] for row in db.execute("SELECT session_key FROM django_session")}
        db.execute("DELETE FROM django_session")
    assert restart.returncode == 0, restart.stdout + restart.stderr
    assert "livelivelivelivelivelivelive0001" in keys
    assert "expiredexpiredexpiredexpired0001" not in keys


def test_gunicorn_finishes_a_request_in_flight_on_sigterm(env, tmp_path):
    server, port, log = start(env, tmp_path)
    try:
        wait_for_200(port, "/healthz", server, log, time.monotonic() + STARTUP_BUDGET)
        # A form post whose body is half sent: Django is reading it (for the CSRF token) when
        # SIGTERM arrives, so the request is in flight in a worker.
        body = b"login=someone%40example.com&password=" + b"x" * 64
        with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
            conn.sendall(
                b"POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Cookie: csrftoken=" + b"a" * 32 + b"\r\n"
                b"Content-Type: application/x-www-form-urlencoded\r\n"
                b"Content-Length: " + str(len(body)).encode() + b"\r\n"
                b"Connection: close\r\n\r\n" + body[:10]
            )
            time.sleep(1)
            server.send_signal(signal.SIGTERM)
            time.sleep(1)
            assert server.poll() is None, "gunicorn stopped before the request in flight finished"
            conn.sendall(body[10:])
            response = b""
            while chunk := conn.recv(65536):
                response += chunk
    finally:
        code = stop(server)
        output = log.read_text()

    assert code == 0, output[-5000:]
    # Any complete answer proves the request ran to its end; this one is the CSRF refusal.
    assert response.startswith(b"HTTP/1.1 403 "), response[:500]
    assert '"POST /accounts/login/ HTTP/1.1" 403' in output


def test_it_gives_up_on_an_unreachable_database_with_a_clear_message(tmp_path):
    env = production_env(
        DATABASE_URL="postgres://postgres@127.0.0.1:1/roadmap?connect_timeout=1",
        DB_WAIT_SECONDS="2",
    )
    started = time.monotonic()

    proc = subprocess.run(
        [ENTRYPOINT, "true"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=30
    )

    assert proc.returncode != 0
    assert "did not answer within 2s" in proc.stderr
    assert "DATABASE_URL" in proc.stderr
    assert time.monotonic() - started < 10
