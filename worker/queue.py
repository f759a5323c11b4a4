"""Queueing recurring work once: a task that keeps itself going is queued only when no run of
it is already waiting, so a worker restarting (or two starting at once) never doubles it."""

from collections.abc import Callable
from datetime import datetime

from django.tasks import Task, TaskResultStatus


def enqueue_unless_waiting(task: Task, run_after: Callable[[], datetime]) -> datetime | None:
    """Queue ``task`` to run at ``run_after()`` unless a run of it is waiting; when it will run.

    None when nothing was queued: one is waiting, or the backend cannot run tasks later (the
    immediate backend of development and tests).
    """
    from django_tasks_db import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    backend = task.get_backend()
    if not isinstance(backend, DatabaseBackend):
        return None
    waiting = DBTaskResult.objects.filter(
        task_path=task.module_path, backend_name=backend.alias, status=TaskResultStatus.READY
    )
    if waiting.exists():
        return None
    when = run_after()
    task.using(run_after=when).enqueue()
    return when
