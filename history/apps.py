from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HistoryConfig(AppConfig):
    name = "history"
    verbose_name = _("Learner history")

    def ready(self) -> None:
        from history import activity
        from history.signals import queue_import_cleanup, record_change
        from roadmap import caches, learning
        from worker.signals import worker_starting

        learning.changed.connect(record_change, dispatch_uid="history.record_change")
        worker_starting.connect(queue_import_cleanup, dispatch_uid="history.import_cleanup")
        caches.register(
            "heatmap dates",
            keyed_by="the language, the date format it resolves to and the date",
            clear=activity.forget_day_words,
            size=activity.day_words_kept,
        )
