"""An Atom feed per roadmap of its resources as they are added: following without email.

``/roadmaps/<slug>/feed.atom``, newest first, the latest ``ITEMS``; each entry has the
resource's title, author, description and its place on the roadmap page. One query for the
roadmap and one for the entries, whatever the roadmap's size.
"""

from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from roadmap.models import Resource, Roadmap

ITEMS = 50


class ResourcesAdded(Feed):
    feed_type = Atom1Feed

    def get_object(self, request: HttpRequest, slug: str) -> Roadmap:
        return get_object_or_404(Roadmap.objects.published(), slug=slug)

    def title(self, roadmap: Roadmap) -> str:
        return _("%(roadmap)s: new resources") % {"roadmap": roadmap.title}

    def subtitle(self, roadmap: Roadmap) -> str:
        return _("Resources as they are added to %(roadmap)s.") % {"roadmap": roadmap.title}

    def link(self, roadmap: Roadmap) -> str:
        return roadmap.get_absolute_url()

    def items(self, roadmap: Roadmap):
        return (
            Resource.objects.shown()
            .filter(roadmap=roadmap)
            .select_related("roadmap")
            .order_by("-added_at", "-pk")[:ITEMS]
        )

    def item_title(self, resource: Resource) -> str:
        return resource.title

    def item_description(self, resource: Resource) -> str:
        return resource.description

    def item_author_name(self, resource: Resource) -> str:
        return resource.author or None

    def item_link(self, resource: Resource) -> str:
        return resource.get_absolute_url()

    def item_pubdate(self, resource: Resource):
        return resource.added_at

    def item_updateddate(self, resource: Resource):
        return resource.added_at


_feed = ResourcesAdded()


@require_safe
def resources_feed(request: HttpRequest, slug: str) -> HttpResponse:
    return _feed(request, slug=slug)
