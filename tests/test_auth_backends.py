"""The signed-in user is loaded by one precompiled query (accounts/backends.py), equal to the
ORM's, goal included; sessions opened before the project's own backends stay signed in."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.cached_db import SessionStore
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.backends import load_user
from accounts.models import User
from goals.models import Goal
from tests.conftest import client_for, make_user

pytestmark = pytest.mark.django_db

renaming = importlib.import_module("accounts.migrations.0005_sessions_name_own_backends")


def fields_of(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def test_the_loaded_user_equals_the_orms_with_their_goal_and_costs_no_query_for_it():
    ada = make_user("ada@example.com", time_zone="Europe/Paris", language="fr")
    ada.last_login = datetime.datetime(2026, 2, 28, 23, 30, tzinfo=datetime.UTC)
    ada.save()
    Goal.objects.create(
        user=ada, weekly_goal=3, finish_by=datetime.date(2028, 2, 29), weekly_summary=True
    )
    expected = User.objects.get(pk=ada.pk)

    with CaptureQueriesContext(connection) as queries:
        loaded = load_user(ada.pk)
        goal = loaded.goal
    assert len(queries) == 1
    assert fields_of(loaded) == fields_of(expected)
    assert fields_of(goal) == fields_of(expected.goal)
    assert goal.user is loaded
    assert not loaded._state.adding and loaded._state.db == "default"


def test_a_learner_without_a_goal_costs_no_query_for_it():
    loaded = load_user(make_user("bea@example.com").pk)
    with CaptureQueriesContext(connection) as queries, pytest.raises(Goal.DoesNotExist):
        loaded.goal  # noqa: B018 - the access is what is tested
    assert len(queries) == 0


def test_an_unknown_id_loads_nobody():
    assert load_user(987_654) is None


def test_a_signed_in_page_reads_the_user_once(alice_client, alice):
    with CaptureQueriesContext(connection) as queries:
        response = alice_client.get("/me/")
    assert response.status_code == 200
    assert response.wsgi_request.user == alice
    user_queries = [q for q in queries if 'FROM "accounts_user"' in q["sql"]]
    assert len(user_queries) == 1


def test_a_deactivated_or_deleted_learner_is_signed_out(alice, bob):
    alice_client, bob_client = client_for(alice), client_for(bob)
    User.objects.filter(pk=alice.pk).update(is_active=False)
    bob.delete()
    for client in (alice_client, bob_client):
        response = client.get("/me/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_a_changed_password_still_signs_out_the_other_browsers(alice):
    browser = client_for(alice)
    assert browser.get("/me/").status_code == 200
    alice.set_password("a brand new passphrase")
    alice.save()
    assert browser.get("/me/").status_code == 302


def old_session(user: User, backend: str) -> str:
    """A session as one opened before the upgrade stored it, in the table and the cache."""
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = backend
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def browser_with(session_key: str) -> Client:
    browser = Client()
    browser.cookies[settings.SESSION_COOKIE_NAME] = session_key
    return browser


class SchemaEditor:
    """What the migration's function reads of the schema editor."""

    connection = connection


@pytest.mark.parametrize("backend", sorted(renaming.OLD_TO_NEW))
def test_sessions_opened_before_the_upgrade_stay_signed_in(alice, backend):
    key = old_session(alice, backend)
    assert browser_with(key).get("/me/").status_code == 302  # Django would sign them out

    renaming.rename(renaming.OLD_TO_NEW)(apps, SchemaEditor())

    response = browser_with(key).get("/me/")
    assert response.status_code == 200
    assert response.wsgi_request.user == alice
    assert SessionStore(key).load()[BACKEND_SESSION_KEY] == renaming.OLD_TO_NEW[backend]


def test_the_migration_leaves_other_sessions_alone_and_runs_backwards(alice):
    guest = SessionStore()
    guest["cart"] = "nothing"
    guest.create()
    key = old_session(alice, "django.contrib.auth.backends.ModelBackend")
    forwards = renaming.rename(renaming.OLD_TO_NEW)
    backwards = renaming.rename({new: old for old, new in renaming.OLD_TO_NEW.items()})

    forwards(apps, SchemaEditor())
    forwards(apps, SchemaEditor())  # twice changes nothing more
    assert SessionStore(key).load()[BACKEND_SESSION_KEY] == "accounts.backends.ModelBackend"
    assert SessionStore(guest.session_key).load() == {"cart": "nothing"}

    backwards(apps, SchemaEditor())
    assert SessionStore(key).load()[BACKEND_SESSION_KEY] == (
        "django.contrib.auth.backends.ModelBackend"
    )
