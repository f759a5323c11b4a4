from argparse import ArgumentParser
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from roadmap.curriculum.export import export_curriculum
from roadmap.curriculum.load import DEFAULT_ROADMAP_SLUG
from roadmap.models import Roadmap


class Command(BaseCommand):
    help = (
        "Write a roadmap's published curriculum as Markdown in the shape import_curriculum "
        "reads. Warns (on stderr) about anything an import of the file would change."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--roadmap",
            default=DEFAULT_ROADMAP_SLUG,
            help="Slug of the roadmap to write (default: %(default)s).",
        )
        parser.add_argument(
            "--output",
            "-o",
            help="File to write (UTF-8); without it the Markdown goes to standard output.",
        )

    def handle(self, *args, roadmap: str, output: str | None, **options) -> None:
        found = Roadmap.objects.filter(slug=roadmap).first()
        if found is None:
            slugs = ", ".join(Roadmap.objects.values_list("slug", flat=True)) or "none yet"
            raise CommandError(f"No roadmap with the slug {roadmap!r} (roadmaps: {slugs}).")

        result = export_curriculum(found)
        if output is None:
            # Bypass the command's own stdout wrapper: it would add a newline the file lacks.
            self.stdout.write(result.markdown, ending="")
        else:
            try:
                Path(output).write_text(result.markdown, encoding="utf-8", newline="\n")
            except OSError as exc:
                raise CommandError(f"{output} cannot be written: {exc.strerror or exc}.") from None
        for warning in result.warnings:
            self.stderr.write(f"Warning: {warning}")
        if output is not None:
            count = len(result.markdown.splitlines())
            self.stderr.write(f"Wrote {found.slug} to {output} ({count} lines).")
