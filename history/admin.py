from django.contrib import admin

from history.models import PublicProfile


@admin.register(PublicProfile)
class PublicProfileAdmin(admin.ModelAdmin):
    """Public pages, so that staff can switch off one with an abusive handle or content."""

    list_display = ["handle", "is_enabled", "allow_indexing", "updated_at"]
    list_filter = ["is_enabled", "allow_indexing"]
    search_fields = ["handle"]
    fields = ["handle", "is_enabled", "allow_indexing", "show_map"]
    actions = ["switch_off"]

    @admin.action(description="Switch the selected public pages off")
    def switch_off(self, request, queryset) -> None:
        self.message_user(request, f"{queryset.update(is_enabled=False)} pages switched off.")

    def has_add_permission(self, request) -> bool:
        return False  # learners open their own pages
