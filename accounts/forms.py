from functools import cache
from zoneinfo import available_timezones

from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from accounts.models import User


@cache
def time_zone_choices() -> list[tuple[str, str]]:
    return [(zone, zone.replace("_", " ")) for zone in sorted(available_timezones())]


def valid_time_zone(name: str | None) -> str | None:
    return name if name in dict(time_zone_choices()) else None


class SignupForm(AllauthSignupForm):
    # Filled by static/js/time-zone.js from the browser; without JavaScript it stays UTC.
    time_zone = forms.CharField(
        required=False, widget=forms.HiddenInput(attrs={"data-browser-time-zone": ""})
    )

    def save(self, request):
        user = super().save(request)
        zone = valid_time_zone(self.cleaned_data.get("time_zone"))
        if zone and zone != user.time_zone:
            user.time_zone = zone
            user.save(update_fields=["time_zone"])
        return user


class TimeZoneSelect(forms.Select):
    """A <select> of the ~600 time zones, its options written out in Python.

    Django's Select renders each option through a template: ~600 of them made the settings
    page cost hundreds of milliseconds. The option list is the same for everyone; only the
    selected one differs.
    """

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        attrs = self.build_attrs(self.attrs, attrs)
        options = "".join(
            format_html(
                '<option value="{}"{}>{}</option>',
                zone,
                mark_safe(" selected") if zone == value else "",
                label,
            )
            for zone, label in time_zone_choices()
        )
        return format_html(
            '<select name="{}"{}>{}</select>',
            name,
            flatatt(attrs),
            mark_safe(options),  # noqa: S308
        )


class SettingsForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        label="Time zone",
        choices=time_zone_choices,
        widget=TimeZoneSelect,
        help_text="Days, streaks and months on My progress are counted in this time zone.",
    )

    class Meta:
        model = User
        fields = ["time_zone", "count_skipped_as_done"]
        labels = {"count_skipped_as_done": "Count skipped resources as done"}
