from django import template
from django.db.models import Count, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import ngettext_lazy

from linkhealth.models import LinkCheck, LinkCheckRun, LinkReport
from linkhealth.worker import WORKER_QUIET_LIMIT, tasks_need_a_worker, worker_last_seen
from roadmap.models import Resource

register = template.Library()

# What the dashboard counts, in the order it lists them, each with its count in words.
COUNTED = [
    (
        LinkCheck.Status.BROKEN,
        ngettext_lazy("%(count)d broken link", "%(count)d broken links", "count"),
    ),
    (
        LinkCheck.Status.UNREACHABLE,
        ngettext_lazy("%(count)d unreachable link", "%(count)d unreachable links", "count"),
    ),
    (
        LinkCheck.Status.FAILING_ONCE,
        ngettext_lazy("%(count)d link failed once", "%(count)d links failed once", "count"),
    ),
    (
        LinkCheck.Status.REDIRECTED,
        ngettext_lazy("%(count)d redirected link", "%(count)d redirected links", "count"),
    ),
]


@register.simple_tag
def link_health_summary(user) -> dict | None:
    """The admin index's link health box: four queries, whatever the size of the curriculum."""
    if not user.has_perm("roadmap.view_resource"):
        return None
    status = LinkCheck.objects.filter(url=OuterRef("url")).values("status")[:1]
    by_status = dict(
        Resource.objects.published()
        .annotate(link=Subquery(status))
        .values("link")
        .annotate(n=Count("pk"))
        .values_list("link", "n")
    )
    counts = [
        {"status": s, "count": by_status[s], "label": words % {"count": by_status[s]}}
        for s, words in COUNTED
        if by_status.get(s)
    ]
    last_seen = worker_last_seen()
    return {
        "counts": counts,
        # What it may say of the schedule: it runs only while a worker does.
        "needs_worker": tasks_need_a_worker(),
        "worker_seen": last_seen,
        "worker_running": last_seen is not None and last_seen > timezone.now() - WORKER_QUIET_LIMIT,
        "never_checked": by_status.get(None, 0),
        "open_reports": LinkReport.objects.open().count(),
        "last_run": (
            LinkCheckRun.objects.full().not_failed().filter(finished_at__isnull=False).first()
        ),
        "can_check": user.has_perm("linkhealth.add_linkcheckrun"),
        "can_see_reports": user.has_perm("linkhealth.view_linkreport"),
    }
