"""Find: the roadmap page narrowed by words, kind, level and status.

A filter is a plain GET query (``?q=attention&kind=video&level=high_level&status=in_progress``)
so that it works without JavaScript and can be bookmarked; htmx sends the same query as the
learner types and swaps in only the sections region.

It costs no query of its own: the curriculum is already in memory (``roadmap.outline``) and the
learner's statuses come with the page's one state query, so a filtered page runs exactly the
queries of the whole page, at any size of curriculum. What stays that of the whole roadmap: the
contents, the overall and per-section progress figures. What is filtered: which resources are
listed, and so which sections and groups show (a section shows when it, or a section under it,
holds a match; it keeps its heading and its whole-section progress).

Filtered pages and htmx fragments never go in the page cache (``roadmap.pagecache.page_key``):
their text is whatever a visitor typed, and keeping each variant would let anyone push the
shared pages out of the cache.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from django import forms
from django.http import HttpRequest, HttpResponse, QueryDict
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django.utils.functional import lazy
from django.utils.translation import gettext, ngettext, pgettext
from django.utils.translation import gettext_lazy as _
from django_htmx.http import push_url

from roadmap.models import Progress, Resource
from roadmap.outline import Group, Outline, SectionNode, curriculum_of

PARAMS = ("q", "kind", "level", "status")
MAX_TEXT = 200
# The General level's stored value is "", which a URL cannot tell apart from "any level".
GENERAL = "general"

KINDS = [("", _("Any kind")), *Resource.Kind.choices]
LEVELS = [
    ("", _("Any level")),
    *((value or GENERAL, label) for value, label in Resource.Level.choices),
]
STATUSES = [("", _("Any status")), *Progress.Status.choices]


def _choose_from(message: str, choices: list[tuple[str, str]]) -> str:
    """``message`` with the list of choices, in the language of the request that shows it."""
    labels = pgettext("between items of a list", ", ").join(
        str(label) for value, label in choices if value
    )
    return message % {"labels": labels}


_choose_from_lazy = lazy(_choose_from, str)


class FindForm(forms.Form):
    """The filter's fields; ``status`` only for a signed-in learner (a visitor has none)."""

    q = forms.CharField(
        required=False,
        max_length=MAX_TEXT,
        error_messages={
            "max_length": _(
                "The search text is %(show_value)s characters long; it can be at most "
                "%(limit_value)s. Shorten it and search again."
            ),
            "null_characters_not_allowed": _("The search text cannot contain null characters."),
        },
    )
    kind = forms.ChoiceField(
        required=False,
        choices=KINDS,
        error_messages={
            "invalid_choice": _choose_from_lazy(
                _("There is no such kind of resource. Choose one from the list: %(labels)s."),
                KINDS,
            )
        },
    )
    level = forms.ChoiceField(
        required=False,
        choices=LEVELS,
        error_messages={
            "invalid_choice": _choose_from_lazy(
                _("There is no such level. Choose one from the list: %(labels)s."), LEVELS
            )
        },
    )
    status = forms.ChoiceField(
        required=False,
        choices=STATUSES,
        error_messages={
            "invalid_choice": _choose_from_lazy(
                _("There is no such status. Choose one from the list: %(labels)s."), STATUSES
            )
        },
    )

    def __init__(self, data: Mapping, *, learner: bool) -> None:
        super().__init__(data)
        if not learner:
            del self.fields["status"]


@dataclass(frozen=True)
class Query:
    """A valid filter; the empty one (``Query()``) lets every resource through."""

    text: str = ""
    kind: str = ""
    level: str = ""  # "" any level, GENERAL the general one, else a Resource.Level value
    status: str = ""

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(self.text.casefold().split())

    @property
    def active(self) -> bool:
        return bool(self.words or self.kind or self.level or self.status)

    @property
    def params(self) -> dict[str, str]:
        """The query string's fields, without the empty ones."""
        values = {"q": self.text, "kind": self.kind, "level": self.level, "status": self.status}
        return {name: value for name, value in values.items() if value}

    def url(self, path: str) -> str:
        return f"{path}?{urlencode(self.params)}" if self.params else path

    def describe(self) -> str:
        """The filter in words: “attention”, kind Video, level High level, status Done."""
        parts = []
        if self.words:
            parts.append(f"“{' '.join(self.text.split())}”")
        described = (
            ("kind", KINDS, gettext("kind %(value)s")),
            ("level", LEVELS, gettext("level %(value)s")),
            ("status", STATUSES, gettext("status %(value)s")),
        )
        for name, choices, words in described:
            value = getattr(self, name)
            if value:
                parts.append(words % {"value": dict(choices)[value]})
        return pgettext("list of details", ", ").join(parts)


@dataclass(frozen=True)
class Picker:
    """One of the form's lists, as the template shows it."""

    name: str
    label: str
    choices: list[tuple[str, str]]
    value: str
    error: str


_PICKERS = (
    ("kind", _("Kind"), KINDS),
    ("level", _("Level"), LEVELS),
    ("status", _("Status"), STATUSES),
)


@dataclass
class Found:
    """What the page lists for a filter: the sections to show, each with its matching groups."""

    query: Query
    sections: list[tuple[SectionNode, tuple[Group, ...]]]
    count: int
    errors: dict[str, str] = dataclasses.field(default_factory=dict)
    values: dict[str, str] = dataclasses.field(default_factory=dict)  # as typed, for the form

    @property
    def active(self) -> bool:
        return self.query.active

    max_text = MAX_TEXT

    @property
    def pickers(self) -> list[Picker]:
        """The lists the form offers: kind and level, and status for a learner."""
        return [
            Picker(name, label, choices, self.values[name], self.errors.get(name, ""))
            for name, label, choices in _PICKERS
            if name in self.values
        ]

    @property
    def status_code(self) -> int:
        return 400 if self.errors else 200

    @property
    def summary(self) -> str:
        """The live region's words: how many resources match (empty when nothing is filtered)."""
        if not self.active:
            return ""
        if self.count == 0:
            return gettext("No resources match")
        return ngettext("%(count)d resource matches", "%(count)d resources match", self.count) % {
            "count": self.count
        }


def requested(request: HttpRequest) -> bool:
    """Whether the request carries a filter field at all, valid, empty or not."""
    return any(name in request.GET for name in PARAMS)


def parse(data: QueryDict, *, learner: bool) -> tuple[Query, dict[str, str], dict[str, str]]:
    """The valid query, the errors by field, and the values as typed (to show them back)."""
    if not any(name in data for name in PARAMS):
        # No filter asked for, as on most views of the page: nothing to validate.
        # The form's fields as typed: all empty, and no status for a visitor (FindForm).
        return Query(), {}, {name: "" for name in PARAMS if learner or name != "status"}
    form = FindForm(data, learner=learner)
    typed = {name: data.get(name, "") for name in form.fields}
    if not form.is_valid():
        errors = {name: messages[0] for name, messages in form.errors.items()}
        return Query(), errors, typed
    cleaned = form.cleaned_data
    fields = {"text": cleaned["q"], "kind": cleaned["kind"], "level": cleaned["level"]}
    return Query(**fields, status=cleaned.get("status", "")), {}, typed


def matching_ids(outline: Outline, query: Query) -> frozenset[int]:
    resources = outline.resources
    if query.kind:
        resources = [r for r in resources if r.kind == query.kind]
    if query.level:
        level = "" if query.level == GENERAL else query.level
        resources = [r for r in resources if r.level == level]
    if query.status:
        status_of, wanted = outline.status_of, query.status
        resources = [r for r in resources if status_of(r) == wanted]
    if words := query.words:
        texts = curriculum_of(outline.roadmap).search_texts
        resources = [r for r in resources if all(word in texts[r.pk] for word in words)]
    return frozenset(r.pk for r in resources)


def find(outline: Outline, data: QueryDict, *, learner: bool) -> Found:
    query, errors, typed = parse(data, learner=learner)
    if not query.active:
        shown = [(node, node.groups) for node in outline.sections]
        return Found(query, shown, outline.total, errors, typed)
    ids = matching_ids(outline, query)
    shown = []
    for node in outline.sections:
        if ids.isdisjoint(node.entry.resource_ids):
            continue  # nothing in it nor in the sections under it
        groups = []
        for group in node.groups:
            resources = tuple(r for r in group.resources if r.pk in ids)
            if resources:
                # The group's introduction is left out: a filtered list is for finding.
                groups.append(dataclasses.replace(group, resources=resources, intro=""))
        shown.append((node, tuple(groups)))
    return Found(query, shown, len(ids), errors, typed)


def results_response(request: HttpRequest, context: dict) -> HttpResponse:
    """The htmx answer to a filter: the sections region, with the live count, the clear link
    and the form's errors out of band; the URL pushed is the filter's, empty fields left out."""
    template = "roadmap/roadmap.html"
    found: Found = context["found"]
    oob = {**context, "oob": True}
    fragments = [render_to_string(f"{template}#roadmap-sections", context, request)]
    for region in ("find-count", "find-clear", "find-errors"):
        fragments.append(render_to_string(f"{template}#{region}", oob, request))
    response = HttpResponse("".join(f.strip() for f in fragments), status=found.status_code)
    if not found.errors:
        push_url(response, found.query.url(request.path))
    return response


def vary_on_htmx(response: HttpResponse) -> HttpResponse:
    # The same URL answers a whole page or, to htmx, the sections only: caches must tell them apart.
    patch_vary_headers(response, ("HX-Request",))
    return response
