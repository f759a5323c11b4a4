from django.contrib import admin

from goals.models import Delivery


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """What was sent to whom, for operators: read only (the worker writes these rows)."""

    list_display = ["user", "kind", "period", "status", "attempts", "sent_at", "last_error"]
    list_filter = ["kind", "status"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
