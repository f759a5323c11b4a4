"""Who owns a group when its owner goes."""

from django.db import IntegrityError, transaction

from groups.models import Membership

Role = Membership.Role


def hand_over_or_delete(owner: Membership) -> None:
    """The owner is going (their account is deleted): the longest-standing organizer, else
    member, takes the group over; a group with no one else in it is deleted."""
    others = owner.group.memberships.exclude(pk=owner.pk)
    heir = (
        others.filter(role=Role.ORGANIZER).order_by("joined_at", "pk").first()
        or others.order_by("joined_at", "pk").first()
    )
    if heir is None:
        owner.group.delete()
        return
    try:
        with transaction.atomic():
            Membership.objects.filter(pk=owner.pk).update(role=Role.MEMBER)
            Membership.objects.filter(pk=heir.pk).update(role=Role.OWNER)
    except IntegrityError:
        pass  # someone else was made owner meanwhile
