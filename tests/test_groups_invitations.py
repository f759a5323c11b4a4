"""Invitations: links (expiry, maximum uses, revoking) and invitations by email."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import mail
from django.db import connection, connections
from django.test import Client

from groups.models import Invitation, Membership
from tests.conftest import client_for, make_user
from tests.groups_helpers import add_member, make_group

NOW = datetime(2026, 5, 4, 9, tzinfo=UTC)


@pytest.mark.django_db
def test_an_organizer_makes_a_link_and_a_learner_joins_with_consent(alice, bob, alice_client):
    group = make_group(alice)
    alice_client.post(f"/groups/{group.pk}/invitations/", {"max_uses": "3"})
    invitation = Invitation.objects.get()
    assert len(invitation.token) >= 40 and invitation.max_uses == 3
    assert invitation.token in alice_client.get(f"/groups/{group.pk}/").content.decode()
    bob_client = client_for(bob)
    page = bob_client.get(f"/groups/join/{invitation.token}/").content.decode()
    assert "will not see your notes or your bookmarks" in page
    assert 'value="bob"' in page  # the display name, prefilled
    response = bob_client.post(f"/groups/join/{invitation.token}/", {"display_name": "Bobby"})
    assert response.status_code == 302 and response["Location"] == f"/groups/{group.pk}/"
    assert Membership.objects.get(user=bob).display_name == "Bobby"
    # Sent twice: one membership, one use.
    bob_client.post(f"/groups/join/{invitation.token}/", {"display_name": "Bobby"})
    invitation.refresh_from_db()
    assert invitation.uses == 1 and Membership.objects.filter(user=bob).count() == 1


@pytest.mark.django_db
def test_joining_needs_a_display_name(alice, bob):
    invitation = Invitation.objects.create(group=make_group(alice))
    response = client_for(bob).post(f"/groups/join/{invitation.token}/", {"display_name": " "})
    assert response.status_code == 422 and not Membership.objects.filter(user=bob).exists()


@pytest.mark.django_db
def test_an_anonymous_visitor_is_sent_to_sign_up_and_back(alice):
    invitation = Invitation.objects.create(group=make_group(alice))
    page = Client().get(f"/groups/join/{invitation.token}/").content.decode()
    assert f"/accounts/signup/?next=/groups/join/{invitation.token}/" in page
    assert f"/accounts/login/?next=/groups/join/{invitation.token}/" in page


@pytest.mark.django_db
def test_unknown_tokens_are_404(bob_client):
    assert bob_client.get("/groups/join/not-a-token/").status_code == 404


@pytest.mark.django_db
def test_revoked_expired_and_used_up_links_say_so(alice, bob, alice_client):
    group = make_group(alice)
    with time_machine.travel(NOW, tick=False):
        alice_client.post(
            f"/groups/{group.pk}/invitations/", {"expires_in_days": "2", "max_uses": "1"}
        )
        invitation = Invitation.objects.get()
        assert invitation.expires_at == NOW + timedelta(days=2)
    bob_client = client_for(bob)
    url = f"/groups/join/{invitation.token}/"
    with time_machine.travel(NOW + timedelta(days=3), tick=False):
        response = bob_client.post(url, {"display_name": "B"})
        assert response.status_code == 410 and "has expired" in response.content.decode()
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        assert bob_client.post(url, {"display_name": "B"}).status_code == 302
        carol = client_for(make_user("c@example.com"))
        assert "used as many times" in carol.get(url).content.decode()
        alice_client.post(f"/groups/{group.pk}/invitations/revoke/", {"invitation": invitation.pk})
        assert "revoked this invitation" in carol.get(url).content.decode()
    assert Membership.objects.filter(group=group).count() == 2


@pytest.mark.django_db
def test_a_member_cannot_make_or_revoke_links(alice, bob):
    group = make_group(alice)
    add_member(group, bob)
    invitation = Invitation.objects.create(group=group)
    bob_client = client_for(bob)
    assert bob_client.post(f"/groups/{group.pk}/invitations/", {}).status_code == 404
    revoke = f"/groups/{group.pk}/invitations/revoke/"
    assert bob_client.post(revoke, {"invitation": invitation.pk}).status_code == 404
    assert Invitation.objects.get().revoked_at is None
    assert "join/" not in bob_client.get(f"/groups/{group.pk}/").content.decode()


@pytest.mark.django_db
def test_bad_link_settings_are_refused_with_a_message(alice, alice_client):
    group = make_group(alice)
    response = alice_client.post(f"/groups/{group.pk}/invitations/", {"max_uses": "0"}, follow=True)
    assert not Invitation.objects.exists()
    assert "greater than or equal to 1" in response.content.decode()


@pytest.mark.django_db
def test_an_email_invitation_is_sent_and_only_the_verified_address_accepts(alice, bob, carol):
    group = make_group(alice, name="Class")
    client_for(alice).post(f"/groups/{group.pk}/invitations/email/", {"email": "bob@example.com"})
    invitation = Invitation.objects.get()
    assert invitation.email == "bob@example.com" and invitation.max_uses == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["bob@example.com"]
    assert f"/groups/join/{invitation.token}/" in mail.outbox[0].body
    url = f"/groups/join/{invitation.token}/"
    carol_client = client_for(carol)
    assert carol_client.post(url, {"display_name": "C"}).status_code == 403
    bob_client = client_for(bob)
    EmailAddress.objects.create(user=bob, email="bob@example.com", verified=False, primary=True)
    assert bob_client.post(url, {"display_name": "B"}).status_code == 403
    EmailAddress.objects.filter(user=bob).update(verified=True)
    assert bob_client.post(url, {"display_name": "B"}).status_code == 302
    assert set(group.memberships.values_list("user__email", flat=True)) == {
        "alice@example.com",
        "bob@example.com",
    }


@pytest.mark.django_db
def test_an_email_invitation_is_written_in_the_invitees_language(alice, settings):
    make_user("fr@example.com", language="fr")
    group = make_group(alice)
    client_for(alice).post(f"/groups/{group.pk}/invitations/email/", {"email": "fr@example.com"})
    assert len(mail.outbox) == 1  # the French catalogue may not exist yet: it still goes out


@pytest.mark.django_db
def test_a_bad_email_address_is_refused(alice, alice_client):
    group = make_group(alice)
    response = alice_client.post(
        f"/groups/{group.pk}/invitations/email/", {"email": "nope"}, follow=True
    )
    assert "valid email" in response.content.decode() and not Invitation.objects.exists()


@pytest.fixture
def racers(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("Needs PostgreSQL's concurrent writers (CI runs it with DATABASE_URL set).")
    owner = make_user("owner@example.com")
    group = make_group(owner)
    invitation = Invitation.objects.create(group=group, max_uses=1)
    return invitation, [make_user(f"r{i}@example.com") for i in range(6)]


def test_the_last_use_of_a_link_goes_to_one_learner(racers):
    invitation, learners = racers
    barrier = threading.Barrier(len(learners))
    codes = []

    def join(user):
        try:
            client = client_for(user)
            barrier.wait()
            codes.append(
                client.post(f"/groups/join/{invitation.token}/", {"display_name": "x"}).status_code
            )
        finally:
            connections.close_all()

    threads = [threading.Thread(target=join, args=(u,)) for u in learners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(codes) == [302] + [410] * 5
    assert Membership.objects.filter(group=invitation.group).count() == 2
