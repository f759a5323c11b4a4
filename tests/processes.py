"""Running the app as an operator would, in processes of its own: a production environment built
from scratch (nothing of the test settings or the developer's shell leaks in), ``manage.py``
commands, gunicorn on a free port, and plain HTTP to it.

Tests that start processes are marked ``processes``: they take seconds each, so the fast suite
(``make test-fast``) leaves them out.
"""

import http.client
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
SECRET_KEY = secrets.token_urlsafe(50)
UNREACHABLE_DATABASE = "postgres://postgres@127.0.0.1:1/roadmap?connect_timeout=1"


CLOCK = ("ROADMAP_TEST_NOW", "ROADMAP_TEST_NOW_FROM", "PYTHONPATH")


def production_env(**overrides: str | None) -> dict[str, str]:
    """DEBUG=0, a secret key and the host names, and nothing else from the outer environment
    but the test clock of ``make test-dates``.

    An override of None removes that variable.
    """
    env = {k: os.environ[k] for k in ("HOME", "LANG", "LC_ALL", "TMPDIR") if k in os.environ}
    if os.environ.get("ROADMAP_TEST_NOW"):
        # make test-dates: the servers and workers start on the tests' clock (tests/clock/).
        env |= {k: os.environ[k] for k in CLOCK if k in os.environ}
    env |= {
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONDONTWRITEBYTECODE": "1",
        "DEBUG": "0",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": "testserver,localhost",
    }
    env |= overrides
    return {k: v for k, v in env.items() if v is not None}


def run(args: list[str], env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return run([sys.executable, "manage.py", *args], env)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_get(
    port: int, path: str, headers: dict[str, str] | None = None, source: str | None = None
) -> tuple[int, http.client.HTTPMessage, bytes]:
    """GET from 127.0.0.1, or from ``source`` (any 127.x address is this machine's loopback)."""
    conn = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=5, source_address=(source, 0) if source else None
    )
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def wait_for_200(port: int, path: str, server: subprocess.Popen, log: Path, deadline: float):
    """Poll ``path`` until it answers 200; the server's log is in the message when it never does."""
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the server exited with {server.returncode}:\n{log.read_text()[-5000:]}")
        try:
            status, _, body = http_get(port, path)
        except OSError:
            status = None
        if status == 200:
            return body
        time.sleep(0.2)
    pytest.fail(f"{path} never answered 200 (last: {status}):\n{log.read_text()[-5000:]}")


def stop(server: subprocess.Popen, timeout: float = 35) -> int:
    """SIGTERM, as ``docker stop`` sends it; the exit code once the server has stopped."""
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
    try:
        return server.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
        raise
