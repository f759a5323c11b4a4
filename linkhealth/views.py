from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_http_methods

from accounts.decorators import learner_required
from linkhealth.forms import ReportForm
from linkhealth.models import LinkReport
from linkhealth.tasks import recheck_reported_link, runs_outside_the_request
from roadmap.views import published_resource

RATE_WINDOW = timedelta(hours=1)


@require_http_methods(["GET", "POST"])
@learner_required
def report(request: HttpRequest, pk: int) -> HttpResponse:
    resource = published_resource(pk)
    existing = LinkReport.objects.open().filter(user=request.user, resource=resource).first()
    form, status, thanks = ReportForm(), 200, ""
    if request.method == "POST":
        form = ReportForm(request.POST)
        if not form.is_valid():
            status = 422
        elif existing is None and _over_limit(request.user):
            status = 429
            form.add_error(
                None,
                ngettext(
                    "You have sent %(count)d report in the last hour, the most we take. Nothing "
                    "was sent: please try again later.",
                    "You have sent %(count)d reports in the last hour, the most we take. Nothing "
                    "was sent: please try again later.",
                    settings.LINKHEALTH_REPORTS_PER_HOUR,
                )
                % {"count": settings.LINKHEALTH_REPORTS_PER_HOUR},
            )
        else:
            existing, created = LinkReport.objects.file(
                request.user, resource, form.cleaned_data["reason"], form.cleaned_data["comment"]
            )
            # A learner never waits for a fetch of the link: without a worker to leave it to
            # (development), the report waits for curators, who can check the link from it.
            if created and runs_outside_the_request(recheck_reported_link):
                url = resource.url
                transaction.on_commit(lambda: recheck_reported_link.enqueue(url))
            thanks = _thanks(resource, created)
            if not request.htmx:
                messages.success(request, thanks)
                return redirect(resource.get_absolute_url())
            form = ReportForm()
    context = {
        "resource": resource,
        "form": form,
        "existing": existing,
        "thanks": thanks,
        "recheck_in_background": runs_outside_the_request(recheck_reported_link),
    }
    template = "linkhealth/report.html#report-form" if request.htmx else "linkhealth/report.html"
    return render(request, template, context, status=status)


def _over_limit(user) -> bool:
    sent = LinkReport.objects.sent_by(user, since=RATE_WINDOW).count()
    return sent >= settings.LINKHEALTH_REPORTS_PER_HOUR


def _thanks(resource, created: bool) -> str:
    if created:
        return gettext("Thank you: curators will look at the link to “%(title)s”.") % {
            "title": resource.title
        }
    return gettext("Your report on “%(title)s” is updated; curators will look at it.") % {
        "title": resource.title
    }
