"""Reminders: an organizer asks the members who are behind to catch up, at most once a day."""

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import learner_required
from groups import tasks
from groups.access import organizer_in
from groups.models import Nudge
from groups.progress import progress_table


@require_POST
@learner_required
def remind(request: HttpRequest, pk: int) -> HttpResponse:
    request.POST  # noqa: B018 - parsed to refuse an oversized body with a 400
    me = organizer_in(request, pk)
    group = me.group
    back = f"{group.get_absolute_url()}#reminders"
    if group.target_date is None:
        messages.error(request, _("Set a target date first: reminders go to members behind it."))
        return redirect(back)
    now = timezone.now()
    behind = [
        row.membership.pk
        for row in progress_table(group, now).rows
        if row.behind and row.membership.receives_emails and row.membership.pk != me.pk
    ]
    if not behind:
        messages.info(request, _("No one who takes group emails is behind: nothing was sent."))
        return redirect(back)
    try:
        # The unique (group, day) row is what makes it once a day, under any concurrency.
        with transaction.atomic():
            nudge = Nudge.objects.create(
                group=group, day=timezone.localdate(now), sent_by=request.user
            )
    except IntegrityError:
        messages.info(request, _("A reminder already went out today; try again tomorrow."))
        return redirect(back)
    tasks.send_reminders.enqueue(nudge.pk, behind, request.build_absolute_uri("/"))
    messages.success(
        request,
        _("A reminder is on its way to %(count)s members who are behind.") % {"count": len(behind)},
    )
    return redirect(back)
