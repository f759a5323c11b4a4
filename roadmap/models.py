from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify


class RoadmapQuerySet(models.QuerySet):
    def published(self) -> "RoadmapQuerySet":
        return self.filter(is_published=True)

    def get_by_natural_key(self, slug: str) -> "Roadmap":
        return self.get(slug=slug)

    def touch(self) -> int:
        """Mark these roadmaps' curriculum as changed, so cached outlines are rebuilt."""
        return self.update(content_version=models.F("content_version") + 1)


class Roadmap(models.Model):
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, help_text="Markdown, shown under the title.")
    order = models.PositiveIntegerField(default=0, help_text="The first roadmap is the home page.")
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


class SectionQuerySet(models.QuerySet):
    def published(self) -> "SectionQuerySet":
        return self.filter(is_published=True)

    def get_by_natural_key(self, roadmap_slug: str, slug: str) -> "Section":
        return self.get(roadmap__slug=roadmap_slug, slug=slug)


class Section(models.Model):
    """A part of a roadmap ("Preliminary: a refresh") or a section nested in one."""

    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="sections")
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text="Leave empty for a top-level part.",
    )
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, help_text="Unique within the roadmap; used in links.")
    intro = models.TextField(blank=True, help_text="Markdown, shown before the resources.")
    group_intros = models.JSONField(
        default=dict,
        blank=True,
        help_text='Markdown shown above a group of resources, by level: {"high_level": "…"}.',
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
        if self.parent_id is None:
            return
        if self.parent.roadmap_id != self.roadmap_id:
            raise ValidationError({"parent": "The parent section must belong to the same roadmap."})
        ancestor = self.parent
        while ancestor is not None:
            if ancestor.pk == self.pk:
                raise ValidationError({"parent": "A section cannot be nested inside itself."})
            ancestor = ancestor.parent

    @property
    def anchor(self) -> str:
        return f"section-{self.slug}"

    def natural_key(self) -> tuple[str, str]:
        return (self.roadmap.slug, self.slug)

    natural_key.dependencies = ["roadmap.roadmap"]


class ResourceQuerySet(models.QuerySet):
    def published(self) -> "ResourceQuerySet":
        return self.filter(is_published=True, section__is_published=True)

    def get_by_natural_key(self, roadmap_slug: str, url: str) -> "Resource":
        return self.get(roadmap__slug=roadmap_slug, url=url)


class Resource(models.Model):
    class Kind(models.TextChoices):
        VIDEO = "video", "Video"
        PLAYLIST = "playlist", "Playlist"
        COURSE = "course", "Course"
        ARTICLE = "article", "Article"
        BOOK = "book", "Book or chapter"
        PAPER = "paper", "Paper"
        INTERACTIVE = "interactive", "Interactive"
        WEBSITE = "website", "Website"

    class Level(models.TextChoices):
        GENERAL = "", "General"
        HIGH_LEVEL = "high_level", "High level"
        IN_DEPTH = "in_depth", "In-depth"
        THEORETICAL = "theoretical", "Theoretical"

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
        help_text="Only where the resource states its own length (a video's or course's duration).",
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
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        SKIPPED = "skipped", "Skipped"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="progress"
    )
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="progress")
    # Rows from before statuses existed were all check-offs: they stay "done".
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DONE)
    bookmark = models.CharField(
        max_length=200, blank=True, help_text="Where the learner stopped: “video 7, 12:40”."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProgressQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "progress"
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
