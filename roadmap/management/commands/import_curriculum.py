from argparse import ArgumentParser
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_slug
from django.db import IntegrityError

from roadmap.curriculum.load import DEFAULT_ROADMAP_SLUG, import_curriculum
from roadmap.curriculum.parse import CurriculumFormatError, parse_curriculum
from roadmap.models import Roadmap


class Command(BaseCommand):
    help = (
        "Create or update a roadmap's sections and resources from its Markdown file. "
        "Resources are matched on their URL; what is no longer in the file is unpublished, "
        "never deleted."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "file", help="The curriculum's Markdown file, e.g. fixtures/llm-roadmap.md."
        )
        parser.add_argument(
            "--roadmap",
            default=DEFAULT_ROADMAP_SLUG,
            help="Slug of the roadmap to fill; created if missing (default: %(default)s).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Report what would change, then roll everything back.",
        )

    def handle(self, *args, file: str, roadmap: str, dry_run: bool, **options) -> None:
        max_length = Roadmap._meta.get_field("slug").max_length
        try:
            validate_slug(roadmap)
        except ValidationError:
            raise CommandError(f"--roadmap {roadmap!r} is not a valid slug.") from None
        if len(roadmap) > max_length:
            raise CommandError(f"--roadmap is at most {max_length} characters long.")

        try:
            # utf-8-sig: a byte order mark left by an editor would otherwise hide the first heading.
            text = Path(file).read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            raise CommandError(
                f"{file} is not UTF-8 text (byte {exc.start} cannot be decoded)."
            ) from None
        except OSError as exc:
            raise CommandError(f"{file} cannot be read: {exc.strerror or exc}.") from None

        try:
            parsed = parse_curriculum(text)
        except CurriculumFormatError as exc:
            raise CommandError(f"{file}, line {exc.line}: {exc.message}") from None

        try:
            report = import_curriculum(parsed, roadmap, dry_run=dry_run)
        except CurriculumFormatError as exc:
            raise CommandError(f"{file}, line {exc.line}: {exc.message}") from None
        except IntegrityError as exc:
            # Only a concurrent edit of the same rows gets here; the transaction rolled back.
            raise CommandError(
                f"{file}: the database changed during the import, nothing was saved ({exc})."
            ) from None

        for line in report.lines():
            self.stdout.write(line)
