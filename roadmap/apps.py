from django.apps import AppConfig
from django.db.models.signals import post_migrate


class RoadmapConfig(AppConfig):
    name = "roadmap"
    verbose_name = "Curriculum"

    def ready(self) -> None:
        from roadmap import signals

        post_migrate.connect(signals.create_cache_table, sender=self)
        post_migrate.connect(signals.create_curators_group, sender=self)
