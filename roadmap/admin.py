from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from roadmap import estimates
from roadmap.models import Resource, Roadmap, Section, nesting_error


def _touch_roadmaps(queryset: QuerySet) -> None:
    if queryset.model is Roadmap:
        Roadmap.objects.touch()  # every page counts the published roadmaps (signals.py)
    else:
        Roadmap.objects.filter(pk__in=queryset.values("roadmap_id")).touch()


@admin.action(description=_("Publish selected %(verbose_name_plural)s"))
def publish(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
    count = queryset.update(is_published=True)
    _touch_roadmaps(queryset)
    modeladmin.message_user(
        request, gettext("Published %(count)d.") % {"count": count}, messages.SUCCESS
    )


@admin.action(description=_("Unpublish selected %(verbose_name_plural)s"))
def unpublish(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
    count = queryset.update(is_published=False)
    _touch_roadmaps(queryset)
    modeladmin.message_user(
        request, gettext("Unpublished %(count)d.") % {"count": count}, messages.SUCCESS
    )


class LearnerDataProtectedAdmin(admin.ModelAdmin):
    """Deleting a resource that learners have progress or notes on is refused.

    Django's confirmation page would list each protected row by its learner's email; curators
    see a count instead, and are pointed at unpublishing, which hides it and loses nothing.
    """

    def get_deleted_objects(self, objs, request):
        to_delete, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        if protected:
            protected = [
                ngettext(
                    "%(count)d learner record (progress or notes) depends on this. Unpublish it "
                    "instead: learners keep their data and it disappears from the site.",
                    "%(count)d learner records (progress or notes) depend on this. Unpublish it "
                    "instead: learners keep their data and it disappears from the site.",
                    len(protected),
                )
                % {"count": len(protected)}
            ]
        return to_delete, model_count, perms_needed, protected


class ResourceForm(forms.ModelForm):
    """The roadmap comes from the section, so the one-URL-per-roadmap rule is checked here."""

    # Bounded like the Markdown's "(~3 h)", so whatever curators type can be exported.
    estimated_minutes = forms.IntegerField(
        label=_("Estimated time (minutes)"),
        required=False,
        min_value=estimates.MIN_MINUTES,
        max_value=estimates.MAX_MINUTES,
        help_text=_(
            "In minutes: 45, or 90 for 1 h 30 min. Only where the resource states its own "
            "length (a video's or a course's duration); leave it blank otherwise. Learners see "
            "it beside the resource and in the time left per section."
        ),
    )

    class Meta:
        model = Resource
        fields = [
            "section",
            "title",
            "url",
            "author",
            "description",
            "kind",
            "level",
            "estimated_minutes",
            "order",
        ]

    def clean(self) -> dict:
        cleaned = super().clean()
        section, url = cleaned.get("section"), cleaned.get("url")
        if section and url:
            clash = (
                Resource.objects.filter(roadmap_id=section.roadmap_id, url=url)
                .exclude(pk=self.instance.pk)
                .first()
            )
            if clash:
                self.add_error("url", f"“{clash}” in this roadmap already links to this URL.")
        return cleaned


class SectionInlineFormSet(BaseInlineFormSet):
    """Checks every row's parent against the others submitted with it.

    Each row's own validation sees the database as it was, so X under Y and Y under X in one
    submit would each pass alone; here the parents are the ones this submit would save.
    """

    def clean(self) -> None:
        super().clean()
        if self.instance.pk is None:
            return
        parent_of = Section.objects.filter(roadmap=self.instance).parents()
        rows = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or form.instance.pk is None or self._should_delete_form(form):
                continue
            parent = data.get("parent")
            parent_of[form.instance.pk] = parent.pk if parent else None
            rows.append(form)
        looped = []
        for form in rows:
            pk = form.instance.pk
            if problem := nesting_error(pk, parent_of[pk], parent_of.get):
                form.add_error("parent", problem)
                looped.append(str(form.cleaned_data.get("title") or form.instance))
        if looped:
            raise ValidationError(
                _(
                    "These sections would be nested inside themselves: %(names)s. "
                    "Choose parents that lead up to a top-level part."
                ),
                params={"names": ", ".join(looped)},
                code="section_cycle",
            )


class SectionInline(admin.TabularInline):
    model = Section
    formset = SectionInlineFormSet
    fk_name = "roadmap"
    fields = ["title", "slug", "parent", "order", "is_published"]
    prepopulated_fields = {"slug": ["title"]}
    extra = 0
    show_change_link = True


class ResourceInline(admin.TabularInline):
    model = Resource
    form = ResourceForm
    fields = [
        "title",
        "url",
        "author",
        "kind",
        "level",
        "estimated_minutes",
        "order",
        "is_published",
    ]
    extra = 0
    show_change_link = True


@admin.register(Roadmap)
class RoadmapAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "order", "is_published", "section_count"]
    list_editable = ["order", "is_published"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    actions = [publish, unpublish]
    inlines = [SectionInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(_sections=Count("sections"))

    @admin.display(description=_("sections"), ordering="_sections")
    def section_count(self, obj: Roadmap) -> int:
        return obj._sections


@admin.register(Section)
class SectionAdmin(LearnerDataProtectedAdmin):
    list_display = ["title", "roadmap", "parent", "order", "is_published", "resource_count"]
    list_editable = ["order", "is_published"]
    list_filter = ["roadmap", "is_published", ("parent", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["roadmap", "parent"]
    search_fields = ["title", "slug", "intro"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["parent"]
    actions = [publish, unpublish]
    inlines = [ResourceInline]
    fields = [
        "roadmap",
        "parent",
        "title",
        "slug",
        "intro",
        "group_intros",
        "order",
        "is_published",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(_resources=Count("resources"))

    @admin.display(description=_("resources"), ordering="_resources")
    def resource_count(self, obj: Section) -> int:
        return obj._resources


@admin.register(Resource)
class ResourceAdmin(LearnerDataProtectedAdmin):
    """Apps built on the curriculum extend it (linkhealth/admin.py adds the link's health)."""

    list_display = [
        "title",
        "section",
        "kind",
        "level",
        "author",
        "estimate",
        "order",
        "is_published",
    ]
    list_editable = ["order", "is_published"]
    list_filter = [
        "section__roadmap",
        "section",
        "kind",
        "level",
        "is_published",
    ]
    list_select_related = ["section", "roadmap"]
    search_fields = ["title", "author", "url", "description"]
    autocomplete_fields = ["section"]
    form = ResourceForm
    actions = [publish, unpublish]
    fields = [*ResourceForm.Meta.fields, "is_published"]

    @admin.display(description=_("estimated time"), ordering="estimated_minutes", empty_value="—")
    def estimate(self, obj: Resource) -> str | None:
        minutes = obj.estimated_minutes
        return estimates.format_estimate(minutes) if minutes is not None else None


admin.site.site_header = _("LLM Roadmap curation")
admin.site.site_title = _("LLM Roadmap admin")
admin.site.index_title = _("Curriculum and accounts")
