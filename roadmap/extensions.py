"""What the apps built on the curriculum add to the roadmap page, without roadmap knowing them.

An app registers a part (in its AppConfig.ready) for one of the page's regions:

- ``head``: inside ``<head>`` (a feed's ``<link rel="alternate">``);
- ``panel``: the learner's panel, under their progress (a weekly goal).

A part is a template and a function ``state(request, roadmap) -> value``: a hashable value the
template shows as ``part``, or None to show nothing. A panel part's template is also rendered
out of band (``oob`` set) when the learner changes a status, so its root element needs an id
and ``hx-swap-oob`` when ``oob`` is set. The values go into the page cache's key
(roadmap/pagecache.py), so a cached page changes whenever a part's value does; and the function
runs on every request, so it must cost at most a query or two, whatever the data's size.
"""

from collections.abc import Callable, Hashable
from dataclasses import dataclass

from django.http import HttpRequest

REGIONS = ("head", "panel")


@dataclass(frozen=True)
class Part:
    template: str
    state: Callable[[HttpRequest, object], Hashable | None]
    learners_only: bool = False


@dataclass(frozen=True)
class Shown:
    template: str
    value: Hashable


@dataclass(frozen=True)
class Parts:
    head: tuple[Shown, ...] = ()
    panel: tuple[Shown, ...] = ()

    @property
    def key(self) -> tuple:
        return (self.head, self.panel)


_registry: dict[str, list[Part]] = {region: [] for region in REGIONS}


def register(region: str, template: str, state, *, learners_only: bool = False) -> None:
    part = Part(template, state, learners_only)
    if part not in _registry[region]:  # ready() may run twice in tests
        _registry[region].append(part)


def parts_for(request: HttpRequest, roadmap, *, learner: bool) -> Parts:
    shown = {}
    for region, parts in _registry.items():
        shown[region] = tuple(
            Shown(part.template, value)
            for part in parts
            if learner or not part.learners_only
            if (value := part.state(request, roadmap)) is not None
        )
    return Parts(**shown)
