from allauth.core import ratelimit
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from accounts.decorators import learner_required
from roadmap import extensions, extras, finder, learning, redirects
from roadmap.forms import BookmarkForm, NoteForm, ProgressForm, StatusForm
from roadmap.markdown import MarkdownTooLarge, render_markdown
from roadmap.models import Note, Progress, Resource, Roadmap, Visit
from roadmap.outline import LearnerState, Outline, build_outline, curriculum_of, load_state
from roadmap.pagecache import cached_page, page_key


def published_resource(pk: int) -> Resource:
    """A resource the roadmap page shows: in a published roadmap, and in its published outline."""
    resource = get_object_or_404(
        Resource.objects.select_related("roadmap"), pk=pk, roadmap__is_published=True
    )
    # The outline holds exactly the published resources under published sections.
    if resource.pk not in curriculum_of(resource.roadmap).resource_ids:
        raise Http404(_("This resource is not on the roadmap."))
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
        raise Http404(_("No published roadmap here."))
    return _render_roadmap(request, state)


@require_safe
def roadmap_list(request: HttpRequest) -> HttpResponse:
    roadmaps = Roadmap.objects.published().with_learner_counts(request.user)
    return render(request, "roadmap/roadmaps.html", {"roadmaps": roadmaps})


def _render_roadmap(request: HttpRequest, state: LearnerState) -> HttpResponse:
    roadmap = state.roadmap
    outline = build_outline(state)
    learner = request.user.is_authenticated
    found = finder.find(outline, request.GET, learner=learner)
    # htmx asks for the sections only as the learner filters; restoring history needs it all.
    fragment = request.htmx and not request.htmx.history_restore_request
    if learner and outline.new_resources and not fragment:
        # Shown once: from the next visit on they are no longer new. A page with nothing new
        # writes nothing.
        seen = max(resource.added_at for resource in outline.new_resources)
        Visit.objects.mark_seen(request.user, roadmap, seen)
    resource_extras = extras.collect(request, outline)
    context = {
        "roadmap": roadmap,
        "outline": outline,
        "learner": learner,
        "found": found,
        "roadmaps_listed": roadmap.published_count > 1,
        "extras": resource_extras,
    }
    if fragment:
        return finder.vary_on_htmx(finder.results_response(request, context))
    context["parts"] = parts = extensions.parts_for(request, roadmap, learner=learner)
    response = cached_page(
        request,
        page_key(request, outline, learner=learner, extras=resource_extras, parts=parts.key),
        lambda overrides: render_to_string(
            "roadmap/roadmap.html", {**context, **overrides}, request
        ),
        status=found.status_code,
    )
    return finder.vary_on_htmx(response)


# The regions of one resource that show its status: whichever control the learner used is the
# response's main content, the others come out of band, so the checkbox and the select agree.
_STATUS_REGIONS = ("progress-toggle", "status-select", "status-badge")


def _status_changed(
    request: HttpRequest, resource: Resource, primary: str, **extra
) -> HttpResponse:
    outline = build_outline(load_state(request.user, roadmap_id=resource.roadmap_id))
    status = outline.status_of(resource)
    context = {
        "resource": resource,
        "status": status,
        "is_done": status == Progress.Status.DONE,
        "outline": outline,
        "learner": True,
        **extra,
    }
    item = "roadmap/_resource.html"
    fragments = [render_to_string(f"{item}#{primary}", context, request)]
    oob = {**context, "oob": True}
    for region in _STATUS_REGIONS:
        if region != primary:
            fragments.append(render_to_string(f"{item}#{region}", oob, request))
    fragments += _progress_regions(request, outline, resource)
    # What the apps built on the roadmap show on it may follow its status ("worth your time?").
    fragments.append(extras.region(request, outline, resource, oob=True))
    # Stripped: whitespace around out-of-band parts would pile up in the page at each swap.
    code = 422 if "status_error" in extra else 200
    return HttpResponse("".join(fragment.strip() for fragment in fragments), status=code)


def _progress_regions(request: HttpRequest, outline: Outline, resource: Resource) -> list[str]:
    """Every figure on the page that ``resource``'s status counts in, as out-of-band swaps."""
    template = "roadmap/roadmap.html"
    context = {"outline": outline, "learner": True, "oob": True}
    fragments = []
    for node in outline.node_for(resource).ancestors_and_self:
        fragments.append(
            render_to_string(f"{template}#section-progress", {**context, "node": node})
        )
        fragments.append(render_to_string(f"{template}#section-time", {**context, "node": node}))
        if node.depth <= 1:
            fragments.append(render_to_string(f"{template}#toc-entry", {**context, "part": node}))
    fragments.append(render_to_string(f"{template}#overall-progress", context))
    fragments.append(render_to_string(f"{template}#overall-time", context))
    fragments.append(render_to_string(f"{template}#continue-link", context))
    # What other apps show in the learner's panel (a weekly goal) moves with the status too.
    for shown in extensions.parts_for(request, outline.roadmap, learner=True).panel:
        fragments.append(
            render_to_string(shown.template, {"part": shown.value, "oob": True}, request)
        )
    return fragments


@require_POST
@learner_required
def set_progress(request: HttpRequest, pk: int) -> HttpResponse:
    resource = published_resource(pk)
    form = ProgressForm(request.POST, resource_pk=resource.pk)
    form.is_valid()  # a checkbox is either there or not: every input is valid
    _apply_done(request, resource, form.cleaned_data["done"])
    if not request.htmx:
        return redirect(
            redirects.back_to(request, resource.get_absolute_url(), anchor=resource.anchor)
        )
    return _status_changed(request, resource, "progress-toggle")


def _apply_done(request: HttpRequest, resource: Resource, done: bool) -> None:
    if done:
        learning.set_status(request.user, resource, Progress.Status.DONE)
    else:
        # Unticking undoes "done" only: a stale page must not reset an in-progress resource.
        learning.set_status(
            request.user, resource, Progress.Status.NOT_STARTED, only_from=Progress.Status.DONE
        )


@require_POST
@learner_required
def set_status(request: HttpRequest, pk: int) -> HttpResponse:
    resource = published_resource(pk)
    form = StatusForm(request.POST, resource_pk=resource.pk)
    if not form.is_valid():
        error = form.errors["status"][0]
        if request.htmx:
            return _status_changed(request, resource, "status-select", status_error=error)
        return _resource_page(request, resource, status_error=error)
    learning.set_status(request.user, resource, form.cleaned_data["status"])
    if not request.htmx:
        return redirect(
            redirects.back_to(request, resource.get_absolute_url(), anchor=resource.anchor)
        )
    return _status_changed(request, resource, "status-select")


@require_POST
@learner_required
def save_progress(request: HttpRequest) -> HttpResponse:
    """The roadmap page's form without JavaScript: a resource's Save sends every resource's
    controls (they share the page's one form), and only that resource's are applied, so the
    rest of a page loaded earlier never overwrites what changed since. Then back to the same
    address (filter included), at the resource."""
    pk = request.POST.get("save", "")
    if not pk.isascii() or not pk.isdigit() or len(pk) > 18:
        return HttpResponseBadRequest(_("Choose the resource to save with its Save button."))
    resource = published_resource(int(pk))
    status_form = StatusForm(request.POST, resource_pk=resource.pk)
    done_form = ProgressForm(request.POST, resource_pk=resource.pk)
    done_form.is_valid()
    if f"status-{resource.pk}" in request.POST and not status_form.is_valid():
        return _resource_page(request, resource, status_error=status_form.errors["status"][0])
    stored = Progress.objects.filter(user=request.user, resource=resource).first()
    current = stored.status if stored else Progress.Status.NOT_STARTED
    chosen = status_form.cleaned_data.get("status") if status_form.is_bound else None
    # The resource has a Done box and a status menu, saved by one button: the one the learner
    # changed wins (the menu, if both were).
    if chosen and chosen != current:
        learning.set_status(request.user, resource, chosen)
    elif done_form.cleaned_data["done"] != (current == Progress.Status.DONE):
        _apply_done(request, resource, done_form.cleaned_data["done"])
    return redirect(redirects.back_to(request, resource.get_absolute_url(), anchor=resource.anchor))


@require_http_methods(["GET", "POST"])
@learner_required
def set_bookmark(request: HttpRequest, pk: int) -> HttpResponse:
    """Where the learner stopped: its editor (GET; in place with htmx, a page of its own
    without JavaScript) and its save (POST)."""
    resource = published_resource(pk)
    if request.method == "GET":
        progress = Progress.objects.filter(user=request.user, resource=resource).first()
        bookmark = progress.bookmark if progress else ""
        if request.htmx:
            context = {"resource": resource, "bookmark": bookmark, "focus": True}
            return render(request, "roadmap/_resource.html#bookmark-form", context)
        return _resource_page(request, resource, status=200)
    form = BookmarkForm(request.POST)
    if not form.is_valid():
        error = form.errors["bookmark"][0]
        typed = request.POST.get("bookmark", "")
        if not request.htmx:
            return _resource_page(request, resource, bookmark_error=error, bookmark_input=typed)
        bookmark = Progress.objects.filter(user=request.user, resource=resource).first()
        context = {
            "resource": resource,
            "bookmark": bookmark.bookmark if bookmark else "",
            "bookmark_input": typed,
            "bookmark_error": error,
        }
        return render(request, "roadmap/_resource.html#bookmark-form", context, status=422)
    learning.set_bookmark(request.user, resource, form.cleaned_data["bookmark"])
    if not request.htmx:
        messages.success(
            request, _("Where you stopped in “%(title)s” was saved.") % {"title": resource.title}
        )
        return redirect(
            redirects.back_to(request, resource.get_absolute_url(), anchor=resource.anchor)
        )
    outline = build_outline(load_state(request.user, roadmap_id=resource.roadmap_id))
    context = {
        "resource": resource,
        "bookmark": outline.bookmarks.get(resource.pk, ""),
        "bookmark_saved": True,
        "outline": outline,
        "learner": True,
    }
    fragments = [
        render_to_string("roadmap/_resource.html#bookmark-form", context, request),
        render_to_string("roadmap/roadmap.html#continue-link", {**context, "oob": True}),
    ]
    return HttpResponse("".join(fragments))


def _resource_page(
    request: HttpRequest, resource: Resource, *, status: int = 422, **errors
) -> HttpResponse:
    """Without JavaScript: where the learner stands on one resource, on a page of its own (its
    status and where they stopped); a refused status or bookmark comes back here, kept."""
    progress = Progress.objects.filter(user=request.user, resource=resource).first()
    # Back to the page the learner came from: the form's own "next" once posted, else the
    # roadmap page (filter included) whose link led here.
    came_from = redirects.safe_next(request, request.POST.get("next")) or redirects.came_from(
        request
    )
    roadmap_url = resource.roadmap.get_absolute_url()
    if not came_from or came_from.split("?", 1)[0] not in (roadmap_url, "/"):
        came_from = roadmap_url
    context = {
        "resource": resource,
        "status": progress.status if progress else Progress.Status.NOT_STARTED,
        "bookmark": progress.bookmark if progress else "",
        "next": came_from,
        "back": f"{came_from}#{resource.anchor}",
        **errors,
    }
    return render(request, "roadmap/resource_state.html", context, status=status)


@require_POST
@learner_required
def dismiss_new(request: HttpRequest, slug: str) -> HttpResponse:
    roadmap = get_object_or_404(Roadmap.objects.published(), slug=slug)
    request.POST  # noqa: B018 - parsed to refuse an oversized body with a 400, as everywhere
    Visit.objects.mark_seen(request.user, roadmap, timezone.now())
    if not request.htmx:
        return redirect(roadmap.get_absolute_url())
    return HttpResponse("")  # the list is replaced by nothing


@require_http_methods(["GET", "POST"])
@learner_required
def note(request: HttpRequest, pk: int) -> HttpResponse:
    resource = published_resource(pk)
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
                    saved_message = _("Your note on “%(title)s” was saved.")
                    messages.success(request, saved_message % {"title": resource.title})
                    return redirect(resource.get_absolute_url())
                saved = True
                form = NoteForm(initial={"body": note.body if note else ""})
    else:
        form = NoteForm(initial={"body": note.body if note else ""})

    inline = bool(request.htmx) and request.htmx.current_url_abs_path != request.path
    context = {
        "resource": resource,
        "note": note,
        "form": form,
        "saved": saved,
        # The heading the note is shown under: the resource's, in its card on the roadmap page;
        # the page's <h1> on its own page.
        "note_under": curriculum_of(resource.roadmap).heading_levels[resource.pk] if inline else 1,
    }
    if not request.htmx:
        return render(request, "roadmap/note.html", context, status=status)
    response = render(request, "roadmap/note.html#note-editor", context, status=status)
    if saved and inline:
        # Edited inline on the roadmap: its "Notes (saved)" flag changes with the note.
        flag = render_to_string(
            "roadmap/_resource.html#notes-link",
            {"resource": resource, "has_note": note is not None, "oob": True},
        )
        response.content += flag.encode()
    return response


NOTES_PER_PAGE = 20

NOTE_SAVES_LIMITED = _(
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
