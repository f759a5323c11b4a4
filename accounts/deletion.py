"""Deleting a learner's account: every row that belongs to them, and every session they hold.

Rows go by the database's relations (every model with a foreign key to the user cascades), so
a model added later is covered without a list here; ``tests/test_account_deletion.py`` checks
that from the models. Sessions carry the user only inside their encoded data, so they are
found by decoding, then deleted through the session engine, which clears the cached copy
(``cached_db``: the cache entry and the table row) as well.
"""

from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.db import transaction

from groups.models import Membership
from history.models import Event, PublicProfile
from roadmap.learning import lock_learner
from roadmap.models import Note, Progress


def session_keys_of(user) -> list[str]:
    """Every stored session signed in as ``user``: one pass over the sessions table.

    Sessions have no user column; an instance's table holds its live sessions (expired ones
    are cleared on every start), and deleting an account is rare.
    """
    wanted = str(user.pk)
    keys = []
    for session in Session.objects.only("session_key", "session_data").iterator(chunk_size=2000):
        data = session.get_decoded()  # {} for data that does not decode
        if str(data.get(SESSION_KEY)) == wanted:
            keys.append(session.session_key)
    return keys


def counts_for(user) -> dict[str, int]:
    return {
        "progress": Progress.objects.for_user(user).exclude(status="not_started").count(),
        "bookmarks": Progress.objects.for_user(user).exclude(bookmark="").count(),
        "notes": Note.objects.for_user(user).count(),
        "events": Event.objects.for_user(user).count(),
        "public_page": PublicProfile.objects.filter(user=user, is_enabled=True).exists(),
        "groups": Membership.objects.filter(user=user).count(),
    }


def delete_account(user, *, keep_session: str | None = None) -> int:
    """Delete ``user``, their data and their sessions; returns how many other sessions ended.

    ``keep_session`` is the current request's session: the caller logs it out itself, so the
    goodbye message has a session to live in.
    """
    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = [key for key in session_keys_of(user) if key != keep_session]
    with transaction.atomic():
        # Waits for the learner's writes in flight, so none lands after their rows are gone.
        lock_learner(user)
        user.delete()
    for key in keys:
        store(session_key=key).delete()
    return len(keys)
