"""Every cache of rendered content, what its key is derived from, and what empties it.

Five caches live in each process; none is shared between processes, so none needs telling
when another process changes something. Their keys are derived, never listed by hand:

- ``curricula`` (roadmap/outline.py): each roadmap's published sections and resources, and the
  roadmap row itself, keyed by the roadmap's ``content_version``. Every save or delete of a
  roadmap, section or resource moves it (roadmap/signals.py), and code that writes the
  curriculum in bulk calls ``Roadmap.objects.touch()``. Content versions are what
  :func:`curriculum_key` reads.
- ``resource items`` (roadmap/fragments.py): one resource's list item, keyed by
  :func:`curriculum_key` (the resource as that version has it), the resource's id and the
  learner's ``ItemLook`` there (every field of that named tuple is both the template's context
  and part of the key).
- ``sections`` (roadmap/fragments.py): one section of the page with its items, keyed by
  :func:`curriculum_key`, the section, learner or visitor, the filter's resources shown, the
  learner's counts there (``SectionNode.look()``: every field but the curriculum's structure)
  and each item's ``ItemLook``. After a learner's change only the touched section renders.
- ``table of contents entries`` (roadmap/fragments.py): a section's entry in the page's
  contents, keyed by :func:`curriculum_key`, the section, learner or visitor and its
  ``SectionNode.look()``.
- ``pages`` (roadmap/pagecache.py): whole roadmap pages, keyed by ``page_key``: the address,
  the language, the site's settings the page shows and ``LearnerState.cache_key()``, a digest of
  every field of the learner's state (roadmap/outline.py).

Apps built on the curriculum register their own caches here (:func:`register`), so that
:func:`clear_all` empties them too:

- ``maps`` (maps/draw.py): each roadmap's laid-out map without progress, keyed by the roadmap,
  the language and its ``content_version``.
- ``group signs`` (groups/signs.py): the counts behind "412 learners finished this" and the
  learner's groups and answers, keyed by the roadmap's ``content_version`` (with a short time to
  live for other learners' progress), the learner's ``groups_version`` and the group.
- ``heatmap dates`` (history/activity.py): the weekday and date that label each square of My
  progress' activity calendar, keyed by the language, the date format it resolves to and the
  date.

Each key holds the active language (:func:`language`), so a page rendered in one language is
never served in another. Keys change whenever what they stand for changes, so nothing needs
invalidating in production; :func:`clear_all` empties them all at once for the cases a key
cannot see: a template edited in development (Django's autoreloader's ``file_changed``), a
setting changed by a test (``setting_changed``), and tests that start from nothing.
"""

import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.core.signals import setting_changed
from django.utils import translation
from django.utils.autoreload import file_changed


@dataclass(frozen=True)
class ProcessCache:
    """One cache kept in this process: its name, what its key is derived from, how to empty it
    and how many bytes or entries it holds (for the bench and tests)."""

    name: str
    keyed_by: str
    clear: Callable[[], None]
    size: Callable[[], int]


_registry: dict[str, ProcessCache] = {}
_lock = threading.Lock()


def register(name: str, *, keyed_by: str, clear: Callable[[], None], size: Callable[[], int]):
    """Record a cache kept in this process, so that :func:`clear_all` empties it."""
    with _lock:
        _registry[name] = ProcessCache(name, keyed_by, clear, size)


def registered() -> tuple[ProcessCache, ...]:
    return tuple(_registry.values())


def clear_all(**kwargs) -> None:
    """Empty every cache of rendered content kept in this process."""
    for cache in registered():
        cache.clear()


def language() -> str:
    """The active language, as every key holds it (translation.get_language() is None when
    translations are deactivated, e.g. in management commands)."""
    return translation.get_language() or ""


def curriculum_key(roadmap) -> tuple[int, int, str]:
    """What every cached piece of a roadmap's curriculum is rendered from: the roadmap, its
    content version (moved by every change to its curriculum) and the language."""
    return (roadmap.pk, roadmap.content_version, language())


# In development, an edited template shows on the next request, as without the caches; a test
# that overrides a setting renders with it.
file_changed.connect(clear_all, dispatch_uid="roadmap_caches_file_changed")
setting_changed.connect(clear_all, dispatch_uid="roadmap_caches_setting_changed")
