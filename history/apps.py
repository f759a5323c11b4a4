from django.apps import AppConfig


class HistoryConfig(AppConfig):
    name = "history"
    verbose_name = "Learner history"

    def ready(self) -> None:
        from history.signals import record_change
        from roadmap import learning

        learning.changed.connect(record_change, dispatch_uid="history.record_change")
