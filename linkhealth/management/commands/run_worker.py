import os

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from health.heartbeat import beating
from linkhealth.tasks import schedule_daily_check


class Command(DatabaseWorkerCommand):
    help = (
        "Run the background worker (django-tasks-db's db_worker, same options), first making "
        "sure the daily link check is queued, and beating for /readyz while it runs."
    )

    def handle(self, *args, **options) -> None:
        if when := schedule_daily_check():
            self.stdout.write(f"Daily link check queued for {when:%Y-%m-%d %H:%M %Z}.")
        if options["reload"] and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true":
            # The reloader's parent only watches files; its child, the worker, beats.
            super().handle(*args, **options)
            return
        with beating(options["worker_id"]):
            super().handle(*args, **options)
