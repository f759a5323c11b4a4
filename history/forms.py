from django import forms
from django.core.exceptions import ValidationError

from history import handles
from history.imports import MAX_IMPORT_BYTES
from history.models import PublicProfile


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Export file (JSON)",
        help_text=f"The export.json file from this or another instance, up to "
        f"{MAX_IMPORT_BYTES // (1024 * 1024)} MB.",
        widget=forms.ClearableFileInput(attrs={"accept": "application/json,.json"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise ValidationError(
                f"This file is {upload.size / (1024 * 1024):.1f} MB; an export can be at most "
                f"{MAX_IMPORT_BYTES // (1024 * 1024)} MB. Nothing was imported."
            )
        return upload


class PublicProfileForm(forms.ModelForm):
    # Checked by clean_handle, with one message for every way a handle can be wrong.
    handle = forms.CharField(max_length=100, strip=True)

    class Meta:
        model = PublicProfile
        fields = ["handle", "is_enabled", "allow_indexing", "show_map"]
        labels = {"handle": "Handle", "is_enabled": "Publish my page"}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields[
            "handle"
        ].help_text = (
            "3 to 30 lower-case letters, digits or hyphens: your page's address, /u/handle/."
        )

    def clean_handle(self) -> str:
        handle = self.cleaned_data["handle"].strip().lower()
        if not handles.SHAPE.match(handle) or "--" in handle:
            raise ValidationError(
                "Use 3 to 30 lower-case letters, digits and single hyphens, starting and ending "
                "with a letter or digit."
            )
        # A handle is judged when it is chosen: one kept as it was stays, even if a roadmap
        # has taken that slug since (its page is at /u/<handle>/, the roadmap's elsewhere).
        if handle != self.instance.handle and handles.is_reserved(handle):
            raise ValidationError(
                "This handle is reserved: it could pass for the site, its staff or one of its "
                "roadmaps. Choose another."
            )
        taken = PublicProfile.objects.filter(handle=handle).exclude(pk=self.instance.pk)
        if taken.exists():
            raise ValidationError("This handle is taken. Choose another.")
        return handle
