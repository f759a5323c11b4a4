"""Django's Redis cache, made to degrade instead of failing while Redis does not answer.

Everything kept in the cache can be done without it: sessions are stored in the database and
only read through the cache, and the short-lived keys (allauth's rate limits, used one-time
codes) have a stand-in. So when Redis refuses a connection or times out, the operation goes to
the cache's ``FALLBACK`` instead: another configured cache (the database cache every process
shares, for rate limits) or, with ``None``, nothing at all (reads miss, writes are dropped,
and sessions come from their table). After a failure Redis is left alone for ``RETRY_AFTER``
seconds, so an outage costs one short timeout per process now and then rather than one per
request, and the outage is logged when it starts, every ``LOG_EVERY`` seconds while it lasts,
and when it ends, never per request.

A key written while Redis was away (a session changed or deleted by signing out, a rate-limit
count) may still hold its old value in Redis when Redis comes back; that value must not be
read again. Each process remembers the keys it could not write and deletes them from Redis
before its first operation there once Redis answers again.

State is per process and per Redis server (the aliases sharing a server share one outage).
"""

import logging
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# A Redis that is down or unreachable; anything else (a bad value, a wrong command) is a bug
# and is raised as usual.
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)
# Keys remembered per server while Redis is away; past this, older values may be read again.
MAX_UNSYNCED_KEYS = 50_000
_DELETE_BATCH = 1000


@dataclass
class Outage:
    since: float
    retry_at: float
    logged_at: float
    error: str
    unsynced: dict[str, None] = field(default_factory=dict)
    lost_keys: int = 0


_outages: dict[tuple[str, ...], Outage] = {}
_lock = threading.Lock()


def server_name(location: str) -> str:
    """``host:port`` of a Redis URL, without the password the URL may carry."""
    url = urlsplit(location)
    return f"{url.hostname}:{url.port or 6379}" if url.hostname else url.path


class RedisCacheWithFallback(RedisCache):
    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        fallback = options.pop("FALLBACK", None)
        self.retry_after = options.pop("RETRY_AFTER", 5)
        self.log_every = options.pop("LOG_EVERY", 60)
        # A healthy Redis answers in well under a millisecond; one that hangs must not hold a
        # request for long before the fallback takes over.
        options.setdefault("socket_connect_timeout", 0.25)
        options.setdefault("socket_timeout", 0.5)
        super().__init__(server, {**params, "OPTIONS": options})
        self._fallback_alias = fallback
        self._nothing = DummyCache("", {})
        self._server = tuple(self._servers)
        self._name = ", ".join(server_name(s) for s in self._servers)

    @property
    def server(self) -> str:
        """Where this cache's Redis is, without the password its URL may carry."""
        return self._name

    def ping(self) -> None:
        """Ask Redis itself, never the fallback; raises one of UNREACHABLE if it does not answer."""
        self._cache.get_client(None, write=True).ping()

    @property
    def fallback(self) -> BaseCache:
        return self._nothing if self._fallback_alias is None else caches[self._fallback_alias]

    # --- Every operation goes through _run ------------------------------------------------------

    def _run(self, name: str, *args, writes=(), **kwargs):
        outage = _outages.get(self._server)
        now = time.monotonic()
        if outage is None or now >= outage.retry_at:
            try:
                if outage is not None:
                    self._forget_unsynced(outage)
                result = getattr(super(), name)(*args, **kwargs)
            except UNREACHABLE as error:
                self._went_away(error, now)
            else:
                if outage is not None:
                    self._came_back(outage, now)
                return result
        if writes:
            version = kwargs.get("version")
            self._remember_unsynced([self.make_key(key, version=version) for key in writes])
        return getattr(self.fallback, name)(*args, **kwargs)

    def _went_away(self, error: Exception, now: float) -> None:
        with _lock:
            outage = _outages.get(self._server)
            if outage is None:
                outage = _outages[self._server] = Outage(now, 0, now, str(error))
                logger.warning(
                    "Redis at %s does not answer (%s): the cache falls back to %s until it "
                    "does, trying again every %s s.",
                    self._name,
                    error,
                    self._fallback_alias or "nothing (sessions come from the database)",
                    self.retry_after,
                )
            elif now - outage.logged_at >= self.log_every:
                outage.logged_at = now
                logger.warning(
                    "Redis at %s has not answered for %d s (%s).",
                    self._name,
                    now - outage.since,
                    error,
                )
            outage.retry_at = now + self.retry_after
            outage.error = str(error)

    def _came_back(self, outage: Outage, now: float) -> None:
        with _lock:
            if _outages.pop(self._server, None) is None:
                return  # another thread saw it first
        logger.info("Redis at %s answers again after %d s.", self._name, now - outage.since)
        if outage.lost_keys:
            logger.warning(
                "%d keys written while Redis at %s was away were not remembered; Redis may "
                "return their old values until they expire.",
                outage.lost_keys,
                self._name,
            )

    def _remember_unsynced(self, keys: list[str]) -> None:
        with _lock:
            outage = _outages.get(self._server)
            if outage is None:
                return
            for key in keys:
                if len(outage.unsynced) < MAX_UNSYNCED_KEYS:
                    outage.unsynced[key] = None
                else:
                    outage.lost_keys += 1

    def _forget_unsynced(self, outage: Outage) -> None:
        """Delete from Redis every key this process could not write there (raises while
        Redis is still unreachable, keeping them for the next try)."""
        with _lock:
            keys, outage.unsynced = list(outage.unsynced), {}
        try:
            client = self._cache.get_client(None, write=True)
            for start in range(0, len(keys), _DELETE_BATCH):
                client.delete(*keys[start : start + _DELETE_BATCH])
        except BaseException:
            with _lock:
                outage.unsynced = dict.fromkeys(keys) | outage.unsynced
            raise

    # --- Django's cache API ---------------------------------------------------------------------

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._run("add", key, value, timeout, version=version, writes=[key])

    def get(self, key, default=None, version=None):
        return self._run("get", key, default, version=version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._run("set", key, value, timeout, version=version, writes=[key])

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._run("touch", key, timeout, version=version, writes=[key])

    def delete(self, key, version=None):
        return self._run("delete", key, version=version, writes=[key])

    def get_many(self, keys, version=None):
        return self._run("get_many", keys, version=version)

    def has_key(self, key, version=None):
        return self._run("has_key", key, version=version)

    def incr(self, key, delta=1, version=None):
        return self._run("incr", key, delta, version=version, writes=[key])

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._run("set_many", data, timeout, version=version, writes=list(data))

    def delete_many(self, keys, version=None):
        return self._run("delete_many", keys, version=version, writes=list(keys))

    def clear(self):
        return self._run("clear")
