from django import template
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


@register.simple_tag(takes_context=True)
def resource_item(context, resource, heading_level: int) -> SafeString:
    """One resource's list item, from the per-process fragment cache (see roadmap.fragments)."""
    outline = context["outline"]
    extras = context.get("extras", {}).get(resource.pk, "")
    if context["learner"]:
        look = fragments.ItemLook(
            authenticated=True,
            status=outline.status_of(resource),
            bookmark=outline.bookmarks.get(resource.pk, ""),
            has_note=resource.pk in outline.noted_ids,
            is_new=resource.pk in outline.new_ids,
            extras=extras,
        )
        csrf_token = str(context.get("csrf_token", ""))
    else:
        look, csrf_token = fragments.ItemLook(authenticated=False, extras=extras), ""
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
