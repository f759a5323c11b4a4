import json

from django.core.management.base import BaseCommand, CommandError

from health import checks


class Command(BaseCommand):
    help = (
        "What /readyz answers, for a container without the web server (the worker's health "
        "check): prints each dependency's state and fails unless every one is ok."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--exclude", action="append", default=[], choices=checks.KNOWN, help="Leave out."
        )

    def handle(self, *args, exclude: list[str], **options) -> None:
        states = checks.states(exclude)
        self.stdout.write(json.dumps(states))
        if down := [name for name, state in states.items() if state != checks.OK]:
            raise CommandError(f"Not ready: {', '.join(down)}.")
