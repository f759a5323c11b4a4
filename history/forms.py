import re

from django import forms
from django.core.exceptions import ValidationError

from history.exchange import MAX_IMPORT_BYTES
from history.models import PublicProfile

# Words a handle may not take: they name pages, or would pass for the site speaking.
RESERVED_HANDLES = frozenset(
    {
        "about",
        "abuse",
        "accounts",
        "admin",
        "administrator",
        "api",
        "app",
        "assets",
        "auth",
        "blog",
        "contact",
        "curator",
        "curators",
        "dashboard",
        "delete",
        "docs",
        "export",
        "help",
        "home",
        "import",
        "login",
        "logout",
        "me",
        "mod",
        "moderator",
        "new",
        "notes",
        "null",
        "official",
        "owner",
        "password",
        "privacy",
        "profile",
        "public",
        "register",
        "roadmap",
        "roadmaps",
        "root",
        "security",
        "settings",
        "signin",
        "signup",
        "site",
        "staff",
        "static",
        "support",
        "system",
        "terms",
        "u",
        "undefined",
        "user",
        "users",
        "www",
    }
)
HANDLE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,28})[a-z0-9]$")


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
        fields = ["handle", "is_enabled", "allow_indexing"]
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
        if not HANDLE.match(handle) or "--" in handle:
            raise ValidationError(
                "Use 3 to 30 lower-case letters, digits and single hyphens, starting and ending "
                "with a letter or digit."
            )
        if handle in RESERVED_HANDLES:
            raise ValidationError("This handle is reserved. Choose another.")
        taken = PublicProfile.objects.filter(handle=handle).exclude(pk=self.instance.pk)
        if taken.exists():
            raise ValidationError("This handle is taken. Choose another.")
        return handle
