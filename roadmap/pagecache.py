"""Whole roadmap pages, kept per process and keyed by everything that shapes them.

A learner's roadmap page is a pure function of the curriculum (the roadmap's content_version),
the learner's state on it (statuses, bookmark texts, notes, what is new to them, what "Continue
with" offers) and a few flags. ``page_key`` is the one place that lists them: a cached page can
never be stale, because when anything in it changes, the key changes, and it can never show one
learner's words (a bookmark) to another, because their texts are in the key. The only
per-request parts, the CSRF token and the CSP nonce, are rendered as placeholders and stamped
in on the way out. Pages with flash messages are neither served from nor put in here, and
neither are filtered pages nor htmx fragments (``page_key`` returns None for them).
"""

import threading
from collections.abc import Callable, Hashable

from django.conf import settings
from django.contrib.messages import get_messages
from django.http import HttpRequest, HttpResponse
from django.middleware.csp import get_nonce
from django.middleware.csrf import get_token

from roadmap import finder

CSRF_PLACEHOLDER = "\x00page-csrf\x00"
NONCE_PLACEHOLDER = "\x00page-nonce\x00"
_CSRF = CSRF_PLACEHOLDER.encode()
_NONCE = NONCE_PLACEHOLDER.encode()
MAX_BYTES = 32 * 1024 * 1024  # per process; the whole cache is dropped when it is full

# Pages are kept as the UTF-8 bytes sent, so MAX_BYTES counts what they really take (a character
# of a non-Latin curriculum is two to four bytes) and no request encodes them again.
_pages: dict[Hashable, bytes] = {}
_size = 0
_lock = threading.Lock()


def page_key(
    request: HttpRequest, outline, *, learner: bool, parts: Hashable = ()
) -> Hashable | None:
    """Everything the roadmap page shows, as a hashable key (see the module docstring), or
    None for a page that must not be cached.

    Add here whatever a new part of the page depends on; nothing else decides what is cached.
    """
    if request.htmx or finder.requested(request):
        return None  # fragments and filtered pages are rendered each time (see roadmap.finder)
    roadmap = outline.roadmap
    key = (
        roadmap.pk,
        roadmap.content_version,
        request.path,
        learner,
        settings.REGISTRATION_OPEN,
        parts,  # what other apps add to the page (roadmap/extensions.py)
    )
    if not learner:
        return key
    return (
        *key,
        frozenset(outline.statuses.items()),
        frozenset(outline.bookmarks.items()),
        outline.noted_ids,
        outline.skipped_count_as_done,
        outline.new_ids,
        outline.continue_with.pk if outline.continue_with else None,
    )


def cached_page(
    request: HttpRequest, key: Hashable | None, render: Callable[[dict], str], *, status: int = 200
) -> HttpResponse:
    """The page for ``key``, rendered by ``render(placeholders)`` when it is not cached yet;
    rendered every time, with ``status``, when ``key`` is None."""
    global _size
    if key is None or len(get_messages(request)):
        return HttpResponse(render({}), status=status)
    page = _pages.get(key)
    if page is None:
        page = render({"csrf_token": CSRF_PLACEHOLDER, "csp_nonce": NONCE_PLACEHOLDER}).encode()
        with _lock:
            if key not in _pages:  # another thread may have rendered it meanwhile
                if _size + len(page) > MAX_BYTES:
                    _pages.clear()
                    _size = 0
                _pages[key] = page
                _size += len(page)
    nonce = get_nonce(request)
    page = page.replace(_CSRF, get_token(request).encode())
    page = page.replace(_NONCE, str(nonce).encode() if nonce is not None else b"")
    return HttpResponse(page)


def size() -> int:
    """Bytes the cached pages take, as counted against MAX_BYTES."""
    return _size


def clear(**kwargs) -> None:
    global _size
    with _lock:
        _pages.clear()
        _size = 0
