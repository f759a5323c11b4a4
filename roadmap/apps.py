from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save, pre_save
from django.utils.translation import gettext_lazy as _


class RoadmapConfig(AppConfig):
    name = "roadmap"
    verbose_name = _("Curriculum")

    def ready(self) -> None:
        # Every cache of rendered content registers itself with roadmap.caches on import, so
        # that clear_all() empties them all from the start.
        from roadmap import fragments, outline, pagecache, signals  # noqa: F401

        post_migrate.connect(signals.create_cache_table, sender=self)
        post_migrate.connect(signals.create_curators_group, sender=self)
        for model in ("Roadmap", "Section", "Resource"):
            sender = self.get_model(model)
            post_save.connect(signals.curriculum_changed, sender=sender)
            post_delete.connect(signals.curriculum_changed, sender=sender)
        for model in ("Section", "Resource"):
            pre_save.connect(signals.leaving_roadmap, sender=self.get_model(model))
        for model in signals.KEPT_ON_RELOAD:
            pre_save.connect(signals.keep_stored_columns, sender=self.get_model(model))
