from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone

from worker.heartbeat import stale_after
from worker.models import WorkerHeartbeat


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    """Which worker processes are alive: written by the workers, read here."""

    list_display = ["worker_id", "hostname", "pid", "started_at", "beat_at", "is_alive"]

    @admin.display(description="alive", boolean=True)
    def is_alive(self, obj: WorkerHeartbeat) -> bool:
        return obj.beat_at >= timezone.now() - stale_after()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
