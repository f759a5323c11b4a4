from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class LinkHealthConfig(AppConfig):
    name = "linkhealth"
    verbose_name = _("Link health")

    def ready(self) -> None:
        from linkhealth.signals import grant_curators_link_health, queue_daily_check
        from worker.signals import worker_starting

        post_migrate.connect(grant_curators_link_health, sender=self)
        worker_starting.connect(queue_daily_check)
