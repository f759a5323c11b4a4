"""Who may see and do what in a group. Everything is scoped to the learner's own membership:
a group they are not in is a 404, and so is a page or action above their role.

``group_action`` is the shape of every form posted from a group's page: POST only, signed in,
the learner's membership of at least a role, and ``back`` to the region of the page the form
was in."""

from collections.abc import Callable
from functools import wraps

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from accounts.decorators import learner_required
from groups.models import Group, Membership


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


def group_action(role: str) -> Callable:
    """A form posted from a group's page by a member with at least ``role`` ("member",
    "organizer" or "owner"): the view is called with the learner's membership instead of the
    group's id. Anyone else gets a 404, a visitor the sign-in page, any method but POST a 405.
    """
    find = {"member": membership_in, "organizer": organizer_in, "owner": owner_of}[role]

    def decorate(view: Callable[[HttpRequest, Membership], HttpResponse]) -> Callable:
        @require_POST
        @learner_required
        @wraps(view)
        def wrapper(request: HttpRequest, pk: int) -> HttpResponse:
            request.POST  # noqa: B018 - parsed to refuse an oversized body with a 400
            return view(request, find(request, pk))

        return wrapper

    return decorate


def back(group: Group, region: str = "") -> HttpResponseRedirect:
    """The group's page, at the region (its id) the form was posted from."""
    return redirect(f"{group.get_absolute_url()}#{region}" if region else group.get_absolute_url())
