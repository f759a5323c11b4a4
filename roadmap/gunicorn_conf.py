"""Gunicorn settings from the environment.

Run as ``gunicorn -c python:roadmap.gunicorn_conf roadmap.wsgi``.
"""

import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


bind = f"0.0.0.0:{_int('PORT', 8000)}"
workers = _int("WEB_CONCURRENCY", 2)
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
threads = _int("GUNICORN_THREADS", 4)

timeout = 30
# SIGTERM (docker stop) lets requests in flight finish for this long; compose waits a little more.
graceful_timeout = 30
keepalive = 5

# Only the proxy may say the request came over HTTPS.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

accesslog = "-"
errorlog = "-"

# One master per container: no runtime control socket (it would go to $HOME, which the app
# user does not have, and two instances on one host would share its path).
control_socket_disable = True
# The heartbeat file lives in memory, not on the container's overlay filesystem.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108
