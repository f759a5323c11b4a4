"""Link checks as tasks (Django's tasks API), and the daily schedule.

Production queues them in the database (django-tasks-db) for the ``worker`` service; development
and tests run them at once (the immediate backend). Nothing here starts a thread from a request:
the checker's thread pool lives inside the task, in the worker.

The daily check keeps itself going: each run queues the next one 24 hours after it started,
and the worker (``manage.py run_worker``, through its ``worker_starting`` signal) queues one
when it starts if none is waiting. So a
fresh install, a worker that was down for a week or a failed run all resume on their own, and
nobody writes a cron line.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.tasks import Task, TaskContext, task
from django.utils import timezone

from linkhealth.checker import Checker, Result
from linkhealth.models import LinkCheck, LinkCheckRun
from roadmap.models import Resource
from worker import heartbeat
from worker.queue import enqueue_unless_waiting

DAY = timedelta(hours=24)
# A run this recent counts as today's: two workers starting together do not check twice.
DAILY_GRACE = timedelta(hours=23)
# A link a learner reports is checked again unless it was checked this recently.
RECHECK_AFTER = timedelta(minutes=10)
KEEP_RUNS = timedelta(days=90)
KEEP_FINISHED_TASKS = timedelta(days=30)


def runs_outside_the_request(task: Task) -> bool:
    """Whether enqueuing ``task`` leaves the work to a worker, rather than doing it at once.

    A backend that can run a task later cannot be running it inside the caller; the immediate
    backend of development can't, and runs it on the spot, inside the request that asked.
    """
    return task.get_backend().supports_defer


def checker_from_settings() -> Checker:
    return Checker(
        connect_timeout=settings.LINKCHECK_CONNECT_TIMEOUT,
        read_timeout=settings.LINKCHECK_READ_TIMEOUT,
        total_timeout=settings.LINKCHECK_TOTAL_TIMEOUT,
        allow_private=settings.LINKCHECK_ALLOW_PRIVATE,
    )


def published_urls(roadmap_slug: str = "") -> list[str]:
    resources = Resource.objects.published()
    if roadmap_slug:
        resources = resources.filter(roadmap__slug=roadmap_slug)
    return list(resources.order_by("url").values_list("url", flat=True).distinct())


def run_check(
    urls: list[str],
    trigger: str,
    *,
    roadmap_slug: str = "",
    partial: bool = False,
    context: TaskContext | None = None,
) -> tuple[LinkCheckRun, list[Result]]:
    """Check ``urls`` now, store each result, and log the run.

    The run writes a sign of life as it goes; a run that stops writing it (its worker or
    command was killed) is marked failed by the next run, or at once by its task's next
    attempt, and the admin calls it stopped meanwhile.
    """
    of_task = {}
    if context is not None:
        of_task = {"task_id": str(context.task_result.id), "attempt": context.attempt}
    LinkCheckRun.objects.fail_abandoned(task_id=of_task.get("task_id", ""))
    run = LinkCheckRun.objects.create(
        trigger=trigger,
        roadmap_slug=roadmap_slug,
        partial=partial,
        heartbeat_at=timezone.now(),
        **of_task,
    )
    runs = LinkCheckRun.objects.filter(pk=run.pk)
    results = checker_from_settings().check_all(
        urls,
        keep_alive=lambda: runs.update(heartbeat_at=timezone.now()),
        every=heartbeat.every().total_seconds(),
    )
    with transaction.atomic():
        LinkCheck.objects.record(results)
        if not partial and not roadmap_slug:
            # Links no resource uses any more (edited, deleted) are forgotten.
            LinkCheck.objects.exclude(url__in=Resource.objects.values("url")).delete()
        run.finished_at = timezone.now()
        run.heartbeat_at = run.finished_at
        run.checked = len(results)
        run.failing = sum(r.outcome in LinkCheck.FAILURES for r in results)
        run.save(update_fields=["finished_at", "heartbeat_at", "checked", "failing"])
    return run, results


def _summary(run: LinkCheckRun) -> dict:
    return {"run": run.pk, "checked": run.checked, "failing": run.failing}


# Every task takes its context, so that its runs name the task and the attempt.


@task(takes_context=True)
def check_links(
    context: TaskContext, roadmap_slug: str = "", trigger: str = LinkCheckRun.Trigger.ADMIN
) -> dict:
    """Check every published link (of one roadmap, given its slug)."""
    urls = published_urls(roadmap_slug)
    run, _ = run_check(urls, trigger, roadmap_slug=roadmap_slug, context=context)
    return _summary(run)


@task(takes_context=True)
def check_some_links(
    context: TaskContext, urls: list[str], trigger: str = LinkCheckRun.Trigger.ADMIN
) -> dict:
    run, _ = run_check(list(urls), trigger, partial=True, context=context)
    return _summary(run)


@task(takes_context=True)
def recheck_reported_link(context: TaskContext, url: str) -> dict:
    """A learner reported this link: check it, unless that was done minutes ago."""
    recent = timezone.now() - RECHECK_AFTER
    if LinkCheck.objects.filter(url=url, checked_at__gte=recent).exists():
        return {"skipped": "checked less than 10 minutes ago"}
    run, _ = run_check([url], LinkCheckRun.Trigger.REPORT, partial=True, context=context)
    return _summary(run)


@task(takes_context=True)
def daily_link_check(context: TaskContext) -> dict:
    try:
        # A first attempt cut short by its worker's death is not a check done today.
        LinkCheckRun.objects.fail_abandoned(task_id=str(context.task_result.id))
        last = LinkCheckRun.objects.full().not_failed().first()
        if last and last.started_at > timezone.now() - DAILY_GRACE:
            return {"skipped": f"every link was checked at {last.started_at:%Y-%m-%d %H:%M}"}
        run, _ = run_check(published_urls(), LinkCheckRun.Trigger.SCHEDULE, context=context)
        forget_old_history()
        return _summary(run)
    finally:
        schedule_daily_check(asking=str(context.task_result.id))


def forget_old_history() -> None:
    """Keep the run log and the queue's finished tasks from growing forever, with no cron."""
    LinkCheckRun.objects.filter(started_at__lt=timezone.now() - KEEP_RUNS).delete()
    from django_tasks_db.models import DBTaskResult

    finished_before = timezone.now() - KEEP_FINISHED_TASKS
    DBTaskResult.objects.finished().filter(finished_at__lt=finished_before).delete()


def schedule_daily_check(*, asking: str | None = None) -> datetime | None:
    """Queue the next daily check, 24 h after the last full one, unless one is waiting or
    running (other than ``asking``, the run that queues its successor).

    Returns when it will run, or None when nothing was queued (one is waiting, or the backend
    cannot run tasks later, like the immediate backend of development and tests).
    """

    def after_the_last_full_run() -> datetime:
        now = timezone.now()
        last = LinkCheckRun.objects.full().not_failed().first()
        return max(now, last.started_at + DAY) if last else now

    return enqueue_unless_waiting(daily_link_check, after_the_last_full_run, asking=asking)
