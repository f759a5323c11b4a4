"""Sign-up must not tell whether an address is registered (with mandatory verification).

Timing is the channel: allauth answers both cases with the same page and one email, but only
a new account used to hash its password, the one slow step. Rather than time requests (speed is
the benchmark's business), these tests count the work each path does.
"""

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail
from django.test import Client

from accounts.models import User
from tests.conftest import PASSWORD, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rate_limits")]


class CountingHasher(MD5PasswordHasher):
    """A real (fast) hasher that counts the passwords it hashes."""

    algorithm = "counting_md5"
    calls = 0

    def encode(self, password: str, salt: str) -> str:
        type(self).calls += 1
        return super().encode(password, salt)


def sign_up(email: str) -> dict:
    CountingHasher.calls = 0
    mail.outbox.clear()
    response = Client().post(
        "/accounts/signup/", {"email": email, "password1": PASSWORD, "password2": PASSWORD}
    )
    return {
        "status": response.status_code,
        "location": response.get("Location"),
        "hashes": CountingHasher.calls,
        "emails_sent": [m.to for m in mail.outbox],
    }


def test_with_mandatory_verification_a_taken_and_a_new_address_do_the_same_work(settings):
    make_user("taken@example.com")
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    settings.PASSWORD_HASHERS = ["tests.test_signup_enumeration.CountingHasher"]

    taken = sign_up("taken@example.com")
    new = sign_up("new@example.com")

    assert taken["hashes"] == new["hashes"] == 1
    assert taken["emails_sent"] == [["taken@example.com"]]
    assert new["emails_sent"] == [["new@example.com"]]
    assert (taken["status"], taken["location"]) == (new["status"], new["location"])
    assert taken["status"] == 302
    assert User.objects.filter(email="taken@example.com").count() == 1
    assert User.objects.filter(email="new@example.com").exists()


def test_the_taken_path_hashes_the_password_that_was_typed(settings, monkeypatch):
    make_user("taken@example.com")
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    hashed = []
    monkeypatch.setattr("accounts.forms.make_password", lambda password: hashed.append(password))

    sign_up("taken@example.com")

    assert hashed == [PASSWORD]


@pytest.mark.parametrize("mode", ["none", "optional"])
def test_without_mandatory_verification_sign_up_says_the_address_is_taken(settings, mode):
    # Documented in the README: these modes reveal registered addresses.
    make_user("taken@example.com")
    settings.ACCOUNT_EMAIL_VERIFICATION = mode

    response = Client().post(
        "/accounts/signup/",
        {"email": "taken@example.com", "password1": PASSWORD, "password2": PASSWORD},
    )

    assert response.status_code == 200
    assert "already registered" in response.content.decode()
