from functools import cache
from zoneinfo import available_timezones

from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms

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


class SettingsForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        label="Time zone",
        choices=time_zone_choices,
        help_text="Days, streaks and months on My progress are counted in this time zone.",
    )

    class Meta:
        model = User
        fields = ["time_zone", "count_skipped_as_done"]
        labels = {"count_skipped_as_done": "Count skipped resources as done"}
