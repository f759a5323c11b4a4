from django import forms
from django.conf import settings


class ProgressForm(forms.Form):
    done = forms.BooleanField(required=False)


class NoteForm(forms.Form):
    body = forms.CharField(
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=settings.NOTE_MAX_LENGTH,
        error_messages={
            "max_length": (
                "This note is %(show_value)s characters long; notes can hold at most "
                "%(limit_value)s. Nothing was saved: shorten it and save again."
            ),
        },
    )
