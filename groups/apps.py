from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GroupsConfig(AppConfig):
    name = "groups"
    verbose_name = _("Study groups")

    def ready(self) -> None:
        from groups import signals, signs
        from roadmap import caches, extras

        signals.connect()
        extras.register(signs.resource_signs, words=signs.WORDS)
        caches.register(
            "group signs",
            keyed_by="the roadmap and its content_version, the learner's groups_version, the group",
            clear=signs.clear,
            size=signs.size,
        )
