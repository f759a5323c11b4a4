"""Queueing recurring work once: a task that keeps itself going is queued only when no run of
it is already in hand, so a worker restarting (or two starting at once) never doubles it.

A run in hand is one waiting in the queue, or one running: a run that ends queues the next
itself, and a run left RUNNING by a worker that died is run again by worker/recovery.py (which
sends ``worker_starting`` once more when it gives a task up, so its successor is queued then).
Counting only the waiting runs would let a worker that starts while another's run is cut short
queue a second run, timed from the unfinished one, beside the run that recovery restarts.
"""

from collections.abc import Callable
from datetime import datetime

from django.tasks import Task, TaskResultStatus

IN_HAND = (TaskResultStatus.READY, TaskResultStatus.RUNNING)


def enqueue_unless_waiting(
    task: Task, run_after: Callable[[], datetime], *, asking: str | None = None
) -> datetime | None:
    """Queue ``task`` to run at ``run_after()`` unless a run of it is waiting or running;
    when it will run. ``asking`` is the id of the run that queues its successor, which does
    not count as one in hand.

    None when nothing was queued: one is in hand, or the backend cannot run tasks later (the
    immediate backend of development and tests).
    """
    from django_tasks_db import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    backend = task.get_backend()
    if not isinstance(backend, DatabaseBackend):
        return None
    in_hand = DBTaskResult.objects.filter(
        task_path=task.module_path, backend_name=backend.alias, status__in=IN_HAND
    )
    if asking is not None:
        in_hand = in_hand.exclude(pk=asking)
    if in_hand.exists():
        return None
    when = run_after()
    task.using(run_after=when).enqueue()
    return when
