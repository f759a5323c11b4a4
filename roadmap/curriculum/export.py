"""A roadmap's published curriculum written back as the Markdown ``parse_curriculum`` reads.

The writer's shape is the canonical one: ``#`` per level of nesting, the section's intro, then
each run of resources under a bold group label (``**High level resources**``) with the group's
intro, one bullet per resource. ``fixtures/llm-roadmap.md`` is kept in exactly this shape, so
exporting right after importing it gives the same bytes back.

A database edited in the admin can hold what the file cannot say (a section slug that is not
its title's, a line break in a description, an order with gaps). Rather than write a file that
would quietly change the curriculum when imported again, ``export_curriculum`` parses its own
output and reports every difference an import would make (``ExportResult.warnings``).
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from roadmap import estimates
from roadmap.curriculum.parse import ORDER_STEP, CurriculumFormatError, parse_curriculum
from roadmap.models import Resource, Roadmap, Section
from roadmap.outline import Curriculum, Entry, curriculum_of

# The label that starts each level's group; ``group_level`` in curriculum/parse.py reads them.
GROUP_LABELS = {
    Resource.Level.GENERAL.value: "Resources",
    Resource.Level.HIGH_LEVEL.value: "High level resources",
    Resource.Level.IN_DEPTH.value: "In-depth resources",
    Resource.Level.THEORETICAL.value: "Theoretical resources",
}

# Optional fields written between a resource's link and its tail, each returning "" when the
# resource has nothing to say.
ResourceAnnotation = Callable[[Resource], str]


def _estimate(resource: Resource) -> str:
    """ " (~1 h 30 min)": one canonical form, whichever form the file it came from used.

    A value the importer would refuse (typed in the shell, say) is left out, and warned about.
    """
    minutes = resource.estimated_minutes
    return f" (~{estimates.format_estimate(minutes)})" if estimates.is_valid(minutes) else ""


ANNOTATIONS: list[ResourceAnnotation] = [_estimate]


@dataclass
class ExportResult:
    markdown: str
    warnings: list[str] = field(default_factory=list)


def _one_line(text: str) -> str:
    """A bullet is one line: a line break typed in the admin becomes a space."""
    return re.sub(r"\r\n|\r|\n", " ", text)


def _block(text: str) -> str:
    """Prose as the parser keeps it: "\n" line ends, no blank lines around it."""
    return re.sub(r"\r\n|\r", "\n", text).strip()


def _tails(resource: Resource) -> Iterator[tuple[str, str]]:
    """(link text, tail) pairs that can carry the resource, the plainest first."""
    title, author, description = (
        _one_line(resource.title),
        _one_line(resource.author),
        _one_line(resource.description),
    )
    if author:
        yield title, f" - {author}. {description}" if description else f" - {author}"
        yield f"{author} - {title}", f": {description}"
        yield f"{title} by {author}", f": {description}"
    elif description:
        yield title, f". {description}"
    else:
        yield title, ""


def resource_line(resource: Resource) -> str:
    """The bullet for one resource, in the first form the parser reads back unchanged."""
    annotations = "".join(annotate(resource) for annotate in ANNOTATIONS)
    wanted = (resource.title, resource.url, resource.author, resource.description)
    lines = [
        f"* [{text}]({resource.url}){annotations}{tail}".rstrip() for text, tail in _tails(resource)
    ]
    for line in lines:
        try:
            (parsed,) = parse_curriculum(f"# Section\n\n{line}\n").resources
        except (CurriculumFormatError, ValueError):
            continue
        if (parsed.title, parsed.url, parsed.author, parsed.description) == wanted:
            return line
    return lines[0]


def _group_intros(entry: Entry) -> dict[str, str]:
    intros = entry.section.group_intros
    if not isinstance(intros, dict):
        return {}
    return {
        level: _block(text)
        for level, text in intros.items()
        if level in GROUP_LABELS and isinstance(text, str) and text.strip()
    }


def _section_blocks(entry: Entry) -> Iterator[str]:
    yield "#" * min(entry.depth + 1, 6) + " " + _one_line(entry.section.title)
    if intro := _block(entry.section.intro):
        yield intro
    intros = _group_intros(entry)
    for group in entry.groups:
        yield f"**{GROUP_LABELS.get(group.level, GROUP_LABELS[''])}**"
        # The parser joins every group of one level into one intro: write it once.
        if intro := intros.pop(group.level, ""):
            yield intro
        yield "\n".join(resource_line(resource) for resource in group.resources)
    # A group's intro may stand without resources (a curator announcing what comes next).
    for level, intro in intros.items():
        yield f"**{GROUP_LABELS[level]}**"
        yield intro


def write_curriculum(curriculum: Curriculum) -> str:
    """The curriculum as Markdown: blocks separated by one blank line, one final newline."""
    blocks = [block for entry in curriculum.entries for block in _section_blocks(entry)]
    return "\n\n".join(blocks) + "\n" if blocks else ""


def export_curriculum(roadmap: Roadmap) -> ExportResult:
    """The roadmap's published curriculum as Markdown, and what importing it would change."""
    curriculum = curriculum_of(roadmap)
    markdown = write_curriculum(curriculum)
    warnings = _round_trip_warnings(curriculum, markdown) + _hidden_warnings(roadmap, curriculum)
    return ExportResult(markdown, warnings)


def _hidden_warnings(roadmap: Roadmap, curriculum: Curriculum) -> list[str]:
    """Published sections the page hides (under an unpublished part): an import unpublishes them."""
    shown = [entry.section.pk for entry in curriculum.entries]
    hidden = Section.objects.filter(roadmap=roadmap, is_published=True).exclude(pk__in=shown)
    return [
        f"Section “{section.title}” is published but under an unpublished section, so it is not "
        "in the file: an import would unpublish it and its resources."
        for section in hidden.order_by("order", "pk")
    ]


def _round_trip_warnings(curriculum: Curriculum, markdown: str) -> list[str]:
    """What importing ``markdown`` into the roadmap it came from would change, in words."""
    if not curriculum.resources:
        return ["The roadmap has no published resources: import refuses a file without any."]
    try:
        parsed = parse_curriculum(markdown)
    except CurriculumFormatError as exc:
        return [f"Import would refuse this file: {exc}."]

    warnings: list[str] = []
    if len(parsed.sections) != len(curriculum.entries):
        warnings.append(
            f"The file reads back as {len(parsed.sections)} sections, not "
            f"{len(curriculum.entries)}: a section's intro holds a line that reads as a heading."
        )
    renumbered = 0
    for entry, item in zip(curriculum.entries, parsed.sections, strict=False):
        section = entry.section
        if item.slug != section.slug:
            warnings.append(
                f"Section “{section.title}”: its slug is {section.slug!r}, but an import makes "
                f"{item.slug!r} from its heading, so it would create a new section and unpublish "
                "this one. Give it the slug its title makes, or import into an empty roadmap."
            )
            continue
        changed = [
            name
            for name, theirs, ours in (
                ("title", item.title, section.title),
                ("intro", item.intro, _block(section.intro)),
                ("group intros", item.group_intros, _group_intros(entry)),
            )
            if theirs != ours
        ]
        if changed:
            warnings.append(
                f"Section “{section.title}”: an import would change its {', '.join(changed)} "
                "(a line in it reads as a heading, a group label or a resource)."
            )
        renumbered += item.order != section.order

    by_url = {item.url: item for item in parsed.resources}
    for resource in curriculum.resources:
        item = by_url.get(resource.url)
        if item is None:
            warnings.append(f"Resource {resource.url}: the file would not carry it.")
            continue
        changed = [
            name
            for name in ("title", "author", "description", "level")
            if getattr(item, name) != getattr(resource, name)
        ]
        if changed:
            warnings.append(
                f"Resource {resource.url}: an import would change its {', '.join(changed)} "
                "(a line break, or text the separators after the link cannot carry)."
            )
        if item.estimated_minutes != resource.estimated_minutes:
            warnings.append(
                f"Resource {resource.url}: its estimated time ({resource.estimated_minutes} "
                f"minutes) is outside what the file can say ({estimates.MIN_MINUTES} minute to "
                f"{estimates.MAX_HOURS} hours), so an import would clear it."
            )
        renumbered += item.order != resource.order
    if renumbered:
        warnings.append(
            f"{renumbered} sections or resources would be renumbered in steps of {ORDER_STEP} "
            "on import; their order stays the same."
        )
    return warnings
