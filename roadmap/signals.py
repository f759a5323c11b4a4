from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.core.management import call_command

CURATORS_GROUP = "Curators"

# What a curator needs to edit the curriculum, and nothing about learners or their data.
CURATOR_PERMISSIONS = [
    "view_roadmap",
    "add_roadmap",
    "change_roadmap",
    "view_section",
    "add_section",
    "change_section",
    "delete_section",
    "view_resource",
    "add_resource",
    "change_resource",
    "delete_resource",
]


def create_cache_table(using: str = "default", **kwargs) -> None:
    """The database caches (rate limits, sessions); ``migrate`` makes sure their tables exist."""
    call_command("createcachetable", database=using, verbosity=0)


def create_curators_group(app_config, using: str = "default", apps=global_apps, **kwargs) -> None:
    # Permissions are made by another post_migrate receiver that may not have run yet.
    create_permissions(app_config, verbosity=0, using=using, apps=apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.using(using).get_or_create(name=CURATORS_GROUP)
    permissions = Permission.objects.using(using).filter(
        content_type__app_label="roadmap", codename__in=CURATOR_PERMISSIONS
    )
    group.permissions.add(*permissions)


def curriculum_changed(sender, instance, raw: bool = False, **kwargs) -> None:
    """Any saved or deleted roadmap, section or resource invalidates its roadmap's outline.

    A roadmap itself touches every roadmap: each roadmap page's header knows how many roadmaps
    are published (the "All roadmaps" link, ``with_published_count``), cached with the roadmap.
    Bulk ``QuerySet.update()`` sends no signal: code that uses it calls ``Roadmap...touch()``.
    """
    from roadmap.models import Roadmap

    if isinstance(instance, Roadmap):
        Roadmap.objects.touch()
    else:
        Roadmap.objects.filter(pk=instance.roadmap_id).touch()


def keep_added_at(sender, instance, raw: bool = False, **kwargs) -> None:
    """A fixture reloaded over existing resources keeps when each one joined the roadmap.

    ``fixtures/curriculum.json`` carries no ``added_at``, so ``loaddata`` (and
    ``sync_curriculum``) would stamp every resource with "now" and show the whole curriculum
    to every learner as new. Only raw (fixture) saves of rows that already exist are touched.
    """
    if not raw or instance.pk is None:
        return
    kept = sender.objects.filter(pk=instance.pk).values_list("added_at", flat=True).first()
    if kept is not None:
        instance.added_at = kept
