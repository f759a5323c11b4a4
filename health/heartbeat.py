"""The worker's heartbeat: a row per worker process, its ``seen_at`` moved on every few seconds.

django-tasks-db keeps no trace of an idle worker (it writes only when it claims a task), so
without this nothing tells a worker that waits for work from one that is gone. A thread beside
the worker's loop writes the row, so a long task (a check of every link) does not stop the
beats; ``/readyz`` reads the newest one through ``last_seen``, the only reader.
"""

import logging
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.db import DatabaseError, close_old_connections, connections
from django.db.models import Max
from django.utils import timezone

from health.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

BEAT_EVERY = 30  # seconds
# A worker is taken for gone after missing this many seconds of beats (a few in a row).
STALE_AFTER = 120
# Rows of workers stopped this long ago are deleted when a worker starts.
FORGET_AFTER = timedelta(days=7)


def beat(worker_id: str, *, started_at: datetime, now: datetime | None = None) -> None:
    now = now or timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"seen_at": now},
        create_defaults={"seen_at": now, "started_at": started_at, "host": socket.gethostname()},
    )


def last_seen() -> datetime | None:
    """When a worker last gave a sign of life, or None if none ever did."""
    return WorkerHeartbeat.objects.aggregate(last=Max("seen_at"))["last"]


def _beat_safely(worker_id: str, started_at: datetime) -> None:
    try:
        beat(worker_id, started_at=started_at)
    except DatabaseError as error:
        logger.warning("The worker's heartbeat could not be written: %s", error)


@contextmanager
def beating(worker_id: str, *, every: float = BEAT_EVERY) -> Iterator[None]:
    """Beat for ``worker_id`` now and every ``every`` seconds until the block ends."""
    started_at = timezone.now()
    try:
        WorkerHeartbeat.objects.filter(seen_at__lt=started_at - FORGET_AFTER).delete()
    except DatabaseError as error:
        logger.warning("Old worker heartbeats could not be deleted: %s", error)
    _beat_safely(worker_id, started_at)
    stopped = threading.Event()

    def run() -> None:
        try:
            while not stopped.wait(every):
                close_old_connections()  # this thread's own, dropped if the database restarted
                _beat_safely(worker_id, started_at)
        finally:
            connections.close_all()  # this thread's own connection

    thread = threading.Thread(target=run, name="worker-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stopped.set()
        thread.join(timeout=5)
