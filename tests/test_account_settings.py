"""The learner's settings (/accounts/settings/) and the time zone taken from the browser at
sign-up."""

import pytest
from django.test import Client

from accounts.models import User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_a_learner_sets_their_time_zone_and_skipped_counting(alice, alice_client):
    page = alice_client.get("/accounts/settings/").content.decode()
    assert '<option value="Europe/Paris">Europe/Paris</option>' in page
    assert '<option value="UTC" selected>UTC</option>' in page
    response = alice_client.post(
        "/accounts/settings/", {"time_zone": "America/New_York", "count_skipped_as_done": "on"}
    )
    assert response.status_code == 302 and response["Location"] == "/accounts/settings/"
    alice.refresh_from_db()
    assert (alice.time_zone, alice.count_skipped_as_done) == ("America/New_York", True)


@pytest.mark.parametrize("zone", ["Mars/Olympus", "", "../../etc/passwd", "UTC\x00", "x" * 500])
def test_an_unknown_time_zone_is_refused(alice, alice_client, zone):
    response = alice_client.post("/accounts/settings/", {"time_zone": zone})
    assert response.status_code == 422
    assert "Select a valid choice" in response.content.decode() or "required" in (
        response.content.decode()
    )
    alice.refresh_from_db()
    assert alice.time_zone == "UTC"


def test_settings_need_a_learner(anon):
    assert (
        anon.get("/accounts/settings/")["Location"] == "/accounts/login/?next=/accounts/settings/"
    )


def sign_up(zone: str | None) -> User:
    data = {"email": "new@example.com", "password1": PASSWORD, "password2": PASSWORD}
    if zone is not None:
        data["time_zone"] = zone
    assert Client().post("/accounts/signup/", data).status_code == 302
    return User.objects.get(email="new@example.com")


def test_sign_up_takes_the_browsers_time_zone():
    assert sign_up("Asia/Tokyo").time_zone == "Asia/Tokyo"


@pytest.mark.parametrize("zone", [None, "", "Nowhere/Special", "<b>"])
def test_sign_up_without_a_known_time_zone_keeps_utc(zone):
    assert sign_up(zone).time_zone == "UTC"


def test_the_sign_up_form_has_the_field_the_script_fills():
    html = Client().get("/accounts/signup/").content.decode()
    assert 'name="time_zone"' in html and "data-browser-time-zone" in html
    assert 'src="/static/js/time-zone.js"' in html


def test_the_settings_page_has_a_progress_section_with_the_skipped_option(alice_client):
    html = alice_client.get("/accounts/settings/").content.decode()
    assert '<fieldset id="progress" class="settings-group">\n    <legend>Progress</legend>' in html
    assert '<label for="id_count_skipped_as_done">Count skipped resources as done</label>' in html
    assert 'aria-describedby="id_count_skipped_as_done_helptext"' in html
    assert "Skipped resources are always listed apart." in html


def test_the_settings_come_back_to_the_roadmap_the_learner_came_from(alice, alice_client):
    html = alice_client.get("/accounts/settings/?next=/roadmaps/maths/").content.decode()
    assert '<a href="/roadmaps/maths/">Back to the roadmap</a>' in html
    assert '<input type="hidden" name="next" value="/roadmaps/maths/">' in html
    response = alice_client.post(
        "/accounts/settings/",
        {"time_zone": "UTC", "count_skipped_as_done": "on", "next": "/roadmaps/maths/"},
    )
    assert response["Location"] == "/accounts/settings/?next=%2Froadmaps%2Fmaths%2F"
    page = alice_client.get(response["Location"]).content.decode()
    assert "Your settings were saved." in page and 'href="/roadmaps/maths/"' in page


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "javascript:alert(1)", "roadmaps/"]
)
def test_a_foreign_next_is_ignored(alice_client, target):
    html = alice_client.get("/accounts/settings/", {"next": target}).content.decode()
    assert "Back to the roadmap" not in html and f'name="next" value="{target}' not in html
    response = alice_client.post("/accounts/settings/", {"time_zone": "UTC", "next": target})
    assert response["Location"] == "/accounts/settings/"


def test_a_learner_changes_only_their_own_settings(alice, bob, bob_client):
    bob_client.post(
        "/accounts/settings/", {"time_zone": "Asia/Tokyo", "count_skipped_as_done": "on"}
    )
    alice.refresh_from_db()
    bob.refresh_from_db()
    assert (alice.time_zone, alice.count_skipped_as_done) == ("UTC", False)
    assert (bob.time_zone, bob.count_skipped_as_done) == ("Asia/Tokyo", True)


def test_the_old_progress_settings_address_moved_here_for_good(alice_client, anon):
    response = alice_client.get("/settings/")
    assert response.status_code == 301 and response["Location"] == "/accounts/settings/#progress"
    response = anon.get("/settings/?next=/roadmaps/maths/")
    assert response.status_code == 301
    assert response["Location"] == "/accounts/settings/?next=/roadmaps/maths/#progress"
    assert alice_client.head("/settings/").status_code == 301


def test_a_form_posted_to_the_old_address_is_refused_and_changes_nothing(alice, alice_client):
    response = alice_client.post("/settings/", {"count_skipped_as_done": "on"})
    assert response.status_code == 405
    alice.refresh_from_db()
    assert alice.count_skipped_as_done is False
