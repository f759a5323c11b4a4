"""Every write to a learner's state on a resource: status, bookmark, note.

Views call these and nothing else writes ``Progress``, ``Note`` or history events, so the rules
live in one place:

- no ``Progress`` row means "not started, no bookmark"; a row that would say exactly that is
  deleted rather than kept;
- each call is one transaction that locks the learner's row for that resource, so a double
  click, two tabs or a retried request end in one row and one event, never an error;
- an event is recorded only when something changed, so repeating a request records nothing;
- every change refreshes the learner's activity in that resource's section, which the learner
  statistics read (insights/activity.py), in the same transaction; each call takes the
  learner's write lock (``activity.lock_learner``) before anything else.
"""

from django.db import transaction

from history.models import Event
from insights import activity
from roadmap.markdown import render_markdown
from roadmap.models import Note, Progress, Resource

Status = Progress.Status


def _locked_row(user, resource: Resource) -> Progress:
    """The learner's row for ``resource``, created as "not started" if missing, and locked.

    One upsert (INSERT … ON CONFLICT DO UPDATE) makes or finds the row and locks it in the same
    statement, so a concurrent request that deletes it cannot slip in between.
    """
    Progress.objects.bulk_create(
        [Progress(user=user, resource=resource, status=Status.NOT_STARTED)],
        update_conflicts=True,
        unique_fields=["user", "resource"],
        update_fields=["user"],
    )
    return Progress.objects.select_for_update().get(user=user, resource=resource)


def _keep_or_drop(row: Progress, fields: list[str]) -> None:
    if row.status == Status.NOT_STARTED and not row.bookmark:
        row.delete()
    else:
        row.save(update_fields=[*fields, "updated_at"])


def set_status(user, resource: Resource, status: str, *, only_from: str | None = None) -> bool:
    """Set the learner's status on ``resource``; True when it changed.

    With ``only_from``, only a resource whose status is that one changes: unticking "Done" on a
    page that was stale must not reset a resource the learner has since marked in progress.
    """
    status = Status(status)
    with transaction.atomic():
        activity.lock_learner(user)
        if status == Status.NOT_STARTED:
            row = Progress.objects.select_for_update().filter(user=user, resource=resource).first()
            if row is None:
                return False
        else:
            row = _locked_row(user, resource)
        if row.status == status or (only_from is not None and row.status != only_from):
            if row.status == Status.NOT_STARTED and not row.bookmark:
                row.delete()  # made just now by _locked_row, and it would say nothing
            return False
        row.status = status
        _keep_or_drop(row, ["status"])
        Event.objects.create(user=user, resource=resource, kind=Event.Kind.STATUS, status=status)
        activity.refresh(user, resource)
    return True


def set_bookmark(user, resource: Resource, text: str) -> bool:
    """Set (or with an empty text, clear) where the learner stopped; True when it changed."""
    text = text.strip()
    with transaction.atomic():
        activity.lock_learner(user)
        if not text:
            row = Progress.objects.select_for_update().filter(user=user, resource=resource).first()
            if row is None:
                return False
        else:
            row = _locked_row(user, resource)
        if row.bookmark == text:
            return False
        row.bookmark = text
        _keep_or_drop(row, ["bookmark"])
        activity.refresh(user, resource)
    return True


def save_note(user, resource: Resource, body: str, html: str | None = None) -> Note | None:
    """Save the learner's note (an empty one deletes it) and record the edit."""
    with transaction.atomic():
        activity.lock_learner(user)
        if not body.strip():
            if Note.objects.filter(user=user, resource=resource).delete()[0]:
                activity.refresh(user, resource)
            return None
        note = Note.objects.select_for_update().filter(user=user, resource=resource).first()
        if note is not None and note.body == body:
            return note
        html = render_markdown(body) if html is None else html
        note, _ = Note.objects.update_or_create(
            user=user, resource=resource, defaults={"body": body, "body_html": html}
        )
        Event.objects.create(user=user, resource=resource, kind=Event.Kind.NOTE)
        activity.refresh(user, resource)
    return note
