"""The curriculum's Markdown file read into dataclasses: ``parse_curriculum``.

It is pure (text in, dataclasses out, no database) so that every rule of the file format can
be tested on a few lines of Markdown; curriculum/load.py writes what it returns.
"""

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.text import slugify

from roadmap.estimates import EstimateError, parse_estimate
from roadmap.models import Resource, Section

ORDER_STEP = 10

_SECTION_TITLE_MAX = Section._meta.get_field("title").max_length
_SLUG_MAX = Section._meta.get_field("slug").max_length
_RESOURCE_TITLE_MAX = Resource._meta.get_field("title").max_length
_AUTHOR_MAX = Resource._meta.get_field("author").max_length
_URL_MAX = Resource._meta.get_field("url").max_length


class CurriculumFormatError(Exception):
    """The Markdown does not follow the curriculum's format; ``line`` is 1-based."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


@dataclass
class ParsedResource:
    title: str
    url: str
    author: str
    description: str
    level: str
    kind: str
    order: int
    line: int
    estimated_minutes: int | None = None


@dataclass
class ParsedSection:
    title: str
    slug: str
    depth: int
    parent_slug: str | None
    order: int
    line: int
    intro: str = ""
    group_intros: dict[str, str] = field(default_factory=dict)
    resources: list[ParsedResource] = field(default_factory=list)


@dataclass
class ParsedCurriculum:
    sections: list[ParsedSection]

    @property
    def resources(self) -> list[ParsedResource]:
        return [resource for section in self.sections for resource in section.resources]


# --- Parsing -------------------------------------------------------------------------------

# Every pattern here is linear in the line: no nested or adjacent quantifiers that can backtrack
# over the same characters, which on a long line of a hostile file would take seconds per line.
# Trailing blanks and closing hashes are stripped in Python instead.
_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*))?$")
_BOLD_LINE = re.compile(r"^(\*\*|__)(.+?)\1$")
_BULLET = re.compile(r"^\s*[*-][ \t]+(.*)$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_GROUP_LABEL = re.compile(
    r"^(?:(?:high[ -]level|in[ -]depth(?: level)?|ther?or\w*)\s+)?resources?:?$", re.IGNORECASE
)
# Titles such as "Dr." end in a period without ending the author's name.
_ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr"}
_WORD = re.compile(r"\S+")
# C0 and C1 control characters (Unicode category Cc) but tab; lines are already split on "\n".
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")
MAX_LINE_LENGTH = 10_000
_url_validator = URLValidator(schemes=["http", "https"])


def group_level(label: str) -> str | None:
    """The resource level a group label such as "High level Resources" announces, or None."""
    label = label.strip()
    if not _GROUP_LABEL.match(label):
        return None
    lowered = label.lower()
    if re.search(r"high[ -]level", lowered):
        return Resource.Level.HIGH_LEVEL.value
    if re.search(r"in[ -]depth", lowered):
        return Resource.Level.IN_DEPTH.value
    if re.match(r"ther?or", lowered):  # "theor…", and the file's own "Theroretical"
        return Resource.Level.THEORETICAL.value
    return Resource.Level.GENERAL.value


def _host_is(host: str, *domains: str) -> bool:
    return any(host == domain or host.endswith("." + domain) for domain in domains)


def infer_kind(url: str, title: str, description: str) -> str:
    """Guess a new resource's kind; curators correct it in the admin and imports keep theirs."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    path = parts.path
    if host in {"youtube.com", "www.youtube.com", "m.youtube.com", "youtu.be"}:
        if "list=" in parts.query or path.rstrip("/") == "/playlist":
            return Resource.Kind.PLAYLIST.value
        if path.startswith("/watch") or host == "youtu.be":
            return Resource.Kind.VIDEO.value
    if _host_is(host, "arxiv.org", "doi.org", "openreview.net"):
        return Resource.Kind.PAPER.value
    if path.lower().endswith(".pdf"):
        return Resource.Kind.BOOK.value
    if _host_is(host, "khanacademy.org", "udacity.com", "course.fast.ai") or (
        _host_is(host, "kaggle.com") and path.startswith("/learn")
    ):
        return Resource.Kind.COURSE.value
    # The title speaks before the description: the "Python Data Science Handbook" is a book even
    # though its description mentions "data visualization".
    for text in (title, description):
        if re.search(r"\bcourse\b", text, re.IGNORECASE):
            return Resource.Kind.COURSE.value
        if re.search(r"\binteractive\b|visuali[sz]ation", text, re.IGNORECASE):
            return Resource.Kind.INTERACTIVE.value
        if re.search(r"\b(?:handbook|textbook|book|chapter)\b", text, re.IGNORECASE):
            return Resource.Kind.BOOK.value
    if path in {"", "/"}:
        return Resource.Kind.WEBSITE.value
    return Resource.Kind.ARTICLE.value


def _split_author(text: str) -> tuple[str, str]:
    """Split "Dan Jurafsky and James H. Martin. This chapter…" into author and description.

    The author ends at the first word ending in a period that is not an initial or a title.
    One pass over the words: linear in the text, however many initials it holds.
    """
    previous = ""
    for word in _WORD.finditer(text):
        token = word.group()
        if token.endswith("."):
            # The word the period ends: this one, or the one before a lone ".".
            last = token[:-1] or previous
            if not ((len(last) == 1 and last.isalpha()) or last.lower() in _ABBREVIATIONS):
                return text[: word.end() - 1].strip(), text[word.end() :].strip()
        previous = token
    return text.strip(), ""


def _strip_closing_hashes(title: str) -> str:
    """ "Title ##" → "Title": closing hashes count only after a blank (or as the whole title)."""
    bare = title.rstrip("#")
    if bare == title or (bare and bare[-1] not in " \t"):
        return title
    return bare.rstrip(" \t")


def _split_link_text(text: str) -> tuple[str, str]:
    """Split "3Blue1Brown - The Essence…" or "… by Ms Aerin" into title and author."""
    author, dash, title = text.partition(" - ")
    if dash and author.strip() and title.strip():
        return title.strip(), author.strip()
    title, by, author = text.rpartition(" by ")
    if by and title.strip() and author.strip():
        return title.strip(), author.strip()
    return text.strip(), ""


def _closing(text: str, start: int, opener: str, closer: str) -> int:
    """Index of the ``closer`` that balances ``text[start]``, or -1."""
    depth = 0
    index = start
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if char == opener:
            depth += 1
        elif char == closer:
            depth -= 1
            if depth == 0:
                return index
        index += 1
    return -1


def _parse_resource(item: str, line: int, column: int) -> tuple[str, str, str, str, int | None]:
    """Read ``[title](url) (~estimate) tail`` into (title, url, author, description, minutes).

    ``column`` is where ``item`` starts in its line (1-based), to point at a bad estimate.
    """
    end_text = _closing(item, 0, "[", "]")
    if end_text == -1:
        raise CurriculumFormatError(line, "the link text is never closed with ']'")
    if item[end_text + 1 : end_text + 2] != "(":
        raise CurriculumFormatError(
            line, "a resource needs a link as [title](url), but this one has no (url)"
        )
    end_url = _closing(item, end_text + 1, "(", ")")
    if end_url == -1:
        raise CurriculumFormatError(line, "the link's URL is never closed with ')'")
    link_text = item[1:end_text].strip()
    url = item[end_text + 2 : end_url].strip()
    tail = item[end_url + 1 :].strip()
    estimated_minutes = None
    if tail.startswith("(~"):
        opened = item.index("(~", end_url + 1)
        closed = item.find(")", opened)
        if closed == -1:
            raise CurriculumFormatError(
                line,
                f"the estimated time at column {column + opened} is never closed with ')'",
            )
        written = item[opened : closed + 1]
        try:
            estimated_minutes = parse_estimate(written[2:-1])
        except EstimateError as refused:
            raise CurriculumFormatError(
                line,
                f"the estimated time {written} at column {column + opened} {refused.message}",
            ) from None
        tail = item[closed + 1 :].strip()
    if not link_text:
        raise CurriculumFormatError(line, "the link has no text: write [title](url)")
    if not url:
        raise CurriculumFormatError(line, "the link has an empty URL")
    if re.search(r"\s", url):
        raise CurriculumFormatError(line, f"the URL {url!r} contains a space")
    if urlsplit(url).scheme.lower() not in {"http", "https"}:
        raise CurriculumFormatError(line, f"{url} is not an http(s) link")
    if len(url) > _URL_MAX:
        raise CurriculumFormatError(
            line, f"the URL is {len(url)} characters long; at most {_URL_MAX} are allowed"
        )
    try:
        _url_validator(url)
    except ValidationError:
        raise CurriculumFormatError(line, f"{url} is not a valid URL") from None

    if tail.startswith(":"):
        title, author = _split_link_text(link_text)
        description = tail[1:].strip()
    elif tail.startswith("."):
        title, author, description = link_text, "", tail[1:].strip()
    elif tail[:1] in {"-", "\u2013", "\u2014"}:  # hyphen, en dash, em dash
        title = link_text
        author, description = _split_author(tail[1:].strip())
    else:
        title = link_text
        author, description = _split_author(tail)

    if len(title) > _RESOURCE_TITLE_MAX:
        raise CurriculumFormatError(
            line, f"the title is {len(title)} characters long; at most {_RESOURCE_TITLE_MAX}"
        )
    if len(author) > _AUTHOR_MAX:
        raise CurriculumFormatError(
            line,
            f"the author is {len(author)} characters long; at most {_AUTHOR_MAX} are allowed "
            '(end the author with ". " before the description)',
        )
    return title, url, author, description, estimated_minutes


def _tidy(lines: list[str]) -> str:
    """Join prose lines, collapsing runs of blank lines (but never inside a code fence)."""
    kept: list[str] = []
    fence = ""
    for line in lines:
        if fence:
            kept.append(line)
            if line.strip().startswith(fence):
                fence = ""
            continue
        if match := _FENCE.match(line):
            fence = match.group(1)
        if not line.strip() and kept and not kept[-1].strip():
            continue
        kept.append(line)
    return "\n".join(kept).strip()


class _Parser:
    def __init__(self) -> None:
        self.sections: list[ParsedSection] = []
        self.open_headings: list[ParsedSection] = []
        self.current: ParsedSection | None = None
        # None until the current section's first group label or resource: prose is its intro.
        self.level: str | None = None
        self.intro_lines: dict[int, list[str]] = {}
        self.group_lines: dict[int, dict[str, list[str]]] = {}
        self.slugs: set[str] = set()
        self.url_lines: dict[str, int] = {}
        self.fence = ""

    def feed(self, line: str, number: int) -> None:
        if self.fence:
            self.prose(line, number)
            if line.strip().startswith(self.fence):
                self.fence = ""
            return
        stripped = line.strip()
        if not stripped:
            if self.current is not None:
                self.prose("", number)
            return
        if match := _FENCE.match(line):
            self.fence = match.group(1)
            self.prose(line, number)
            return
        if match := _HEADING.match(line):
            self.heading(len(match.group(1)), match.group(2) or "", number)
            return
        if (match := _BOLD_LINE.match(stripped)) and (
            level := group_level(match.group(2))
        ) is not None:
            self.group_label(level, number)
            return
        if (match := _BULLET.match(line)) and match.group(1).startswith("["):
            self.resource(match.group(1), number, match.start(1) + 1)
            return
        self.prose(line, number)

    def heading(self, depth: int, text: str, number: int) -> None:
        title = _strip_closing_hashes(text.strip()).strip()
        if not title:
            raise CurriculumFormatError(number, "a heading needs a title")
        if (level := group_level(title)) is not None:
            self.group_label(level, number)
            return
        if len(title) > _SECTION_TITLE_MAX:
            raise CurriculumFormatError(
                number,
                f"the heading is {len(title)} characters long; at most {_SECTION_TITLE_MAX}",
            )
        while self.open_headings and self.open_headings[-1].depth >= depth:
            self.open_headings.pop()
        parent = self.open_headings[-1] if self.open_headings else None
        section = ParsedSection(
            title=title,
            slug=self.unique_slug(title),
            depth=depth,
            parent_slug=parent.slug if parent else None,
            order=(len(self.sections) + 1) * ORDER_STEP,
            line=number,
        )
        self.sections.append(section)
        self.open_headings.append(section)
        self.current = section
        self.level = None
        self.intro_lines[id(section)] = []
        self.group_lines[id(section)] = {}

    def unique_slug(self, title: str) -> str:
        base = slugify(title)[:_SLUG_MAX].strip("-") or "section"
        slug, n = base, 2
        while slug in self.slugs:
            suffix = f"-{n}"
            slug = base[: _SLUG_MAX - len(suffix)].strip("-") + suffix
            n += 1
        self.slugs.add(slug)
        return slug

    def group_label(self, level: str, number: int) -> None:
        if self.current is None:
            raise CurriculumFormatError(number, "a group label must come after a heading")
        self.level = level

    def resource(self, item: str, number: int, column: int) -> None:
        if self.current is None:
            raise CurriculumFormatError(number, "a resource must come after a heading")
        title, url, author, description, minutes = _parse_resource(item, number, column)
        if url in self.url_lines:
            raise CurriculumFormatError(
                number, f"{url} is already listed on line {self.url_lines[url]}"
            )
        self.url_lines[url] = number
        if self.level is None:
            self.level = Resource.Level.GENERAL.value
        section = self.current
        section.resources.append(
            ParsedResource(
                title=title,
                url=url,
                author=author,
                description=description,
                level=self.level,
                kind=infer_kind(url, title, description),
                order=(len(section.resources) + 1) * ORDER_STEP,
                line=number,
                estimated_minutes=minutes,
            )
        )

    def prose(self, line: str, number: int) -> None:
        if self.current is None:
            raise CurriculumFormatError(number, "text must come after a heading")
        key = id(self.current)
        if self.level is None:
            self.intro_lines[key].append(line)
        else:
            self.group_lines[key].setdefault(self.level, []).append(line)

    def finish(self, last_line: int) -> ParsedCurriculum:
        if self.fence:
            raise CurriculumFormatError(
                last_line, f"a code block opened with {self.fence} is never closed"
            )
        if not self.url_lines:
            raise CurriculumFormatError(
                last_line, "the file has no resources; list each as * [Title](https://…): …"
            )
        for section in self.sections:
            section.intro = _tidy(self.intro_lines[id(section)])
            groups = {lvl: _tidy(lines) for lvl, lines in self.group_lines[id(section)].items()}
            section.group_intros = {lvl: text for lvl, text in groups.items() if text}
        return ParsedCurriculum(sections=self.sections)


def parse_curriculum(text: str) -> ParsedCurriculum:
    """Read the curriculum's Markdown; raise ``CurriculumFormatError`` at the first mistake."""
    parser = _Parser()
    # split("\n"), not splitlines(): form feeds and the like must not shift line numbers.
    lines = text.split("\n")
    for number, line in enumerate(lines, start=1):
        line = line.rstrip("\r")
        if len(line) > MAX_LINE_LENGTH:
            raise CurriculumFormatError(
                number,
                f"the line is {len(line)} characters long; at most {MAX_LINE_LENGTH} are allowed",
            )
        if control := _CONTROL.search(line):
            char = control.group()
            raise CurriculumFormatError(
                number,
                f"control character U+{ord(char):04X} at column {control.start() + 1}: "
                "remove it (only tabs and line breaks are allowed)",
            )
        parser.feed(line, number)
    # A final newline ends the last line; it does not start another.
    return parser.finish(len(lines) - 1 if len(lines) > 1 and not lines[-1] else len(lines))
