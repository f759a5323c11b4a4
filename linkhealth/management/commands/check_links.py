import json

from django.core.management.base import BaseCommand, CommandError

from linkhealth.models import LinkCheck, LinkCheckRun
from linkhealth.tasks import published_urls, run_check
from roadmap.models import Roadmap


class Command(BaseCommand):
    help = (
        "Check every published resource's link now (at most 8 at once, 2 per host) and store "
        "each result. A link counts as broken after two failed checks in a row."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--roadmap", metavar="SLUG", default="", help="Only this roadmap.")
        parser.add_argument(
            "--json",
            action="store_true",
            help="Print one JSON object per URL (url, outcome, http_status, final_url, …).",
        )

    def handle(self, *args, roadmap: str, json: bool, **options) -> None:
        if roadmap and not Roadmap.objects.filter(slug=roadmap).exists():
            raise CommandError(f"No roadmap with the slug {roadmap!r}.")
        urls = published_urls(roadmap)
        run, results = run_check(urls, LinkCheckRun.Trigger.COMMAND, roadmap_slug=roadmap)
        stored = LinkCheck.objects.in_bulk(urls, field_name="url")
        if json:
            self._print_json(results, stored)
        else:
            self._print_lines(results, stored, run)

    def _print_json(self, results, stored) -> None:
        rows = []
        for result in results:
            check = stored[result.url]
            rows.append(
                {
                    **result.as_dict(),
                    "status": check.status,
                    "consecutive_failures": check.consecutive_failures,
                    "checked_at": check.checked_at.isoformat(),
                }
            )
        self.stdout.write(json.dumps(rows, indent=2))

    def _print_lines(self, results, stored, run: LinkCheckRun) -> None:
        for result in results:
            check = stored[result.url]
            line = f"{check.get_status_display():<12} {result.url}"
            if check.detail:
                line += f"  ({check.detail})"
            style = {
                LinkCheck.Status.OK: self.style.SUCCESS,
                LinkCheck.Status.REDIRECTED: self.style.WARNING,
                LinkCheck.Status.FAILING_ONCE: self.style.WARNING,
            }.get(check.status, self.style.ERROR)
            self.stdout.write(style(line))
        counts = {}
        for check in stored.values():
            counts[check.get_status_display()] = counts.get(check.get_status_display(), 0) + 1
        tally = ", ".join(f"{n} {label.lower()}" for label, n in sorted(counts.items()))
        self.stdout.write(f"Checked {run.checked} links: {tally or 'none'}.")
