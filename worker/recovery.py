"""Tasks left RUNNING by a worker that died are run once more, then failed.

django-tasks-db claims a task (status RUNNING, the worker's id appended to ``worker_ids``) and
then runs it outside any transaction or lock, so nothing notices when the process is killed:
the row stays RUNNING for ever and no worker takes it again. It keeps no heartbeat and has no
way to requeue, so live workers sweep for such rows at start and at every heartbeat: a RUNNING
task whose last worker has not beaten for ``stale_after()`` goes back in the queue, the same
row, once; its ``worker_ids`` then count the attempts (Django's ``TaskResult.attempts``). After
``MAX_ATTEMPTS`` it is FAILED with WorkerStopped, which the task admin shows with the reason.

A task may thus run twice: the tasks queued here are safe to repeat (a link check stores the
latest result per URL).
"""

import logging
from datetime import datetime

from django.db import transaction
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from worker.heartbeat import alive_worker_ids, stale_after

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 2


class WorkerStopped(Exception):
    """The worker running a task stopped (killed, out of memory, its machine lost) mid-task."""


def recover_abandoned_tasks(now: datetime | None = None) -> list[DBTaskResult]:
    """Requeue or fail the tasks whose worker is gone; returns them."""
    now = now or timezone.now()
    alive = alive_worker_ids(now)
    recovered = []
    with transaction.atomic():
        # Claimed before the cutoff: a task claimed since has a worker that beat recently.
        running = DBTaskResult.objects.running().filter(started_at__lt=now - stale_after())
        for task in running.select_for_update(skip_locked=True):
            if task.worker_ids and task.worker_ids[-1] in alive:
                continue
            gone = task.worker_ids[-1] if task.worker_ids else "unknown"
            if len(task.worker_ids) < MAX_ATTEMPTS:
                task.status = TaskResultStatus.READY
                task.save(update_fields=["status"])
                logger.warning("Task %s: worker %s stopped; queued again", task.id, gone)
            else:
                task.set_failed(
                    WorkerStopped(
                        f"The worker ({gone}) stopped before the task ended, on attempt "
                        f"{len(task.worker_ids)} of {MAX_ATTEMPTS}; it is not run again."
                    )
                )
                logger.error("Task %s: worker %s stopped; failed for good", task.id, gone)
            recovered.append(task)
    return recovered
