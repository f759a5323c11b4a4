"""A parsed curriculum upserted into the database: ``import_curriculum``.

The writes happen in one transaction, keyed on what curators never change by hand: a section's
slug and a resource's URL within its roadmap. Nothing is ever deleted: learners' progress and
notes point at resources, so what left the file is only unpublished.
"""

from dataclasses import dataclass, field

from django.db import transaction

from roadmap.curriculum.parse import CurriculumFormatError, ParsedCurriculum
from roadmap.models import Resource, Roadmap, Section

DEFAULT_ROADMAP_SLUG = "llm-roadmap"
DEFAULT_ROADMAP_TITLE = "LLM Roadmap"
DEFAULT_ROADMAP_DESCRIPTION = (
    "From maths and Python basics through neural nets and NLP up to transformers "
    "and large language models."
)


# Gaps of ten leave room for a curator to slot something in by hand between two imports.
@dataclass
class Change:
    """One section (keyed by slug) or resource (keyed by URL) the import touched."""

    key: str
    title: str
    fields: list[str] = field(default_factory=list)
    kind: str = ""


@dataclass
class ImportReport:
    roadmap_slug: str
    roadmap_title: str
    roadmap_created: bool
    dry_run: bool = False
    sections_created: list[Change] = field(default_factory=list)
    sections_changed: list[Change] = field(default_factory=list)
    sections_unchanged: int = 0
    sections_unpublished: list[Change] = field(default_factory=list)
    resources_created: list[Change] = field(default_factory=list)
    resources_changed: list[Change] = field(default_factory=list)
    resources_unchanged: int = 0
    resources_unpublished: list[Change] = field(default_factory=list)

    def lines(self) -> list[str]:
        out: list[str] = []
        if self.dry_run:
            out.append("Dry run: nothing was saved.")
        state = "created" if self.roadmap_created else "already exists"
        out.append(f'Roadmap {self.roadmap_slug} ("{self.roadmap_title}"): {state}.')
        out += self._block(
            "Sections",
            self.sections_created,
            self.sections_changed,
            self.sections_unchanged,
            self.sections_unpublished,
        )
        out += self._block(
            "Resources",
            self.resources_created,
            self.resources_changed,
            self.resources_unchanged,
            self.resources_unpublished,
        )
        if self.sections_unpublished or self.resources_unpublished:
            out.append(
                "Nothing was deleted: what is no longer in the file is unpublished, "
                "so learners' progress and notes on it are kept."
            )
        if self.dry_run:
            out.append("Dry run: nothing was saved.")
        return out

    @staticmethod
    def _block(
        name: str,
        created: list[Change],
        changed: list[Change],
        unchanged: int,
        unpublished: list[Change],
    ) -> list[str]:
        out = [
            f"{name} — created: {len(created)}, changed: {len(changed)}, "
            f"left alone: {unchanged}, unpublished: {len(unpublished)}"
        ]
        out += [
            f"  created: {c.key} ({c.title})" + (f" [{c.kind}]" if c.kind else "") for c in created
        ]
        out += [f"  changed: {c.key} ({c.title}): {', '.join(c.fields)}" for c in changed]
        out += [f"  unpublished, no longer in the file: {c.key} ({c.title})" for c in unpublished]
        return out


def _roadmap(slug: str) -> tuple[Roadmap, bool]:
    if slug == DEFAULT_ROADMAP_SLUG:
        defaults = {"title": DEFAULT_ROADMAP_TITLE, "description": DEFAULT_ROADMAP_DESCRIPTION}
    else:
        defaults = {"title": " ".join(word.capitalize() for word in slug.split("-"))}
    return Roadmap.objects.get_or_create(slug=slug, defaults=defaults)


def _apply(obj: Section | Resource, values: dict[str, object]) -> list[str]:
    """Set the values that differ and return their field names, in the order given."""
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    return changed


def _field_names(attnames: list[str]) -> list[str]:
    # Report "section", not "section_id": the report is read by curators.
    return [name.removesuffix("_id") for name in attnames]


def import_curriculum(
    parsed: ParsedCurriculum, roadmap_slug: str = DEFAULT_ROADMAP_SLUG, *, dry_run: bool = False
) -> ImportReport:
    """Upsert ``parsed`` into the roadmap, all or nothing; a dry run rolls everything back."""
    with transaction.atomic():
        roadmap, created = _roadmap(roadmap_slug)
        report = ImportReport(
            roadmap_slug=roadmap.slug,
            roadmap_title=roadmap.title,
            roadmap_created=created,
            dry_run=dry_run,
        )
        sections = _upsert_sections(roadmap, parsed, report)
        _refuse_nesting_problems(roadmap, parsed)
        _upsert_resources(roadmap, parsed, sections, report)
        _unpublish_missing(roadmap, parsed, report)
        Roadmap.objects.filter(pk=roadmap.pk).touch()  # the bulk unpublish sends no signal
        if dry_run:
            transaction.set_rollback(True)
    return report


def _upsert_sections(
    roadmap: Roadmap, parsed: ParsedCurriculum, report: ImportReport
) -> dict[str, Section]:
    existing = {section.slug: section for section in Section.objects.filter(roadmap=roadmap)}
    saved: dict[str, Section] = {}
    for item in parsed.sections:
        # Parents precede their children in the file, so the parent is already saved.
        parent = saved[item.parent_slug] if item.parent_slug else None
        values = {
            "title": item.title,
            "parent_id": parent.pk if parent else None,
            "intro": item.intro,
            "group_intros": item.group_intros,
            "order": item.order,
            "is_published": True,
        }
        section = existing.get(item.slug)
        if section is None:
            section = Section(roadmap=roadmap, slug=item.slug)
            _apply(section, values)
            section.save()
            report.sections_created.append(Change(item.slug, item.title))
        elif changed := _apply(section, values):
            section.save(update_fields=changed)
            report.sections_changed.append(Change(item.slug, item.title, _field_names(changed)))
        else:
            report.sections_unchanged += 1
        saved[item.slug] = section
    return saved


def _refuse_nesting_problems(roadmap: Roadmap, parsed: ParsedCurriculum) -> None:
    """The file's headings make a tree, but a section curators nested under one the import
    moves could close a loop: refuse it (the transaction rolls back) rather than save it."""
    problems = Section.objects.filter(roadmap=roadmap).nesting_problems()
    if problems:
        lines = {item.slug: item.line for item in parsed.sections}
        section, problem = problems[0]
        raise CurriculumFormatError(
            lines.get(section.slug, 1), f"section {section.slug!r}: {problem}"
        )


def _upsert_resources(
    roadmap: Roadmap,
    parsed: ParsedCurriculum,
    sections: dict[str, Section],
    report: ImportReport,
) -> None:
    existing = {resource.url: resource for resource in Resource.objects.filter(roadmap=roadmap)}
    for section_item in parsed.sections:
        section = sections[section_item.slug]
        for item in section_item.resources:
            values = {
                "title": item.title,
                "author": item.author,
                "description": item.description,
                "level": item.level,
                # The file speaks for the estimate as for the title: no estimate, none kept.
                "estimated_minutes": item.estimated_minutes,
                "section_id": section.pk,
                "order": item.order,
                "is_published": True,
            }
            resource = existing.get(item.url)
            if resource is None:
                # Kind is only a first guess: once created, curators own it.
                resource = Resource(roadmap=roadmap, url=item.url, kind=item.kind)
                _apply(resource, values)
                resource.save()
                report.resources_created.append(Change(item.url, item.title, kind=item.kind))
            elif changed := _apply(resource, values):
                resource.save(update_fields=changed)
                report.resources_changed.append(Change(item.url, item.title, _field_names(changed)))
            else:
                report.resources_unchanged += 1


def _unpublish_missing(roadmap: Roadmap, parsed: ParsedCurriculum, report: ImportReport) -> None:
    urls = {resource.url for resource in parsed.resources}
    slugs = {section.slug for section in parsed.sections}
    gone_resources = (
        Resource.objects.filter(roadmap=roadmap, is_published=True)
        .exclude(url__in=urls)
        .order_by("section__order", "order", "pk")
    )
    report.resources_unpublished += [Change(r.url, r.title) for r in gone_resources]
    Resource.objects.filter(pk__in=[r.pk for r in gone_resources]).update(is_published=False)
    gone_sections = (
        Section.objects.filter(roadmap=roadmap, is_published=True)
        .exclude(slug__in=slugs)
        .order_by("order", "pk")
    )
    report.sections_unpublished += [Change(s.slug, s.title) for s in gone_sections]
    Section.objects.filter(pk__in=[s.pk for s in gone_sections]).update(is_published=False)
