"""The groups' emails, sent by the task worker (Django's tasks API; the immediate backend in
development and tests). Each email is in its reader's language."""

from urllib.parse import urljoin

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import translation

from groups.models import Invitation, Membership, Nudge
from roadmap.outline import build_outline, load_state


def _send(user_language: str, template: str, context: dict, to: str) -> None:
    with translation.override(user_language or settings.LANGUAGE_CODE):
        subject = render_to_string(f"groups/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"groups/email/{template}_message.txt", context)
    send_mail(
        settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + " ".join(subject.split()),
        body,
        None,
        [to],
    )


@task()
def send_invitation(invitation_id: int, site_url: str) -> dict:
    from django.contrib.auth import get_user_model

    invitation = (
        Invitation.objects.select_related("group__roadmap", "created_by")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or invitation.revoked_at is not None:
        return {"sent": 0}
    account = get_user_model().objects.filter(email__iexact=invitation.email).first()
    inviter = Membership.objects.filter(group=invitation.group, user=invitation.created_by).first()
    context = {
        "group": invitation.group,
        "inviter": inviter.display_name if inviter else "",
        "url": urljoin(site_url, invitation.get_absolute_url()),
        "expires_at": invitation.expires_at,
        "site_name": settings.SITE_NAME,
    }
    _send(account.language if account else "", "invitation", context, invitation.email)
    return {"sent": 1}


@task()
def send_reminders(nudge_id: int, membership_ids: list[int], site_url: str) -> dict:
    nudge = Nudge.objects.select_related("group__roadmap").filter(pk=nudge_id).first()
    if nudge is None:
        return {"sent": 0}
    group = nudge.group
    # Read again: a member who left or turned group emails off since is not written to.
    members = Membership.objects.filter(
        pk__in=membership_ids, group=group, receives_emails=True
    ).select_related("user")
    sent = 0
    for member in members:
        outline = build_outline(load_state(member.user, roadmap_id=group.roadmap_id))
        if outline.roadmap is None:
            continue
        following = outline.continue_with
        context = {
            "group": group,
            "member": member,
            "done": outline.completed,
            "total": outline.total,
            "next": following,
            "next_url": urljoin(site_url, following.get_absolute_url()) if following else "",
            "group_url": urljoin(site_url, group.get_absolute_url()),
            "site_name": settings.SITE_NAME,
        }
        _send(member.user.language, "reminder", context, member.user.email)
        sent += 1
    Nudge.objects.filter(pk=nudge.pk).update(recipients=sent)
    return {"sent": sent}
