"""Reminders: an organizer asks the members who are behind to catch up, at most once a day."""

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from groups import tasks
from groups.access import back, group_action
from groups.models import Membership, Nudge
from groups.progress import progress_table


@group_action("organizer")
def remind(request: HttpRequest, me: Membership) -> HttpResponse:
    group = me.group
    if group.target_date is None:
        messages.error(request, _("Set a target date first: reminders go to members behind it."))
        return back(group, "reminders")
    now = timezone.now()
    behind = [
        row.membership.pk
        for row in progress_table(group, now).rows
        if row.behind and row.membership.receives_emails and row.membership.pk != me.pk
    ]
    if not behind:
        messages.info(request, _("No one who takes group emails is behind: nothing was sent."))
        return back(group, "reminders")
    try:
        # The unique (group, day) row is what makes it once a day, under any concurrency.
        with transaction.atomic():
            nudge = Nudge.objects.create(
                group=group, day=timezone.localdate(now), sent_by=request.user
            )
    except IntegrityError:
        messages.info(request, _("A reminder already went out today; try again tomorrow."))
        return back(group, "reminders")
    tasks.send_reminders.enqueue(nudge.pk, behind, request.build_absolute_uri("/"))
    messages.success(
        request,
        _("A reminder is on its way to %(count)s members who are behind.") % {"count": len(behind)},
    )
    return back(group, "reminders")
