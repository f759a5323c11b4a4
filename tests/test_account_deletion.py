"""Deleting one's own account (/accounts/delete/): the password again, then every row and
session."""

from importlib import import_module

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.db import models
from django.test import Client

from history.models import Event, PendingImport, PublicNote, PublicProfile
from roadmap import learning
from roadmap.models import Note, Progress
from tests.conftest import PASSWORD, make_resource

pytestmark = pytest.mark.django_db


def signed_in_browser(email: str = "alice@example.com") -> Client:
    """A browser that logged in through the real login form, as a person does."""
    browser = Client()
    response = browser.post("/accounts/login/", {"login": email, "password": PASSWORD})
    assert response.status_code == 302
    return browser


def rows_referencing(user_pk: int) -> dict[str, int]:
    """Every row in every table that points at this user, found from the models themselves."""
    user_model = get_user_model()
    found = {}
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.get_fields():
            if (
                isinstance(field, models.ForeignKey | models.OneToOneField)
                and field.related_model is user_model
                and field.concrete
            ):
                count = model._base_manager.filter(**{field.attname: user_pk}).count()
                if count:
                    found[f"{model._meta.label}.{field.name}"] = count
    return found


def sessions_of(user_pk: int) -> list[str]:
    return [
        session.session_key
        for session in Session.objects.all()
        if str(session.get_decoded().get(SESSION_KEY)) == str(user_pk)
    ]


def in_session_cache(key: str) -> bool:
    store = import_module(settings.SESSION_ENGINE).SessionStore
    return caches[settings.SESSION_CACHE_ALIAS].get(store.cache_key_prefix + key) is not None


@pytest.fixture
def full_account(alice, bob, carol):
    """Alice with something in every table that can hold a row of hers."""
    resource = make_resource(title="Attention")
    learning.set_status(alice, resource, Progress.Status.DONE)
    learning.set_bookmark(alice, resource, "12:40")
    note = learning.save_note(alice, resource, "alice-secret")
    PublicNote.objects.create(note=note)
    PublicProfile.objects.create(user=alice, handle="ada", is_enabled=True)
    PendingImport.objects.create(user=alice, data={})
    EmailAddress.objects.create(user=alice, email=alice.email, verified=True, primary=True)
    alice.groups.add(Group.objects.get(name="Curators"))
    LogEntry.objects.log_actions(
        alice.pk, [resource], CHANGE, change_message="edited", single_object=True
    )
    # Bob's data must survive Alice leaving.
    learning.set_status(bob, resource, Progress.Status.DONE)
    learning.save_note(bob, resource, "bob-note")
    return alice


def test_the_page_explains_what_will_be_deleted(full_account):
    html = signed_in_browser().get("/accounts/delete/").content.decode()
    assert "1 resource status</li>" in html and "1 bookmark</li>" in html
    assert "1 note</li>" in html
    assert "2 events of history" in html
    assert "your public page" in html
    assert "It cannot be undone." in html
    assert 'href="/accounts/data/export.json"' in html


def test_deleting_asks_for_the_password_again_then_deletes_everything(full_account):
    user_pk = full_account.pk
    assert rows_referencing(user_pk)  # the check sees Alice's rows while she exists
    elsewhere = signed_in_browser()  # another device, still signed in
    other_keys = [elsewhere.session.session_key]
    browser = signed_in_browser()
    keys = sessions_of(user_pk)
    assert len(keys) == 2 and all(in_session_cache(key) for key in keys)

    response = browser.post("/accounts/delete/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/reauthenticate/?next=%2Faccounts%2Fdelete%2F"
    assert get_user_model().objects.filter(pk=user_pk).exists()

    wrong = browser.post(response["Location"], {"password": "not it"})
    assert wrong.status_code == 200
    assert get_user_model().objects.filter(pk=user_pk).exists()

    done = browser.post(response["Location"], {"password": PASSWORD}, follow=True)
    assert done.redirect_chain[-1][0] == "/"
    assert "Your account and everything in it were deleted" in done.content.decode()
    assert "Log in" in done.content.decode()  # signed out

    assert not get_user_model().objects.filter(pk=user_pk).exists()
    assert rows_referencing(user_pk) == {}
    assert sessions_of(user_pk) == []
    assert not any(in_session_cache(key) for key in keys + other_keys)
    assert elsewhere.get("/me/")["Location"].startswith("/accounts/login/")
    assert PublicNote.objects.count() == 0
    assert Client().get("/u/ada/").status_code == 404
    # Other learners keep everything, and the curriculum is untouched.
    assert Note.objects.get().body == "bob-note"
    assert Progress.objects.count() == 1 and Event.objects.count() == 2
    assert ContentType.objects.exists()


def test_a_recent_password_lets_the_deletion_through_at_once(full_account):
    browser = signed_in_browser()
    browser.get("/accounts/delete/")
    reauth = browser.post(
        "/accounts/reauthenticate/?next=/accounts/delete/", {"password": PASSWORD}
    )
    assert reauth.status_code == 302
    response = browser.post("/accounts/delete/")
    assert response["Location"] == "/"
    assert not get_user_model().objects.filter(email="alice@example.com").exists()


def test_a_get_never_deletes(full_account):
    browser = signed_in_browser()
    assert browser.get("/accounts/delete/").status_code == 200
    assert get_user_model().objects.filter(email="alice@example.com").exists()


def test_anonymous_visitors_are_sent_to_log_in(anon, alice):
    assert anon.get("/accounts/delete/")["Location"] == "/accounts/login/?next=/accounts/delete/"
    assert anon.post("/accounts/delete/")["Location"].startswith("/accounts/login/")
    assert get_user_model().objects.filter(pk=alice.pk).exists()
