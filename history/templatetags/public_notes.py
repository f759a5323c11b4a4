from django import template

from history.models import PublicNote

register = template.Library()


@register.inclusion_tag("history/_note_visibility.html#note-visibility", takes_context=True)
def note_visibility(context, note) -> dict:
    """The "Private / Show on my public page" switch for one of the learner's notes.

    Which notes are public is read once per request, for every note the page lists: My notes
    stays at the same number of queries however many notes it shows.
    """
    request = context["request"]
    public = getattr(request, "_public_note_ids", None)
    if public is None:
        public = request._public_note_ids = set(
            PublicNote.objects.filter(note__user=request.user).values_list("note_id", flat=True)
        )
    return {
        "note": note,
        "is_public": note.pk in public,
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }
