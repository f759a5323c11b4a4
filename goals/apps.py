from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GoalsConfig(AppConfig):
    name = "goals"
    verbose_name = _("Goals and reminders")

    def ready(self) -> None:
        from goals.display import register_roadmap_parts
        from goals.exports import register_export_part
        from goals.signals import queue_reminders
        from worker.signals import worker_starting

        worker_starting.connect(queue_reminders)
        register_roadmap_parts()
        register_export_part()
