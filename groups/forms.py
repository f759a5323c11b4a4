from datetime import timedelta

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from groups.models import Group, Membership
from roadmap.models import Roadmap


class GroupForm(forms.ModelForm):
    class Meta:
        model = Group
        fields = ["name", "description", "roadmap", "target_date"]
        widgets = {
            "target_date": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {"name": {"required": _("Give the group a name.")}}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if "roadmap" in self.fields:
            self.fields["roadmap"].queryset = Roadmap.objects.published()
            self.fields["roadmap"].empty_label = None
            # The roadmaps' titles are curriculum text, in the language it is written in.
            self.fields["roadmap"].widget.attrs["lang"] = settings.CURRICULUM_LANGUAGE
        self.fields["name"].widget.attrs["autocomplete"] = "off"

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Give the group a name."))
        return name

    def clean_target_date(self):
        target = self.cleaned_data.get("target_date")
        if target is not None and target <= timezone.localdate():
            raise forms.ValidationError(_("The target date must be in the future."))
        return target


class GroupSettingsForm(GroupForm):
    class Meta(GroupForm.Meta):
        fields = ["name", "description", "target_date", "shares_member_list"]

    def clean_target_date(self):
        target = self.cleaned_data.get("target_date")
        if target is not None and target != self.instance.target_date:
            return super().clean_target_date()
        return target


class LinkInvitationForm(forms.Form):
    expires_in_days = forms.IntegerField(
        label=_("Expires after (days)"),
        required=False,
        min_value=1,
        max_value=365,
        help_text=_("Leave empty for a link that does not expire."),
    )
    max_uses = forms.IntegerField(
        label=_("Maximum uses"),
        required=False,
        min_value=1,
        max_value=10_000,
        help_text=_("Leave empty for any number of people."),
    )

    def expires_at(self):
        days = self.cleaned_data.get("expires_in_days")
        return timezone.now() + timedelta(days=days) if days else None


class EmailInvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email address"), max_length=254)


class JoinForm(forms.Form):
    display_name = forms.CharField(
        label=_("Your name in this group"),
        max_length=80,
        help_text=_("What the organizers and, if you choose, the other members see."),
    )

    def clean_display_name(self) -> str:
        name = self.cleaned_data["display_name"].strip()
        if not name:
            raise forms.ValidationError(_("Enter the name the group will see."))
        return name


class MemberSettingsForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["display_name", "shares_progress", "receives_emails"]
        labels = {
            "display_name": _("Your name in this group"),
            "shares_progress": _("Show my progress to the other members"),
            "receives_emails": _("Send me this group's emails (reminders)"),
        }

    def clean_display_name(self) -> str:
        name = self.cleaned_data["display_name"].strip()
        if not name:
            raise forms.ValidationError(_("Enter the name the group will see."))
        return name


class MemberForm(forms.Form):
    member = forms.IntegerField(min_value=1, max_value=2**63 - 1)


class RoleForm(MemberForm):
    role = forms.ChoiceField(
        choices=[
            (Membership.Role.ORGANIZER, Membership.Role.ORGANIZER.label),
            (Membership.Role.MEMBER, Membership.Role.MEMBER.label),
        ]
    )


class InvitationChoiceForm(forms.Form):
    invitation = forms.IntegerField(min_value=1, max_value=2**63 - 1)


class WorthForm(forms.Form):
    worth = forms.ChoiceField(
        choices=[("yes", _("Yes")), ("no", _("No"))],
        error_messages={
            "required": _("Choose yes or no."),
            "invalid_choice": _("Choose yes or no."),
        },
    )
