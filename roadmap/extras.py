"""What the apps built on the curriculum add to each resource on the roadmap page.

The roadmap knows nothing of those apps: one registers a provider in its ``AppConfig.ready()``
(``register(provider)``), and the page asks every provider once per request.

A provider is ``provider(request, outline) -> dict[int, str]``: for each resource it has
something to show on, safe HTML that goes into the resource's card, at the one point
``templates/roadmap/_resource.html`` keeps for it (its ``resource-extras`` region). That HTML
is part of the cached item's and the cached page's keys (``roadmap/fragments.py``,
``page_key``), so a provider never makes a page stale; forms in it carry
``fragments.CSRF_PLACEHOLDER`` as their token, stamped like the item's own. Better still, its
controls join the page's one form (``form=pf``, with a ``formaction`` of their own): no form or
token per resource, and static/js/roadmap.js sends them with htmx, replacing the region.

A provider's controls are named like the roadmap's own (``templates/roadmap/_names.html``): a
word written once on the page and the resource's title, ``aria-labelledby="<word id> t<pk>"``.
Its words are given with it: ``register(provider, words={"ww": gettext_lazy("Worth it:")})``.

A provider must cost the page a constant number of queries, and none where it has nothing to
say (it answers from what it keeps per process). One that raises is logged and left out: an
app built on the roadmap must not take the roadmap down.
"""

import logging
from collections.abc import Callable

from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from roadmap.fragments import CSRF_PLACEHOLDER, ITEM_TEMPLATE

logger = logging.getLogger(__name__)

Provider = Callable[[HttpRequest, object], dict[int, str]]
_providers: list[Provider] = []
_words: dict[str, object] = {}


def register(provider: Provider, *, words: dict[str, object] | None = None) -> None:
    if provider not in _providers:
        _providers.append(provider)
    _words.update(words or {})


def words() -> list[tuple[str, str]]:
    """The providers' words for the page's names, as (id, text in the active language)."""
    return [(word_id, str(text)) for word_id, text in _words.items()]


def collect(request: HttpRequest, outline) -> dict[int, str]:
    """Every provider's HTML for the page's resources, by resource id."""
    merged: dict[int, str] = {}
    for provider in _providers:
        try:
            found = provider(request, outline)
        except Exception:
            logger.exception("The roadmap page's extras from %r failed; left out.", provider)
            continue
        for pk, html in found.items():
            merged[pk] = merged.get(pk, "") + html
    return merged


def region(request: HttpRequest, outline, resource, *, oob: bool = False) -> SafeString:
    """One resource's extras region as the page shows it now, with the request's CSRF token:
    what an htmx response sends when something it shows changed (out of band with ``oob``)."""
    html = collect(request, outline).get(resource.pk, "")
    # Written even when empty: it replaces one that may show something.
    context = {"resource": resource, "extras": mark_safe(html), "region": True, "oob": oob}  # noqa: S308 - providers return safe HTML
    rendered = render_to_string(f"{ITEM_TEMPLATE}#resource-extras", context)
    return mark_safe(rendered.replace(CSRF_PLACEHOLDER, get_token(request)))  # noqa: S308
