from dataclasses import dataclass, replace

from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.decorators import learner_required
from history import exports, imports
from history.activity import activity_for, zone_of
from history.forms import HANDLE_TAKEN, ImportForm, PublicProfileForm
from history.models import Event, PendingImport, PublicNote, PublicProfile
from maps.card import render_card
from roadmap.models import Note, Roadmap
from roadmap.outline import build_outline, load_state

RECENT = 10
PER_PAGE = 50
# Rows shown of each list in an import's preview; the rest are counted, so that the page stays
# small whatever the file holds.
PREVIEW_ROWS = 10
UPLOADS_LIMITED = _(
    "You have uploaded many files in the last hour. Nothing was imported, and an upload "
    "waiting for your confirmation is kept: try again in an hour."
)


def _outlines(user) -> list:
    """Each published roadmap with the learner's figures: the roadmap page's own numbers.

    The learner's state spans every roadmap (build_outline keeps each one's part), so it is
    read once: two queries however many roadmaps there are.
    """
    state = load_state(user, every_roadmap=True)
    return [
        build_outline(replace(state, roadmap=roadmap)) for roadmap in Roadmap.objects.published()
    ]


@require_safe
@learner_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    recent = list(
        Event.objects.for_user(user).coalesced().select_related("resource__roadmap")[:RECENT]
    )
    context = {
        "activity": activity_for(user),
        "outlines": _outlines(user),
        "recent": recent,
        "zone": zone_of(user),
    }
    return render(request, "history/dashboard.html", context)


@require_safe
@learner_required
def history_list(request: HttpRequest) -> HttpResponse:
    events = Event.objects.for_user(request.user).coalesced().select_related("resource__roadmap")
    page = Paginator(events, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "history/history.html", {"page": page, "zone": zone_of(request.user)})


@require_safe
@learner_required
def export_json(request: HttpRequest) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        (piece.encode() for piece in exports.export_json(request.user)),
        content_type="application/json; charset=utf-8",
    )
    stamp = exports.exported_on(request.user).isoformat()
    response["Content-Disposition"] = f'attachment; filename="llm-roadmap-{stamp}.json"'
    return response


@require_safe
@learner_required
def export_markdown(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(
        exports.export_markdown(request.user), content_type="text/markdown; charset=utf-8"
    )
    stamp = exports.exported_on(request.user).isoformat()
    response["Content-Disposition"] = f'attachment; filename="llm-roadmap-notes-{stamp}.md"'
    return response


@require_http_methods(["GET", "POST"])
@learner_required
def data(request: HttpRequest) -> HttpResponse:
    """Export and import: downloads, and the upload that leads to a preview."""
    status = 200
    form = ImportForm()
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            status = 422
        # Reading and checking a file costs seconds; allauth's limits (settings.py) hold it.
        elif not ratelimit.consume(request, action="data_import", user=request.user):
            form.add_error("file", UPLOADS_LIMITED)
            status = 429
        else:
            upload = form.cleaned_data["file"]
            try:
                parsed = imports.parse_export(
                    upload.read(imports.MAX_IMPORT_BYTES + 1), user=request.user
                )
            except imports.InvalidExportFile as error:
                form.add_error("file", f"{error} Nothing was imported.")
                status = 422
            else:
                pending = PendingImport.objects.replace(
                    request.user, filename=upload.name[:200], data=parsed
                )
                return redirect("history:import_preview", pk=pending.pk)
    waiting = PendingImport.objects.live().filter(user=request.user).defer("data").first()
    context = {"form": form, "waiting": waiting}
    return render(request, "history/data.html", context, status=status)


@dataclass(frozen=True)
class Excerpt:
    """The first rows of a long list, and how many more it holds."""

    rows: list
    more: int

    @classmethod
    def of(cls, rows: list) -> "Excerpt":
        return cls(rows[:PREVIEW_ROWS], max(0, len(rows) - PREVIEW_ROWS))


@require_http_methods(["GET", "POST"])
@learner_required
def import_preview(request: HttpRequest, pk: int) -> HttpResponse:
    # Replaced by a newer upload, applied, or expired: gone alike.
    pending = get_object_or_404(PendingImport.objects.live(), pk=pk, user=request.user)
    if request.method == "POST":
        if request.POST.get("confirm") != "import":
            return HttpResponseBadRequest(_("Confirm the import with the form's Import button."))
        plan = imports.apply_import(request.user, pending.data)
        pending.delete()
        if plan.changes:
            messages.success(request, _summary(plan))
        else:
            messages.info(
                request, _("Nothing to import: your data already holds everything in it.")
            )
        return redirect("history:dashboard")
    plan = imports.plan_import(request.user, pending.data)
    context = {
        "pending": pending,
        "plan": plan,
        "progress_changed": Excerpt.of(plan.progress_changed),
        "notes_changed": Excerpt.of(plan.notes_changed),
        "missing": Excerpt.of(plan.missing),
    }
    return render(request, "history/import_preview.html", context)


def _summary(plan: imports.Plan) -> str:
    """ "Imported 5 statuses or bookmarks, 1 note and your settings.": what changed, no zeros."""
    statuses = len(plan.progress_added) + len(plan.progress_changed)
    notes = len(plan.notes_added) + len(plan.notes_changed)
    events = len(plan.events_added)
    counts = [
        (statuses, ngettext("%(n)d status or bookmark", "%(n)d statuses or bookmarks", statuses)),
        (notes, ngettext("%(n)d note", "%(n)d notes", notes)),
        (events, ngettext("%(n)d history event", "%(n)d history events", events)),
    ]
    parts = [text % {"n": n} for n, text in counts if n]
    if plan.settings_changed or plan.parts_changed:
        parts.append(gettext("your settings"))
    sentences = {
        1: _("Imported %(a)s."),
        2: _("Imported %(a)s and %(b)s."),
        3: _("Imported %(a)s, %(b)s and %(c)s."),
        4: _("Imported %(a)s, %(b)s, %(c)s and %(d)s."),
    }
    return sentences[len(parts)] % dict(zip("abcd", parts, strict=False))


@require_http_methods(["GET", "POST"])
@learner_required
def public_settings(request: HttpRequest) -> HttpResponse:
    profile = PublicProfile.objects.filter(user=request.user).first()
    form = PublicProfileForm(
        request.POST or None, instance=profile or PublicProfile(user=request.user)
    )
    if request.method == "POST":
        if form.is_valid():
            try:
                with transaction.atomic():
                    profile = form.save()
            except IntegrityError:  # taken between the check and the save
                form.add_error("handle", HANDLE_TAKEN)
            else:
                if profile.is_enabled:
                    messages.success(request, _("Your public page is published."))
                else:
                    messages.success(request, _("Your public page is switched off."))
                return redirect("history:public_settings")
        return render(request, "history/public_settings.html", {"form": form}, status=422)
    public_notes = PublicNote.objects.filter(note__user=request.user).count()
    return render(
        request,
        "history/public_settings.html",
        {"form": form, "profile": profile, "public_notes": public_notes},
    )


@require_POST
@learner_required
def note_visibility(request: HttpRequest, pk: int) -> HttpResponse:
    """Show or hide the learner's note on ``pk`` (a resource) on their public page."""
    note = get_object_or_404(Note, resource_id=pk, user=request.user)
    if request.POST.get("public") == "on":
        PublicNote.objects.get_or_create(note=note)
    else:
        PublicNote.objects.filter(note=note).delete()
    is_public = PublicNote.objects.filter(note=note).exists()
    if request.htmx:
        context = {"note": note, "is_public": is_public, "next": request.POST.get("next", "")}
        return render(request, "history/_note_visibility.html#note-visibility", context)
    if is_public:
        shown = _("Your note on “%(title)s” is shown on your public page.")
    else:
        shown = _("Your note on “%(title)s” is private.")
    messages.success(request, shown % {"title": note.resource.title})
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(back)
    return redirect("roadmap:my_notes")


def _published_profile(handle: str) -> PublicProfile:
    profile = (
        PublicProfile.objects.select_related("user")
        .filter(handle=handle.lower(), is_enabled=True, user__is_active=True)
        .first()
    )
    if profile is None:
        raise Http404(_("No public page here."))
    return profile


@require_safe
def public_page(request: HttpRequest, handle: str) -> HttpResponse:
    profile = _published_profile(handle)
    user = profile.user
    notes = (
        Note.objects.for_user(user)
        .filter(public__isnull=False)
        .select_related("resource")
        .order_by("resource__roadmap__order", "resource__section__order", "resource__order")
    )
    context = {
        "profile": profile,
        "outlines": [outline for outline in _outlines(user) if outline.total],
        "notes": notes,
        "card_url": request.build_absolute_uri(reverse("history:public_card", args=[handle])),
    }
    response = render(request, "history/public_page.html", context)
    if not profile.allow_indexing:
        response["X-Robots-Tag"] = "noindex"
    return response


@require_safe
def public_card(request: HttpRequest, handle: str) -> HttpResponse:
    """The public page as an image (its Open Graph preview): the same figures, and the map's
    marks when the learner shows their map."""
    profile = _published_profile(handle)
    outlines = [outline for outline in _outlines(profile.user) if outline.total]
    svg = render_card(profile.handle, settings.SITE_NAME, outlines, show_map=profile.show_map)
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    # An image shown by other sites: it may be kept a little, never stale for long.
    response["Cache-Control"] = "public, max-age=300"
    if not profile.allow_indexing:
        response["X-Robots-Tag"] = "noindex"
    return response
