"""Rendered resource items, kept per process.

A resource item on the roadmap page looks the same for every learner but for a few things: its
status, the learner's bookmark text, whether it has a note, whether it is new to them, what the
apps built on the roadmap add to it (``roadmap.extras``), and the CSRF token in its no-JavaScript
forms.
Rendering ~30 template nodes for each of hundreds of resources on every view dominated the
page's cost, so each item is rendered once per distinct look and reused. The key holds every
value the template shows, so an edited resource simply gets a new entry; the CSRF token is
rendered as a placeholder and stamped in per request.
"""

from django.template.loader import get_template
from django.utils.autoreload import file_changed
from django.utils.safestring import SafeString, mark_safe

from roadmap.models import Resource

ITEM_TEMPLATE = "roadmap/_resource.html"
CSRF_PLACEHOLDER = "\x00csrf-token\x00"  # cannot occur in curriculum text: NUL is refused
MAX_ENTRIES = 20_000

_rendered: dict[tuple, str] = {}


def resource_item(
    resource: Resource,
    heading_level: int,
    *,
    authenticated: bool,
    status: str,
    bookmark: str,
    has_note: bool,
    is_new: bool,
    csrf_token: str,
    extras: str = "",
) -> SafeString:
    key = (
        resource.pk,
        resource.title,
        resource.url,
        resource.author,
        resource.description,
        resource.kind,
        resource.level,
        resource.estimated_minutes,
        heading_level,
        authenticated,
        status,
        bookmark,
        has_note,
        is_new,
        extras,
    )
    html = _rendered.get(key)
    if html is None:
        if len(_rendered) >= MAX_ENTRIES:
            _rendered.clear()
        context = {
            "resource": resource,
            "heading_level": heading_level,
            "authenticated": authenticated,
            "status": status,
            "is_done": status == "done",
            "bookmark": bookmark,
            "has_note": has_note,
            "is_new": is_new,
            "csrf_token": CSRF_PLACEHOLDER,
            "extras": mark_safe(extras),  # noqa: S308 - safe HTML from roadmap.extras' providers
        }
        html = _rendered[key] = get_template(ITEM_TEMPLATE).render(context)
    return mark_safe(html.replace(CSRF_PLACEHOLDER, csrf_token))  # noqa: S308 - escaped by the template


def clear(**kwargs) -> None:
    _rendered.clear()


# In development, an edited template shows on the next request, as without the cache.
file_changed.connect(clear, dispatch_uid="roadmap_fragments_clear")
