"""Where a no-JavaScript form sends the learner back to: the page they saved from.

A form on a filtered roadmap (``/?q=attention``) carries that address as ``next``; a page of its
own (where the learner stopped, a note) is reached by a link, so it takes the address from the
``Referer`` header of that visit (sent by browsers for same-origin links under our
``same-origin`` referrer policy). Either way the address is only trusted when it is on this site.
"""

from urllib.parse import urlsplit

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, candidate: str | None) -> str | None:
    """``candidate`` as a path with its query on this site, or None when it points elsewhere."""
    if not candidate or not url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return None
    parts = urlsplit(candidate)
    if not parts.path.startswith("/"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def back_to(request: HttpRequest, fallback: str, *, anchor: str = "") -> str:
    """The ``next`` the form posted when it is safe, else ``fallback``; then ``#anchor``."""
    url = safe_next(request, request.POST.get("next")) or fallback.split("#", 1)[0]
    return f"{url}#{anchor}" if anchor else url


def came_from(request: HttpRequest) -> str:
    """The safe address of the page that linked here (its ``Referer``), or ""."""
    return safe_next(request, request.headers.get("Referer")) or ""
