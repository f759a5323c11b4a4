"""Rendered resource items, kept per process (see roadmap.caches).

A resource item on the roadmap page looks the same for every learner but for how that learner
sees it (``ItemLook``: their status, bookmark text, whether they have a note, whether it is new
to them, what the apps built on the roadmap add to it through ``roadmap.extras``) and the CSRF
token in its no-JavaScript forms. Rendering each of hundreds of items on every view dominated
the page's cost, so each item is rendered once per look and reused.

The key is derived, not listed: the curriculum's version (``caches.curriculum_key``: any edit to
the resource moves it), the resource's id, its heading level and every field of the look, which
is also exactly what the template receives. The CSRF token is rendered as a placeholder and
stamped in per request. When full, the least recently used items go first.
"""

import threading
from collections import OrderedDict
from dataclasses import asdict, astuple, dataclass

from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe

from roadmap import caches
from roadmap.context_processors import curriculum_lang_attr
from roadmap.models import Resource, Roadmap

ITEM_TEMPLATE = "roadmap/_resource.html"
CSRF_PLACEHOLDER = "\x00csrf-token\x00"  # cannot occur in curriculum text: NUL is refused
MAX_ENTRIES = 20_000


@dataclass(frozen=True)
class ItemLook:
    """How one learner sees one resource: the item template's context besides the resource.
    Add a field here for anything new the item shows; it joins the key by itself."""

    authenticated: bool
    status: str = ""
    bookmark: str = ""
    has_note: bool = False
    is_new: bool = False
    extras: str = ""  # safe HTML from roadmap.extras' providers

    @property
    def is_done(self) -> bool:
        return self.status == "done"


_rendered: OrderedDict[tuple, str] = OrderedDict()
_lock = threading.Lock()


def resource_item(
    roadmap: Roadmap, resource: Resource, heading_level: int, look: ItemLook, *, csrf_token: str
) -> SafeString:
    key = (*caches.curriculum_key(roadmap), resource.pk, heading_level, *astuple(look))
    html = _rendered.get(key)
    if html is None:
        context = {
            "resource": resource,
            "heading_level": heading_level,
            **asdict(look),
            "is_done": look.is_done,
            "csrf_token": CSRF_PLACEHOLDER,
            "extras": mark_safe(look.extras),  # noqa: S308 - safe HTML from roadmap.extras' providers
            # The curriculum's lang where the page is in another language (keys hold the language).
            "curriculum_lang_attr": curriculum_lang_attr(),
        }
        # Without the blank lines the template's tags leave around the item: it is repeated for
        # every resource (tests/test_page_weight.py).
        html = get_template(ITEM_TEMPLATE).render(context).strip()
        with _lock:
            _rendered[key] = html
            while len(_rendered) > MAX_ENTRIES:
                _rendered.popitem(last=False)
    else:
        with _lock:
            if key in _rendered:
                _rendered.move_to_end(key)
    return mark_safe(html.replace(CSRF_PLACEHOLDER, csrf_token))  # noqa: S308 - escaped by the template


def clear() -> None:
    with _lock:
        _rendered.clear()


caches.register(
    "resource items",
    keyed_by="the curriculum's version and language, the resource, its heading level, ItemLook",
    clear=clear,
    size=lambda: len(_rendered),
)
