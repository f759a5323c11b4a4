"""Markdown to safe HTML, for learners' notes and curators' introductions.

markdown-it-py renders with raw HTML switched off, then nh3 keeps only the tags and attributes
below, so no script, event handler, htmx attribute or ``javascript:`` link can survive.

Rendering is bounded in work, not only in input. Markdown is nearly linear in its input, except
for GFM tables: every body row is padded to the header's width, so a 180-cell header over a
column of one-character lines turns 20,000 characters into megabytes of empty cells (and seconds
of CPU). markdown-it's own cap is per table, and a note may hold many. Here:

- each table's size (header width x rows) is counted against a token budget *before* the table
  is tokenised, and parsing stops at the first table that would overrun it;
- the finished token stream is counted against the same budget before it is rendered;
- the rendered HTML must fit in ``html_budget(text)`` (20x the text, at least 10 KB, at most
  1 MB) before nh3 sees it.

The token budget (one and a half tokens per character, a table of two-letter cells, plus a
little) admits notes whose cells are written out and refuses the ones that expand, so the
longest note that fits costs a bounded, small amount of CPU, and an exploding one is refused
before any of that work (tests/test_note_limits.py; figures in docs/security.md).
"""

import logging
import re
from functools import lru_cache

import nh3
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _
from markdown_it import MarkdownIt
from markdown_it.rules_block.state_block import StateBlock
from markdown_it.rules_block.table import table as _table_rule

logger = logging.getLogger(__name__)

ALLOWED_TAGS = {
    "a", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
    "li", "ol", "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}

HTML_PER_CHARACTER = 20
HTML_FLOOR = 10_000
HTML_CEILING = 1_000_000
TOKENS_PER_CHARACTER = 1.5
TOKENS_FLOOR = 1_000
_BUDGET = "roadmap_tokens_left"


class MarkdownTooLarge(ValueError):
    """The text would render to more than its budget allows; nothing was rendered."""

    message = _(
        "This note would be too large to display: its tables expand to far more cells than "
        "it has text (every row is padded to the width of its table's header). Nothing was "
        "saved. Give each table only the columns its rows fill, or split it up."
    )


def html_budget(text: str) -> int:
    return min(max(HTML_PER_CHARACTER * len(text), HTML_FLOOR), HTML_CEILING)


def token_budget(text: str) -> int:
    return int(TOKENS_PER_CHARACTER * len(text)) + TOKENS_FLOOR


def _bounded_table(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """markdown-it's table rule, charged its size before it pads a single row."""
    if silent or _BUDGET not in state.env:
        return _table_rule(state, start, end, silent)
    if not _table_rule(state, start, end, True):
        return False
    second = start + 1
    delimiter = state.src[state.bMarks[second] + state.tShift[second] : state.eMarks[second]]
    columns = delimiter.count("|") + 1  # at least the header's width
    rows = 0
    line = start + 2
    while line < end and not state.isEmpty(line):  # a table ends at a blank line at the latest
        rows += 1
        line += 1
    state.env[_BUDGET] -= 8 + 3 * columns + rows * (2 + 3 * columns)
    if state.env[_BUDGET] < 0:
        raise MarkdownTooLarge
    return _table_rule(state, start, end, False)


_renderer = MarkdownIt("commonmark", {"html": False, "linkify": False, "maxNesting": 20}).enable(
    ["table", "strikethrough"]
)
_renderer.block.ruler.at("table", _bounded_table)


def render_markdown(text: str) -> str:
    """Sanitised HTML for ``text``; ``MarkdownTooLarge`` when it would exceed its budget."""
    budget = token_budget(text)
    env = {_BUDGET: budget}
    tokens = _renderer.parse(text, env)
    if len(tokens) + sum(len(token.children or ()) for token in tokens) > budget:
        raise MarkdownTooLarge
    html = _renderer.renderer.render(tokens, _renderer.options, env)
    if len(html) > html_budget(text):
        raise MarkdownTooLarge
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener",
    )


# A heading tag in render_markdown's output: nh3 lets no attribute through on headings, and a
# "<h1>" the learner typed as text comes out escaped, so this matches real headings only.
_HEADING_TAG = re.compile(r"<(/?)h([1-6])>")


def headings_under(html: str, parent_level: int) -> str:
    """``html`` from render_markdown, its headings moved under a heading of ``parent_level``.

    A note is shown inside a page that has its own headings (the resource's title, the page's
    ``<h1>``): the note's highest heading becomes the level just below, the others keep their
    distance to it, and none goes deeper than ``<h6>``. Notes are stored as the learner wrote
    them and moved at display time, because each place shows them under a different level.
    """
    levels = [int(level) for closing, level in _HEADING_TAG.findall(html) if not closing]
    if not levels:
        return html
    shift = parent_level + 1 - min(levels)
    return _HEADING_TAG.sub(lambda tag: f"<{tag[1]}h{min(int(tag[2]) + shift, 6)}>", html)


@lru_cache(maxsize=1024)
def render_trusted_markdown(text: str) -> str:
    """Curriculum prose changes rarely and repeats on every view: render it once per process.

    Curators' text has the same budget as notes; text over it is shown as plain text (and
    logged), so one bad introduction cannot slow every page down.
    """
    try:
        return render_markdown(text)
    except MarkdownTooLarge:
        logger.warning("Curriculum Markdown over its rendering budget shown as text: %.80r", text)
        return f"<p>{escape(text)}</p>"
