import os
import subprocess
import sys
import uuid

import pytest
from django.conf import settings

from tests.conftest import client_for

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_answers() -> bool:
    import redis

    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


def test_by_default_the_cache_is_the_database_shared_by_every_worker():
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"


@pytest.mark.processes
def test_redis_url_switches_the_shared_caches_to_redis():
    if not redis_answers():
        if os.environ.get("CI"):
            pytest.fail(f"Redis does not answer at {REDIS_URL}; CI must start it.")
        pytest.skip(f"Redis does not answer at {REDIS_URL}.")
    key = f"probe-{uuid.uuid4()}"
    code = (
        "import django; django.setup();"
        "from django.core.cache import caches; cache = caches['default'];"
        f"cache.set('{key}', 'shared', 30);"
        "from django.conf import settings;"
        "print(type(cache).__name__, type(caches[settings.SESSION_CACHE_ALIAS]).__name__)"
    )
    env = {**os.environ, "REDIS_URL": REDIS_URL, "DJANGO_SETTINGS_MODULE": "config.settings"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    # rate limits and sessions
    assert out.stdout.split() == ["RedisCacheWithFallback", "RedisCacheWithFallback"]
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    assert any(key in k.decode() for k in client.keys(f"*{key}*"))


@pytest.mark.django_db
def test_head_requests_for_pages_are_answered(anon, alice):
    assert anon.head("/").status_code == 200
    assert client_for(alice).head("/notes/").status_code == 200
