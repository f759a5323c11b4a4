from datetime import UTC, datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from goals.sending import send_due


class Command(BaseCommand):
    help = (
        "Send every reminder and weekly summary due now (what the worker's schedule runs), "
        "once each: a second run, or one on another worker at the same time, sends nothing twice."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="List what is due; record and send nothing."
        )
        parser.add_argument(
            "--now",
            help="The moment to send for, in ISO 8601 (2026-03-02T08:00:00+01:00); default: now. "
            "Without an offset it is read as UTC.",
        )

    def handle(self, *args, dry_run: bool = False, now: str | None = None, **options) -> None:
        moment = self._moment(now)
        report = send_due(moment, dry_run=dry_run)
        if dry_run:
            for due in report.due:
                self.stdout.write(f"would send {due.kind} ({due.period}) to {due.user.email}")
            self.stdout.write(f"{len(report.due)} due at {moment.isoformat()}; nothing sent.")
            return
        self.stdout.write(
            f"{report.sent} sent, {report.skipped} not sent (unsubscribed or unverified), "
            f"{report.retrying} to retry, {report.failed} given up, at {moment.isoformat()}."
        )

    def _moment(self, text: str | None) -> datetime:
        if not text:
            return timezone.now()
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise CommandError(f"--now {text!r} is not an ISO 8601 date and time.") from None
        return moment.replace(tzinfo=UTC) if timezone.is_naive(moment) else moment
