from django import template
from django.utils.safestring import SafeString, mark_safe

from roadmap.markdown import render_trusted_markdown

register = template.Library()


@register.filter
def markdown(text: str) -> SafeString:
    """Curriculum prose as sanitised HTML (see roadmap.markdown)."""
    return mark_safe(render_trusted_markdown(text))  # noqa: S308 - sanitised by nh3
