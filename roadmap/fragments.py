"""Rendered pieces of the roadmap page, kept per process (see roadmap.caches).

Django's template language costs a few microseconds a node, and the roadmap page has thousands:
rendering it whole after each of a learner's changes dominated its cost. So the page is built
from pieces rendered once and reused, each keyed by everything it shows, derived rather than
listed:

- a resource item looks the same for every learner but for how that learner sees it
  (``ItemLook``: their status, bookmark text, whether they have a note, whether it is new to
  them, what the apps built on the roadmap add to it through ``roadmap.extras``). Its key: the
  curriculum's version (``caches.curriculum_key``: any edit to the resource moves it), the
  resource, its heading level and every field of the look, which is also exactly what the
  template receives;
- a section (its heading, the learner's progress and time left in it, its introduction and its
  items): the curriculum's version, the section, whether a learner or a visitor sees it, whether
  a filter is on and the resources it shows, the
  learner's counts there (``SectionNode.look()``: every field but the curriculum's structure)
  and each item's ``ItemLook``;
- an entry of the table of contents: the curriculum's version, the section, learner or visitor,
  and its ``SectionNode.look()``.

After a learner's change only the pieces it touched render again. The CSRF token is rendered as
a placeholder and stamped in per request. When full, the least recently used pieces go first.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import NamedTuple

from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe

from roadmap import caches
from roadmap.context_processors import curriculum_lang_attr
from roadmap.models import Resource, Roadmap

ITEM_TEMPLATE = "roadmap/_resource.html"
CSRF_PLACEHOLDER = "\x00csrf-token\x00"  # cannot occur in curriculum text: NUL is refused


class ItemLook(NamedTuple):
    """How one learner sees one resource: the item template's context besides the resource.
    Add a field here for anything new the item shows; it joins the key by itself. (A named
    tuple: the page makes one per resource on every render, and it is its own key.)"""

    authenticated: bool
    status: str = ""
    bookmark: str = ""
    has_note: bool = False
    is_new: bool = False
    extras: str = ""  # safe HTML from roadmap.extras' providers

    @property
    def is_done(self) -> bool:
        return self.status == "done"


def looker(outline, extras: dict[int, str], *, learner: bool) -> Callable[[Resource], ItemLook]:
    """How the page's learner (or visitor) sees each resource of ``outline``."""
    if not learner:
        return lambda resource: ItemLook(False, extras=extras.get(resource.pk, ""))
    status_of, bookmarks = outline.status_of, outline.bookmarks
    noted, new = outline.noted_ids, outline.new_ids

    def look(resource: Resource) -> ItemLook:
        pk = resource.pk
        return ItemLook(
            True,
            status_of(resource),
            bookmarks.get(pk, ""),
            pk in noted,
            pk in new,
            extras.get(pk, ""),
        )

    return look


class Kept:
    """Rendered HTML by key, at most ``limit`` pieces; the least recently used go first."""

    def __init__(self, name: str, limit: int, keyed_by: str) -> None:
        self.limit = limit
        self._pieces: OrderedDict[Hashable, str] = OrderedDict()
        self._lock = threading.Lock()
        caches.register(name, keyed_by=keyed_by, clear=self.clear, size=self.__len__)

    def get(self, key: Hashable, render: Callable[[], str], csrf_token: str) -> SafeString:
        """The piece kept under ``key``, else ``render()``'s, kept; with the token stamped in."""
        html = self._pieces.get(key)
        if html is None:
            html = render().strip()
            with self._lock:
                self._pieces[key] = html
                while len(self._pieces) > self.limit:
                    self._pieces.popitem(last=False)
        else:
            with self._lock:
                if key in self._pieces:
                    self._pieces.move_to_end(key)
        if CSRF_PLACEHOLDER in html:
            html = html.replace(CSRF_PLACEHOLDER, csrf_token)
        return mark_safe(html)  # noqa: S308 - escaped by the templates that rendered it

    def clear(self) -> None:
        with self._lock:
            self._pieces.clear()

    def __len__(self) -> int:
        return len(self._pieces)


items = Kept(
    "resource items",
    20_000,
    keyed_by="the curriculum's version and language, the resource, its heading level, ItemLook",
)
sections = Kept(
    "sections",
    5_000,
    keyed_by="the curriculum's version and language, the section, the resources shown, "
    "the learner's counts there (SectionNode.look) and each item's ItemLook",
)
toc_entries = Kept(
    "table of contents entries",
    5_000,
    keyed_by="the curriculum's version and language, the section, SectionNode.look",
)


def resource_item(
    roadmap: Roadmap, resource: Resource, heading_level: int, look: ItemLook, *, csrf_token: str
) -> SafeString:
    def render() -> str:
        context = {
            "resource": resource,
            "heading_level": heading_level,
            **look._asdict(),
            "is_done": look.is_done,
            "csrf_token": CSRF_PLACEHOLDER,
            "extras": mark_safe(look.extras),  # noqa: S308 - safe HTML from roadmap.extras' providers
            # The curriculum's lang where the page is in another language (keys hold the language).
            "curriculum_lang_attr": curriculum_lang_attr(),
        }
        # Without the blank lines the template's tags leave around the item: it is repeated for
        # every resource (tests/test_page_weight.py).
        return get_template(ITEM_TEMPLATE).render(context)

    key = (*caches.curriculum_key(roadmap), resource.pk, heading_level, look)
    return items.get(key, render, csrf_token)


def section(
    roadmap: Roadmap,
    node,
    groups: tuple,
    looks: tuple[tuple[ItemLook, ...], ...],
    *,
    learner: bool,
    filtered: bool,
    render: Callable[[], str],
    csrf_token: str,
) -> SafeString:
    """One section of the page (``node``, a ``roadmap.outline.SectionNode``), showing ``groups``
    with their items as ``looks`` has them; ``render()`` renders it, with ``CSRF_PLACEHOLDER``
    for the token."""
    key = (
        *caches.curriculum_key(roadmap),
        node.section.pk,
        learner,
        filtered,
        tuple(tuple(resource.pk for resource in group.resources) for group in groups),
        node.look(),
        looks,
    )
    return sections.get(key, render, csrf_token)


def toc_entry(roadmap: Roadmap, node, *, learner: bool, render: Callable[[], str]) -> SafeString:
    """One entry of the table of contents, for a learner or a visitor."""
    key = (*caches.curriculum_key(roadmap), node.section.pk, learner, node.look())
    return toc_entries.get(key, render, "")
