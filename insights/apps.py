from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "insights"
    verbose_name = "Insight"

    def ready(self) -> None:
        from insights import section_activity
        from roadmap import learning

        learning.changed.connect(
            section_activity.learner_changed, dispatch_uid="insights.section_activity"
        )
