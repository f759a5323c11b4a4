"""The opt-in public page at /u/<handle>/, its settings and the per-note public switch."""

import pytest

from history.models import PublicNote, PublicProfile
from roadmap import learning
from roadmap.models import Note, Progress
from tests.conftest import client_for, make_resource, make_roadmap, make_section, make_user

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://testserver/notes/"}


@pytest.fixture
def resources():
    section = make_section(title="Basics")
    return [make_resource(section, title=f"Topic {n}") for n in range(4)]


@pytest.fixture
def published(alice, resources):
    learning.set_status(alice, resources[0], Progress.Status.DONE)
    learning.save_note(alice, resources[0], "shared-thought")
    learning.save_note(alice, resources[1], "private-thought")
    return PublicProfile.objects.create(user=alice, handle="ada", is_enabled=True)


def publish(client, **fields):
    data = {"handle": "ada", "is_enabled": "on"} | fields
    return client.post("/accounts/profile/", {k: v for k, v in data.items() if v is not None})


def test_the_page_is_off_by_default(alice_client, anon):
    html = alice_client.get("/accounts/profile/").content.decode()
    assert "Off unless you switch it on" in html
    assert PublicProfile.objects.count() == 0
    assert anon.get("/u/ada/").status_code == 404


def test_a_learner_publishes_a_page_showing_progress_and_no_email(alice, alice_client, anon):
    section = make_section(title="Maths")
    done, _ = make_resource(section), make_resource(section)
    learning.set_status(alice, done, Progress.Status.DONE)
    response = publish(alice_client, handle="Ada-Lovelace")
    assert response.status_code == 302
    assert PublicProfile.objects.get().handle == "ada-lovelace"

    page = anon.get("/u/ada-lovelace/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "ada-lovelace's progress" in html
    assert 'aria-label="1 of 2 done in Maths"' in html
    assert "alice@example.com" not in html and "alice" not in html.replace("ada-lovelace", "")
    assert anon.get("/u/ADA-LOVELACE/").status_code == 200


def test_the_page_is_noindex_unless_the_learner_allows_indexing(alice_client, anon):
    publish(alice_client)
    page = anon.get("/u/ada/")
    assert page["X-Robots-Tag"] == "noindex"
    assert '<meta name="robots" content="noindex">' in page.content.decode()
    publish(alice_client, allow_indexing="on")
    page = anon.get("/u/ada/")
    assert "X-Robots-Tag" not in page
    assert 'name="robots"' not in page.content.decode()


def test_only_notes_marked_public_one_by_one_show(published, alice_client, anon, resources):
    assert "shared-thought" not in anon.get("/u/ada/").content.decode()
    response = alice_client.post(
        f"/me/notes/{resources[0].pk}/public/", {"public": "on", "next": "/notes/"}
    )
    assert response.status_code == 302 and response["Location"] == "/notes/"
    html = anon.get("/u/ada/").content.decode()
    assert "shared-thought" in html and "private-thought" not in html

    alice_client.post(f"/me/notes/{resources[0].pk}/public/", {})
    assert "shared-thought" not in anon.get("/u/ada/").content.decode()


def test_the_note_switch_answers_htmx_with_its_own_region(published, alice_client, resources):
    response = alice_client.post(f"/me/notes/{resources[0].pk}/public/", {"public": "on"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert f'id="note-visibility-{resources[0].pk}"' in html
    assert "Make private" in html
    assert PublicNote.objects.filter(note__resource=resources[0]).exists()


def test_my_notes_and_the_note_page_show_the_switch(published, alice_client, resources):
    PublicNote.objects.create(note=Note.objects.get(resource=resources[0]))
    my_notes = alice_client.get("/notes/").content.decode()
    assert my_notes.count('class="note-visibility"') == 2
    assert 'Make private<span class="visually-hidden"> (note on Topic 0)' in my_notes
    assert 'Show on my public page<span class="visually-hidden"> (note on Topic 1)' in my_notes
    note_page = alice_client.get(f"/resources/{resources[1].pk}/note/").content.decode()
    assert "Show on my public page" in note_page


def test_my_notes_reads_public_marks_in_one_query(alice, alice_client, resources):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            alice_client.get("/notes/")
        return len(captured)

    learning.save_note(alice, resources[0], "one")
    few = queries()
    for resource in resources[1:]:
        learning.save_note(alice, resource, "more")
    assert queries() == few


def test_a_deleted_and_rewritten_note_starts_private_again(published, alice, resources, anon):
    PublicNote.objects.create(note=Note.objects.get(resource=resources[0]))
    learning.save_note(alice, resources[0], "")
    learning.save_note(alice, resources[0], "second-thought")
    assert "second-thought" not in anon.get("/u/ada/").content.decode()


def test_switching_off_makes_the_page_404(published, alice_client, anon):
    assert anon.get("/u/ada/").status_code == 200
    publish(alice_client, is_enabled=None)
    assert anon.get("/u/ada/").status_code == 404


def test_a_deleted_account_has_no_page(published, alice, anon):
    alice.delete()
    assert anon.get("/u/ada/").status_code == 404


def test_a_deactivated_account_has_no_page(published, alice, anon):
    alice.is_active = False
    alice.save(update_fields=["is_active"])
    assert anon.get("/u/ada/").status_code == 404


@pytest.mark.parametrize(
    ("handle", "message"),
    [
        ("ab", "Use 3 to 30"),
        ("-ada", "Use 3 to 30"),
        ("ada-", "Use 3 to 30"),
        ("a--b", "Use 3 to 30"),
        ("ada lovelace", "Use 3 to 30"),
        ("ädä", "Use 3 to 30"),
        ("x" * 31, "Use 3 to 30"),
        ("<script>", "Use 3 to 30"),
        ("admin", "This handle is reserved"),
        ("Settings", "This handle is reserved"),
        ("me", "Use 3 to 30"),
        ("taken", "This handle is taken"),
    ],
)
def test_handles_are_validated(alice_client, handle, message):
    PublicProfile.objects.create(user=make_user("other@example.com"), handle="taken")
    response = publish(alice_client, handle=handle)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert PublicProfile.objects.count() == 1


@pytest.mark.parametrize(
    "handle",
    [
        "llm-roadmap",  # the site's name
        "the-llm-roadmap-team",
        "llm-r0admap",
        "moderators",
        "adm1n",
        "admln",
        "ad-min",
        "root-admin",
        "m0ds",
        "5taff",
        "help-team",
        "support2",
        "superadmin",
        "admins-only",
        "official-news",
        "securities",
        "l0gin",
    ],
)
def test_handles_that_pass_for_the_site_or_its_staff_are_reserved(alice_client, handle):
    response = publish(alice_client, handle=handle)
    assert response.status_code == 422
    assert "This handle is reserved" in response.content.decode()
    assert PublicProfile.objects.count() == 0


@pytest.mark.parametrize(
    "handle", ["ada", "ecosystem", "badminton", "steam-punk", "model-maker", "learner-42"]
)
def test_handles_that_only_hold_such_letters_are_accepted(alice_client, handle):
    assert publish(alice_client, handle=handle).status_code == 302
    assert PublicProfile.objects.get().handle == handle


def test_the_sites_name_is_read_from_the_settings(alice_client, settings):
    settings.SITE_NAME = "Acme Academy"
    assert publish(alice_client, handle="acme-academy-fans").status_code == 422
    assert publish(alice_client, handle="llm-roadmap-fans").status_code == 302


def test_every_roadmaps_slug_is_reserved_published_or_not(alice_client):
    make_roadmap(slug="deep-learning", is_published=False)
    for handle in ("deep-learning", "deepiearning", "deep-1earning"):
        response = publish(alice_client, handle=handle)
        assert response.status_code == 422, handle
        assert "This handle is reserved" in response.content.decode()
    assert PublicProfile.objects.count() == 0


def test_a_roadmap_given_a_learners_handle_leaves_that_page_where_it_is(alice_client, anon):
    # The curator's roadmap is not refused, and the two addresses never meet: /roadmaps/<slug>/
    # and /u/<handle>/. The learner keeps the handle they chose first; nobody can choose it anew.
    publish(alice_client, handle="deep-learning")
    roadmap = make_roadmap(slug="deep-learning", title="Deep learning")
    make_resource(make_section(roadmap))

    assert "Deep learning" in anon.get("/roadmaps/deep-learning/").content.decode()
    assert "deep-learning's progress" in anon.get("/u/deep-learning/").content.decode()
    assert publish(alice_client, handle="deep-learning", allow_indexing="on").status_code == 302
    assert PublicProfile.objects.get().allow_indexing
    publish(alice_client, handle="ada")
    assert publish(alice_client, handle="deep-learning").status_code == 422


def test_another_learners_note_cannot_be_made_public(published, bob_client, resources):
    response = bob_client.post(f"/me/notes/{resources[0].pk}/public/", {"public": "on"})
    assert response.status_code == 404
    assert PublicNote.objects.count() == 0


def test_a_foreign_next_is_not_followed(published, alice_client, resources):
    response = alice_client.post(
        f"/me/notes/{resources[0].pk}/public/", {"public": "on", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/notes/"


def test_the_settings_page_needs_a_learner(anon):
    assert anon.get("/accounts/profile/")["Location"].startswith("/accounts/login/")
    assert anon.post("/accounts/profile/", {"handle": "ada"})["Location"].startswith(
        "/accounts/login/"
    )
    assert PublicProfile.objects.count() == 0


def test_two_learners_cannot_share_a_handle(alice_client, bob):
    publish(alice_client)
    response = publish(client_for(bob), handle="ADA")
    assert response.status_code == 422
    assert PublicProfile.objects.get().user.email == "alice@example.com"


def test_staff_can_switch_a_public_page_off_in_the_admin(published, anon):
    admin = make_user("root@example.com", is_staff=True, is_superuser=True)
    response = client_for(admin).post(
        "/admin/history/publicprofile/",
        {"action": "switch_off", "_selected_action": [published.pk]},
    )
    assert response.status_code == 302
    assert anon.get("/u/ada/").status_code == 404
