"""Study groups: a group follows one roadmap; learners join it by invitation and by choice.

What a group shows of its members is their status on each resource and when they last worked
on the roadmap, never their notes or bookmarks; ``templates/groups/join.html`` says so before
anyone joins.
"""

import secrets
from datetime import date, datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from roadmap.models import Resource, Roadmap


def new_token() -> str:
    """An invitation's secret: 256 random bits, URL-safe, never derived from anything."""
    return secrets.token_urlsafe(32)


class GroupQuerySet(models.QuerySet):
    def of_member(self, user) -> "GroupQuerySet":
        return self.filter(memberships__user=user)


class Group(models.Model):
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    roadmap = models.ForeignKey(
        Roadmap,
        on_delete=models.PROTECT,
        related_name="study_groups",
        verbose_name=_("roadmap"),
        help_text=_("The roadmap the group follows."),
    )
    target_date = models.DateField(
        _("target date"), null=True, blank=True, help_text=_("When the group means to finish.")
    )
    # The organizers' switch; each member opts in as well (Membership.shares_progress).
    shares_member_list = models.BooleanField(
        _("members see each other's progress"),
        default=False,
        help_text=_("Only members who opt in are listed."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    objects = GroupQuerySet.as_manager()

    class Meta:
        verbose_name = _("study group")
        verbose_name_plural = _("study groups")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("groups:detail", args=[self.pk])

    def expected_fraction(self, today: date) -> float | None:
        """How much of the roadmap should be behind the group by ``today``, from the time
        elapsed between its creation and its target date; None without a target date."""
        if self.target_date is None:
            return None
        start = timezone.localdate(self.created_at)
        span = (self.target_date - start).days
        if span <= 0 or today >= self.target_date:
            return 1.0
        return min(max((today - start).days / span, 0.0), 1.0)


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        ORGANIZER = "organizer", _("Organizer")
        MEMBER = "member", _("Member")

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    display_name = models.CharField(_("display name"), max_length=80)
    shares_progress = models.BooleanField(_("show my progress to the other members"), default=False)
    receives_emails = models.BooleanField(_("group emails"), default=True)
    joined_at = models.DateTimeField(_("joined"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["group", "display_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "user"], name="groups_membership_one_per_user"
            ),
            models.UniqueConstraint(
                fields=["group"], condition=Q(role="owner"), name="groups_membership_one_owner"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.get_role_display()}) in {self.group}"

    @property
    def organizes(self) -> bool:
        return self.role in (self.Role.OWNER, self.Role.ORGANIZER)

    @property
    def owns(self) -> bool:
        return self.role == self.Role.OWNER


class Invitation(models.Model):
    """A link anyone holding it may join by (``email`` blank), or an invitation to one address,
    which only an account with that verified address can accept."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        REVOKED = "revoked", _("Revoked")
        EXPIRED = "expired", _("Expired")
        USED_UP = "used_up", _("Used up")

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="invitations")
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    email = models.EmailField(_("email address"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    max_uses = models.PositiveIntegerField(_("maximum uses"), null=True, blank=True)
    uses = models.PositiveIntegerField(_("uses"), default=0)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.email or f"link #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("groups:join", args=[self.token])

    def state(self, now: datetime) -> str:
        if self.revoked_at is not None:
            return self.State.REVOKED
        if self.expires_at is not None and self.expires_at <= now:
            return self.State.EXPIRED
        if self.max_uses is not None and self.uses >= self.max_uses:
            return self.State.USED_UP
        return self.State.OPEN


class Nudge(models.Model):
    """A reminder an organizer sent to the members behind; one a day per group, which the
    unique constraint keeps even when two organizers press the button at once."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="nudges")
    day = models.DateField()
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    sent_at = models.DateTimeField(default=timezone.now)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(fields=["group", "day"], name="groups_nudge_one_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.group} on {self.day}"


class WorthAnswer(models.Model):
    """Whether a learner found a resource they finished worth their time."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="worth_answers"
    )
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="worth_answers")
    worth = models.BooleanField(_("worth the time"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("“worth your time” answer")
        verbose_name_plural = _("“worth your time” answers")
        constraints = [
            models.UniqueConstraint(fields=["user", "resource"], name="groups_worth_one_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.resource} ({'yes' if self.worth else 'no'})"
