"""What learners did, day by day: the record behind "My progress", streaks and exports.

An event is recorded (history/signals.py) whenever ``roadmap/learning.py`` announces that a
learner's status on a resource or their note changed, and only then, so repeated or concurrent
requests that change nothing record nothing. An import adds the events its file carries.
"""

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.db.models import Exists, ExpressionWrapper, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext, pgettext_lazy

# The moments every time zone can show: no zone is a day away from UTC. An import once took any
# date, and a year 1 or 9999 event turned into year 0 or 10000, which no page can show.
SHOWABLE_FROM = datetime(1, 1, 2, tzinfo=UTC)
SHOWABLE_UNTIL = datetime(9999, 12, 31, tzinfo=UTC)

# Changes of one kind to one resource this close together read as one: pressing d, p and s
# in turn is the learner making up their mind, and only where they ended matters to them.
COALESCE_WITHIN = timedelta(minutes=10)


class EventQuerySet(models.QuerySet):
    def for_user(self, user) -> "EventQuerySet":
        """The learner's events, as every page, figure and export reads them.

        Without any dated outside SHOWABLE_FROM..SHOWABLE_UNTIL: whatever is stored, the
        dashboard and the history never fail on it (imports refuse such dates now).
        """
        return self.filter(user=user, created_at__gte=SHOWABLE_FROM, created_at__lt=SHOWABLE_UNTIL)

    def coalesced(self) -> "EventQuerySet":
        """What a list of the learner's activity shows: each event that was followed, within
        ``COALESCE_WITHIN``, by another of its kind on its resource is left out, so a burst of
        changes shows as its last one.

        Only the lists are coalesced: the events stay as they are, so the heatmap, streaks and
        exports count every one. Each event's check is a range of ten minutes of the learner's
        own events on its resource (history_event_user_res_time: without it the check
        read every event of the resource, however old), so the first entries cost a few index
        probes however long the history; counting the pages reads the learner's events once.
        """
        later = Event.objects.filter(
            user=OuterRef("user"),
            resource=OuterRef("resource"),
            kind=OuterRef("kind"),
            created_at__gte=OuterRef("created_at"),
            created_at__lte=ExpressionWrapper(
                OuterRef("created_at") + COALESCE_WITHIN, output_field=models.DateTimeField()
            ),
        ).exclude(  # at the same moment, later in the list's order (higher pk) only
            created_at=OuterRef("created_at"), pk__lte=OuterRef("pk")
        )
        return self.filter(~Exists(later))


class Event(models.Model):
    class Kind(models.TextChoices):
        STATUS = "status", _("Status changed")
        NOTE = "note", _("Note edited")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="events"
    )
    # Like progress and notes, history keeps the resource it speaks of (curators unpublish).
    resource = models.ForeignKey(
        "roadmap.Resource", on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # For a status change, the new status (roadmap.Progress.Status); empty for note edits.
    status = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="history_event_user_time"),
            # coalesced()'s check for a later event of the same resource, kept to one learner's
            # few minutes.
            models.Index(
                fields=["user", "resource", "created_at"], name="history_event_user_res_time"
            ),
        ]

    def __str__(self) -> str:
        what = self.status or self.get_kind_display()
        return f"{self.user} · {self.resource} · {what} @ {self.created_at:%Y-%m-%d %H:%M}"

    # What the history list says before the resource's title: "Checked off The Illustrated
    # Transformer" (translators may end theirs with a colon where their language needs it).
    VERBS = {
        "done": pgettext_lazy("history, before a resource's title", "Checked off"),
        "in_progress": pgettext_lazy("history, before a resource's title", "Started"),
        "skipped": pgettext_lazy("history, before a resource's title", "Skipped"),
        "not_started": pgettext_lazy("history, before a resource's title", "Marked as not started"),
    }

    @property
    def verb(self) -> str:
        if self.kind == self.Kind.NOTE:
            return pgettext("history, before a resource's title", "Edited the note on")
        return self.VERBS.get(
            self.status, pgettext("history, before a resource's title", "Changed")
        )


class PublicProfile(models.Model):
    """A learner's opt-in public page at ``/u/<handle>/``: off until they switch it on."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="public_profile"
    )
    # Stored lower-case, so "Ada" and "ada" are the same handle.
    handle = models.SlugField(max_length=30, unique=True)
    is_enabled = models.BooleanField(_("published"), default=False)
    allow_indexing = models.BooleanField(
        _("let search engines index it"),
        default=False,
        help_text=_("Off: the page asks search engines not to list it (noindex)."),
    )
    show_map = models.BooleanField(
        _("show my map"),
        default=False,
        help_text=_("On: the page shows the map of each roadmap with the status of each resource."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("public page")

    def __str__(self) -> str:
        return f"/u/{self.handle}/ ({'on' if self.is_enabled else 'off'})"

    def get_absolute_url(self) -> str:
        return reverse("history:public_page", args=[self.handle])


class PublicNote(models.Model):
    """A note its author chose to show on their public page; every other note stays private.

    Deleting the note (an empty save) deletes the mark with it, so a later note on the same
    resource starts private again.
    """

    note = models.OneToOneField("roadmap.Note", on_delete=models.CASCADE, related_name="public")
    marked_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"public: {self.note}"


class PendingImportQuerySet(models.QuerySet):
    def live(self, *, now: datetime | None = None) -> "PendingImportQuerySet":
        return self.filter(created_at__gte=(now or timezone.now()) - PendingImport.KEPT_FOR)

    def expired(self, *, now: datetime | None = None) -> "PendingImportQuerySet":
        return self.filter(created_at__lt=(now or timezone.now()) - PendingImport.KEPT_FOR)

    def replace(self, user, *, filename: str, data: dict) -> "PendingImport":
        """Keep ``data`` as the learner's one pending import, in place of any earlier one.

        The earlier one is deleted, not overwritten: its preview, still open in another tab,
        cannot confirm a file it never showed. Two uploads at once wait for each other on the
        learner's row, so the later one replaces the first instead of failing on the
        one-per-learner constraint.
        """
        with transaction.atomic():
            get_user_model().objects.select_for_update().filter(pk=user.pk).first()
            self.filter(user=user).delete()
            return self.create(user=user, filename=filename, data=data)


class PendingImport(models.Model):
    """An uploaded export, validated, waiting for the learner to confirm its preview.

    Kept server-side between the preview and the confirmation (a 5 MB file fits neither a
    session nor a form field). One per learner: a new upload replaces it. Deleted when
    applied; unconfirmed, it is gone after KEPT_FOR (pages stop showing it at once, and the
    worker's hourly ``remove_expired_imports`` deletes it, history/tasks.py).
    """

    KEPT_FOR = timedelta(days=1)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pending_imports"
    )
    filename = models.CharField(max_length=200, blank=True)
    data = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    objects = PendingImportQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user"], name="history_pending_import_one_per_learner")
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.filename or 'import'} @ {self.created_at:%Y-%m-%d %H:%M}"
