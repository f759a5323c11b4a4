"""The learner's settings (/me/settings/) and the time zone taken from the browser at sign-up."""

import pytest
from django.test import Client

from accounts.models import User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_a_learner_sets_their_time_zone_and_skipped_counting(alice, alice_client):
    page = alice_client.get("/me/settings/").content.decode()
    assert '<option value="Europe/Paris">Europe/Paris</option>' in page
    assert '<option value="UTC" selected>UTC</option>' in page
    response = alice_client.post(
        "/me/settings/", {"time_zone": "America/New_York", "count_skipped_as_done": "on"}
    )
    assert response.status_code == 302 and response["Location"] == "/me/settings/"
    alice.refresh_from_db()
    assert (alice.time_zone, alice.count_skipped_as_done) == ("America/New_York", True)


@pytest.mark.parametrize("zone", ["Mars/Olympus", "", "../../etc/passwd", "UTC\x00", "x" * 500])
def test_an_unknown_time_zone_is_refused(alice, alice_client, zone):
    response = alice_client.post("/me/settings/", {"time_zone": zone})
    assert response.status_code == 422
    assert "Select a valid choice" in response.content.decode() or "required" in (
        response.content.decode()
    )
    alice.refresh_from_db()
    assert alice.time_zone == "UTC"


def test_settings_need_a_learner(anon):
    assert anon.get("/me/settings/")["Location"] == "/accounts/login/?next=/me/settings/"


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
