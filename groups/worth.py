"""“Was it worth your time?”: a learner's yes or no on a resource they finished."""

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import learner_required
from groups import signals
from groups.forms import WorthForm
from groups.models import WorthAnswer
from roadmap import extras, redirects
from roadmap.learning import lock_learner
from roadmap.models import Progress
from roadmap.outline import build_outline, load_state
from roadmap.views import published_resource


@require_POST
@learner_required
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    request.POST  # noqa: B018 - parsed to refuse an oversized body with a 400
    resource = published_resource(pk)
    form = WorthForm(request.POST)
    error = None
    if not form.is_valid():
        error = form.errors["worth"][0]
    else:
        worth = form.cleaned_data["worth"] == "yes"
        with transaction.atomic():
            lock_learner(request.user)
            done = Progress.objects.done().filter(user=request.user, resource=resource).exists()
            if not done:
                error = _("Mark it done first: the question is for those who finished it.")
            else:
                WorthAnswer.objects.update_or_create(
                    user=request.user, resource=resource, defaults={"worth": worth}
                )
                signals.bump_version(request.user.pk)
    if not request.htmx:
        if error:
            messages.error(request, error)
        else:
            messages.success(request, _("Thank you: your answer was saved."))
        # Posted with the page's form (the buttons' formaction): back to the page it was on,
        # its filter kept, at the resource. Its other fields are not this endpoint's.
        return redirect(
            redirects.back_to(request, resource.get_absolute_url(), anchor=resource.anchor)
        )
    request.user.refresh_from_db(fields=["groups_version"])
    outline = build_outline(load_state(request.user, roadmap_id=resource.roadmap_id))
    region = extras.region(request, outline, resource)
    if error:
        note = format_html('<p class="field-error" role="alert">{}</p>', error)
        if region:
            head, _end, tail = region.rpartition("</div>")
            region = mark_safe(head + note + "</div>" + tail)  # noqa: S308 - escaped parts
        else:
            region = note
        return HttpResponse(region, status=422)
    return HttpResponse(region)
