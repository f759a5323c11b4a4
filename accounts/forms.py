from functools import cache
from zoneinfo import available_timezones

from allauth.account.adapter import get_adapter
from allauth.account.forms import AddEmailForm as AllauthAddEmailForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.forms.utils import flatatt
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from accounts.adapter import ADDRESS_UNAVAILABLE
from accounts.models import User


@cache
def time_zone_choices() -> list[tuple[str, str]]:
    return [(zone, zone.replace("_", " ")) for zone in sorted(available_timezones())]


def valid_time_zone(name: str | None) -> str | None:
    return name if name in dict(time_zone_choices()) else None


class AddEmailForm(AllauthAddEmailForm):
    """allauth's form, refusing an address that belongs to another account.

    allauth accepts it (to hide which addresses are registered), but the address could then be
    made primary on two accounts. The message does not say which account has it.
    """

    def clean_email(self) -> str:
        adapter = get_adapter()
        email = adapter.clean_email(self.cleaned_data["email"].lower())
        if adapter.address_owned_elsewhere(email, self.user):
            raise forms.ValidationError(ADDRESS_UNAVAILABLE, code="email_unavailable")
        return super().clean_email()


class SignupForm(AllauthSignupForm):
    """allauth's sign-up, doing the same work whether or not the address is taken.

    With mandatory verification allauth answers both cases with the same page and sends one
    email either way ("confirm your address", or "you already have an account"), but only a new
    account hashes its password, a deliberately slow step (~0.4 s in production): the answer's
    timing told which addresses are registered. A taken address now hashes the password too.

    It also takes the browser's time zone, filled in by static/js/time-zone.js (UTC without
    JavaScript).
    """

    time_zone = forms.CharField(
        required=False, widget=forms.HiddenInput(attrs={"data-browser-time-zone": ""})
    )

    def try_save(self, request: HttpRequest):
        if self.account_already_exists and (password := self.cleaned_data.get("password1")):
            make_password(password)  # the hash a new account would store, thrown away
        return super().try_save(request)

    def save(self, request):
        user = super().save(request)
        zone = valid_time_zone(self.cleaned_data.get("time_zone"))
        if user is not None and zone and zone != user.time_zone:
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


class LanguageSelect(forms.Select):
    """Each language named in itself, with its own lang, so screen readers say it right."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if value:
            option["attrs"]["lang"] = value
        return option


def language_choices() -> list[tuple[str, str]]:
    return [("", _("The browser's language")), *settings.LANGUAGES]


class SettingsForm(forms.ModelForm):
    language = forms.ChoiceField(
        label=_("Language"),
        choices=language_choices,
        widget=LanguageSelect,
        required=False,
        help_text=_(
            "The site and its emails in this language, on every device you sign in on. "
            "The resources themselves stay in the language they were written in."
        ),
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=time_zone_choices,
        widget=TimeZoneSelect,
        help_text=_("Days, streaks and months on My progress are counted in this time zone."),
    )

    class Meta:
        model = User
        fields = ["language", "time_zone", "count_skipped_as_done"]
        labels = {"count_skipped_as_done": _("Count skipped resources as done")}
        help_texts = {
            "count_skipped_as_done": _(
                "Your progress bars then treat a resource you skipped like one you finished. "
                "Skipped resources are always listed apart."
            )
        }
