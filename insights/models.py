from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from roadmap.models import Progress, Roadmap, Section


class LearnerStatistics(Progress):
    """The admin's "Learner statistics" page: an entry in the admin index, never a list of rows.

    A proxy (no table of its own) so the admin gives it a place, a link and a URL;
    insights/admin.py replaces every view of it with the aggregated figures.
    """

    class Meta:
        proxy = True
        verbose_name = _("learner statistics")
        verbose_name_plural = _("learner statistics")


class SectionActivity(models.Model):
    """One learner's activity in one section's own resources (not its subsections'): the rows
    the statistics page reads instead of every progress row and note.

    Kept current by insights/section_activity.py: roadmap/learning.py and history/imports.py
    refresh a learner's row whenever they write, and a roadmap's rows are rebuilt whenever its
    curriculum changed since they were last built (``SectionActivityBuild``). Only published
    resources count; a row exists when the learner has a progress row or a note on one of them.
    """

    # Derived rows, made 70,000 at a time by a rebuild: without database constraints, whose
    # deferred checks at commit took a third of it (a deleted learner or section still takes
    # its rows with it, through Django's CASCADE). The unique constraint below serves lookups by
    # learner, so the learner needs no index of its own.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    section = models.ForeignKey(
        Section, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    done = models.PositiveIntegerField(help_text=_("Resources done."))
    latest = models.PositiveBigIntegerField(
        help_text="The latest activity, packed: its time in whole seconds since 1970 × 10⁹ + "
        "its resource's id (insights/section_activity.py, PACK), so one MAX() gives both."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "section"], name="one_activity_per_section")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in section {self.section_id}"


class SectionActivityBuild(models.Model):
    """The roadmap ``content_version`` its ``SectionActivity`` rows were last built for."""

    roadmap = models.OneToOneField(
        Roadmap, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    content_version = models.PositiveBigIntegerField()
    built_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.roadmap_id} at version {self.content_version}"
