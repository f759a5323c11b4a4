"""Markdown to safe HTML, for learners' notes and curators' introductions.

markdown-it-py renders with raw HTML switched off, then nh3 keeps only the tags and attributes
below, so no script, event handler, htmx attribute or ``javascript:`` link can survive.
"""

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "a", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
    "li", "ol", "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}

_renderer = MarkdownIt("commonmark", {"html": False, "linkify": False, "maxNesting": 20}).enable(
    ["table", "strikethrough"]
)


def render_markdown(text: str) -> str:
    html = _renderer.render(text)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener",
    )


@lru_cache(maxsize=1024)
def render_trusted_markdown(text: str) -> str:
    """Curriculum prose changes rarely and repeats on every view: render it once per process."""
    return render_markdown(text)
