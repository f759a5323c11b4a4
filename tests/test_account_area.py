"""One account area: every page about the account under /accounts/, with one navigation.

Profile and public page, settings, email, password, two-factor, sessions, export and import and
deletion share the navigation of templates/accounts/_nav.html; My progress keeps to progress;
the pages' old addresses under /me/ send readers on and still take the forms posted to them.
"""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.models import User
from history.models import PendingImport, PublicNote, PublicProfile
from roadmap import learning
from tests.conftest import PASSWORD, make_resource

pytestmark = pytest.mark.django_db

NAV_ITEMS = [
    ("/accounts/profile/", "Profile and public page"),
    ("/accounts/settings/", "Settings"),
    ("/accounts/email/", "Email addresses"),
    ("/accounts/password/change/", "Password"),
    ("/accounts/2fa/", "Two-factor"),
    ("/accounts/sessions/", "Sessions"),
    ("/accounts/data/", "Export and import"),
    ("/accounts/delete/", "Delete account"),
]
EMPTY_EXPORT = {"schema": 1, "settings": {}, "progress": [], "notes": [], "events": []}


def account_nav(html: str) -> str:
    [nav] = re.findall(
        r'<nav class="subnav account-nav" aria-label="Profile and settings">.*?</nav>', html, re.S
    )
    return nav


def nav_links(html: str) -> list[tuple[str, str, str]]:
    """(address, label, aria-current) of each link in the account navigation, in order."""
    links = re.findall(
        r'<a href="([^"]+)"(?: aria-current="([a-z]+)")?>([^<]+)</a>', account_nav(html)
    )
    return [(href, label, current) for href, current, label in links]


@pytest.mark.parametrize(("url", "label"), NAV_ITEMS)
def test_every_account_page_shows_the_whole_area_and_marks_itself(alice_client, url, label):
    response = alice_client.get(url)
    assert response.status_code == 200
    links = nav_links(response.text)
    assert [(href, name) for href, name, _ in links] == NAV_ITEMS
    assert [name for _, name, current in links if current] == [label]
    assert (url, label, "page") in links
    assert 'class="wrap account-page"' in response.text  # one layout for the whole area


def test_a_page_below_an_item_marks_that_item(alice, alice_client):
    pending = PendingImport.objects.create(user=alice, data=EMPTY_EXPORT)
    html = alice_client.get(f"/accounts/data/import/{pending.pk}/").text
    assert [(name, current) for _, name, current in nav_links(html) if current] == [
        ("Export and import", "true")
    ]


def test_connected_accounts_join_the_area_when_a_provider_is_set_up(alice_client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {"github": {"APPS": [{"client_id": "x", "secret": "y"}]}}
    labels = [name for _, name, _ in nav_links(alice_client.get("/accounts/email/").text)]
    assert labels.index("Connected accounts") == labels.index("Sessions") + 1


def test_the_header_leads_to_the_account_area_and_my_progress_keeps_to_progress(alice_client):
    html = alice_client.get("/me/").text
    header = html.split('<nav aria-label="Account">', 1)[1].split("</nav>", 1)[0]
    assert '<a href="/accounts/profile/">Account</a>' in header
    progress_nav = html.split('aria-label="My progress"', 1)[1].split("</nav>", 1)[0]
    assert re.findall(r">([^<>]+)</a>", progress_nav) == ["My progress", "History"]
    assert "Profile and settings" not in html


def test_the_area_opens_on_the_profile(alice_client, anon):
    assert alice_client.get("/accounts/")["Location"] == "/accounts/profile/"
    assert alice_client.post("/accounts/").status_code == 405
    assert anon.get("/accounts/profile/")["Location"].startswith("/accounts/login/")


def test_the_profile_shows_who_is_signed_in_and_the_public_page(alice, alice_client):
    resource = make_resource()
    PublicNote.objects.create(note=learning.save_note(alice, resource, "shared"))
    PublicProfile.objects.create(user=alice, handle="ada", is_enabled=True)
    html = alice_client.get("/accounts/profile/").text
    assert "<h1>Profile and public page</h1>" in html
    assert "alice@example.com" in html
    assert "with 1 public note.</p>" in html
    PublicNote.objects.create(note=learning.save_note(alice, make_resource(), "also shared"))
    assert "with 2 public notes.</p>" in alice_client.get("/accounts/profile/").text


# The old addresses.

MOVED = [
    ("/me/settings/", "/accounts/settings/"),
    ("/me/public/", "/accounts/profile/"),
    ("/me/import/", "/accounts/data/"),
    ("/me/export.json", "/accounts/data/export.json"),
    ("/me/export.md", "/accounts/data/export.md"),
    ("/me/delete/", "/accounts/delete/"),
]


@pytest.mark.parametrize(("old", "new"), MOVED)
def test_old_addresses_redirect_for_good_with_their_query(alice_client, anon, old, new):
    response = alice_client.get(old, {"next": "/roadmaps/maths/"})
    assert response.status_code == 301
    assert response["Location"] == f"{new}?next=%2Froadmaps%2Fmaths%2F"
    assert alice_client.head(old)["Location"] == new
    # Visitors are sent on too; the new address asks them to sign in.
    assert anon.get(old)["Location"] == new


def test_an_old_import_preview_address_redirects_to_its_new_one(alice, alice_client):
    pending = PendingImport.objects.create(user=alice, data=EMPTY_EXPORT)
    response = alice_client.get(f"/me/import/{pending.pk}/")
    assert response.status_code == 301
    assert response["Location"] == f"/accounts/data/import/{pending.pk}/"


def test_settings_posted_to_the_old_address_are_saved(alice, alice_client):
    response = alice_client.post("/me/settings/", {"time_zone": "Asia/Tokyo"})
    assert response.status_code == 302 and response["Location"] == "/accounts/settings/"
    alice.refresh_from_db()
    assert alice.time_zone == "Asia/Tokyo"


def test_a_public_page_posted_to_the_old_address_is_saved(alice_client):
    response = alice_client.post("/me/public/", {"handle": "ada", "is_enabled": "on"})
    assert response["Location"] == "/accounts/profile/"
    assert PublicProfile.objects.get().handle == "ada"


def test_an_export_uploaded_to_the_old_address_is_previewed_and_imported(alice, alice_client):
    upload = SimpleUploadedFile("export.json", b'{"schema": 1}')
    response = alice_client.post("/me/import/", {"file": upload})
    pending = PendingImport.objects.get(user=alice)
    assert response["Location"] == f"/accounts/data/import/{pending.pk}/"
    confirmed = alice_client.post(f"/me/import/{pending.pk}/", {"confirm": "import"})
    assert confirmed.status_code == 302
    assert not PendingImport.objects.exists()


def test_an_old_import_preview_address_keeps_other_learners_out(alice, bob_client):
    pending = PendingImport.objects.create(user=alice, data=EMPTY_EXPORT)
    assert bob_client.post(f"/me/import/{pending.pk}/", {"confirm": "import"}).status_code == 404
    assert bob_client.get(f"/me/import/{pending.pk}/", follow=True).status_code == 404
    assert PendingImport.objects.filter(pk=pending.pk).exists()


def test_a_deletion_posted_to_the_old_address_still_asks_for_the_password(alice):
    EmailAddress.objects.create(user=alice, email=alice.email, verified=True, primary=True)
    browser = Client()
    browser.post("/accounts/login/", {"login": alice.email, "password": PASSWORD})
    response = browser.post("/me/delete/")
    assert response["Location"] == "/accounts/reauthenticate/?next=%2Fme%2Fdelete%2F"
    done = browser.post(response["Location"], {"password": PASSWORD}, follow=True)
    assert done.redirect_chain[-1][0] == "/"
    assert not User.objects.filter(pk=alice.pk).exists()


def test_old_addresses_refuse_anonymous_posts(anon):
    for old, _ in MOVED:
        response = anon.post(old, {"time_zone": "UTC"})
        assert response.status_code == 405 or response["Location"].startswith("/accounts/login/")
    assert not User.objects.exists()


# Counts in the area read as English: one thing, two things.


def test_the_deletion_page_counts_in_the_singular_and_the_plural(alice, alice_client):
    first, second = make_resource(), make_resource()
    learning.save_note(alice, first, "one")
    html = alice_client.get("/accounts/delete/").text
    assert "0 resource statuses</li>" in html and "0 bookmarks</li>" in html
    assert "1 note</li>" in html
    learning.save_note(alice, second, "two")
    assert "2 notes</li>" in alice_client.get("/accounts/delete/").text


@pytest.mark.parametrize(
    ("devices", "said"),
    [
        (0, "were deleted. Thank you"),
        (1, "were deleted and signed out on 1 other device. Thank you"),
        (2, "were deleted and signed out on 2 other devices. Thank you"),
    ],
)
def test_the_goodbye_counts_the_other_devices_signed_out(alice, devices, said):
    for _ in range(devices):
        Client().force_login(alice)
    browser = Client()
    browser.post("/accounts/login/", {"login": alice.email, "password": PASSWORD})
    browser.post("/accounts/reauthenticate/", {"password": PASSWORD})
    done = browser.post("/accounts/delete/", follow=True)
    assert f"Your account and everything in it {said}" in done.text
    assert not User.objects.filter(pk=alice.pk).exists()
