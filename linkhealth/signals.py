from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions

from roadmap.signals import CURATORS_GROUP

# Curators see link checks and learners' reports, resolve reports and start checks. Reports
# name no learner in the admin, so this gives curators no one's personal data.
CURATOR_PERMISSIONS = [
    "view_linkcheck",
    "view_linkcheckrun",
    "add_linkcheckrun",
    "view_linkreport",
    "change_linkreport",
]


def grant_curators_link_health(
    app_config, using: str = "default", apps=global_apps, **kwargs
) -> None:
    create_permissions(app_config, verbosity=0, using=using, apps=apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.using(using).get_or_create(name=CURATORS_GROUP)
    permissions = Permission.objects.using(using).filter(
        content_type__app_label="linkhealth", codename__in=CURATOR_PERMISSIONS
    )
    group.permissions.add(*permissions)


def queue_daily_check(sender, **kwargs) -> str | None:
    """When a worker starts: the daily link check keeps itself going from then on."""
    from linkhealth.tasks import schedule_daily_check

    if when := schedule_daily_check():
        return f"Daily link check queued for {when:%Y-%m-%d %H:%M %Z}."
    return None
