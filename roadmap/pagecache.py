"""Whole roadmap pages, kept per process and keyed by everything that shapes them.

A roadmap page is a pure function of the address, the language, whether the visitor is signed
in, and the learner's state on the roadmap (``LearnerState`` in roadmap/outline.py: the
roadmap's content version, statuses, bookmark texts, notes, up to when they have seen what is
new, their progress settings). ``page_key`` derives the key from exactly these, with
``LearnerState.cache_key()`` digesting every field of the state, so a field added to the state
joins the key by itself: a cached page can never be stale, and never shows one learner's words
(a bookmark) to another. The only per-request parts, the CSRF token and the CSP nonce, are
rendered as placeholders and stamped in on the way out. Pages with flash messages are neither
served from nor put in here, and neither are filtered pages nor htmx fragments (``page_key``
returns None for them).

Pages are kept zlib-compressed (a page repeats itself a lot, so it takes a fraction of its
size), within ``MAX_BYTES`` of compressed bytes per process; when a new page does not fit, the
least recently served pages make room for it. Many learners taking turns thus keep their pages,
instead of each full cache being dropped whole.
"""

import threading
import zlib
from collections import OrderedDict
from collections.abc import Callable, Hashable

from django.contrib.messages import get_messages
from django.http import HttpRequest, HttpResponse
from django.middleware.csp import get_nonce
from django.middleware.csrf import get_token

from roadmap import caches, finder

CSRF_PLACEHOLDER = "\x00page-csrf\x00"
NONCE_PLACEHOLDER = "\x00page-nonce\x00"
_CSRF = CSRF_PLACEHOLDER.encode()
_NONCE = NONCE_PLACEHOLDER.encode()
MAX_BYTES = 32 * 1024 * 1024  # compressed, per process
# zlib's fastest: compressing is paid by the request that renders the page, and a page at the
# fastest level still takes a small part of its size.
COMPRESSION_LEVEL = 1

# Compressed UTF-8 bytes, least recently served first: MAX_BYTES counts what they really take.
_pages: OrderedDict[Hashable, bytes] = OrderedDict()
_size = 0
_lock = threading.Lock()


def page_key(
    request: HttpRequest,
    outline,
    *,
    learner: bool,
    extras: dict[int, str] | None = None,
    parts: Hashable = (),
) -> Hashable | None:
    """Everything the roadmap page shows, as a hashable key (see the module docstring), or
    None for a page that must not be cached.

    What the page shows of the learner must come from ``outline.state``; whatever else a new
    part of the page depends on goes here; nothing else decides what is cached.
    """
    if request.htmx or finder.requested(request) or outline.state is None:
        return None  # fragments and filtered pages are rendered each time (see roadmap.finder)
    # What the apps built on the roadmap show on its resources (roadmap.extras) and in the
    # page's regions (roadmap.extensions), as shown.
    shown_extras = frozenset(extras.items()) if extras else None
    return (
        request.path,
        caches.language(),
        learner,
        outline.state.cache_key(),
        shown_extras,
        parts,
    )


def cached_page(
    request: HttpRequest, key: Hashable | None, render: Callable[[dict], str], *, status: int = 200
) -> HttpResponse:
    """The page for ``key``, rendered by ``render(placeholders)`` when it is not cached yet;
    rendered every time, with ``status``, when ``key`` is None."""
    if key is None or len(get_messages(request)):
        return HttpResponse(render({}), status=status)
    stored = _get(key)
    if stored is None:
        page = render({"csrf_token": CSRF_PLACEHOLDER, "csp_nonce": NONCE_PLACEHOLDER}).encode()
        _put(key, zlib.compress(page, COMPRESSION_LEVEL))
    else:
        page = zlib.decompress(stored)
    nonce = get_nonce(request)
    page = page.replace(_CSRF, get_token(request).encode())
    page = page.replace(_NONCE, str(nonce).encode() if nonce is not None else b"")
    return HttpResponse(page)


def _get(key: Hashable) -> bytes | None:
    with _lock:
        stored = _pages.get(key)
        if stored is not None:
            _pages.move_to_end(key)
        return stored


def _put(key: Hashable, stored: bytes) -> None:
    global _size
    if len(stored) > MAX_BYTES:
        return
    with _lock:
        if key in _pages:  # another thread rendered it meanwhile
            return
        while _pages and _size + len(stored) > MAX_BYTES:
            _size -= len(_pages.popitem(last=False)[1])
        _pages[key] = stored
        _size += len(stored)


def size() -> int:
    """Compressed bytes the cached pages take, as counted against MAX_BYTES."""
    return _size


def count() -> int:
    return len(_pages)


def clear() -> None:
    global _size
    with _lock:
        _pages.clear()
        _size = 0


caches.register(
    "pages",
    keyed_by="the address, the language, signed in or not, LearnerState.cache_key()",
    clear=clear,
    size=size,
)
