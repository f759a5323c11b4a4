"""What learners did, day by day: the record behind "My progress", streaks and exports.

An event is written by ``roadmap/learning.py`` whenever a learner's status on a resource or
their note changes; nothing else writes them, so repeated or concurrent requests that change
nothing record nothing.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class EventQuerySet(models.QuerySet):
    def for_user(self, user) -> "EventQuerySet":
        return self.filter(user=user)


class Event(models.Model):
    class Kind(models.TextChoices):
        STATUS = "status", "Status changed"
        NOTE = "note", "Note edited"

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
        indexes = [models.Index(fields=["user", "-created_at"], name="history_event_user_time")]

    def __str__(self) -> str:
        what = self.status or self.get_kind_display()
        return f"{self.user} · {self.resource} · {what} @ {self.created_at:%Y-%m-%d %H:%M}"
