from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from linkhealth.tasks import schedule_daily_check


class Command(DatabaseWorkerCommand):
    help = (
        "Run the background worker (django-tasks-db's db_worker, same options), first making "
        "sure the daily link check is queued."
    )

    def handle(self, *args, **options) -> None:
        if when := schedule_daily_check():
            self.stdout.write(f"Daily link check queued for {when:%Y-%m-%d %H:%M %Z}.")
        super().handle(*args, **options)
