"""What keeps the groups' derived state right when rows change, wherever they change from
(a view, the admin, a deleted account)."""

from django.contrib.auth import get_user_model
from django.db.models import F
from django.db.models.signals import post_delete, post_save, pre_delete

from groups import signs
from groups.models import Membership
from groups.ownership import hand_over_or_delete


def bump_version(user_id: int) -> None:
    """The learner's groups or answers changed: their roadmap page reads them again
    (groups/signs.py keys its copy by ``groups_version``)."""
    get_user_model().objects.filter(pk=user_id).update(groups_version=F("groups_version") + 1)


def _membership_changed(sender, instance: Membership, created: bool = True, **kwargs) -> None:
    if created or kwargs.get("signal") is post_delete:
        bump_version(instance.user_id)
        signs.forget_group(instance.group_id)


def _account_deleted(sender, instance, **kwargs) -> None:
    """Before an account goes: the groups it owns pass to their longest-standing organizer
    (or member), and a group with no one else in it goes with it."""
    for membership in Membership.objects.filter(user=instance, role=Membership.Role.OWNER):
        hand_over_or_delete(membership)


def connect() -> None:
    post_save.connect(_membership_changed, sender=Membership, dispatch_uid="groups_joined")
    post_delete.connect(_membership_changed, sender=Membership, dispatch_uid="groups_left")
    pre_delete.connect(
        _account_deleted, sender=get_user_model(), dispatch_uid="groups_account_deleted"
    )
