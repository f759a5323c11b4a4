import time

from django.core.management.base import BaseCommand, CommandError

from insights import section_activity
from roadmap.models import Roadmap


class Command(BaseCommand):
    help = (
        "Rebuild the learners' activity per section that the learner statistics read, from "
        "every progress row and note. The app keeps it current by itself; run this after "
        "writing progress or notes around it (a restore of those tables, the shell, raw SQL)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--roadmap", metavar="SLUG", default="", help="Only this roadmap.")

    def handle(self, *args, roadmap: str, **options) -> None:
        roadmaps = Roadmap.objects.all()
        if roadmap:
            roadmaps = roadmaps.filter(slug=roadmap)
            if not roadmaps:
                raise CommandError(f"No roadmap with the slug {roadmap!r}.")
        for each in roadmaps:
            start = time.perf_counter()
            section_activity.rebuild(each)
            ms = (time.perf_counter() - start) * 1000
            self.stdout.write(f"{each.slug}: rebuilt in {ms:.0f} ms.")
