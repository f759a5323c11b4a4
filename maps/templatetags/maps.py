from django import template
from django.utils.safestring import SafeString

from maps import draw

register = template.Library()


@register.simple_tag
def map_symbols() -> SafeString:
    """The status shapes every map and legend on the page uses; once per page."""
    return draw.symbols()


@register.simple_tag
def learner_map(outline, *, label: str = "") -> SafeString:
    """A learner's map of ``outline``'s roadmap with their progress, as others see it (their
    public page): no "Continue with"."""
    return draw.draw(
        outline.roadmap, outline, learner=True, show_continue=False, label_prefix=label
    )
