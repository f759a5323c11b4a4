"""Who may see and do what in a group. Everything is scoped to the learner's own membership:
a group they are not in is a 404, and so is a page or action above their role."""

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from groups.models import Membership


def membership_in(request: HttpRequest, pk: int) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("group__roadmap"), group_id=pk, user=request.user
    )


def organizer_in(request: HttpRequest, pk: int) -> Membership:
    membership = membership_in(request, pk)
    if not membership.organizes:
        raise Http404("Only the group's organizers can do this.")
    return membership


def owner_of(request: HttpRequest, pk: int) -> Membership:
    membership = membership_in(request, pk)
    if not membership.owns:
        raise Http404("Only the group's owner can do this.")
    return membership


def may_create(user) -> bool:
    from django.conf import settings

    return user.is_authenticated and (settings.GROUPS_CREATE == "anyone" or user.is_staff)


def default_display_name(user) -> str:
    return (user.get_full_name() or user.email.split("@", 1)[0])[:80]
