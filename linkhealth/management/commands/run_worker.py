from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from history.tasks import schedule_import_cleanup
from linkhealth.tasks import schedule_daily_check


class Command(DatabaseWorkerCommand):
    help = (
        "Run the background worker (django-tasks-db's db_worker, same options), first making "
        "sure the daily link check and the hourly clean-up of unconfirmed imports are queued."
    )

    def handle(self, *args, **options) -> None:
        if when := schedule_daily_check():
            self.stdout.write(f"Daily link check queued for {when:%Y-%m-%d %H:%M %Z}.")
        schedule_import_cleanup()
        super().handle(*args, **options)
