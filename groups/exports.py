"""The learner's groups, as their data export lists them (history/exports.py)."""

from groups.models import Membership


def groups_of(user) -> list[dict]:
    return [
        {
            "name": name,
            "roadmap": slug,
            "display_name": display_name,
            "role": role,
            "joined_at": joined_at.isoformat(),
            "shares_progress": shares,
            "receives_emails": emails,
        }
        for name, slug, display_name, role, joined_at, shares, emails in Membership.objects.filter(
            user=user
        )
        .order_by("group__name", "group_id")
        .values_list(
            "group__name",
            "group__roadmap__slug",
            "display_name",
            "role",
            "joined_at",
            "shares_progress",
            "receives_emails",
        )
    ]
