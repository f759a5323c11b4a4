"""Every write to a learner's state on a resource: status, bookmark, note.

Views call these, and a second path that writes the same rows (an import of the learner's data,
``write_progress``) calls this module too, so the rules live in one place:

- no ``Progress`` row means "not started, no bookmark"; a row that would say exactly that is
  deleted rather than kept;
- each call is one transaction that locks the learner's row for that resource, so a double
  click, two tabs or a retried request end in one row and one event, never an error;
- an event is recorded only when something changed, so repeating a request records nothing;
- each call takes the learner's write lock (``lock_learner``) before anything else;
- every change is announced by ``changed``, inside the same transaction and under that lock, so
  the apps built on the curriculum keep what they derive from it (history's events, the
  statistics' activity per section) without this module knowing them.
"""

from django.db import connection, transaction
from django.dispatch import Signal
from django.utils import timezone

from roadmap.markdown import render_markdown
from roadmap.models import Note, Progress, Resource

Status = Progress.Status

# Sent once for every change this module makes, with ``user``, ``resource``, ``field`` ("status",
# "bookmark" or "note") and ``value`` (the new status, the bookmark's text, or the saved Note,
# None when it was deleted). A receiver writes in the learner's transaction: if it raises, the
# change is rolled back with it.
changed = Signal()

# The advisory lock's first key; the second is the learner's id (modulo 2³¹). The two-key lock
# space does not overlap sync_curriculum's one-key lock.
_LOCK_SPACE = 0x5EC7


def lock_learner(user) -> None:
    """Take the learner's write lock until the end of the transaction.

    The first statement of any transaction that writes the learner's progress or notes (this
    module, an import of their data, deleting their account), before any row lock: one
    learner's writes then run one after another in one lock order, so two tabs end with the
    right rows and an import beside a click cannot deadlock. Released at commit or rollback;
    SQLite runs one write transaction at a time anyway.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_SPACE, user.pk % 2**31])


def _announce(user, resource: Resource, field: str, value) -> None:
    changed.send(
        sender=Progress if field != "note" else Note,
        user=user,
        resource=resource,
        field=field,
        value=value,
    )


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


def _says_nothing(status: str, bookmark: str) -> bool:
    return status == Status.NOT_STARTED and not bookmark


def _keep_or_drop(row: Progress, fields: list[str]) -> None:
    if _says_nothing(row.status, row.bookmark):
        row.delete()
    else:
        row.save(update_fields=[*fields, "updated_at"])


def write_progress(user, rows: list[tuple[Resource, str, str]]) -> None:
    """Set many of the learner's (resource, status, bookmark) at once, by the rule above: rows
    that would say "not started, no bookmark" are deleted, the others made or overwritten.

    For an import of the learner's data, which brings its own history: no event is recorded and
    nothing is announced. The caller holds ``lock_learner`` and refreshes what it derives.
    """
    empty = [resource.pk for resource, status, bookmark in rows if _says_nothing(status, bookmark)]
    Progress.objects.filter(user=user, resource_id__in=empty).delete()
    now = timezone.now()
    Progress.objects.bulk_create(
        [
            Progress(user=user, resource=resource, status=status, bookmark=bookmark, updated_at=now)
            for resource, status, bookmark in rows
            if not _says_nothing(status, bookmark)
        ],
        update_conflicts=True,
        unique_fields=["user", "resource"],
        update_fields=["status", "bookmark", "updated_at"],
    )


def set_status(user, resource: Resource, status: str, *, only_from: str | None = None) -> bool:
    """Set the learner's status on ``resource``; True when it changed.

    With ``only_from``, only a resource whose status is that one changes: unticking "Done" on a
    page that was stale must not reset a resource the learner has since marked in progress.
    """
    status = Status(status)
    with transaction.atomic():
        lock_learner(user)
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
        _announce(user, resource, "status", status)
    return True


def set_bookmark(user, resource: Resource, text: str) -> bool:
    """Set (or with an empty text, clear) where the learner stopped; True when it changed."""
    text = text.strip()
    with transaction.atomic():
        lock_learner(user)
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
        _announce(user, resource, "bookmark", text)
    return True


def save_note(user, resource: Resource, body: str, html: str | None = None) -> Note | None:
    """Save the learner's note (an empty one deletes it) and record the edit."""
    with transaction.atomic():
        lock_learner(user)
        if not body.strip():
            if Note.objects.filter(user=user, resource=resource).delete()[0]:
                _announce(user, resource, "note", None)
            return None
        note = Note.objects.select_for_update().filter(user=user, resource=resource).first()
        if note is not None and note.body == body:
            return note
        html = render_markdown(body) if html is None else html
        note, _ = Note.objects.update_or_create(
            user=user, resource=resource, defaults={"body": body, "body_html": html}
        )
        _announce(user, resource, "note", note)
    return note
