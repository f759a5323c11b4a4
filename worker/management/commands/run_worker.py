import os

from django.tasks import TaskResultStatus
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from worker.heartbeat import Heartbeat, beat, forget_long_gone_workers
from worker.recovery import recover_abandoned_tasks
from worker.signals import worker_starting


class Command(DatabaseWorkerCommand):
    help = (
        "Run the background worker (django-tasks-db's db_worker, same options). It writes a "
        "heartbeat, runs again once the tasks of workers that died mid-task, and lets apps "
        "queue their recurring work (the daily link check) before it starts."
    )

    def handle(self, *args, **options) -> None:
        # With --reload, the first process only watches files and restarts a second one,
        # which runs tasks and comes through here again.
        watcher_only = options["reload"] and not options["batch"]
        if watcher_only and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true":
            return super().handle(*args, **options)
        worker_id = options["worker_id"]
        beat(worker_id)
        forget_long_gone_workers()
        recover_abandoned_tasks()
        self.queue_recurring_work()
        # A batch run ends when the queue is empty, long before anyone would think it dead.
        heartbeat = None if options["batch"] else Heartbeat(worker_id, self.recover)
        if heartbeat:
            heartbeat.start()
        try:
            super().handle(*args, **options)
        finally:
            if heartbeat:
                heartbeat.stop()

    def queue_recurring_work(self) -> None:
        for _, line in worker_starting.send(sender=self.__class__):
            if line:
                self.stdout.write(line)

    def recover(self) -> None:
        # A task given up for good never queues its successor, as a run that ends does: the
        # recurring work is queued again, by the same rule as at start (worker/queue.py).
        if any(task.status == TaskResultStatus.FAILED for task in recover_abandoned_tasks()):
            self.queue_recurring_work()
