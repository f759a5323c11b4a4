from collections.abc import Callable

from django import template
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import ngettext, pgettext

from roadmap import extensions, extras, fragments
from roadmap.markdown import headings_under as _headings_under
from roadmap.markdown import render_trusted_markdown
from roadmap.models import Progress

register = template.Library()


@register.simple_tag
def roadmap_links(roadmap) -> list[extensions.Link]:
    """The links other apps add to ``roadmap`` (roadmap/extensions.py)."""
    return extensions.links_for(roadmap)


@register.simple_tag
def extras_words() -> list[tuple[str, str]]:
    """The words the apps' controls on each resource are named with (roadmap/extras.py)."""
    return extras.words()


@register.filter
def markdown(text: str) -> SafeString:
    """Curriculum prose as sanitised HTML (see roadmap.markdown)."""
    return mark_safe(render_trusted_markdown(text))  # noqa: S308 - sanitised by nh3


@register.filter
def headings_under(note_html: str, parent_level: int) -> SafeString:
    """A note's stored HTML with its headings below the ``parent_level`` heading it is shown under
    (see roadmap.markdown.headings_under)."""
    return mark_safe(_headings_under(note_html, int(parent_level)))  # noqa: S308 - sanitised by nh3


def _partial(context, name: str, **values) -> Callable[[], str]:
    """A renderer of the roadmap page's partial ``name`` with the tag's context and ``values``,
    for a fragment cache to call when the piece is not kept yet."""

    def render() -> str:
        return get_template(f"roadmap/roadmap.html#{name}").render(context.flatten() | values)

    return render


@register.simple_tag(takes_context=True)
def roadmap_sections(context) -> SafeString:
    """Every section the page shows (``found.sections``), each from the per-process section
    cache or rendered by the template's ``section`` partial (see roadmap.fragments)."""
    outline, found, learner = context["outline"], context["found"], context["learner"]
    look = fragments.looker(outline, context.get("extras") or {}, learner=learner)
    csrf_token = str(context.get("csrf_token", ""))
    return mark_safe(  # noqa: S308 - each section escaped by the template that rendered it
        "\n".join(
            fragments.section(
                outline.roadmap,
                node,
                groups,
                tuple(tuple(look(r) for r in group.resources) for group in groups),
                learner=learner,
                filtered=found.active,
                render=_partial(
                    context,
                    "section",
                    node=node,
                    groups=groups,
                    csrf_token=fragments.CSRF_PLACEHOLDER,
                ),
                csrf_token=csrf_token,
            )
            for node, groups in found.sections
        )
    )


@register.simple_tag(takes_context=True)
def toc_entry(context, node) -> SafeString:
    """One entry of the table of contents (the template's ``toc-entry`` partial), from the
    per-process cache (see roadmap.fragments)."""
    return fragments.toc_entry(
        context["outline"].roadmap,
        node,
        learner=context["learner"],
        render=_partial(context, "toc-entry", part=node),
    )


@register.simple_tag(takes_context=True)
def resource_item(context, resource, heading_level: int) -> SafeString:
    """One resource's list item, from the per-process fragment cache (see roadmap.fragments)."""
    outline, learner = context["outline"], context["learner"]
    look = fragments.looker(outline, context.get("extras") or {}, learner=learner)(resource)
    csrf_token = str(context.get("csrf_token", "")) if learner else ""
    return fragments.resource_item(
        outline.roadmap, resource, heading_level, look, csrf_token=csrf_token
    )


@register.filter
def progress_details(counts) -> str:
    """ ", 3 skipped, 2 in progress" after "12 of 31 done", for an outline or a section."""
    details = []
    if counts.skipped:
        if counts.skipped_count_as_done:
            text = ngettext("%(n)s of them skipped", "%(n)s of them skipped", counts.skipped)
        else:
            text = ngettext("%(n)s skipped", "%(n)s skipped", counts.skipped)
        details.append(text % {"n": counts.skipped})
    if counts.in_progress:
        text = ngettext("%(n)s in progress", "%(n)s in progress", counts.in_progress)
        details.append(text % {"n": counts.in_progress})
    # Translators: joins the details after "12 of 31 done": "12 of 31 done, 3 skipped".
    separator = pgettext("list of details", ", ")
    return "".join(separator + detail for detail in details)


@register.filter
def status_label(status: str) -> str:
    """A status's name in the interface's language ("in_progress" → "In progress")."""
    try:
        return Progress.Status(status).label
    except ValueError:
        return status
