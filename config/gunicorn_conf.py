"""Gunicorn settings from the environment.

Run as ``gunicorn -c python:config.gunicorn_conf config.wsgi``.
"""

import os

from config.proxies import trusted_proxies


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


bind = f"0.0.0.0:{_int('PORT', 8000)}"
workers = _int("WEB_CONCURRENCY", 2)
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
# One thread per worker: CPython runs one thread at a time per process, and the roadmap's
# requests are mostly CPU, so more threads only contend for the lock (the bench serves the
# signed-in page slower with four, with a worse p99). Scale with WEB_CONCURRENCY instead.
# Idle keep-alive connections do not hold the thread (gthread parks them).
threads = _int("GUNICORN_THREADS", 1)

timeout = 30
# SIGTERM (docker stop) lets requests in flight finish for this long; compose waits a little more.
graceful_timeout = 30
keepalive = 5


# Gunicorn alone decides whether a request came over HTTPS (Django has no
# SECURE_PROXY_SSL_HEADER): it sets wsgi.url_scheme to https only when the request comes from a
# trusted proxy's address and carries X-Forwarded-Proto: https. From anyone else the header is
# ignored, so reaching the port directly never makes plain HTTP look secure. One header only:
# the one the README's proxy examples set (and overwrite).
forwarded_allow_ips = trusted_proxies()
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}

accesslog = "-"
errorlog = "-"

# One master per container: no runtime control socket (it would go to $HOME, which the app
# user does not have, and two instances on one host would share its path).
control_socket_disable = True
# The heartbeat file lives in memory, not on the container's overlay filesystem.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108
