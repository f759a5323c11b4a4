"""A Redis outage degrades the site instead of taking it down.

With ``REDIS_URL`` set and Redis gone, every page and write still works from the database
(sessions are stored there; the cache only reads them faster), the outage is logged once rather
than on every request, and the login rate limits keep holding.
"""

import contextlib
import json
import logging
import os
import secrets
import socket
import sys
import threading
import time
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.test import Client

from config import redis_cache
from config.settings import redis_caches
from tests.conftest import PASSWORD, client_for
from tests.test_cache import REDIS_URL, redis_answers
from tests.test_production import manage, production_env, run

DEAD_REDIS = "redis://127.0.0.1:6390/0"  # nothing listens there

# Signs a learner in and goes through the site as they would, inside a production process;
# writes each request's status (and where a redirect went) to argv[1] as JSON.
LEARNER_SCRIPT = """
import json, sys
import django

django.setup()
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client

from tests.conftest import PASSWORD, make_resource, make_user

resource = make_resource(title="Attention")
learner = make_user("learner@example.com")
# A learner who signed in before Redis went away: their session is a row in the database.
session = SessionStore()
session[SESSION_KEY] = str(learner.pk)
session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
session[HASH_SESSION_KEY] = learner.get_session_auth_hash()
session.create()
signed_in = Client(raise_request_exception=False)
signed_in.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
anon = Client(raise_request_exception=False)
results = {}
for path in ["/", "/me/", "/me/history/", "/accounts/data/export.md", "/accounts/data/export.json",
             resource.roadmap.get_absolute_url(), "/notes/"]:
    results["GET " + path] = signed_in.get(path, secure=True).status_code
response = signed_in.post(f"/resources/{resource.pk}/status/", {"status": "done"}, secure=True)
results["POST status"] = response.status_code
progress = learner.progress.filter(resource=resource).first()
results["status saved"] = progress.status if progress else None
response = anon.post(
    "/accounts/login/", {"login": "learner@example.com", "password": PASSWORD}, secure=True
)
results["POST login"] = response.status_code
results["signed in"] = anon.get("/me/", secure=True).status_code
response = Client(raise_request_exception=False).post(
    "/accounts/signup/",
    {"email": "newcomer@example.com", "password1": PASSWORD, "password2": PASSWORD},
    secure=True,
)
results["POST signup"] = response.status_code
with open(sys.argv[1], "w") as out:
    json.dump(results, out)
"""


@pytest.fixture
def site_without_redis(tmp_path) -> dict[str, str]:
    """The settings as an operator's environment makes them, REDIS_URL naming a dead Redis."""
    env = production_env(
        DEBUG="1", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", REDIS_URL=DEAD_REDIS
    )
    proc = manage("migrate", "--no-input", env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return env


def test_with_redis_down_a_learner_signs_in_reads_and_writes_as_usual(site_without_redis, tmp_path):
    out = tmp_path / f"results-{secrets.token_hex(4)}.json"
    proc = run([sys.executable, "-c", LEARNER_SCRIPT, str(out)], site_without_redis)
    logs = proc.stdout + proc.stderr
    assert proc.returncode == 0, logs
    results = json.loads(out.read_text())

    pages = {name: status for name, status in results.items() if name.startswith("GET ")}
    assert pages == dict.fromkeys(pages, 200), (results, logs)
    assert results["POST status"] == 302
    assert results["status saved"] == "done"
    assert results["POST login"] == 302
    assert results["signed in"] == 200
    assert results["POST signup"] == 302
    assert "Internal Server Error" not in logs
    # Redis is tried, found dead and left alone for a while: one line in the log, not one per
    # request.
    outage_lines = [line for line in logs.splitlines() if "127.0.0.1:6390" in line]
    assert len(outage_lines) == 1, logs


# --- The cache backend itself, inside the test process ---------------------------------------


class RedisDoor:
    """A TCP forwarder to the shared Redis that a test closes and opens again: Redis going away
    and coming back, without stopping the server other tests use."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.sockets: list[socket.socket] = []
        self.open()

    def open(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def close(self) -> None:
        for sock in [self.listener, *self.sockets]:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        self.sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self.sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        for sock in (source, sink):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


def caches_at(url: str, **options) -> dict[str, dict]:
    """The settings' caches for REDIS_URL=url, with this test's own key prefix."""
    prefix = f"outage-test-{secrets.token_hex(4)}"
    configured = redis_caches(url)
    for alias in ("default", "sessions"):
        configured[alias] = configured[alias] | {
            "KEY_PREFIX": prefix,
            "OPTIONS": configured[alias]["OPTIONS"] | options,
        }
    return configured


@pytest.fixture(autouse=True)
def no_outage_left_over():
    redis_cache._outages.clear()
    yield
    redis_cache._outages.clear()


@pytest.fixture
def redis_down(settings, db):
    settings.CACHES = caches_at(DEAD_REDIS)
    caches["database"].clear()
    yield
    caches["database"].clear()


@pytest.fixture
def door(settings, db):
    if not redis_answers():
        if os.environ.get("CI"):
            pytest.fail(f"Redis does not answer at {REDIS_URL}; CI must start it.")
        pytest.skip(f"Redis does not answer at {REDIS_URL}.")
    target = urlsplit(REDIS_URL)
    door = RedisDoor((target.hostname, target.port or 6379))
    settings.CACHES = caches_at(f"redis://127.0.0.1:{door.port}{target.path}", RETRY_AFTER=0)
    yield door
    door.close()


def test_reads_miss_and_writes_go_to_the_database_cache_while_redis_is_down(redis_down):
    cache = caches["default"]
    assert cache.get("answer", "missing") == "missing"
    cache.set("answer", 42)
    assert caches["database"].get("answer") == 42  # kept by the database cache meanwhile
    assert cache.add("lock", True) is True
    assert cache.add("lock", True) is False  # a lock still locks
    assert cache.get_many(["answer", "lock"]) == {"answer": 42, "lock": True}
    assert cache.incr("answer") == 43
    cache.delete("answer")
    assert "answer" not in cache
    sessions = caches["sessions"]
    sessions.set("session", {"user": 1})
    assert sessions.get("session") is None  # sessions are read from their table instead


def test_login_rate_limits_keep_holding_in_the_shared_database_while_redis_is_down(
    redis_down, alice, anon
):
    for _ in range(5):
        response = anon.post("/accounts/login/", {"login": alice.email, "password": "wrong"})
        assert response.status_code == 200
    response = anon.post("/accounts/login/", {"login": alice.email, "password": PASSWORD})
    assert response.status_code == 429
    # The count is in the database cache, which every process shares, as without Redis.
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM roadmap_cache WHERE cache_key LIKE '%allauth:rl%'")
        assert cursor.fetchone()[0] > 0


def test_an_outage_is_logged_when_it_starts_not_on_every_request(redis_down, alice, caplog):
    browser = client_for(alice)
    with caplog.at_level(logging.INFO, logger="config.redis_cache"):
        for _ in range(5):
            assert browser.get("/").status_code == 200
    [record] = caplog.records
    assert record.levelname == "WARNING"
    assert "Redis at 127.0.0.1:6390 does not answer" in record.getMessage()


def test_a_hanging_redis_is_waited_for_once_per_interval_not_on_every_request(settings, db):
    with socket.create_server(("127.0.0.1", 0)) as hanging:  # accepts, never answers
        port = hanging.getsockname()[1]
        settings.CACHES = caches_at(f"redis://127.0.0.1:{port}/0")
        cache = caches["default"]
        start = time.monotonic()
        for _ in range(20):
            assert cache.get("anything") is None
        elapsed = time.monotonic() - start
    # One connection was tried (and timed out after half a second); the next 19 reads went
    # straight to the database. Without the interval, the 20 reads would take over 10 s.
    assert elapsed < 5


def test_the_password_in_redis_url_stays_out_of_the_log(settings, db, caplog):
    settings.CACHES = caches_at("redis://:s3cret-password@127.0.0.1:6390/0")
    with caplog.at_level(logging.WARNING, logger="config.redis_cache"):
        caches["default"].get("anything")
    assert "127.0.0.1:6390" in caplog.text
    assert "s3cret" not in caplog.text


def test_signing_out_while_redis_is_away_still_holds_once_it_is_back(door, alice, caplog):
    browser = client_for(alice)
    assert browser.get("/me/").status_code == 200  # the session is now cached in Redis
    cookie = browser.cookies[settings.SESSION_COOKIE_NAME].value

    door.close()
    assert browser.post("/accounts/logout/").status_code == 302
    door.open()

    copied = Client()
    copied.cookies[settings.SESSION_COOKIE_NAME] = cookie
    with caplog.at_level(logging.INFO, logger="config.redis_cache"):
        response = copied.get("/me/")
    assert response.status_code == 302  # not the session Redis still held
    assert "answers again" in caplog.text
    assert caches["sessions"].get("anything") is None  # Redis is used again
    assert not redis_cache._outages
