"""Invitations: links organizers hand out, and invitations sent to one email address."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from groups import tasks
from groups.access import back, group_action
from groups.forms import EmailInvitationForm, InvitationChoiceForm, LinkInvitationForm
from groups.models import Invitation, Membership

# Email invitations an organizer may send to one group in a day: a group is not a mailing tool.
EMAILS_PER_DAY = 200


@group_action("organizer")
def create_link(request: HttpRequest, me: Membership) -> HttpResponse:
    form = LinkInvitationForm(request.POST)
    if not form.is_valid():
        error = next(iter(form.errors.values()))[0]
        messages.error(request, error)
        return back(me.group, "invitations")
    Invitation.objects.create(
        group=me.group,
        created_by=request.user,
        expires_at=form.expires_at(),
        max_uses=form.cleaned_data.get("max_uses"),
    )
    messages.success(request, _("A new invitation link is ready below."))
    return back(me.group, "invitations")


@group_action("organizer")
def invite_by_email(request: HttpRequest, me: Membership) -> HttpResponse:
    group = me.group
    form = EmailInvitationForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["email"][0])
        return back(group, "invitations")
    email = form.cleaned_data["email"]
    if group.memberships.filter(user__email__iexact=email).exists():
        messages.info(request, _("%(email)s is already in the group.") % {"email": email})
        return back(group, "invitations")
    day_ago = timezone.now() - timezone.timedelta(days=1)
    if (
        group.invitations.exclude(email="").filter(created_at__gte=day_ago).count()
        >= EMAILS_PER_DAY
    ):
        messages.error(request, _("This group has sent as many invitations as it can today."))
        return back(group, "invitations")
    open_one = (
        group.invitations.filter(email__iexact=email, revoked_at__isnull=True, uses=0)
        .filter(expires_at__gt=timezone.now())
        .first()
    )
    invitation = open_one or Invitation.objects.create(
        group=group,
        email=email,
        created_by=request.user,
        max_uses=1,
        expires_at=timezone.now() + timezone.timedelta(days=14),
    )
    tasks.send_invitation.enqueue(invitation.pk, request.build_absolute_uri("/"))
    messages.success(request, _("An invitation is on its way to %(email)s.") % {"email": email})
    return back(group, "invitations")


@group_action("organizer")
def revoke(request: HttpRequest, me: Membership) -> HttpResponse:
    form = InvitationChoiceForm(request.POST)
    if form.is_valid():
        invitation = get_object_or_404(
            Invitation, pk=form.cleaned_data["invitation"], group=me.group
        )
        if invitation.revoked_at is None:
            invitation.revoked_at = timezone.now()
            invitation.save(update_fields=["revoked_at"])
        messages.success(request, _("The invitation was revoked; it no longer lets anyone in."))
    else:
        messages.error(request, _("No such invitation."))
    return back(me.group, "invitations")
