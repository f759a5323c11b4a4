"""What the apps built on the curriculum add to the roadmap pages, without roadmap knowing them.

Links. An app registers a link once, in its ``AppConfig.ready()``: a label and the name of a URL
that takes the roadmap's slug (``register_link(gettext_lazy("Map"), "maps:map")``). The roadmap
page and the list of roadmaps show every registered link beside each roadmap, in the order the
apps registered them (``{% include "roadmap/_extension_links.html" %}``).

Parts. An app registers a part (in its ``AppConfig.ready()``) for one of the page's regions:

- ``head``: inside ``<head>`` (a feed's ``<link rel="alternate">``);
- ``panel``: the learner's panel, under their progress (a weekly goal).

A part is a template and a function ``state(request, roadmap) -> value``: a hashable value the
template shows as ``part``, or None to show nothing. A panel part's template is also rendered
out of band (``oob`` set) when the learner changes a status, so its root element needs an id
and ``hx-swap-oob`` when ``oob`` is set. The values go into the page cache's key
(roadmap/pagecache.py), so a cached page changes whenever a part's value does; and the function
runs on every request, so it must cost at most a query or two, whatever the data's size.

What an app shows on each resource goes through ``roadmap.extras`` instead.
"""

from collections.abc import Callable, Hashable
from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise

from roadmap.models import Roadmap


@dataclass(frozen=True)
class RoadmapLink:
    label: str | Promise
    url_name: str


@dataclass(frozen=True)
class Link:
    label: str | Promise
    url: str


_links: list[RoadmapLink] = []


def register_link(label: str | Promise, url_name: str) -> None:
    """Add a link to every roadmap; registering the same URL name again changes nothing."""
    if all(link.url_name != url_name for link in _links):
        _links.append(RoadmapLink(label, url_name))


def links_for(roadmap: Roadmap) -> list[Link]:
    return [Link(link.label, reverse(link.url_name, args=[roadmap.slug])) for link in _links]


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
