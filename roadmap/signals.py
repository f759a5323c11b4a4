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


def leaving_roadmap(sender, instance, **kwargs) -> None:
    """A section or resource moved to another roadmap changes the one it leaves too.

    ``curriculum_changed`` touches the roadmap the row is saved into; the one it leaves would
    otherwise keep its cached curriculum, pages and learner statistics with the row in them.
    """
    from roadmap.models import Roadmap

    if instance.pk is None:
        return
    stored = sender.objects.filter(pk=instance.pk).values_list("roadmap_id", flat=True).first()
    if stored is not None and stored != instance.roadmap_id:
        Roadmap.objects.filter(pk=stored).touch()


# What a fixture never sets on a row that already exists (see keep_stored_columns).
KEPT_ON_RELOAD = {"Roadmap": ("content_version",), "Resource": ("added_at",)}


def keep_stored_columns(sender, instance, raw: bool = False, **kwargs) -> None:
    """A fixture reloaded over existing rows keeps the columns that are this database's own.

    - ``Resource.added_at``: ``fixtures/curriculum.json`` carries none, so ``loaddata`` (and
      ``sync_curriculum``) would stamp every resource with "now" and show the whole curriculum
      to every learner as new.
    - ``Roadmap.content_version``: it counts this database's changes, and every process caches
      the curriculum (roadmap/outline.py) and whole pages (roadmap/pagecache.py) under it. A
      fixture without it would write the default 0 over it; the load's own touches (one per
      row, ``curriculum_changed``) would then bring it back to the same number whenever the
      fixture has as many rows as last time, and other processes would keep the old
      curriculum. Kept, it only moves forward: every reload moves it past all it was.
    Only raw (fixture) saves of rows that already exist are touched.
    """
    if not raw or instance.pk is None:
        return
    columns = KEPT_ON_RELOAD[sender._meta.object_name]
    kept = sender.objects.filter(pk=instance.pk).values_list(*columns).first()
    if kept is not None:
        for column, value in zip(columns, kept, strict=True):
            setattr(instance, column, value)
