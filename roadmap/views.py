from functools import wraps
from urllib.parse import urlsplit

from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)
from django_htmx.http import HttpResponseClientRedirect

from roadmap import learning
from roadmap.forms import NoteForm, ProgressForm
from roadmap.markdown import MarkdownTooLarge, render_markdown
from roadmap.models import Note, Progress, Resource, Roadmap
from roadmap.outline import LearnerState, build_outline, curriculum_of, load_state
from roadmap.pagecache import cached_page


def learner_required(view):
    """``login_required`` that sends htmx requests and form posts back where the learner was."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if request.method == "GET" and not request.htmx:
            return redirect_to_login(request.get_full_path())
        back = request.htmx.current_url_abs_path if request.htmx else request.headers.get("Referer")
        if back and url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            parts = urlsplit(back)
            back = parts.path + (f"?{parts.query}" if parts.query else "")
        else:
            back = "/"
        login = redirect_to_login(back)
        if request.htmx:
            return HttpResponseClientRedirect(login.url)
        return login

    return wrapper


def _published_resource(pk: int) -> Resource:
    """A resource the roadmap page shows: in a published roadmap, and in its published outline."""
    resource = get_object_or_404(
        Resource.objects.select_related("roadmap"), pk=pk, roadmap__is_published=True
    )
    # The outline holds exactly the published resources under published sections.
    if resource.pk not in curriculum_of(resource.roadmap).resource_ids:
        raise Http404("This resource is not on the roadmap.")
    return resource


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    state = load_state(request.user)
    if state.roadmap is None:
        return render(request, "roadmap/empty.html")
    return _render_roadmap(request, state)


@require_safe
def roadmap_detail(request: HttpRequest, slug: str) -> HttpResponse:
    state = load_state(request.user, slug=slug)
    if state.roadmap is None:
        raise Http404("No published roadmap here.")
    return _render_roadmap(request, state)


@require_safe
def roadmap_list(request: HttpRequest) -> HttpResponse:
    roadmaps = Roadmap.objects.published().with_learner_counts(request.user)
    return render(request, "roadmap/roadmaps.html", {"roadmaps": roadmaps})


def _render_roadmap(request: HttpRequest, state: LearnerState) -> HttpResponse:
    roadmap = state.roadmap
    outline = build_outline(state)
    learner = request.user.is_authenticated
    context = {
        "roadmap": roadmap,
        "outline": outline,
        "learner": learner,
        "roadmaps_listed": roadmap.published_count > 1,
    }
    key = (
        roadmap.pk,
        roadmap.content_version,
        request.path,
        learner,
        settings.REGISTRATION_OPEN,
        outline.done_ids,
        outline.noted_ids,
    )
    return cached_page(
        request,
        key,
        lambda overrides: render_to_string(
            "roadmap/roadmap.html", {**context, **overrides}, request
        ),
    )


@require_POST
@learner_required
def set_progress(request: HttpRequest, pk: int) -> HttpResponse:
    resource = _published_resource(pk)
    form = ProgressForm(request.POST)
    form.is_valid()  # a checkbox is either there or not: every input is valid
    status = Progress.Status.DONE if form.cleaned_data["done"] else Progress.Status.NOT_STARTED
    learning.set_status(request.user, resource, status)

    if not request.htmx:
        return redirect(resource.get_absolute_url())

    outline = build_outline(load_state(request.user, roadmap_id=resource.roadmap_id))
    template = "roadmap/roadmap.html"
    context = {
        "resource": resource,
        "is_done": resource.pk in outline.done_ids,
        "outline": outline,
        "learner": True,
        "oob": True,
    }
    fragments = [render_to_string("roadmap/_resource.html#progress-toggle", context, request)]
    for node in outline.node_for(resource).ancestors_and_self:
        fragments.append(
            render_to_string(f"{template}#section-progress", {**context, "node": node})
        )
        if node.depth <= 1:
            fragments.append(render_to_string(f"{template}#toc-entry", {**context, "part": node}))
    fragments.append(render_to_string(f"{template}#overall-progress", context))
    fragments.append(render_to_string(f"{template}#continue-link", context))
    return HttpResponse("".join(fragments))


@require_http_methods(["GET", "POST"])
@learner_required
def note(request: HttpRequest, pk: int) -> HttpResponse:
    resource = _published_resource(pk)
    note = Note.objects.filter(user=request.user, resource=resource).first()
    status = 200
    saved = False
    if request.method == "POST":
        form = NoteForm(request.POST)
        if not form.is_valid():
            status = 422
        elif not ratelimit.consume(request, action="note_save", user=request.user):
            form.add_error("body", NOTE_SAVES_LIMITED)
            status = 429
        else:
            body = form.cleaned_data["body"]
            try:
                # Rendered before the write's transaction, so no row stays locked meanwhile.
                html = render_markdown(body) if body.strip() else None
            except MarkdownTooLarge as refused:
                form.add_error("body", refused.message)
                status = 422
            else:
                note = learning.save_note(request.user, resource, body, html=html)
                if not request.htmx:
                    messages.success(request, f"Your note on “{resource.title}” was saved.")
                    return redirect(resource.get_absolute_url())
                saved = True
                form = NoteForm(initial={"body": note.body if note else ""})
    else:
        form = NoteForm(initial={"body": note.body if note else ""})

    context = {"resource": resource, "note": note, "form": form, "saved": saved}
    if not request.htmx:
        return render(request, "roadmap/note.html", context, status=status)
    response = render(request, "roadmap/note.html#note-editor", context, status=status)
    if saved and request.htmx.current_url_abs_path != request.path:
        # Edited inline on the roadmap: its "Notes (saved)" flag changes with the note.
        flag = render_to_string(
            "roadmap/_resource.html#notes-link",
            {"resource": resource, "has_note": note is not None, "oob": True},
        )
        response.content += flag.encode()
    return response


NOTES_PER_PAGE = 20

NOTE_SAVES_LIMITED = (
    "You have saved notes very often in the last minute. Nothing was saved: wait a minute, "
    "then save again (your text is still here)."
)


@require_safe
@login_required
def my_notes(request: HttpRequest) -> HttpResponse:
    notes = (
        Note.objects.for_user(request.user)
        .select_related("resource__section", "resource__roadmap")
        .defer("body")  # the page shows the rendered HTML only
        .order_by(
            "resource__roadmap__order",
            "resource__roadmap_id",
            "resource__section__order",
            "resource__section_id",
            "resource__order",
            "resource_id",
        )
    )
    # Two queries (a count and one page) however many notes the learner has.
    page = Paginator(notes, NOTES_PER_PAGE).get_page(request.GET.get("page"))
    groups: dict = {}
    for n in page:
        groups.setdefault(n.resource.section, []).append(n)
    context = {
        "groups": groups.items(),
        "page": page,
        "page_range": page.paginator.get_elided_page_range(page.number),
    }
    return render(request, "roadmap/my_notes.html", context)
