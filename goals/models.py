"""A learner's weekly goal and email preferences, and the record of every email sent.

``Delivery`` is what makes sending idempotent: a row for (learner, kind, period) is inserted
before the email goes out, and the database's unique constraint lets only one of two workers
(or two runs of ``send_reminders``) insert it; whoever holds it sends, once.
"""

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def new_nonce() -> str:
    return secrets.token_urlsafe(12)


class Goal(models.Model):
    """One learner's pace and the emails they asked for. No row: no goal and no email."""

    class Unit(models.TextChoices):
        RESOURCES = "resources", _("resources")
        HOURS = "hours", _("hours of estimated time")

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="goal"
    )
    weekly_goal = models.PositiveSmallIntegerField(
        _("weekly goal"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(500)],
    )
    weekly_goal_unit = models.CharField(
        _("counted in"), max_length=10, choices=Unit.choices, default=Unit.RESOURCES
    )
    finish_by = models.DateField(_("finish the roadmap by"), null=True, blank=True)
    weekly_summary = models.BooleanField(_("weekly summary by email"), default=False)
    # The day a week starts on, for the goal and the summary alike: the summary comes that
    # morning and tells of the week that just ended.
    summary_day = models.PositiveSmallIntegerField(
        _("weeks start on"), choices=Weekday.choices, default=Weekday.MONDAY
    )
    inactivity_reminder_days = models.PositiveSmallIntegerField(
        _("remind me after this many days without activity"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    # Part of every unsubscribe link; a new one after each unsubscribe, so that a link works once.
    unsubscribe_nonce = models.CharField(max_length=32, default=new_nonce, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("goal")

    def __str__(self) -> str:
        if self.weekly_goal:
            return f"{self.user}: {self.weekly_goal} {self.weekly_goal_unit} a week"
        return f"{self.user}: no weekly goal"

    @property
    def wants_email(self) -> bool:
        return self.weekly_summary or self.inactivity_reminder_days is not None


class DeliveryQuerySet(models.QuerySet):
    def ready(self, now: datetime) -> "DeliveryQuerySet":
        """Claimed and not sent yet, with no retry waiting for later."""
        return self.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)


class Delivery(models.Model):
    """One email to one learner for one period: the row is the promise it goes out once."""

    class Kind(models.TextChoices):
        WEEKLY_SUMMARY = "weekly_summary", _("weekly summary")
        INACTIVITY = "inactivity", _("inactivity reminder")

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting to be sent")
        SENT = "sent", _("sent")
        FAILED = "failed", _("given up")
        SKIPPED = "skipped", _("not sent")

    # Attempts before a delivery is given up, and the wait before the next one (doubled each).
    MAX_ATTEMPTS = 5
    FIRST_RETRY = timedelta(minutes=5)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="deliveries"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # The week's first day for a summary; the moment of the last activity for a reminder.
    period = models.CharField(max_length=40)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("email sent")
        verbose_name_plural = _("emails sent")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "period"], name="goals_delivery_once_per_period"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="goals_delivery_waiting"),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.kind} {self.period} ({self.status})"

    def retry_after(self) -> timedelta:
        return self.FIRST_RETRY * 2 ** max(self.attempts - 1, 0)
