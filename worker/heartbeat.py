"""The worker's heartbeat: proof, in the database, that a worker process is alive.

Each worker process (``manage.py run_worker``) writes the time into its own WorkerHeartbeat row
when it starts, then every ``WORKER_HEARTBEAT_SECONDS`` from a thread of its own, so a worker
busy with a long task still beats. A process killed outright (SIGKILL, out of memory, its
machine gone) writes nothing more: a row older than ``stale_after()`` is a worker that is gone.
Its tasks left RUNNING are recovered by the others (worker/recovery.py), and a readiness check
asks ``last_heartbeat()``.
"""

import logging
import os
import socket
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Max
from django.utils import timezone

from worker.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

# Missed beats before a worker counts as gone: a database busy for a beat or two is not a death.
BEATS_MISSED = 6
FORGET_AFTER = timedelta(days=7)


def every() -> timedelta:
    return timedelta(seconds=settings.WORKER_HEARTBEAT_SECONDS)


def stale_after() -> timedelta:
    """How long without a heartbeat before a worker, or a run it was doing, counts as gone."""
    return every() * BEATS_MISSED


def last_heartbeat() -> datetime | None:
    """When a worker process was last known to be alive; None if no worker ever ran.

    One indexed query. A worker is running if this is within ``stale_after()`` of now.
    """
    return WorkerHeartbeat.objects.aggregate(last=Max("beat_at"))["last"]


def alive_worker_ids(now: datetime | None = None) -> set[str]:
    now = now or timezone.now()
    alive = WorkerHeartbeat.objects.filter(beat_at__gte=now - stale_after())
    return set(alive.values_list("worker_id", flat=True))


def beat(worker_id: str, now: datetime | None = None) -> None:
    now = now or timezone.now()
    updated = WorkerHeartbeat.objects.filter(worker_id=worker_id).update(beat_at=now)
    if not updated:
        WorkerHeartbeat.objects.create(
            worker_id=worker_id,
            hostname=socket.gethostname()[:255],
            pid=os.getpid(),
            started_at=now,
            beat_at=now,
        )


def forget_long_gone_workers(now: datetime | None = None) -> None:
    now = now or timezone.now()
    WorkerHeartbeat.objects.filter(beat_at__lt=now - FORGET_AFTER).delete()


class Heartbeat(threading.Thread):
    """Beats for ``worker_id`` until stopped, then ``also()`` (the sweep for dead workers).

    A failing database is logged when it starts and when it ends, not at every beat; the
    thread keeps trying, with a new connection each time.
    """

    def __init__(self, worker_id: str, also: Callable[[], object] = lambda: None) -> None:
        super().__init__(name="worker-heartbeat", daemon=True)
        self.worker_id, self.also = worker_id, also
        self._stopping = threading.Event()
        self._failing = False

    def run(self) -> None:
        try:
            while not self._stopping.wait(every().total_seconds()):
                self.beat_once()
        finally:
            connection.close()

    def beat_once(self) -> None:
        try:
            beat(self.worker_id)
            self.also()
        except DatabaseError:
            if not self._failing:
                logger.warning(
                    "Worker %s cannot write its heartbeat", self.worker_id, exc_info=True
                )
            self._failing = True
            connection.close()
        else:
            if self._failing:
                logger.warning("Worker %s writes its heartbeat again", self.worker_id)
            self._failing = False

    def stop(self) -> None:
        self._stopping.set()
        self.join(timeout=every().total_seconds() + 5)
