"""Whether a background worker is at work: what the admin may say about scheduled link checks.

The worker (``manage.py run_worker``, django-tasks-db's ``db_worker``) leaves no trace of its own
while it waits; what it does leave is the tasks it ran, with the time each one started and
finished. The daily link check is one of them, so a worker that is running has been seen within
a day or so.
"""

from datetime import datetime, timedelta

from django.db.models import Max
from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends

# Seen less recently than this, the worker is taken for stopped: the daily check (linkhealth/
# tasks.py) would have run within a day, plus the time to check every link.
WORKER_QUIET_LIMIT = timedelta(hours=26)


def tasks_need_a_worker() -> bool:
    """True when tasks wait in the database queue for a worker; False when each runs at once,
    in the request that asks for it (the immediate backend of development and tests)."""
    from django_tasks_db import DatabaseBackend

    return isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend)


def worker_last_seen() -> datetime | None:
    """When a worker last started or finished a task from the database queue; None if no
    worker ever did (or tasks do not go through that queue)."""
    if not tasks_need_a_worker():
        return None
    from django_tasks_db.models import DBTaskResult

    seen = DBTaskResult.objects.filter(backend_name=DEFAULT_TASK_BACKEND_ALIAS).aggregate(
        started=Max("started_at"), finished=Max("finished_at")
    )
    return max((moment for moment in seen.values() if moment is not None), default=None)
