from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _


class RoadmapQuerySet(models.QuerySet):
    def published(self) -> "RoadmapQuerySet":
        return self.filter(is_published=True)

    def get_by_natural_key(self, slug: str) -> "Roadmap":
        return self.get(slug=slug)

    def touch(self) -> int:
        """Mark these roadmaps' curriculum as changed, so cached outlines are rebuilt."""
        return self.update(content_version=models.F("content_version") + 1)

    def with_published_count(self) -> "RoadmapQuerySet":
        """Annotate ``published_count``: how many roadmaps the site lists (the header's link).

        Read with the roadmap it rides on, and kept as long as that roadmap's content_version:
        a saved or deleted roadmap touches every roadmap (roadmap/signals.py), so it is never
        stale.
        """
        count = models.Func(models.F("pk"), function="COUNT")
        published = Roadmap.objects.published().order_by().annotate(n=count).values("n")
        return self.annotate(published_count=models.Subquery(published))

    def with_learner_counts(self, user) -> "RoadmapQuerySet":
        """Annotate ``resource_count`` (what the roadmap page shows) and ``done_count``.

        Both are correlated subqueries, so the list costs one query at any number of roadmaps,
        resources or learners.
        """
        count = models.Func(models.F("pk"), function="COUNT")
        shown = Resource.objects.shown().filter(roadmap=models.OuterRef("pk")).order_by()
        queryset = self.annotate(
            resource_count=models.Subquery(shown.annotate(n=count).values("n"))
        )
        if user is None or not user.is_authenticated:
            return queryset.annotate(done_count=models.Value(0))
        done = (
            Progress.objects.done()
            .filter(
                Resource.shown_q("resource__"), user=user, resource__roadmap=models.OuterRef("pk")
            )
            .order_by()
        )
        return queryset.annotate(done_count=models.Subquery(done.annotate(n=count).values("n")))


class Roadmap(models.Model):
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, help_text=_("Markdown, shown under the title."))
    order = models.PositiveIntegerField(
        default=0, help_text=_("The first roadmap is the home page.")
    )
    is_published = models.BooleanField("published", default=True)
    # Bumped on every change to the roadmap, its sections or resources (roadmap/signals.py).
    content_version = models.PositiveBigIntegerField(default=0, editable=False)

    objects = RoadmapQuerySet.as_manager()

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("roadmap:roadmap", args=[self.slug])

    def natural_key(self) -> tuple[str]:
        return (self.slug,)


# Headings nest six deep; the admin allows deeper outlines, but every walk up the tree stops here,
# so a bad row can never make one spin.
MAX_SECTION_DEPTH = 32


def nesting_error(
    pk: int | None, parent_id: int | None, parent_of: Callable[[int], int | None]
) -> str | None:
    """Why ``pk`` cannot sit under ``parent_id``, given each section's parent, or None.

    The walk is bounded by a visited set and MAX_SECTION_DEPTH, so a loop that bypassed
    validation (``QuerySet.update()``, the shell) ends it instead of hanging it.
    """
    seen: set[int] = set()
    current = parent_id
    while current is not None:
        if current == pk:
            return "A section cannot be nested inside itself or inside one of its own subsections."
        if current in seen:
            return "The chosen parent's own chain of parents loops; fix that section first."
        if len(seen) >= MAX_SECTION_DEPTH:
            return f"Sections can be nested at most {MAX_SECTION_DEPTH} levels deep."
        seen.add(current)
        current = parent_of(current)
    return None


def group_intros_errors(value: object) -> list[str]:
    """What is wrong with a section's group introductions; empty when they are fine."""
    levels = {level.value: level.label for level in Resource.Level}
    known = ", ".join(f'"{key}" ({label.lower()})' for key, label in levels.items())
    if not isinstance(value, dict):
        kind = "null" if value is None else type(value).__name__
        return [
            "Group introductions must be an object from a level to its Markdown, such as "
            f'{{"high_level": "Start here."}}, not {kind}.'
        ]
    errors = []
    for key, text in value.items():
        if key not in levels:
            errors.append(f'"{key}" is not a resource level; use {known}.')
        elif not isinstance(text, str):
            errors.append(f'The introduction for "{key}" must be text, not {type(text).__name__}.')
    return errors


class SectionQuerySet(models.QuerySet):
    def published(self) -> "SectionQuerySet":
        return self.filter(is_published=True)

    def get_by_natural_key(self, roadmap_slug: str, slug: str) -> "Section":
        return self.get(roadmap__slug=roadmap_slug, slug=slug)

    def parents(self) -> dict[int, int | None]:
        return dict(self.values_list("pk", "parent_id"))

    def nesting_problems(self) -> list[tuple["Section", str]]:
        """Sections of this queryset whose chain of parents loops or runs too deep."""
        parent_of = self.model.objects.using(self.db).parents().get
        problems = []
        for section in self.order_by("pk"):
            if problem := nesting_error(section.pk, section.parent_id, parent_of):
                problems.append((section, problem))
        return problems


class Section(models.Model):
    """A part of a roadmap ("Preliminary: a refresh") or a section nested in one."""

    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="sections")
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text=_("Leave empty for a top-level part."),
    )
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, help_text=_("Unique within the roadmap; used in links."))
    intro = models.TextField(blank=True, help_text=_("Markdown, shown before the resources."))
    group_intros = models.JSONField(
        default=dict,
        blank=True,
        help_text=_('Markdown shown above a group of resources, by level: {"high_level": "…"}.'),
    )
    order = models.PositiveIntegerField(default=0)
    is_published = models.BooleanField("published", default=True)

    objects = SectionQuerySet.as_manager()

    class Meta:
        ordering = ["roadmap", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["roadmap", "slug"], name="roadmap_section_slug_unique"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        if not self.slug:
            self.slug = slugify(self.title)[:80]
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return f"{self.roadmap.get_absolute_url()}#{self.anchor}"

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        if problems := group_intros_errors(self.group_intros):
            errors["group_intros"] = problems
        if self.pk is not None and self._moves_with_contents():
            errors["roadmap"] = [
                "This section still holds resources or subsections of its roadmap: move them to "
                "a section of the other roadmap first, or make a new section there."
            ]
        if self.parent_id is not None:
            if self.parent.roadmap_id != self.roadmap_id:
                errors["parent"] = ["The parent section must belong to the same roadmap."]
            elif problem := nesting_error(self.pk, self.parent_id, _parent_in_database):
                errors["parent"] = [problem]
        if errors:
            raise ValidationError(errors)

    def _moves_with_contents(self) -> bool:
        """Whether this save moves the section to another roadmap while resources or
        subsections in it stay behind in the old one (they keep their own roadmap)."""
        stored = Section._base_manager.filter(pk=self.pk).values_list("roadmap_id", flat=True)
        if stored.first() in (None, self.roadmap_id):
            return False
        return self.resources.exists() or self.children.exists()

    @property
    def anchor(self) -> str:
        return f"section-{self.slug}"

    def natural_key(self) -> tuple[str, str]:
        return (self.roadmap.slug, self.slug)

    natural_key.dependencies = ["roadmap.roadmap"]


def _parent_in_database(pk: int) -> int | None:
    return Section._base_manager.filter(pk=pk).values_list("parent_id", flat=True).first()


class ResourceQuerySet(models.QuerySet):
    def published(self) -> "ResourceQuerySet":
        return self.filter(is_published=True, section__is_published=True)

    def shown(self) -> "ResourceQuerySet":
        """What the roadmap page lists: published, and not under an unpublished part."""
        return self.filter(Resource.shown_q())

    def get_by_natural_key(self, roadmap_slug: str, url: str) -> "Resource":
        return self.get(roadmap__slug=roadmap_slug, url=url)


class Resource(models.Model):
    class Kind(models.TextChoices):
        VIDEO = "video", _("Video")
        PLAYLIST = "playlist", _("Playlist")
        COURSE = "course", _("Course")
        ARTICLE = "article", _("Article")
        BOOK = "book", _("Book or chapter")
        PAPER = "paper", _("Paper")
        INTERACTIVE = "interactive", _("Interactive")
        WEBSITE = "website", _("Website")

    class Level(models.TextChoices):
        GENERAL = "", _("General")
        HIGH_LEVEL = "high_level", _("High level")
        IN_DEPTH = "in_depth", _("In-depth")
        THEORETICAL = "theoretical", _("Theoretical")

    # Denormalised from the section so that a URL is unique within its roadmap.
    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="resources")
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="resources")
    title = models.CharField(max_length=300)
    url = models.URLField("link", max_length=500)
    author = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.WEBSITE)
    level = models.CharField(
        max_length=20, choices=Level.choices, default=Level.GENERAL, blank=True
    )
    estimated_minutes = models.PositiveIntegerField(
        "estimated time (minutes)",
        null=True,
        blank=True,
        help_text=_(
            "Only where the resource states its own length (a video's or course's duration)."
        ),
    )
    order = models.PositiveIntegerField(default=0)
    is_published = models.BooleanField("published", default=True)
    # When it joined the roadmap: learners are shown what is new since their previous visit.
    added_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ResourceQuerySet.as_manager()

    class Meta:
        ordering = ["section__order", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["roadmap", "url"], name="roadmap_resource_url_unique"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        if self.section_id:
            self.roadmap_id = self.section.roadmap_id
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return f"{self.roadmap.get_absolute_url()}#{self.anchor}"

    @staticmethod
    def shown_q(prefix: str = "") -> models.Q:
        """``shown()`` as a condition, for queries that reach resources through a relation.

        It looks two sections up (part, section, subsection: the curriculum's depth); the
        roadmap page itself hides a resource under an unpublished section at any depth.
        """
        parent, grandparent = f"{prefix}section__parent", f"{prefix}section__parent__parent"
        return models.Q(
            models.Q(**{f"{parent}__isnull": True})
            | models.Q(
                models.Q(**{f"{grandparent}__isnull": True})
                | models.Q(**{f"{grandparent}__is_published": True}),
                **{f"{parent}__is_published": True},
            ),
            **{f"{prefix}is_published": True, f"{prefix}section__is_published": True},
        )

    def clean(self) -> None:
        if self.section_id and self.roadmap_id and self.section.roadmap_id != self.roadmap_id:
            raise ValidationError({"section": "The section must belong to the resource's roadmap."})

    @property
    def anchor(self) -> str:
        return f"resource-{self.pk}"

    def natural_key(self) -> tuple[str, str]:
        return (self.roadmap.slug, self.url)

    natural_key.dependencies = ["roadmap.roadmap", "roadmap.section"]


class ProgressQuerySet(models.QuerySet):
    def for_user(self, user) -> "ProgressQuerySet":
        return self.filter(user=user)

    def done(self) -> "ProgressQuerySet":
        return self.filter(status=Progress.Status.DONE)


class Progress(models.Model):
    """Where a learner stands on one resource. No row means not started and no bookmark.

    A row whose status is "not started" exists only to keep a bookmark. Writes go through
    ``roadmap/learning.py``, which keeps these rules and records each change as an event.
    """

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        SKIPPED = "skipped", _("Skipped")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="progress"
    )
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="progress")
    # Rows from before statuses existed were all check-offs: they stay "done".
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DONE)
    bookmark = models.CharField(
        max_length=200, blank=True, help_text=_("Where the learner stopped: “video 7, 12:40”.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProgressQuerySet.as_manager()

    class Meta:
        verbose_name_plural = _("progress")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "resource"], name="roadmap_progress_one_per_learner"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.resource} ({self.get_status_display()})"


class NoteQuerySet(models.QuerySet):
    def for_user(self, user) -> "NoteQuerySet":
        return self.filter(user=user)


class Note(models.Model):
    """A learner's private Markdown note on one resource."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notes"
    )
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="notes")
    body = models.TextField()
    body_html = models.TextField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = NoteQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "resource"], name="roadmap_note_one_per_learner"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}'s note on {self.resource}"


class CurriculumSync(models.Model):
    """Which version of a curriculum fixture was last applied, so restarts don't re-apply it.

    Re-applying an unchanged fixture on every start would undo curators' edits made in admin.
    """

    fixture = models.CharField(max_length=100, unique=True)
    sha256 = models.CharField(max_length=64)
    applied_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.fixture} @ {self.sha256[:12]}"


class VisitQuerySet(models.QuerySet):
    def mark_seen(self, user, roadmap: Roadmap, until) -> None:
        """Record that ``user`` has seen ``roadmap``'s resources added up to ``until``.

        One upsert, safe when two tabs do it at once.
        """
        self.bulk_create(
            [Visit(user=user, roadmap=roadmap, seen_until=until)],
            update_conflicts=True,
            unique_fields=["user", "roadmap"],
            update_fields=["seen_until"],
        )


class Visit(models.Model):
    """Up to when a learner has seen what was added to a roadmap ("What is new").

    Written only when there was something new to show, so a page view costs no write. No row
    means the learner has seen everything added before they signed up.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="visits"
    )
    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="visits")
    seen_until = models.DateTimeField()

    objects = VisitQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "roadmap"], name="roadmap_visit_one_per_learner"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} saw {self.roadmap} up to {self.seen_until:%Y-%m-%d %H:%M}"
