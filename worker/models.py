from django.db import models
from django.utils import timezone


class WorkerHeartbeat(models.Model):
    """One worker process's proof of life: the time it last wrote here (worker/heartbeat.py)."""

    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField("process id", null=True, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    beat_at = models.DateTimeField("last heartbeat", db_index=True)

    class Meta:
        ordering = ["-beat_at"]

    def __str__(self) -> str:
        return f"Worker {self.worker_id} on {self.hostname or 'an unknown host'}"
