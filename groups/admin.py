from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from groups.models import Group, Invitation, Membership, Nudge, WorthAnswer


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ["user", "display_name", "role", "shares_progress", "receives_emails", "joined_at"]
    readonly_fields = ["joined_at"]
    raw_id_fields = ["user"]


class InvitationInline(admin.TabularInline):
    model = Invitation
    extra = 0
    fields = ["email", "created_at", "expires_at", "max_uses", "uses", "revoked_at"]
    readonly_fields = ["created_at", "uses"]


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = ["name", "roadmap", "member_count", "target_date", "created_at"]
    list_filter = ["roadmap"]
    search_fields = ["name", "memberships__user__email"]
    inlines = [MembershipInline, InvitationInline]
    readonly_fields = ["created_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_count=Count("memberships"))

    @admin.display(description=_("members"), ordering="member_count")
    def member_count(self, group: Group) -> int:
        return group.member_count


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["display_name", "user", "group", "role", "joined_at"]
    list_filter = ["role", "group"]
    search_fields = ["display_name", "user__email", "group__name"]
    list_select_related = ["user", "group"]
    raw_id_fields = ["user", "group"]


@admin.register(Nudge)
class NudgeAdmin(admin.ModelAdmin):
    list_display = ["group", "day", "sent_by", "recipients"]
    list_select_related = ["group", "sent_by"]
    readonly_fields = ["group", "day", "sent_by", "sent_at", "recipients"]


@admin.register(WorthAnswer)
class WorthAnswerAdmin(admin.ModelAdmin):
    list_display = ["resource", "worth", "updated_at"]
    list_filter = ["worth", "resource__roadmap"]
    list_select_related = ["resource"]
    raw_id_fields = ["user", "resource"]
