from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "insights"
    verbose_name = _("Insight")

    def ready(self) -> None:
        from insights import section_activity
        from roadmap import learning

        learning.changed.connect(
            section_activity.learner_changed, dispatch_uid="insights.section_activity"
        )
