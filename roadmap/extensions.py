"""Links the apps built on the curriculum add to each roadmap, without roadmap knowing them.

An app registers a link once, in its ``AppConfig.ready()``: a label and the name of a URL that
takes the roadmap's slug (``register_link(gettext_lazy("Map"), "maps:map")``). The roadmap
page and the list of roadmaps show every registered link beside each roadmap, in the order the
apps registered them (``{% include "roadmap/_extension_links.html" %}``).
"""

from dataclasses import dataclass

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
