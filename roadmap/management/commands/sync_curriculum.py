import hashlib
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from roadmap.models import CurriculumSync

# Any constant shared by every process that may run this at once (several web containers).
_ADVISORY_LOCK_ID = 0x11_4D_52_4D


class Command(BaseCommand):
    help = (
        "Apply fixtures/<name>.json when it changed since it was last applied. Run on every start: "
        "an unchanged fixture is left alone, so curators' edits in admin survive restarts."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--fixture", default="curriculum", help="Fixture name (default: %(default)s)."
        )
        parser.add_argument("--force", action="store_true", help="Apply it even if unchanged.")

    def handle(self, *args, fixture: str, force: bool, **options) -> None:
        path = self._find(fixture)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK_ID])
            last = CurriculumSync.objects.select_for_update().filter(fixture=fixture).first()
            if last and last.sha256 == digest and not force:
                self.stdout.write(
                    f"{path.name} is unchanged since {last.applied_at:%Y-%m-%d %H:%M}: left alone."
                )
                return
            call_command("loaddata", fixture, verbosity=options["verbosity"], stdout=self.stdout)
            CurriculumSync.objects.update_or_create(fixture=fixture, defaults={"sha256": digest})
        self.stdout.write(self.style.SUCCESS(f"Applied {path.name} ({digest[:12]})."))

    def _find(self, fixture: str) -> Path:
        for directory in settings.FIXTURE_DIRS:
            path = Path(directory) / f"{fixture}.json"
            if path.is_file():
                return path
        raise CommandError(
            f"No fixture named {fixture!r} in {[str(d) for d in settings.FIXTURE_DIRS]}."
        )
