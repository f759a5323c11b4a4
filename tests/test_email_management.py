"""/accounts/email/: no address on two accounts, no unverified primary, no half-done change."""

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from accounts.models import User

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rate_limits")]

URL = "/accounts/email/"


def add(client, email: str):
    return client.post(URL, {"action_add": "", "email": email})


def make_primary(client, email: str):
    return client.post(URL, {"action_primary": "", "email": email})


def primary_of(user: User) -> list[str]:
    addresses = EmailAddress.objects.filter(user=user, primary=True)
    return list(addresses.values_list("email", flat=True))


@pytest.fixture
def alice_settings(alice, alice_client):
    # As sign-up leaves it (optional verification): her address, primary, not verified yet.
    EmailAddress.objects.create(user=alice, email=alice.email, primary=True, verified=False)
    return alice_client


@pytest.mark.parametrize("typed", ["bob@example.com", "BOB@Example.com"])
def test_adding_another_accounts_address_is_refused_without_naming_it(
    alice, bob, alice_settings, typed
):
    response = add(alice_settings, typed)

    assert response.status_code == 422
    html = response.content.decode()
    assert "already belongs to another one" in html
    assert "bob@example.com" not in html.lower().replace(f'value="{typed.lower()}"', "")
    assert not EmailAddress.objects.filter(user=alice, email__iexact="bob@example.com").exists()
    assert mail.outbox == []  # nothing is sent to Bob either
    bob.refresh_from_db()
    assert bob.email == "bob@example.com"


def test_adding_an_address_another_account_verified_is_refused(alice, bob, alice_settings):
    EmailAddress.objects.create(user=bob, email="bob.work@example.com", verified=True)

    response = add(alice_settings, "bob.work@example.com")

    assert response.status_code == 422
    assert not EmailAddress.objects.filter(user=alice, email="bob.work@example.com").exists()


def test_adding_a_free_address_sends_its_verification(alice, alice_settings):
    response = add(alice_settings, "alice.work@example.com")

    assert response.status_code == 302
    assert EmailAddress.objects.get(user=alice, email="alice.work@example.com").verified is False
    assert [m.to for m in mail.outbox] == [["alice.work@example.com"]]


def test_an_unverified_address_never_becomes_primary(alice, alice_settings):
    add(alice_settings, "alice.work@example.com")

    response = make_primary(alice_settings, "alice.work@example.com")

    assert response.status_code == 422
    assert "must be verified" in response.content.decode()
    alice.refresh_from_db()
    assert alice.email == "alice@example.com"
    assert primary_of(alice) == ["alice@example.com"]


def test_a_verified_address_becomes_primary_and_the_login_address(alice, alice_settings):
    EmailAddress.objects.create(user=alice, email="alice.work@example.com", verified=True)

    response = make_primary(alice_settings, "alice.work@example.com")

    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.email == "alice.work@example.com"
    assert primary_of(alice) == ["alice.work@example.com"]


@pytest.mark.parametrize("verified", [False, True])
def test_an_address_of_another_account_planted_earlier_never_becomes_primary(
    alice, bob, alice_settings, verified
):
    # Added before this fix (or by the shell): the attack of issue 9 ended in a 500 with the
    # address primary on both accounts.
    EmailAddress.objects.create(user=alice, email="bob@example.com", verified=verified)

    response = make_primary(alice_settings, "bob@example.com")

    assert response.status_code == 422
    alice.refresh_from_db()
    bob.refresh_from_db()
    assert (alice.email, bob.email) == ("alice@example.com", "bob@example.com")
    assert primary_of(alice) == ["alice@example.com"]
    assert signed_in_as(alice_settings) == alice


def test_a_change_that_fails_at_the_database_leaves_nothing_half_done(
    alice, bob, alice_settings, monkeypatch
):
    # The race the checks cannot see: another request takes the address between our check and
    # the write. The unique User.email refuses it; the whole request is rolled back.
    EmailAddress.objects.create(user=alice, email="bob@example.com", verified=True)
    monkeypatch.setattr(
        "accounts.adapter.AccountAdapter.address_owned_elsewhere", lambda self, email, user: False
    )

    response = make_primary(alice_settings, "bob@example.com")

    assert response.status_code == 422
    assert "already in use" in response.content.decode()
    alice.refresh_from_db()
    assert alice.email == "alice@example.com"
    assert primary_of(alice) == ["alice@example.com"]  # not left without a primary address


def signed_in_as(client) -> User:
    return client.get("/").context["user"]
