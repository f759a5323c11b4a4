from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from roadmap.models import Resource, ResourceQuerySet
from worker.heartbeat import stale_after

# Statuses a curator filters resources by; "never" is a URL without a LinkCheck row.
NEVER_CHECKED = "never"


class LinkCheckQuerySet(models.QuerySet):
    def record(self, results: Iterable, checked_at: datetime | None = None) -> list["LinkCheck"]:
        """Store each result as its URL's latest check, counting failures in a row."""
        checked_at = checked_at or timezone.now()
        # One row per URL: an upsert may not touch the same row twice.
        results = list({result.url: result for result in results}.values())
        previous = self.in_bulk([r.url for r in results], field_name="url")
        rows = []
        for result in results:
            before = previous.get(result.url)
            failed = result.outcome in LinkCheck.FAILURES
            failures = (before.consecutive_failures if before else 0) + 1 if failed else 0
            rows.append(
                LinkCheck(
                    url=result.url,
                    outcome=result.outcome,
                    status=LinkCheck.status_for(result.outcome, failures),
                    http_status=result.http_status,
                    final_url=result.final_url if len(result.final_url) <= 2000 else "",
                    error=result.error[:300],
                    checked_at=checked_at,
                    consecutive_failures=failures,
                )
            )
        fields = [
            "outcome",
            "status",
            "http_status",
            "final_url",
            "error",
            "checked_at",
            "consecutive_failures",
        ]
        # One INSERT … ON CONFLICT (url) DO UPDATE for the lot.
        return self.bulk_create(
            rows, update_conflicts=True, unique_fields=["url"], update_fields=fields
        )


class LinkCheck(models.Model):
    """The latest check of one URL, shared by every resource that links to it.

    Keyed by URL, not by resource: editing a resource's link makes it "never checked" at once,
    and a URL used in two roadmaps is fetched once.
    """

    class Outcome(models.TextChoices):
        OK = "ok", _("OK")
        REDIRECTED = "redirected", _("Redirected")
        BROKEN = "broken", _("Broken")
        UNREACHABLE = "unreachable", _("Unreachable")

    class Status(models.TextChoices):
        """What curators are told: a failure counts after two checks in a row."""

        OK = "ok", _("OK")
        REDIRECTED = "redirected", _("Redirected")
        # Counts as broken or unreachable only if the next check fails too.
        FAILING_ONCE = "failing", _("Failed once")
        BROKEN = "broken", _("Broken")
        UNREACHABLE = "unreachable", _("Unreachable")

    FAILURES = {Outcome.BROKEN, Outcome.UNREACHABLE}
    FAILURES_TO_REPORT = 2

    url = models.URLField(max_length=500, unique=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    status = models.CharField(max_length=20, choices=Status.choices, db_index=True)
    http_status = models.PositiveSmallIntegerField("HTTP status", null=True, blank=True)
    final_url = models.URLField("final URL", max_length=2000, blank=True)
    error = models.CharField(max_length=300, blank=True)
    checked_at = models.DateTimeField()
    consecutive_failures = models.PositiveIntegerField("failed checks in a row", default=0)

    objects = LinkCheckQuerySet.as_manager()

    class Meta:
        ordering = ["url"]

    def __str__(self) -> str:
        return f"{self.url}: {self.get_status_display()}"

    @classmethod
    def status_for(cls, outcome: str, consecutive_failures: int) -> str:
        if outcome in cls.FAILURES and consecutive_failures < cls.FAILURES_TO_REPORT:
            return cls.Status.FAILING_ONCE
        return outcome

    @property
    def detail(self) -> str:
        """What went wrong, or where the link now leads; empty when it is simply OK."""
        if self.outcome == self.Outcome.REDIRECTED:
            return f"now at {self.final_url}"
        if self.outcome in self.FAILURES:
            return self.error or (f"HTTP {self.http_status}" if self.http_status else "")
        return ""


def with_link_status(resources: ResourceQuerySet) -> ResourceQuerySet:
    """Resources annotated with their link's status and final URL (None: never checked)."""
    latest = LinkCheck.objects.filter(url=OuterRef("url"))
    return resources.annotate(
        link_status=Subquery(latest.values("status")[:1]),
        link_final_url=Subquery(latest.values("final_url")[:1]),
        link_error=Subquery(latest.values("error")[:1]),
        link_http_status=Subquery(latest.values("http_status")[:1]),
    )


def filter_by_link_status(resources: ResourceQuerySet, status: str) -> ResourceQuerySet:
    if status == NEVER_CHECKED:
        return resources.filter(~Exists(LinkCheck.objects.filter(url=OuterRef("url"))))
    return resources.filter(url__in=LinkCheck.objects.filter(status=status).values("url"))


class UseNewUrlError(Exception):
    """The redirect's target cannot become the resource's link; the message says why."""


def use_new_url(resource: Resource) -> str:
    """Point the resource at where its link now redirects; the same row keeps its learners' data.

    Returns the new URL, or raises UseNewUrlError with a message for the curator.
    """
    check = LinkCheck.objects.filter(url=resource.url).first()
    if check is None or check.outcome != LinkCheck.Outcome.REDIRECTED or not check.final_url:
        raise UseNewUrlError(f"“{resource}” has no redirect to follow: check its link first.")
    new_url = check.final_url
    if len(new_url) > Resource._meta.get_field("url").max_length:
        raise UseNewUrlError(f"The new URL of “{resource}” is too long to store; edit it by hand.")
    clash = (
        Resource.objects.filter(roadmap_id=resource.roadmap_id, url=new_url)
        .exclude(pk=resource.pk)
        .first()
    )
    if clash:
        raise UseNewUrlError(
            f"“{resource}” was not changed: “{clash}” in the same roadmap already links to "
            f"{new_url}."
        )
    resource.url = new_url
    resource.save(update_fields=["url"])
    # The redirect ended at a page that answered: the new URL starts out OK.
    LinkCheck.objects.get_or_create(
        url=new_url,
        defaults={
            "outcome": LinkCheck.Outcome.OK,
            "status": LinkCheck.Status.OK,
            "http_status": check.http_status,
            "checked_at": check.checked_at,
        },
    )
    return new_url


class LinkCheckRunQuerySet(models.QuerySet):
    def full(self) -> "LinkCheckRunQuerySet":
        """Runs over every published link (the daily check, or a check of all)."""
        return self.filter(roadmap_slug="", partial=False)

    def not_failed(self) -> "LinkCheckRunQuerySet":
        """Runs that finished, or are still going."""
        return self.filter(failure="")

    def fail_abandoned(self, *, task_id: str = "", now: datetime | None = None) -> int:
        """Mark failed the runs nobody is doing any more, so that none shows "running" for ever.

        A run whose task starts again was abandoned: its worker died and the task was queued
        again (worker/recovery.py). So was any run without a sign of life for as long as a
        worker without a heartbeat counts as gone (a killed ``check_links`` command). Their
        ``finished_at`` is their last sign of life. Returns how many were marked.
        """
        now = now or timezone.now()
        unfinished = self.filter(finished_at__isnull=True, failure="")
        last_sign = Coalesce("heartbeat_at", "started_at")
        marked = 0
        if task_id:
            marked += unfinished.filter(task_id=task_id).update(
                finished_at=last_sign, failure=LinkCheckRun.STOPPED_AND_RUN_AGAIN
            )
        cutoff = now - stale_after()
        quiet = unfinished.filter(
            Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
        )
        marked += quiet.update(finished_at=last_sign, failure=LinkCheckRun.STOPPED)
        return marked


class LinkCheckRun(models.Model):
    """One run of the checker: when, why, and what it found."""

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", _("Daily schedule")
        COMMAND = "command", _("check_links command")
        ADMIN = "admin", _("A curator, from the admin")
        REPORT = "report", _("A learner's report")

    STOPPED_AND_RUN_AGAIN = "its worker stopped mid-run; the task was run again"
    STOPPED = "stopped mid-run (its worker or command was stopped)"

    trigger = models.CharField(max_length=20, choices=Trigger.choices)
    roadmap_slug = models.SlugField(max_length=80, blank=True, help_text=_("Empty: every roadmap."))
    partial = models.BooleanField(default=False, help_text=_("Only some links were checked."))
    task_id = models.CharField(
        "task",
        max_length=64,
        blank=True,
        db_index=True,
        help_text=_("The queued task that made this run; empty for the check_links command."),
    )
    attempt = models.PositiveSmallIntegerField(
        default=1, help_text=_("2 when the task was run again because its worker stopped.")
    )
    started_at = models.DateTimeField(default=timezone.now)
    heartbeat_at = models.DateTimeField("last sign of life", null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    failure = models.CharField(max_length=300, blank=True, help_text=_("Why it did not finish."))
    checked = models.PositiveIntegerField("links checked", default=0)
    failing = models.PositiveIntegerField("links failing", default=0)

    objects = LinkCheckRunQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        get_latest_by = "started_at"

    def __str__(self) -> str:
        return f"{self.get_trigger_display()} at {self.started_at:%Y-%m-%d %H:%M}"

    def state(self, now: datetime | None = None) -> str:
        """What the run is, told truthfully even before anyone has marked it failed."""
        if self.failure:
            return f"Failed: {self.failure}"
        if self.finished_at:
            return "Finished"
        last_sign = self.heartbeat_at or self.started_at
        if last_sign < (now or timezone.now()) - stale_after():
            since = timezone.localtime(last_sign)
            return f"Stopped: no sign of life since {since:%Y-%m-%d %H:%M:%S}"
        return "Running"


class LinkReportQuerySet(models.QuerySet):
    def open(self) -> "LinkReportQuerySet":
        return self.filter(resolved_at__isnull=True)

    def sent_by(self, user, since: timedelta) -> "LinkReportQuerySet":
        return self.filter(user=user, created_at__gte=timezone.now() - since)

    def resolve(self, by) -> int:
        return self.open().update(resolved_at=timezone.now(), resolved_by=by)

    def file(
        self, user, resource: Resource, reason: str, comment: str
    ) -> tuple["LinkReport", bool]:
        """The learner's open report on this resource, made or updated; True if it is new.

        Sending twice (a double click, two tabs, at the same moment) keeps one open report:
        the partial unique constraint refuses the second row and the first one is updated.
        """
        try:
            with transaction.atomic():
                report = self.create(user=user, resource=resource, reason=reason, comment=comment)
            return report, True
        except IntegrityError:
            report = self.open().get(user=user, resource=resource)
        if (reason, comment) != (report.reason, report.comment):
            report.reason = reason or report.reason
            report.comment = comment or report.comment
            report.save(update_fields=["reason", "comment"])
        return report, False


class LinkReport(models.Model):
    """A learner telling curators that a resource's link has a problem."""

    class Reason(models.TextChoices):
        BROKEN = "broken", _("The link is broken or the page is gone")
        MOVED = "moved", _("The content moved or changed")
        PAYWALLED = "paywalled", _("It needs payment or an account")
        OTHER = "other", _("Something else")

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="link_reports")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="link_reports"
    )
    reason = models.CharField(max_length=20, choices=Reason.choices, blank=True)
    comment = models.TextField(blank=True, max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = LinkReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "resource"],
                condition=Q(resolved_at__isnull=True),
                name="linkhealth_report_one_open_per_learner",
            ),
        ]

    def __str__(self) -> str:
        return f"Problem reported with {self.resource}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None
