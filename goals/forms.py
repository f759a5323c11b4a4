from functools import cached_property

from allauth.account.models import EmailAddress
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from goals.models import Goal
from history.activity import zone_of


class GoalForm(forms.ModelForm):
    """The goal and email part of the learner's settings. Field names are an interface: scripts
    post them (docs/reminders.md)."""

    class Meta:
        model = Goal
        fields = [
            "weekly_goal",
            "weekly_goal_unit",
            "finish_by",
            "weekly_summary",
            "summary_day",
            "inactivity_reminder_days",
        ]
        labels = {
            "weekly_goal": _("Weekly goal"),
            "weekly_goal_unit": _("Counted in"),
            "finish_by": _("Finish the roadmap by"),
            "weekly_summary": _("Email me a summary of my week"),
            "summary_day": _("My week starts on"),
            "inactivity_reminder_days": _("Remind me after this many days without activity"),
        }
        help_texts = {
            "weekly_goal": _("How much you mean to do each week. Blank: no weekly goal."),
            "finish_by": _("Optional: we show the pace that gets you there."),
            "weekly_summary": _(
                "On the morning your week starts (08:00 your time): what you did, your goal, "
                "what is next and what was added to the roadmap."
            ),
            "inactivity_reminder_days": _(
                "One email once that many days pass without activity (7 is a good start). "
                "Blank: no reminders."
            ),
        }
        widgets = {
            "weekly_goal": forms.NumberInput(attrs={"min": 1, "max": 500, "inputmode": "numeric"}),
            "finish_by": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "inactivity_reminder_days": forms.NumberInput(
                attrs={"min": 1, "max": 365, "placeholder": "7", "inputmode": "numeric"}
            ),
        }

    def __init__(self, *args, user, **kwargs) -> None:
        self.user = user
        # A learner not saved yet (an import checked as for a new learner) has no goal.
        stored = Goal.objects.filter(user=user).first() if user.pk is not None else None
        instance = stored or Goal(user=user)
        super().__init__(*args, instance=instance, **kwargs)
        # A post that leaves them out (an older form, a script setting the time zone) keeps them.
        for name in ("weekly_goal_unit", "summary_day"):
            self.fields[name].required = False

    def clean_weekly_goal_unit(self) -> str:
        return self.cleaned_data.get("weekly_goal_unit") or self.instance.weekly_goal_unit

    def clean_summary_day(self) -> int:
        day = self.cleaned_data.get("summary_day")
        return self.instance.summary_day if day in (None, "") else day

    @cached_property
    def email_verified(self) -> bool:
        """Whether emails can go out: only to the sign-in address, once it is verified."""
        return EmailAddress.objects.filter(
            user=self.user, email__iexact=self.user.email, verified=True
        ).exists()

    def clean_finish_by(self):
        finish_by = self.cleaned_data.get("finish_by")
        today = timezone.localtime(timezone.now(), zone_of(self.user)).date()
        if finish_by and finish_by < today and finish_by != self.instance.finish_by:
            raise forms.ValidationError(_("Choose a date from today on."), code="past")
        return finish_by

    def save(self, commit: bool = True) -> Goal | None:
        """Keep the learner's choices; a learner who never chose anything gets no row."""
        goal = super().save(commit=False)
        if goal.pk is None and not (goal.weekly_goal or goal.finish_by or goal.wants_email):
            return None
        if commit and goal.pk is None:
            # Two posts at once may both find no row: the second updates the first's.
            fields = {name: getattr(goal, name) for name in self.Meta.fields}
            goal, _created = Goal.objects.update_or_create(user=self.user, defaults=fields)
        elif commit:
            goal.save()
        return goal
