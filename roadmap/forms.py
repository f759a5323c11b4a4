from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from roadmap.models import Progress


class ProgressForm(forms.Form):
    done = forms.BooleanField(required=False)


class NoteForm(forms.Form):
    body = forms.CharField(
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=settings.NOTE_MAX_LENGTH,
        error_messages={
            "max_length": _(
                "This note is %(show_value)s characters long; notes can hold at most "
                "%(limit_value)s. Nothing was saved: shorten it and save again."
            ),
        },
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        choices=Progress.Status.choices,
        error_messages={
            "required": _("Choose a status: Not started, In progress, Done or Skipped."),
            "invalid_choice": _("Choose a status: Not started, In progress, Done or Skipped."),
        },
    )


class BookmarkForm(forms.Form):
    bookmark = forms.CharField(
        required=False,
        max_length=Progress._meta.get_field("bookmark").max_length,
        error_messages={
            "max_length": _(
                "This is %(show_value)s characters long; where you stopped can hold at most "
                "%(limit_value)s. Nothing was saved: shorten it and save again."
            ),
        },
    )
