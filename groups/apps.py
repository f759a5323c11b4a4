from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GroupsConfig(AppConfig):
    name = "groups"
    verbose_name = _("Study groups")

    def ready(self) -> None:
        from groups import signals, signs
        from roadmap import extras

        signals.connect()
        extras.register(signs.resource_signs)
