from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from history import handles
from history.imports import MAX_IMPORT_BYTES
from history.models import PublicProfile

HANDLE_TAKEN = _("This handle is taken. Choose another.")


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Export file (JSON)"),
        help_text=format_lazy(
            _("The export.json file from this or another instance, up to {megabytes} MB."),
            megabytes=MAX_IMPORT_BYTES // (1024 * 1024),
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "application/json,.json"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise ValidationError(
                _(
                    "This file is %(size)s MB; an export can be at most %(limit)d MB. "
                    "Nothing was imported."
                )
                % {
                    "size": number_format(upload.size / (1024 * 1024), 1),
                    "limit": MAX_IMPORT_BYTES // (1024 * 1024),
                }
            )
        return upload


class PublicProfileForm(forms.ModelForm):
    # Checked by clean_handle, with one message for every way a handle can be wrong.
    handle = forms.CharField(label=_("Handle"), max_length=100, strip=True)

    class Meta:
        model = PublicProfile
        fields = ["handle", "is_enabled", "allow_indexing", "show_map"]
        labels = {"handle": _("Handle"), "is_enabled": _("Publish my page")}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["handle"].help_text = _(
            "3 to 30 lower-case letters, digits or hyphens: your page's address, /u/handle/."
        )

    def clean_handle(self) -> str:
        handle = self.cleaned_data["handle"].strip().lower()
        if not handles.SHAPE.match(handle) or "--" in handle:
            raise ValidationError(
                _(
                    "Use 3 to 30 lower-case letters, digits and single hyphens, starting and "
                    "ending with a letter or digit."
                )
            )
        # A handle is judged when it is chosen: one kept as it was stays, even if a roadmap
        # has taken that slug since (its page is at /u/<handle>/, the roadmap's elsewhere).
        if handle != self.instance.handle and handles.is_reserved(handle):
            raise ValidationError(
                _(
                    "This handle is reserved: it could pass for the site, its staff or one of "
                    "its roadmaps. Choose another."
                )
            )
        taken = PublicProfile.objects.filter(handle=handle).exclude(pk=self.instance.pk)
        if taken.exists():
            raise ValidationError(HANDLE_TAKEN)
        return handle
