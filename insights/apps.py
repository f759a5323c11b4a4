from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "insights"
    verbose_name = "Insight"

    def ready(self) -> None:
        from insights import activity
        from roadmap import learning

        learning.changed.connect(activity.learner_changed, dispatch_uid="insights.activity")
