from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from roadmap.models import Progress


class ResourceFieldsMixin:
    """A form for one resource's controls on the roadmap page, where every resource's controls
    belong to one form: its fields are named ``<field>-<resource pk>`` ("done-27"). The plain
    names ("done") are read too, as a form of its own for one resource sends them.
    """

    def __init__(self, data, *, resource_pk: int) -> None:
        named = {name: f"{name}-{resource_pk}" for name in self.base_fields}
        if not any(key in data for key in named.values()):
            named = {name: name for name in self.base_fields}
        super().__init__({name: data.get(key) for name, key in named.items() if key in data})


class ProgressForm(ResourceFieldsMixin, forms.Form):
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


# The roadmap page's status menus send one letter per status, as they are written for every
# resource; a form of its own for one resource may send the full value.
STATUS_CODES = {
    "n": Progress.Status.NOT_STARTED,
    "p": Progress.Status.IN_PROGRESS,
    "d": Progress.Status.DONE,
    "s": Progress.Status.SKIPPED,
}


class StatusForm(ResourceFieldsMixin, forms.Form):
    status = forms.TypedChoiceField(
        choices=[*Progress.Status.choices, *((code, s.label) for code, s in STATUS_CODES.items())],
        coerce=lambda value: STATUS_CODES.get(value, value),
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
