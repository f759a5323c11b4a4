"""Creating a group, joining it by invitation, and the members' comings and goings: roles,
handing the group over, leaving, removing someone, deleting the group."""

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.decorators import learner_required
from groups import signals
from groups.access import back, default_display_name, group_action, may_create, owner_of
from groups.forms import (
    GroupForm,
    GroupSettingsForm,
    JoinForm,
    MemberForm,
    MemberSettingsForm,
    RoleForm,
)
from groups.models import Group, Invitation, Membership

Role = Membership.Role


@require_http_methods(["GET", "POST"])
@learner_required
def group_list(request: HttpRequest) -> HttpResponse:
    allowed = may_create(request.user)
    form = GroupForm() if allowed else None
    status = 200
    if request.method == "POST":
        if not allowed:
            return render(request, "groups/list.html", _list_context(request, None), status=403)
        form = GroupForm(request.POST)
        if form.is_valid():
            with transaction.atomic():
                group = form.save()
                Membership.objects.create(
                    group=group,
                    user=request.user,
                    role=Role.OWNER,
                    display_name=default_display_name(request.user),
                )
            messages.success(request, _("Your group “%(name)s” is ready.") % {"name": group.name})
            return redirect(group)
        status = 422
    return render(request, "groups/list.html", _list_context(request, form), status=status)


def _list_context(request: HttpRequest, form) -> dict:
    memberships = (
        Membership.objects.filter(user=request.user)
        .select_related("group__roadmap")
        .order_by("group__name", "group_id")
    )
    return {"memberships": memberships, "form": form, "may_create": may_create(request.user)}


@require_http_methods(["GET", "POST"])
def join(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST":
        if not request.user.is_authenticated:
            return learner_required(join)(request, token)
        request.POST  # noqa: B018 - parsed to refuse an oversized body with a 400
    invitation = get_object_or_404(Invitation.objects.select_related("group__roadmap"), token=token)
    state = invitation.state(timezone.now())
    group = invitation.group
    context = {"invitation": invitation, "group": group, "state": state}
    if state != Invitation.State.OPEN:
        return render(request, "groups/join_closed.html", context, status=410)
    if not request.user.is_authenticated:
        return render(request, "groups/join.html", context)
    existing = Membership.objects.filter(group=group, user=request.user).first()
    if existing is not None:
        if request.method == "POST":
            return redirect(group)
        return render(request, "groups/join.html", {**context, "member": existing})
    if invitation.email and not _has_verified(request.user, invitation.email):
        return render(request, "groups/join.html", {**context, "wrong_address": True}, status=403)
    if request.method == "POST":
        form = JoinForm(request.POST)
        if form.is_valid():
            joined = accept(invitation, request.user, form.cleaned_data["display_name"])
            if joined is None:
                return render(request, "groups/join_closed.html", context, status=410)
            messages.success(request, _("Welcome to “%(name)s”.") % {"name": group.name})
            return redirect(group)
        return render(request, "groups/join.html", {**context, "form": form}, status=422)
    form = JoinForm(initial={"display_name": default_display_name(request.user)})
    return render(request, "groups/join.html", {**context, "form": form})


def _has_verified(user, email: str) -> bool:
    from allauth.account.models import EmailAddress

    return EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()


def accept(invitation: Invitation, user, display_name: str) -> Membership | None:
    """Join ``user`` to the invitation's group; None when the invitation closed meanwhile.

    The invitation's row is locked, so its last use goes to one person however many accept at
    once, and joining twice (a double click, two tabs) leaves one membership and one use.
    """
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        existing = Membership.objects.filter(group_id=locked.group_id, user=user).first()
        if existing is not None:
            return existing
        if locked.state(timezone.now()) != Invitation.State.OPEN:
            return None
        membership = Membership.objects.create(
            group_id=locked.group_id, user=user, display_name=display_name
        )
        locked.uses += 1
        locked.save(update_fields=["uses"])
    return membership


@group_action("member")
def leave(request: HttpRequest, membership: Membership) -> HttpResponse:
    group = membership.group
    if membership.owns and group.memberships.exclude(pk=membership.pk).exists():
        messages.error(
            request,
            _("You own this group: hand it to an organizer first, or delete the group."),
        )
        return redirect(group)
    with transaction.atomic():
        if membership.owns:
            group.delete()  # no one else was in it
        else:
            membership.delete()
    messages.success(request, _("You left “%(name)s”.") % {"name": group.name})
    return redirect("groups:list")


@group_action("member")
def my_settings(request: HttpRequest, membership: Membership) -> HttpResponse:
    form = MemberSettingsForm(request.POST, instance=membership)
    if not form.is_valid():
        messages.error(request, form.errors.get("display_name", [_("Check the form.")])[0])
        return back(membership.group, "my-settings")
    form.save()
    messages.success(request, _("Your settings for this group were saved."))
    return back(membership.group, "my-settings")


def _member_of_group(group: Group, request: HttpRequest, form_class=MemberForm):
    form = form_class(request.POST)
    if not form.is_valid():
        raise Http404("No such member.")
    member = get_object_or_404(
        Membership.objects.select_related("user"), pk=form.cleaned_data["member"], group=group
    )
    return member, form


@group_action("organizer")
def remove_member(request: HttpRequest, me: Membership) -> HttpResponse:
    member, _form = _member_of_group(me.group, request)
    if member.owns or (member.role == Role.ORGANIZER and not me.owns) or member.pk == me.pk:
        messages.error(request, _("You cannot remove this member."))
        return back(me.group, "members")
    member.delete()
    messages.success(
        request, _("%(name)s is no longer in the group.") % {"name": member.display_name}
    )
    return back(me.group, "members")


@group_action("owner")
def set_role(request: HttpRequest, me: Membership) -> HttpResponse:
    member, form = _member_of_group(me.group, request, RoleForm)
    if member.owns:
        messages.error(request, _("To change your own role, hand the group to an organizer."))
    else:
        member.role = form.cleaned_data["role"]
        member.save(update_fields=["role"])
        messages.success(
            request,
            _("%(name)s is now: %(role)s.")
            % {"name": member.display_name, "role": member.get_role_display()},
        )
    return back(me.group, "members")


@group_action("owner")
def transfer(request: HttpRequest, me: Membership) -> HttpResponse:
    member, _form = _member_of_group(me.group, request)
    if member.role != Role.ORGANIZER:
        messages.error(request, _("Make them an organizer first; only an organizer can own it."))
        return back(me.group, "members")
    with transaction.atomic():
        # Both rows locked in one order: two owners' clicks cannot leave two owners or none.
        rows = Membership.objects.select_for_update().filter(pk__in=[me.pk, member.pk])
        locked = {row.pk: row for row in rows.order_by("pk")}
        if locked.get(me.pk) is None or locked[me.pk].role != Role.OWNER:
            raise Http404("You no longer own this group.")
        Membership.objects.filter(pk=me.pk).update(role=Role.ORGANIZER)
        Membership.objects.filter(pk=member.pk).update(role=Role.OWNER)
    messages.success(
        request,
        _("%(name)s now owns the group; you are an organizer.") % {"name": member.display_name},
    )
    return redirect(me.group)


@require_http_methods(["GET", "POST"])
@learner_required
def delete_group(request: HttpRequest, pk: int) -> HttpResponse:
    me = owner_of(request, pk)
    group = me.group
    if request.method == "POST":
        request.POST  # noqa: B018 - parsed to refuse an oversized body with a 400
        group.delete()  # each membership's deletion tells its member's pages (groups/signals.py)
        messages.success(request, _("The group “%(name)s” was deleted.") % {"name": group.name})
        return redirect("groups:list")
    return render(request, "groups/delete.html", {"group": group, "membership": me})


@group_action("organizer")
def edit_group(request: HttpRequest, me: Membership) -> HttpResponse:
    group = me.group
    renamed_from = group.name
    form = GroupSettingsForm(request.POST, instance=group)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, errors[0])
        return back(group, "group-settings")
    form.save()
    if group.name != renamed_from:
        # Members' roadmap pages name the group: they read it again.
        for user_id in group.memberships.values_list("user_id", flat=True):
            signals.bump_version(user_id)
    messages.success(request, _("The group's settings were saved."))
    return back(group, "group-settings")
