from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    # allauth's account app is "Accounts" in the admin too; this one holds the people.
    verbose_name = _("Learners and staff")

    def ready(self) -> None:
        from accounts import signals  # noqa: F401
