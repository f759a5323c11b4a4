from django.db import models


class WorkerHeartbeat(models.Model):
    """The last sign of life of one worker process (``manage.py run_worker``), written every
    ``health.heartbeat.BEAT_EVERY`` seconds while it runs (see ``health.heartbeat``)."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    host = models.CharField(max_length=255, blank=True)
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.worker_id} on {self.host or 'an unknown host'}, seen {self.seen_at:%c}"
