"""Uploads nobody confirmed are deleted by the worker, hourly (Django's tasks API).

Like the daily link check (linkhealth/tasks.py), the clean-up keeps itself going: each run
queues the next one an hour later, and the worker (``manage.py run_worker``) queues one when it
starts if none is waiting. Pages already ignore an expired upload; this gives its space back.
``manage.py remove_expired_imports`` does the same at once, for instances without a worker.
"""

from datetime import datetime, timedelta

from django.tasks import TaskResultStatus, task
from django.utils import timezone

from history.models import PendingImport

EVERY = timedelta(hours=1)


def delete_expired_imports(*, now: datetime | None = None) -> int:
    deleted, _ = PendingImport.objects.expired(now=now).delete()
    return deleted


@task()
def remove_expired_imports() -> dict:
    try:
        return {"deleted": delete_expired_imports()}
    finally:
        schedule_import_cleanup(after=EVERY)


def schedule_import_cleanup(*, after: timedelta = timedelta(0)) -> datetime | None:
    """Queue the clean-up to run ``after`` from now, unless one is waiting.

    Returns when it will run, or None when nothing was queued (one is waiting, or the backend
    cannot run tasks later, like the immediate backend of development and tests).
    """
    from django_tasks_db import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    backend = remove_expired_imports.get_backend()
    if not isinstance(backend, DatabaseBackend):
        return None
    waiting = DBTaskResult.objects.filter(
        task_path=remove_expired_imports.module_path,
        backend_name=backend.alias,
        status=TaskResultStatus.READY,
    )
    if waiting.exists():
        return None
    run_after = timezone.now() + after
    remove_expired_imports.using(run_after=run_after).enqueue()
    return run_after
