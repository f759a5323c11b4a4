"""Where the goal shows: the roadmap page (through roadmap/extensions.py, which roadmap offers
so that it never imports this app) and My progress (the ``learner_pace`` template tag)."""

from django.http import HttpRequest

from goals.pace import Pace, pace_for
from roadmap import extensions


def pace_of_request(request: HttpRequest) -> Pace | None:
    """The learner's pace, read once per request: one query without a goal, two with one."""
    if not request.user.is_authenticated:
        return None
    if not hasattr(request, "_goals_pace"):
        request._goals_pace = pace_for(request.user)
    return request._goals_pace


def _feed(request: HttpRequest, roadmap) -> str:
    return roadmap.slug


def _pace(request: HttpRequest, roadmap) -> Pace | None:
    return pace_of_request(request)


def register_roadmap_parts() -> None:
    extensions.register("head", "goals/_feed_link.html", _feed)
    extensions.register("panel", "goals/_pace.html", _pace, learners_only=True)
