import csv

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from groups.models import Group
from insights.models import LearnerStatistics
from insights.statistics import INACTIVE_AFTER, Statistics, learner_statistics
from roadmap.models import Roadmap
from roadmap.spreadsheets import csv_cell

_FIGURES = '<td class="number">{}</td>' * 8


def table_body(statistics: Statistics) -> SafeString:
    """The "By section and resource" table's row groups, one ``<tbody>`` per section.

    Built here rather than in the template: at 310 resources the template's ~2,500 variable
    lookups cost more than the figures' SQL. Titles are escaped; every figure is a number.
    """
    parts = []
    per_resource = escape(gettext("counted per resource"))
    for section in statistics.sections:
        depth, f = section.entry.depth, section.figures
        total = section.total
        resources = ngettext("%(count)d resource", "%(count)d resources", total) % {"count": total}
        parts.append(
            f'<tbody><tr class="section-row depth-{depth}"><th scope="row">'
            f'{escape(section.section.title)} <span class="quiet">({escape(resources)})</span></th>'
            + _FIGURES.format(
                f.started,
                f.finished,
                f'<span class="quiet">–</span><span class="visually-hidden">{per_resource}</span>',
                f.completion_percent or "–",
                f.noted,
                f.stopped,
                '<span class="quiet">–</span>',
                '<span class="quiet">–</span>',
            )
            + "</tr>"
        )
        for row in section.resources:
            f = row.figures
            parts.append(
                f'<tr class="resource-row depth-{depth}"><th scope="row">'
                f"{escape(row.resource.title)}</th>"
                + _FIGURES.format(
                    f.started,
                    f.finished,
                    f.skipped,
                    f.completion_percent or "–",
                    f.noted,
                    f.stopped,
                    f.worth_yes,
                    f.worth_no,
                )
                + "</tr>"
            )
        parts.append("</tbody>")
    return mark_safe("".join(parts))  # noqa: S308 (titles and words escaped above, the rest numbers)


@admin.register(LearnerStatistics)
class LearnerStatisticsAdmin(admin.ModelAdmin):
    """Aggregated figures for curators and staff; no learner is ever named or listed."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_urls(self):
        # Only the figures: the proxied progress rows (which name learners) get no page at all.
        view = self.admin_site.admin_view
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("", view(self.changelist_view), name=f"{prefix}_changelist"),
            path("statistics.csv", view(self.csv_view), name=f"{prefix}_csv"),
        ]

    def _statistics(self, request: HttpRequest) -> tuple[Statistics | None, list[Roadmap]]:
        """The figures of the roadmap (``?roadmap=<slug>``), of one study group's members only
        with ``?group=<id>`` (a group following that roadmap)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        roadmaps = list(Roadmap.objects.all())
        slug = request.GET.get("roadmap")
        if slug is None:
            roadmap = roadmaps[0] if roadmaps else None
        else:
            roadmap = next((r for r in roadmaps if r.slug == slug), None)
            if roadmap is None:
                raise Http404(_("No roadmap with that slug."))
        if roadmap is None:
            return None, roadmaps
        group = None
        if wanted := request.GET.get("group"):
            if not wanted.isdigit() or len(wanted) > 18:
                raise Http404("No such study group.")
            group = Group.objects.filter(pk=int(wanted), roadmap=roadmap).first()
            if group is None:
                raise Http404("No study group with that id follows this roadmap.")
        return learner_statistics(roadmap, timezone.now(), group=group), roadmaps

    @method_decorator(require_safe)
    def changelist_view(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        statistics, roadmaps = self._statistics(request)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Learner statistics"),
            "opts": self.opts,
            "statistics": statistics,
            "table_body": table_body(statistics) if statistics is not None else "",
            "roadmaps": roadmaps,
            "groups": (
                list(Group.objects.filter(roadmap=statistics.roadmap).order_by("name", "pk"))
                if statistics is not None
                else []
            ),
            "inactive_days": INACTIVE_AFTER.days,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/insights/learner_statistics.html", context)

    @method_decorator(require_safe)
    def csv_view(self, request: HttpRequest) -> HttpResponse:
        statistics, _roadmaps = self._statistics(request)
        if statistics is None:
            raise Http404(_("There is no roadmap yet."))
        day = statistics.cutoff + INACTIVE_AFTER
        of_group = f"-group-{statistics.group.pk}" if statistics.group else ""
        name = f"learner-statistics-{statistics.roadmap.slug}{of_group}-{day:%Y-%m-%d}.csv"
        response = HttpResponse(
            content_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
        writer = csv.writer(response)
        header = ["row", "section", "resource", "link", "resources", "started", "finished"]
        header += ["skipped", "completion rate", "notes"]
        header.append(f"stopped here ({INACTIVE_AFTER.days}+ days)")
        header += ["worth their time: yes", "worth their time: no", "worth their time"]
        writer.writerow(header)
        if request.GET.get("sort") == "worth":
            # Resources only, the most found worth their time first.
            for r in sorted(statistics.resources, key=lambda r: r.figures.worth_key, reverse=True):
                f = r.figures
                line = ["resource", r.section.title, r.resource.title, r.resource.url, ""]
                line += [f.started, f.finished, f.skipped, f.completion_percent, f.noted]
                line += [f.stopped, f.worth_yes, f.worth_no, f.worth_percent]
                writer.writerow([csv_cell(value) for value in line])
            return response
        for section in statistics.sections:
            rows = [("section", section.section.title, "", "", section.total, section.figures)]
            rows += [
                ("resource", section.section.title, r.resource.title, r.resource.url, "", r.figures)
                for r in section.resources
            ]
            for kind, section_title, title, url, total, figures in rows:
                line = [kind, section_title, title, url, total, figures.started, figures.finished]
                line.append(figures.skipped if kind == "resource" else "")
                line += [figures.completion_percent, figures.noted, figures.stopped]
                if kind == "resource":
                    line += [figures.worth_yes, figures.worth_no, figures.worth_percent]
                else:
                    line += ["", "", ""]
                writer.writerow([csv_cell(value) for value in line])
        return response
