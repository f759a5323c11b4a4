"""Study groups: creating one, roles, leaving, deleting, scoping (issue 22)."""

import pytest
from django.test import Client

from groups.models import Group, Invitation, Membership
from tests.conftest import client_for, make_section, make_user
from tests.groups_helpers import Role, add_member, make_group

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.mark.django_db
def test_a_learner_creates_a_group_and_owns_it(alice, alice_client):
    roadmap = make_section().roadmap
    response = alice_client.post(
        "/groups/", {"name": "Evening class", "description": "Tuesdays", "roadmap": roadmap.pk}
    )
    group = Group.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/groups/{group.pk}/"
    owner = Membership.objects.get(group=group)
    assert (owner.user, owner.role) == (alice, Role.OWNER)
    page = alice_client.get(f"/groups/{group.pk}/").content.decode()
    assert "Evening class" in page and "Members’ progress" in page


@pytest.mark.django_db
def test_the_list_shows_only_my_groups(alice, bob, alice_client):
    make_group(alice, name="Alice's club")
    make_group(bob, name="Bob's club")
    page = alice_client.get("/groups/").content.decode()
    assert "Alice&#x27;s club" in page and "Bob&#x27;s club" not in page


@pytest.mark.django_db
def test_bad_input_is_a_422_with_the_message(alice_client):
    roadmap = make_section().roadmap
    response = alice_client.post(
        "/groups/", {"name": "  ", "roadmap": roadmap.pk, "target_date": "2001-01-01"}
    )
    assert response.status_code == 422
    assert "Give the group a name." in response.content.decode()
    assert "must be in the future" in response.content.decode()
    assert not Group.objects.exists()


@pytest.mark.django_db
def test_groups_create_staff_keeps_learners_from_creating(alice_client, settings):
    settings.GROUPS_CREATE = "staff"
    roadmap = make_section().roadmap
    assert "Create a group" not in alice_client.get("/groups/").content.decode()
    response = alice_client.post("/groups/", {"name": "x", "roadmap": roadmap.pk})
    assert response.status_code == 403 and not Group.objects.exists()
    staff = client_for(make_user("staff@example.com", is_staff=True))
    assert staff.post("/groups/", {"name": "x", "roadmap": roadmap.pk}).status_code == 302


@pytest.mark.django_db
def test_anonymous_visitors_go_to_login(anon):
    response = anon.get("/groups/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_non_members_get_404_everywhere(alice, bob_client):
    group = make_group(alice)
    for url in (f"/groups/{group.pk}/", f"/groups/{group.pk}/progress.csv"):
        assert bob_client.get(url).status_code == 404
    for url in ("settings/", "leave/", "me/", "members/remove/", "remind/", "invitations/"):
        assert bob_client.post(f"/groups/{group.pk}/{url}", {"member": 1}).status_code == 404
    assert Membership.objects.count() == 1


@pytest.mark.django_db
def test_a_plain_member_cannot_remove_anyone_nor_see_the_table(alice, bob, carol):
    group = make_group(alice)
    bobs = add_member(group, bob)
    carols = add_member(group, carol)
    carol_client = client_for(carol)
    page = carol_client.get(f"/groups/{group.pk}/").content.decode()
    assert "Members’ progress" not in page and "How the group is doing" in page
    assert bobs.display_name not in page
    assert carol_client.get(f"/groups/{group.pk}/progress.csv").status_code == 404
    url = f"/groups/{group.pk}/members/remove/"
    assert carol_client.post(url, {"member": bobs.pk}).status_code == 404
    assert Membership.objects.filter(pk=bobs.pk).exists()
    assert (
        carol_client.post(
            f"/groups/{group.pk}/members/role/", {"member": carols.pk, "role": "organizer"}
        ).status_code
        == 404
    )
    assert Membership.objects.get(pk=carols.pk).role == Role.MEMBER


@pytest.mark.django_db
def test_an_organizer_removes_a_member_but_not_the_owner(alice, bob, carol):
    group = make_group(alice)
    add_member(group, bob, Role.ORGANIZER)
    carols = add_member(group, carol)
    bob_client = client_for(bob)
    url = f"/groups/{group.pk}/members/remove/"
    owner = Membership.objects.get(user=alice)
    bob_client.post(url, {"member": owner.pk})
    assert Membership.objects.filter(pk=owner.pk).exists()
    assert bob_client.post(url, {"member": carols.pk}).status_code == 302
    assert not Membership.objects.filter(pk=carols.pk).exists()
    # Twice is harmless: the member is simply gone.
    assert bob_client.post(url, {"member": carols.pk}).status_code == 404


@pytest.mark.django_db
def test_a_member_of_another_group_cannot_be_named(alice, bob, carol):
    mine = make_group(alice)
    theirs = make_group(bob)
    carols = add_member(theirs, carol)
    response = client_for(alice).post(f"/groups/{mine.pk}/members/remove/", {"member": carols.pk})
    assert response.status_code == 404
    assert Membership.objects.filter(pk=carols.pk).exists()


@pytest.mark.django_db
def test_the_owner_hands_the_group_to_an_organizer(alice, bob, alice_client):
    group = make_group(alice)
    bobs = add_member(group, bob)
    url = f"/groups/{group.pk}/transfer/"
    alice_client.post(url, {"member": bobs.pk})
    assert Membership.objects.get(pk=bobs.pk).role == Role.MEMBER  # organizers only
    alice_client.post(f"/groups/{group.pk}/members/role/", {"member": bobs.pk, "role": "organizer"})
    assert alice_client.post(url, {"member": bobs.pk}).status_code == 302
    roles = dict(Membership.objects.values_list("user__email", "role"))
    assert roles == {"alice@example.com": Role.ORGANIZER, "bob@example.com": Role.OWNER}
    # The former owner can no longer hand it over again.
    assert alice_client.post(url, {"member": bobs.pk}).status_code == 404


@pytest.mark.django_db
def test_a_member_leaves_and_disappears_from_every_view(alice, bob):
    group = make_group(alice)
    add_member(group, bob, name="Bobby")
    bob_client = client_for(bob)
    assert bob_client.post(f"/groups/{group.pk}/leave/").status_code == 302
    assert not Membership.objects.filter(user=bob).exists()
    alice_client = client_for(alice)
    assert "Bobby" not in alice_client.get(f"/groups/{group.pk}/").content.decode()
    assert "Bobby" not in alice_client.get(f"/groups/{group.pk}/progress.csv").content.decode()
    assert bob_client.get(f"/groups/{group.pk}/").status_code == 404


@pytest.mark.django_db
def test_the_owner_cannot_leave_a_group_with_members(alice, bob, alice_client):
    group = make_group(alice)
    add_member(group, bob)
    alice_client.post(f"/groups/{group.pk}/leave/")
    assert Membership.objects.filter(user=alice, role=Role.OWNER).exists()


@pytest.mark.django_db
def test_the_owner_deletes_the_group_an_organizer_cannot(alice, bob, alice_client):
    group = make_group(alice)
    add_member(group, bob, Role.ORGANIZER)
    assert client_for(bob).post(f"/groups/{group.pk}/delete/").status_code == 404
    assert "cannot be undone" in alice_client.get(f"/groups/{group.pk}/delete/").content.decode()
    assert alice_client.post(f"/groups/{group.pk}/delete/").status_code == 302
    assert not Group.objects.exists() and not Membership.objects.exists()


@pytest.mark.django_db
def test_deleting_the_owners_account_hands_the_group_on(alice, bob, carol):
    group = make_group(alice)
    add_member(group, bob)
    add_member(group, carol, Role.ORGANIZER)
    alice.delete()
    assert Membership.objects.get(group=group, role=Role.OWNER).user == carol
    lonely = make_group(bob, name="Alone")
    Membership.objects.filter(group=group).delete()
    bob.delete()
    assert not Group.objects.filter(pk=lonely.pk).exists()


@pytest.mark.django_db
def test_deleting_an_account_removes_its_memberships(alice, bob):
    group = make_group(alice)
    add_member(group, bob)
    bob.delete()
    assert list(group.memberships.values_list("user", flat=True)) == [alice.pk]


@pytest.mark.django_db
def test_member_settings_change_the_name_and_emails(alice, bob):
    group = make_group(alice)
    bobs = add_member(group, bob)
    client_for(bob).post(f"/groups/{group.pk}/me/", {"display_name": "B.", "receives_emails": ""})
    bobs.refresh_from_db()
    assert (bobs.display_name, bobs.receives_emails, bobs.shares_progress) == ("B.", False, False)


@pytest.mark.django_db
def test_the_shared_list_needs_the_organizer_and_the_member(alice, bob, carol):
    group = make_group(alice)
    add_member(group, bob, name="Bobby")
    add_member(group, carol, name="Carla")
    carol_client = client_for(carol)
    url = f"/groups/{group.pk}/"
    client_for(bob).post(
        f"{url}me/", {"display_name": "Bobby", "shares_progress": "on", "receives_emails": "on"}
    )
    assert "Bobby" not in carol_client.get(url).content.decode()
    client_for(alice).post(f"{url}settings/", {"name": group.name, "shares_member_list": "on"})
    page = carol_client.get(url).content.decode()
    assert "Bobby: 0%" in page and "Carla:" not in page


@pytest.mark.django_db
def test_the_export_lists_the_learners_groups(alice, bob):
    group = make_group(alice, name="Export club")
    add_member(group, bob, name="Bobby")
    import json

    response = client_for(bob).get("/accounts/data/export.json")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    data = json.loads(body)
    assert data["groups"] == [
        {
            "name": "Export club",
            "roadmap": group.roadmap.slug,
            "display_name": "Bobby",
            "role": "member",
            "joined_at": data["groups"][0]["joined_at"],
            "shares_progress": False,
            "receives_emails": True,
        }
    ]


@pytest.mark.django_db
def test_wrong_methods_and_anonymous_join_posts(alice):
    group = make_group(alice)
    invitation = Invitation.objects.create(group=group)
    response = Client().post(f"/groups/join/{invitation.token}/", {"display_name": "x"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client_for(alice).put(f"/groups/{group.pk}/").status_code == 405


@pytest.mark.django_db
def test_the_account_deletion_page_names_the_groups_it_leaves(alice, bob):
    group = make_group(alice)
    add_member(group, bob)
    page = client_for(bob).get("/accounts/delete/").content.decode()
    assert "your place in 1 study group" in page
