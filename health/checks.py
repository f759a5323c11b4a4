"""What ``/readyz`` checks: each dependency's state, "ok" or why not, cheaply and uncached.

``/healthz`` checks nothing but that the process answers (liveness: restarting the app cannot
fix its database). ``/readyz`` asks each dependency in turn; a proxy should not use it to take
the site out of service, because the site keeps working, degraded, without its cache or worker.
"""

from collections.abc import Callable

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, connection
from django.utils import timezone

from config.redis_cache import UNREACHABLE, RedisCacheWithFallback
from worker import heartbeat

OK = "ok"


def database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return "unavailable"
    return OK


def cache() -> str:
    """Redis, when the caches are there (the database cache is the database's check)."""
    servers = {}
    for alias in settings.CACHES:
        backend = caches[alias]
        if isinstance(backend, RedisCacheWithFallback):
            servers.setdefault(backend.server, backend)
    for name, backend in servers.items():
        try:
            backend.ping()
        except UNREACHABLE:
            return f"unavailable: Redis at {name} does not answer"
    return OK


def worker() -> str:
    try:
        last = heartbeat.last_heartbeat()
    except DatabaseError:
        return "unknown: the database is unavailable"
    if last is None:
        return "no heartbeat yet: is the worker running?"
    if timezone.now() - last > heartbeat.stale_after():
        return f"no heartbeat since {last.isoformat(timespec='seconds')}"
    return OK


def checks() -> dict[str, Callable[[], str]]:
    """The dependencies of this instance, by name."""
    found = {"database": database, "cache": cache}
    if settings.TASKS_BACKEND == "database":
        found["worker"] = worker
    return found


KNOWN = ("database", "cache", "worker")


def states(exclude: list[str] | tuple[str, ...] = ()) -> dict[str, str]:
    """Each checked dependency's state, "ok" or why not."""
    return {name: check() for name, check in checks().items() if name not in exclude}
