"""An import takes only what the site itself could have made (issue 18, item 3).

Resources a learner cannot see here are missing, like unknown ones; dates outside 2000 to a day
from now are refused, naming the entry; and dates stored before these checks never break the
dashboard or the history.
"""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils.dateparse import parse_datetime

from history.imports import InvalidExportFile, parse_export
from history.models import Event, PendingImport
from roadmap import learning
from roadmap.models import Note, Progress
from tests.conftest import client_for, make_resource, make_roadmap, make_section

pytestmark = pytest.mark.django_db

SECRET = "SECRET unreleased course title"
NOW = datetime(2027, 1, 31, 23, 58, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def ref(resource, slug: str | None = None) -> dict:
    return {"roadmap": slug or resource.roadmap.slug, "url": resource.url, "title": "as filed"}


def everything_about(*refs) -> dict:
    return {
        "schema": 1,
        "progress": [{"resource": r, "status": "done", "bookmark": "p. 3"} for r in refs],
        "notes": [{"resource": r, "body": "my note"} for r in refs],
        "events": [
            {
                "resource": r,
                "kind": "status",
                "status": "done",
                "created_at": "2025-05-06T07:08:09Z",
            }
            for r in refs
        ],
    }


def upload(client, data: dict | bytes):
    content = data if isinstance(data, bytes) else json.dumps(data).encode()
    return client.post("/accounts/data/", {"file": SimpleUploadedFile("export.json", content)})


@pytest.fixture
def hidden():
    """Published resources that a learner cannot see here, each for its own reason."""
    shown = make_section(make_roadmap(slug="open"))
    draft_section = make_section(shown.roadmap, is_published=False)
    part = make_section(shown.roadmap, is_published=False)
    draft_roadmap = make_section(make_roadmap(slug="draft", is_published=False))
    return {
        "unpublished roadmap": make_resource(draft_roadmap, title=SECRET, url="https://e.com/s1"),
        "unpublished resource": make_resource(
            shown, title=f"{SECRET} 2", url="https://e.com/s2", is_published=False
        ),
        "unpublished section": make_resource(
            draft_section, title=f"{SECRET} 3", url="https://e.com/s3"
        ),
        "unpublished part": make_resource(
            make_section(shown.roadmap, parent=part), title=f"{SECRET} 4", url="https://e.com/s4"
        ),
    }


@pytest.mark.parametrize(
    "reason",
    ["unpublished roadmap", "unpublished resource", "unpublished section", "unpublished part"],
)
@pytest.mark.parametrize("named_as", ["its roadmap", "another roadmap"])
def test_resources_a_learner_cannot_see_are_missing_and_never_shown(
    alice, alice_client, hidden, reason, named_as
):
    visible = make_resource(make_section(make_roadmap()), title="Visible")
    secret = hidden[reason]
    slug = secret.roadmap.slug if named_as == "its roadmap" else "their-name-for-it"
    response = upload(alice_client, everything_about(ref(visible), ref(secret, slug)))
    preview = alice_client.get(response["Location"]).content.decode()
    assert "Resources that are not on this instance (1)" in preview
    assert "1 status or bookmark added" in preview and "1 note added" in preview

    alice_client.post(response["Location"], {"confirm": "import"})

    assert list(Progress.objects.for_user(alice).values_list("resource", flat=True)) == [visible.pk]
    assert list(Note.objects.for_user(alice).values_list("resource", flat=True)) == [visible.pk]
    assert list(Event.objects.for_user(alice).values_list("resource", flat=True)) == [visible.pk]
    for url in ("/me/", "/me/history/", "/accounts/data/export.md"):
        page = alice_client.get(url).content.decode()
        assert "Visible" in page and SECRET not in page, url


def test_a_url_on_a_hidden_and_a_published_roadmap_is_the_published_resource(
    alice, alice_client, hidden
):
    secret = hidden["unpublished roadmap"]
    visible = make_resource(make_section(make_roadmap()), title="Visible", url=secret.url)
    response = upload(alice_client, everything_about(ref(secret, "elsewhere")))
    alice_client.post(response["Location"], {"confirm": "import"})
    assert Progress.objects.get(user=alice).resource == visible


@pytest.mark.parametrize(
    "moment",
    [
        "9999-12-31T23:59:59+00:00",
        "0001-01-01T00:00:00+00:00",
        "0001-01-01T00:00:00+05:00",
        "1999-12-31T23:59:59+00:00",
    ],
)
def test_an_upload_with_a_date_out_of_range_is_refused_naming_the_entry(
    alice, alice_client, moment
):
    resource = make_resource()
    data = everything_about(ref(resource), ref(resource))
    data["events"][1]["created_at"] = moment
    response = upload(alice_client, data)
    assert response.status_code == 422
    html = response.content.decode().replace("&#x27;", "'")
    assert f"Event 2: created_at is '{moment}', outside the dates an export can hold" in html
    assert "Nothing was imported." in html
    assert not PendingImport.objects.exists()


@pytest.mark.parametrize("field", ["created_at", "updated_at"])
def test_note_dates_out_of_range_are_refused_too(field):
    resource = make_resource()
    data = everything_about(ref(resource))
    data["notes"][0][field] = "9999-12-31T23:59:59+00:00"
    label = field.removesuffix("_at")
    with pytest.raises(InvalidExportFile, match=f"^Note 1: {label} is '9999-12-31T23:59:59"):
        parse_export(json.dumps(data).encode(), now=NOW)


def file_with_event_at(moment: str) -> bytes:
    data = everything_about({"roadmap": "r", "url": "https://e.com/x", "title": ""})
    data["events"][0]["created_at"] = moment
    return json.dumps(data).encode()


@pytest.mark.parametrize(
    "moment",
    [
        "2000-01-01T00:00:00+00:00",
        "2000-01-01T05:00:00+05:00",
        "2027-02-01T23:58:00+00:00",  # a day after NOW
        "2027-02-01T15:58:00-08:00",
    ],
)
def test_dates_from_2000_to_a_day_from_now_are_taken(moment):
    [event] = parse_export(file_with_event_at(moment), now=NOW)["events"]
    assert parse_datetime(event["created_at"]) == parse_datetime(moment)


@pytest.mark.parametrize(
    "moment",
    [
        "1999-12-31T23:59:59.999999+00:00",
        "2000-01-01T00:00:00+01:00",  # 31 December 1999 in UTC
        "2027-02-01T23:58:00.000001+00:00",
        "2027-02-02T00:00:00+00:00",
    ],
)
def test_dates_before_2000_or_over_a_day_ahead_are_refused(moment):
    with pytest.raises(InvalidExportFile, match=r"^Event 1: created_at is .* outside the dates"):
        parse_export(file_with_event_at(moment), now=NOW)


def test_the_day_of_slack_moves_with_the_clock():
    moment = (NOW + timedelta(days=2)).isoformat()
    with pytest.raises(InvalidExportFile):
        parse_export(file_with_event_at(moment), now=NOW)
    assert parse_export(file_with_event_at(moment), now=NOW + timedelta(days=1))["events"]


WILD = ["9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00+00:00", "0001-01-01T00:00:00+05:00"]


def store_date(event: Event, moment: str, how: str) -> None:
    """Write a date as an import before these checks left it: through the ORM, or raw."""
    if how == "orm":
        Event.objects.filter(pk=event.pk).update(created_at=parse_datetime(moment))
    else:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE history_event SET created_at = %s WHERE id = %s", [moment, event.pk]
            )


@pytest.mark.parametrize(
    ("moment", "how"),
    [(WILD[0], "orm"), (WILD[1], "orm"), (WILD[0], "sql"), (WILD[1], "sql"), (WILD[2], "sql")],
)
@pytest.mark.parametrize("zone", ["UTC", "America/Los_Angeles", "Pacific/Kiritimati"])
def test_dates_stored_before_the_checks_never_break_the_dashboard_or_history(
    alice, alice_client, moment, how, zone
):
    alice.time_zone = zone
    alice.save(update_fields=["time_zone"])
    section = make_section()
    learning.set_status(alice, make_resource(section, title="Recent"), Progress.Status.DONE)
    learning.set_status(alice, make_resource(section, title="Wild"), Progress.Status.DONE)
    store_date(Event.objects.get(resource__title="Wild"), moment, how)

    for url in ("/me/", "/me/history/"):
        response = alice_client.get(url)
        assert response.status_code == 200, url
        assert "Recent" in response.content.decode()
    assert alice_client.get("/accounts/data/export.json").status_code == 200


def test_the_success_message_counts_in_words(alice, alice_client, bob):
    section = make_section()
    resources = [make_resource(section) for _ in range(5)]
    for resource in resources:
        learning.set_status(bob, resource, Progress.Status.DONE)
    learning.save_note(bob, resources[0], "one note")
    bob_client = client_for(bob)
    data = json.loads(b"".join(bob_client.get("/accounts/data/export.json").streaming_content))

    response = upload(alice_client, data)
    page = alice_client.post(response["Location"], {"confirm": "import"}, follow=True)
    assert "Imported 5 statuses or bookmarks, 1 note and 6 history events." in page.content.decode()

    data["notes"][0]["body"] = "an edit"
    data["settings"] = {"time_zone": "Europe/Paris"}
    del data["events"]
    response = upload(alice_client, data)
    page = alice_client.post(response["Location"], {"confirm": "import"}, follow=True)
    assert "Imported 1 note and your settings." in page.content.decode()

    data = everything_about(ref(make_resource(section)))
    del data["notes"]
    response = upload(alice_client, data)
    page = alice_client.post(response["Location"], {"confirm": "import"}, follow=True)
    assert "Imported 1 status or bookmark and 1 history event." in page.content.decode()
