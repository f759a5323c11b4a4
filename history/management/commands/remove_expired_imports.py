from django.core.management.base import BaseCommand

from history.tasks import delete_expired_imports


class Command(BaseCommand):
    help = (
        "Delete the uploaded exports that were not confirmed within a day. The worker does this "
        "every hour; this is for instances that run without one."
    )

    def handle(self, *args, **options) -> None:
        deleted = delete_expired_imports()
        self.stdout.write(f"Deleted {deleted} expired upload{'s' * (deleted != 1)}.")
