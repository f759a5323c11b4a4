"""Link health in the admin: the resource list's link column, filter and actions, learners'
reports, the checks themselves, and a "check every link now" button.

The resource admin lives in roadmap/admin.py and mixes ``ResourceLinkHealthAdmin`` in.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.tasks import TaskResultStatus
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, ngettext, pgettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from linkhealth.models import (
    NEVER_CHECKED,
    LinkCheck,
    LinkCheckRun,
    LinkReport,
    UseNewUrlError,
    filter_by_link_status,
    use_new_url,
    with_link_status,
)
from linkhealth.tasks import check_links, check_some_links
from roadmap import admin as roadmap_admin
from roadmap.models import Resource

STATUS_LABELS = {
    LinkCheck.Status.BROKEN: _("Broken"),
    LinkCheck.Status.UNREACHABLE: _("Unreachable"),
    LinkCheck.Status.FAILING_ONCE: _("Failed once"),
    LinkCheck.Status.REDIRECTED: _("Redirected"),
    LinkCheck.Status.OK: _("OK"),
    NEVER_CHECKED: _("Never checked"),
}


FAILING = {LinkCheck.Status.BROKEN, LinkCheck.Status.UNREACHABLE, LinkCheck.Status.FAILING_ONCE}


class LinkStatusFilter(admin.SimpleListFilter):
    title = "link status"
    parameter_name = "link_status"

    def lookups(self, request, model_admin):
        return list(STATUS_LABELS.items())

    def queryset(self, request, queryset):
        if self.value() in STATUS_LABELS:
            return filter_by_link_status(queryset, self.value())
        return queryset


def _enqueue_check(modeladmin, request: HttpRequest, urls: list[str]) -> None:
    urls = sorted(set(urls))
    result = check_some_links.enqueue(urls, trigger=LinkCheckRun.Trigger.ADMIN)
    if result.status == TaskResultStatus.SUCCESSFUL:  # the immediate backend ran it already
        checked = ngettext("Checked %(count)d link.", "Checked %(count)d links.", len(urls))
        modeladmin.message_user(request, checked % {"count": len(urls)}, messages.SUCCESS)
    else:
        checking = ngettext(
            "Checking %(count)d link in the background: reload this page in a minute.",
            "Checking %(count)d links in the background: reload this page in a minute.",
            len(urls),
        )
        modeladmin.message_user(request, checking % {"count": len(urls)}, messages.SUCCESS)


@admin.action(description=_("Check links now"), permissions=["view"])
def check_links_now(modeladmin, request: HttpRequest, queryset: QuerySet) -> None:
    field = "url" if queryset.model is Resource else "resource__url"
    _enqueue_check(modeladmin, request, list(queryset.values_list(field, flat=True)))


@admin.action(description=_("Use the new URL of redirected links"), permissions=["change"])
def use_new_urls(modeladmin, request: HttpRequest, queryset: QuerySet) -> None:
    changed = 0
    for resource in queryset.select_related("roadmap"):
        try:
            use_new_url(resource)
            changed += 1
        except UseNewUrlError as exc:
            modeladmin.message_user(request, str(exc), messages.ERROR)
    if changed:
        moved = ngettext(
            "%(count)d resource now links to where it redirected.",
            "%(count)d resources now link to where they redirected.",
            changed,
        )
        modeladmin.message_user(request, moved % {"count": changed}, messages.SUCCESS)


class ResourceLinkHealthAdmin(admin.ModelAdmin):
    """What the resource admin gains: a link column with its final URL, and "use the new URL"."""

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return with_link_status(super().get_queryset(request))

    def get_fields(self, request: HttpRequest, obj=None) -> list[str]:
        fields = list(super().get_fields(request, obj))
        return [*fields, "link_health"] if obj is not None else fields

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        return [*super().get_readonly_fields(request, obj), "link_health"]

    @admin.display(description=_("link health"))
    def link_health(self, obj: Resource) -> str:
        """The change form's version of the column: no button, which would be the form's
        first submit button, the one Enter in any field presses instead of Save."""
        status = getattr(obj, "link_status", None) or NEVER_CHECKED
        label = STATUS_LABELS.get(status, status)
        if status in FAILING:
            return f"{label}: {obj.link_error or f'HTTP {obj.link_http_status}'}"
        if status == LinkCheck.Status.REDIRECTED and obj.link_final_url:
            return format_html(
                '{} {} <a href="{}" rel="noopener noreferrer" target="_blank">{}</a>. {}',
                label,
                pgettext("a link redirected to an address", "to"),
                obj.link_final_url,
                obj.link_final_url,
                gettext("“Use the new URL” in the list of resources changes the link to it."),
            )
        return label

    def get_urls(self):
        use_url = self.admin_site.admin_view(require_POST(self.use_new_url_view))
        name = f"{self.opts.app_label}_{self.opts.model_name}_use_new_url"
        return [path("<path:object_id>/use-new-url/", use_url, name=name), *super().get_urls()]

    @admin.display(description=_("link"), ordering="link_status")
    def link_status(self, obj: Resource) -> str:
        status = getattr(obj, "link_status", None) or NEVER_CHECKED
        label = STATUS_LABELS.get(status, status)
        if status in FAILING:
            detail = obj.link_error or f"HTTP {obj.link_http_status}"
            return format_html(
                '<span class="link-status link-{}">{}</span><br><small>{}</small>',
                status,
                label,
                detail,
            )
        if status == LinkCheck.Status.REDIRECTED and obj.link_final_url:
            # A submit button of the change list's own form (which carries the CSRF token),
            # posted to this resource's own URL: one click, no JavaScript, no nested form.
            action = reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_use_new_url", args=[obj.pk]
            )
            return format_html(
                '<span class="link-status link-redirected">{}</span> {} '
                '<a href="{}" rel="noopener noreferrer" target="_blank">{}</a><br>'
                '<button type="submit" class="button" formaction="{}" formmethod="post" '
                'aria-label="{}">{}</button>',
                label,
                pgettext("a link redirected to an address", "to"),
                obj.link_final_url,
                obj.link_final_url,
                action,
                gettext("Use the new URL for %(title)s") % {"title": obj.title},
                gettext("Use the new URL"),
            )
        return format_html('<span class="link-status link-{}">{}</span>', status, label)

    def use_new_url_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        resource = self.get_object(request, unquote(object_id))
        if resource is None:
            raise Http404(_("No such resource."))
        if not self.has_change_permission(request, resource):
            raise PermissionDenied
        try:
            new_url = use_new_url(resource)
        except UseNewUrlError as exc:
            self.message_user(request, str(exc), messages.ERROR)
        else:
            self.message_user(
                request,
                gettext("“%(title)s” now links to %(url)s.") % {"title": resource, "url": new_url},
                messages.SUCCESS,
            )
        back = request.headers.get("Referer", "")
        if not url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            back = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
        return HttpResponseRedirect(back)


class ReportStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("open", _("Open")), ("resolved", _("Resolved"))]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.open()
        if self.value() == "resolved":
            return queryset.filter(resolved_at__isnull=False)
        return queryset


@admin.action(description=_("Resolve selected reports"), permissions=["change"])
def resolve_reports(modeladmin, request: HttpRequest, queryset: QuerySet) -> None:
    count = queryset.resolve(by=request.user)
    resolved = ngettext("Resolved %(count)d report.", "Resolved %(count)d reports.", count)
    modeladmin.message_user(request, resolved % {"count": count}, messages.SUCCESS)


@admin.register(LinkReport)
class LinkReportAdmin(admin.ModelAdmin):
    """Learners' reports, without who sent them: curators need the problem, not the person."""

    list_display = ["resource", "reason", "short_comment", "created_at", "is_open", "link_state"]
    list_filter = [ReportStateFilter, "reason"]
    list_select_related = ["resource"]
    search_fields = ["resource__title", "resource__url", "comment"]
    actions = [resolve_reports, check_links_now]
    fields = ["resource", "link_url", "reason", "comment", "created_at", "resolved_at"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        latest = LinkCheck.objects.filter(url=OuterRef("resource__url"))
        status = Subquery(latest.values("status")[:1])
        return super().get_queryset(request).annotate(link_status=status)

    @admin.display(description=_("comment"))
    def short_comment(self, obj: LinkReport) -> str:
        return obj.comment if len(obj.comment) <= 80 else obj.comment[:79] + "…"

    @admin.display(description=_("open"), boolean=True, ordering="resolved_at")
    def is_open(self, obj: LinkReport) -> bool:
        return obj.is_open

    @admin.display(description=_("link status now"))
    def link_state(self, obj: LinkReport) -> str:
        return STATUS_LABELS.get(obj.link_status or NEVER_CHECKED, obj.link_status)

    @admin.display(description=_("link"))
    def link_url(self, obj: LinkReport) -> str:
        return format_html(
            '<a href="{}" rel="noopener noreferrer" target="_blank">{}</a>',
            obj.resource.url,
            obj.resource.url,
        )


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(LinkCheck)
class LinkCheckAdmin(ReadOnlyAdmin):
    list_display = [
        "url",
        "status",
        "http_status",
        "final_url",
        "consecutive_failures",
        "checked_at",
    ]
    list_filter = ["status"]
    search_fields = ["url", "final_url"]
    date_hierarchy = "checked_at"


@admin.register(LinkCheckRun)
class LinkCheckRunAdmin(ReadOnlyAdmin):
    list_display = [
        "started_at",
        "trigger",
        "roadmap_slug",
        "partial",
        "state",
        "attempt",
        "checked",
        "failing",
        "finished_at",
    ]
    list_filter = ["trigger"]

    @admin.display(description=_("state"))
    def state(self, obj: LinkCheckRun) -> str:
        return obj.state()

    def get_urls(self):
        check_all = self.admin_site.admin_view(require_POST(self.check_all_view))
        return [path("check-all/", check_all, name="linkhealth_check_all"), *super().get_urls()]

    def check_all_view(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm("linkhealth.add_linkcheckrun"):
            raise PermissionDenied
        result = check_links.enqueue(trigger=LinkCheckRun.Trigger.ADMIN)
        if result.status == TaskResultStatus.SUCCESSFUL:
            self.message_user(request, _("Every published link was checked."), messages.SUCCESS)
        else:
            self.message_user(
                request,
                _(
                    "Checking every published link in the background: the counts on this page "
                    "update when it is done, within minutes."
                ),
                messages.SUCCESS,
            )
        return HttpResponseRedirect(reverse("admin:index"))


# The curriculum's resource admin knows nothing of link health; this app extends it.
admin.site.unregister(Resource)


@admin.register(Resource)
class ResourceAdmin(ResourceLinkHealthAdmin, roadmap_admin.ResourceAdmin):
    list_display = [*roadmap_admin.ResourceAdmin.list_display, "link_status"]
    list_filter = [*roadmap_admin.ResourceAdmin.list_filter, LinkStatusFilter]
    actions = [*roadmap_admin.ResourceAdmin.actions, check_links_now, use_new_urls]
