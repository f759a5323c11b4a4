"""Sessions opened before the project's own backends (accounts/backends.py) name Django's or
allauth's backend, which is no longer in AUTHENTICATION_BACKENDS: Django would sign them out.
Rename it in every live session, and drop the session's cached copy so that the next request
reads the renamed one (a cache that cannot be reached keeps the old copy until it expires)."""

import logging
from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY
from django.core.cache import caches
from django.db import migrations
from django.utils import timezone

logger = logging.getLogger(__name__)

OLD_TO_NEW = {
    "django.contrib.auth.backends.ModelBackend": "accounts.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend": "accounts.backends.AuthenticationBackend",
}


def rename(renamed: dict[str, str]):
    def run(apps, schema_editor):
        Session = apps.get_model("sessions", "Session")
        store_class = import_module(settings.SESSION_ENGINE).SessionStore
        alias = schema_editor.connection.alias
        live = Session.objects.using(alias).filter(expire_date__gt=timezone.now())
        stale_cache_keys = []
        for session in live.iterator():
            store = store_class(session.session_key)
            data = store.decode(session.session_data)
            backend = data.get(BACKEND_SESSION_KEY)
            if backend not in renamed:
                continue
            data[BACKEND_SESSION_KEY] = renamed[backend]
            session.session_data = store.encode(data)
            session.save(update_fields=["session_data"])
            if hasattr(store, "cache_key_prefix"):
                stale_cache_keys.append(store.cache_key_prefix + session.session_key)
        if stale_cache_keys:
            try:
                caches[getattr(settings, "SESSION_CACHE_ALIAS", "default")].delete_many(
                    stale_cache_keys
                )
            except Exception:
                logger.warning("Could not drop %d cached sessions.", len(stale_cache_keys))

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_user_groups_version"),
        ("sessions", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(
            rename(OLD_TO_NEW), rename({new: old for old, new in OLD_TO_NEW.items()})
        ),
    ]
