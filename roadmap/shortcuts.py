"""The roadmap page's keyboard shortcuts, listed on request rather than written into every
signed-in page: static/js/roadmap.js loads the list into the page's dialog when the learner asks
for it (the button, or ?), and the address is a page of its own too."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
def shortcuts(request: HttpRequest) -> HttpResponse:
    template = "roadmap/shortcuts.html"
    if request.htmx:
        template += "#keys"
    return render(request, template)
