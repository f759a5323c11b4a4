from django import template
from django.utils.safestring import SafeString, mark_safe

from roadmap import fragments
from roadmap.markdown import render_trusted_markdown

register = template.Library()


@register.filter
def markdown(text: str) -> SafeString:
    """Curriculum prose as sanitised HTML (see roadmap.markdown)."""
    return mark_safe(render_trusted_markdown(text))  # noqa: S308 - sanitised by nh3


@register.simple_tag(takes_context=True)
def resource_item(context, resource, heading_level: int) -> SafeString:
    """One resource's list item, from the per-process fragment cache (see roadmap.fragments)."""
    outline = context["outline"]
    learner = context["learner"]
    return fragments.resource_item(
        resource,
        heading_level,
        authenticated=learner,
        is_done=learner and resource.pk in outline.done_ids,
        has_note=learner and resource.pk in outline.noted_ids,
        csrf_token=str(context.get("csrf_token", "")) if learner else "",
    )
