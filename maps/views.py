from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from maps import draw
from roadmap.outline import build_outline, load_state


@require_safe
def roadmap_map(request: HttpRequest, slug: str) -> HttpResponse:
    # The roadmap page's own queries: the learner's state with the roadmap, then the cached
    # curriculum and layout.
    state = load_state(request.user, slug=slug)
    if state.roadmap is None:
        raise Http404("No published roadmap here.")
    learner = request.user.is_authenticated
    outline = build_outline(state)
    context = {
        "roadmap": state.roadmap,
        "outline": outline,
        "learner": learner,
        "layout": draw.prepared_map(state.roadmap).layout,
        "map": draw.draw(state.roadmap, outline, learner=learner),
        "roadmaps_listed": state.roadmap.published_count > 1,
    }
    return render(request, "maps/map.html", context)
