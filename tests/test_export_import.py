"""Export (/accounts/data/export.json, /accounts/data/export.md) and import (/accounts/data/) of a
learner's data."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from accounts.models import User
from goals.forms import GoalForm
from goals.models import Delivery, Goal
from history.imports import MAX_IMPORT_BYTES
from history.models import Event, PendingImport, PublicNote
from roadmap import learning
from roadmap.models import Note, Progress
from tests.conftest import PASSWORD, client_for, make_resource, make_section

pytestmark = pytest.mark.django_db

Status = Progress.Status
FINISH_BY = timezone.localdate() + timedelta(days=90)


@pytest.fixture
def curriculum():
    section = make_section(title="Basics")
    return {
        "attention": make_resource(section, title="Attention", url="https://e.com/attention"),
        "backprop": make_resource(section, title="Backprop", url="https://e.com/backprop"),
        "lstm": make_resource(section, title="LSTM", url="https://e.com/lstm"),
    }


@pytest.fixture
def alices_work(alice, curriculum):
    learning.set_status(alice, curriculum["attention"], Status.DONE)
    learning.set_status(alice, curriculum["backprop"], Status.IN_PROGRESS)
    learning.set_bookmark(alice, curriculum["backprop"], "video 7, 12:40")
    learning.set_bookmark(alice, curriculum["lstm"], "chapter 2")
    learning.save_note(alice, curriculum["attention"], "# Q, K, V\n\nSoftmax **weights**.")
    alice.time_zone = "Europe/Paris"
    alice.save(update_fields=["time_zone"])
    Goal.objects.create(
        user=alice,
        weekly_goal=4,
        weekly_goal_unit=Goal.Unit.HOURS,
        finish_by=FINISH_BY,
        weekly_summary=True,
        summary_day=Goal.Weekday.SUNDAY,
        inactivity_reminder_days=10,
    )
    return alice


def exported(client: Client) -> dict:
    response = client.get("/accounts/data/export.json")
    assert response.status_code == 200
    return json.loads(b"".join(response.streaming_content))


def snapshot(user) -> dict:
    """What a learner has, by resource URL rather than database ids."""
    return {
        "progress": sorted(
            Progress.objects.for_user(user).values_list("resource__url", "status", "bookmark")
        ),
        "notes": sorted(Note.objects.for_user(user).values_list("resource__url", "body")),
        "events": sorted(
            Event.objects.for_user(user).values_list(
                "resource__url", "kind", "status", "created_at"
            )
        ),
        "time_zone": User.objects.get(pk=user.pk).time_zone,
        "goal": Goal.objects.filter(user=user).values(*GoalForm.Meta.fields).first(),
    }


def upload(client: Client, content: bytes | str, name: str = "export.json"):
    if isinstance(content, str):
        content = content.encode()
    return client.post("/accounts/data/", {"file": SimpleUploadedFile(name, content)})


def import_file(client: Client, content) -> PendingImport:
    response = upload(client, content)
    assert response.status_code == 302, response.content.decode()[:2000]
    pending = PendingImport.objects.latest("pk")
    assert response["Location"] == f"/accounts/data/import/{pending.pk}/"
    return pending


def confirm(client: Client, pending: PendingImport):
    return client.post(f"/accounts/data/import/{pending.pk}/", {"confirm": "import"})


def test_the_json_export_holds_everything_with_resources_by_roadmap_and_url(
    alices_work, alice_client, curriculum
):
    response = alice_client.get("/accounts/data/export.json")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="llm-roadmap-')
    data = json.loads(b"".join(response.streaming_content))
    assert data["schema"] == 1
    assert data["account"]["email"] == "alice@example.com"
    assert data["settings"]["time_zone"] == "Europe/Paris"
    slug = curriculum["attention"].roadmap.slug
    assert {(p["resource"]["url"], p["status"], p["bookmark"]) for p in data["progress"]} == {
        ("https://e.com/attention", "done", ""),
        ("https://e.com/backprop", "in_progress", "video 7, 12:40"),
        ("https://e.com/lstm", "not_started", "chapter 2"),
    }
    assert all(p["resource"]["roadmap"] == slug for p in data["progress"])
    [note] = data["notes"]
    assert note["body"] == "# Q, K, V\n\nSoftmax **weights**."
    assert note["public"] is False
    assert [(e["kind"], e["status"]) for e in data["events"]] == [
        ("status", "done"),
        ("status", "in_progress"),
        ("note", ""),
    ]
    assert "password" not in json.dumps(data)


def test_the_json_export_holds_the_goal_chosen_and_nothing_the_emails_keep(
    alices_work, alice_client, bob
):
    goal = Goal.objects.get(user=alices_work)
    Delivery.objects.create(user=alices_work, kind=Delivery.Kind.WEEKLY_SUMMARY, period="x")
    data = exported(alice_client)
    assert data["settings"]["goal"] == {
        "weekly_goal": 4,
        "weekly_goal_unit": "hours",
        "finish_by": FINISH_BY.isoformat(),
        "weekly_summary": True,
        "summary_day": 6,
        "inactivity_reminder_days": 10,
    }
    text = json.dumps(data)
    assert goal.unsubscribe_nonce not in text and '"period"' not in text
    assert exported(client_for(bob))["settings"]["goal"] is None


def test_a_goal_in_part_changes_only_what_it_holds_and_null_changes_nothing(
    alices_work, alice_client
):
    for settings in ({"goal": None}, {"goal": {}}):
        pending = import_file(alice_client, json.dumps({"schema": 1, "settings": settings}))
        preview = alice_client.get(f"/accounts/data/import/{pending.pk}/").content.decode()
        assert "Nothing to import" in preview
    file = {"schema": 1, "settings": {"goal": {"weekly_goal": 7, "finish_by": None}}}
    confirm(alice_client, import_file(alice_client, json.dumps(file)))
    goal = Goal.objects.get(user=alices_work)
    assert (goal.weekly_goal, goal.finish_by) == (7, None)
    assert (goal.weekly_goal_unit, goal.summary_day, goal.inactivity_reminder_days) == (
        Goal.Unit.HOURS,
        Goal.Weekday.SUNDAY,
        10,
    )


def test_a_finish_date_that_passed_is_taken_only_where_it_is_already_set(
    alices_work, alice_client, bob
):
    passed = timezone.localdate() - timedelta(days=3)
    Goal.objects.filter(user=alices_work).update(finish_by=passed)
    data = json.dumps(exported(alice_client))
    pending = import_file(alice_client, data)  # as the settings page keeps a date it shows
    assert (
        "Nothing to import"
        in alice_client.get(f"/accounts/data/import/{pending.pk}/").content.decode()
    )
    response = upload(client_for(bob), data)
    assert response.status_code == 422
    assert "Finish the roadmap by: Choose a date from today on." in response.content.decode()
    assert not Goal.objects.filter(user=bob).exists()


def test_a_goal_with_nothing_chosen_makes_no_goal(bob):
    bob_client = client_for(bob)
    file = {"schema": 1, "settings": {"goal": {"weekly_goal": None, "weekly_summary": False}}}
    pending = import_file(bob_client, json.dumps(file))
    assert (
        "Nothing to import"
        in bob_client.get(f"/accounts/data/import/{pending.pk}/").content.decode()
    )
    confirm(bob_client, pending)
    assert not Goal.objects.filter(user=bob).exists()


def test_the_export_holds_only_the_learners_own_data(alices_work, bob, curriculum):
    learning.save_note(bob, curriculum["lstm"], "bob-secret")
    data = exported(client_for(bob))
    assert data["account"]["email"] == "bob@example.com"
    assert [n["body"] for n in data["notes"]] == ["bob-secret"]
    assert data["progress"] == [] and len(data["events"]) == 1


def test_the_markdown_export_is_a_study_document_in_roadmap_order(alices_work, alice_client):
    response = alice_client.get("/accounts/data/export.md")
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert "attachment;" in response["Content-Disposition"]
    text = response.content.decode()
    assert text.startswith("# My study notes · LLM Roadmap\n")
    attention = text.index("- [x] [Attention](https://e.com/attention) · done")
    backprop = text.index("- [~] [Backprop](https://e.com/backprop) · in progress")
    lstm = text.index("- [ ] [LSTM](https://e.com/lstm)")
    assert attention < backprop < lstm
    assert "  - Bookmark: video 7, 12:40" in text
    assert "  # Q, K, V\n\n  Softmax **weights**." in text[attention:backprop]
    assert "### Basics" in text
    goal = text.index("## Goal\n\n- Weekly goal: 4\n- Counted in: hours of estimated time\n")
    assert goal < attention
    assert f"- Finish the roadmap by: {FINISH_BY.isoformat()}\n" in text
    assert "- Email me a summary of my week: yes\n- My week starts on: Sunday\n" in text
    assert "- Remind me after this many days without activity: 10\n" in text


def test_exports_need_a_signed_in_learner(anon):
    for url in ("/accounts/data/export.json", "/accounts/data/export.md", "/accounts/data/"):
        assert anon.get(url)["Location"].startswith("/accounts/login/")


def test_importing_previews_then_applies_in_one_go_and_twice_changes_nothing(
    alices_work, alice_client, bob, curriculum
):
    data = exported(alice_client)
    bob_client = client_for(bob)
    learning.set_status(bob, curriculum["attention"], Status.SKIPPED)

    pending = import_file(bob_client, json.dumps(data))
    preview = bob_client.get(f"/accounts/data/import/{pending.pk}/").content.decode()
    assert "Nothing has been saved yet." in preview
    assert "2 statuses or bookmarks added, 1 changed, 0 already the same" in preview
    assert "Attention</span>: Skipped → Done" in preview
    assert "1 note added" in preview
    assert "3 history events added, 0 already there" in preview
    assert "Time zone: UTC → Europe/Paris" in preview
    assert "Weekly goal: — → 4" in preview
    assert "Counted in: resources → hours of estimated time" in preview
    assert "My week starts on: Monday → Sunday" in preview
    assert Note.objects.for_user(bob).count() == 0  # a preview writes nothing
    assert not Goal.objects.filter(user=bob).exists()

    response = confirm(bob_client, pending)
    assert response.status_code == 302 and response["Location"] == "/me/"
    assert not PendingImport.objects.filter(pk=pending.pk).exists()
    mine, theirs = snapshot(alices_work), snapshot(bob)
    assert theirs["progress"] == mine["progress"]
    assert theirs["notes"] == mine["notes"]
    assert set(mine["events"]) <= set(theirs["events"])
    assert theirs["time_zone"] == "Europe/Paris"
    assert theirs["goal"] == mine["goal"]

    again = import_file(bob_client, json.dumps(data))
    preview = bob_client.get(f"/accounts/data/import/{again.pk}/").content.decode()
    assert "Nothing to import" in preview and 'value="import"' not in preview
    before = snapshot(bob)
    confirm(bob_client, again)
    assert snapshot(bob) == before
    assert Event.objects.for_user(bob).count() == len(before["events"])


def test_a_confirm_sent_twice_imports_once(alices_work, alice_client, bob):
    data = json.dumps(exported(alice_client))
    bob_client = client_for(bob)
    pending = import_file(bob_client, data)
    assert confirm(bob_client, pending).status_code == 302
    assert confirm(bob_client, pending).status_code == 404  # already applied and gone
    assert Event.objects.for_user(bob).count() == 3


def test_resources_that_are_not_here_are_listed_not_dropped_silently(
    alices_work, alice_client, bob
):
    data = exported(alice_client)
    data["notes"].append(
        {
            "resource": {"roadmap": "elsewhere", "url": "https://e.com/gone", "title": "Gone"},
            "body": "kept?",
        }
    )
    pending = import_file(client_for(bob), json.dumps(data))
    preview = client_for(bob).get(f"/accounts/data/import/{pending.pk}/").content.decode()
    assert "Resources that are not on this instance (1)" in preview
    assert 'Gone <span class="muted">(elsewhere: https://e.com/gone)</span>' in preview


def test_a_resource_is_found_by_its_url_when_the_roadmap_is_named_differently(
    alices_work, alice_client, bob, curriculum
):
    data = exported(alice_client)
    for row in data["progress"] + data["notes"] + data["events"]:
        row["resource"]["roadmap"] = "their-roadmap"
    bob_client = client_for(bob)
    confirm(bob_client, import_file(bob_client, json.dumps(data)))
    assert snapshot(bob)["progress"] == snapshot(alices_work)["progress"]


def test_the_round_trip_export_delete_sign_up_import_restores_everything(
    alices_work, alice_client, curriculum
):
    LEARNING_EVENT = Event.objects.for_user(alices_work).first()
    LEARNING_EVENT.created_at = datetime(2025, 2, 3, 4, 5, 6, 789, tzinfo=UTC)
    LEARNING_EVENT.save(update_fields=["created_at"])
    before = snapshot(alices_work)
    data = exported(alice_client)

    browser = Client()
    browser.post("/accounts/login/", {"login": "alice@example.com", "password": PASSWORD})
    response = browser.post("/accounts/delete/")
    assert response["Location"].startswith("/accounts/reauthenticate/")
    browser.post(response["Location"], {"password": PASSWORD})
    assert not User.objects.filter(email="alice@example.com").exists()
    assert Event.objects.count() == Note.objects.count() == Progress.objects.count() == 0

    signup = browser.post(
        "/accounts/signup/",
        {"email": "alice@example.com", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert signup.status_code == 302
    newcomer = User.objects.get(email="alice@example.com")
    assert snapshot(newcomer)["progress"] == []
    confirm(browser, import_file(browser, json.dumps(data)))
    assert snapshot(newcomer) == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not json at all", "The file is not JSON"),
        (b"\xff\xfe\x00garbage", "The file is not JSON"),
        (b"[1, 2, 3]", "not an export from LLM Roadmap"),
        (b'{"schema": 2}', "this instance reads schema 1"),
        (b'{"schema": true}', "this instance reads schema 1"),
        (b"[" * 100_000 + b"]" * 100_000, "The file is not JSON"),
        (b'{"schema": 1, "notes": "many"}', "“notes” must be a list."),
        (b'{"schema": 1, "notes": [{"resource": {}, "body": "x"}]}', "Note 1: the roadmap"),
        (
            b'{"schema": 1, "notes": [{"resource": {"roadmap": "r", "url": "u"}, '
            b'"body": "a\\u0000b"}]}',
            "contains a NUL character",
        ),
        (
            b'{"schema": 1, "notes": [{"resource": {"roadmap": "r", "url": "u"}, '
            b'"body": "\\ud800"}]}',
            "not valid Unicode text",
        ),
        (
            b'{"schema": 1, "progress": [{"resource": {"roadmap": "r", "url": "u"}, '
            b'"status": "mastered"}]}',
            "unknown status",
        ),
        (
            b'{"schema": 1, "events": [{"resource": {"roadmap": "r", "url": "u"}, '
            b'"kind": "status", "status": "done", "created_at": "yesterday"}]}',
            "is not a date and time with a time zone",
        ),
        (b'{"schema": 1, "settings": {"time_zone": "Mars/Olympus"}}', "not one this server"),
        (
            b'{"schema": 1, "settings": {"goal": {"weekly_goal": 501}}}',
            "In your goal settings, Weekly goal: Ensure this value is less than or equal to 500.",
        ),
        (b'{"schema": 1, "settings": {"goal": {"weekly_goal": 2.5}}}', "Enter a whole number."),
        (
            b'{"schema": 1, "settings": {"goal": {"inactivity_reminder_days": 0}}}',
            "Remind me after this many days without activity: Ensure this value is greater",
        ),
        (
            b'{"schema": 1, "settings": {"goal": {"weekly_goal_unit": "pages"}}}',
            "Counted in: Select a valid choice.",
        ),
        (b'{"schema": 1, "settings": {"goal": {"summary_day": 7}}}', "My week starts on: Select"),
        (
            b'{"schema": 1, "settings": {"goal": {"finish_by": "2001-01-01"}}}',
            "Finish the roadmap by: Choose a date from today on.",
        ),
        (b'{"schema": 1, "settings": {"goal": {"finish_by": "soon"}}}', "Enter a valid date."),
        (
            b'{"schema": 1, "settings": {"goal": {"weekly_summary": "yes"}}}',
            "Email me a summary of my week must be true or false.",
        ),
        (b'{"schema": 1, "settings": {"goal": [4]}}', "must be an object or null."),
        (b'{"schema": 1, "settings": {"time_zone": "{{ user.password }}"}}', "not one this"),
    ],
)
def test_bad_files_are_refused_with_a_message_and_change_nothing(
    alices_work, alice_client, content, message
):
    before = snapshot(alices_work)
    response = upload(alice_client, content)
    assert response.status_code == 422
    html = response.content.decode()
    assert message in html and "Nothing was imported." in html
    assert PendingImport.objects.count() == 0
    assert snapshot(alices_work) == before


def test_a_file_over_the_limit_is_refused(alice_client):
    data = b'{"schema": 1, "notes": [], "pad": "' + b"x" * MAX_IMPORT_BYTES + b'"}'
    response = upload(alice_client, data)
    assert response.status_code == 422
    assert "an export can be at most 5 MB" in response.content.decode()
    assert PendingImport.objects.count() == 0


def test_a_10_mb_file_is_refused(alice_client):
    response = upload(alice_client, b"x" * (10 * 1024 * 1024))
    assert response.status_code == 422
    assert "at most 5 MB" in response.content.decode()


def test_no_file_is_a_clear_error(alice_client):
    response = alice_client.post("/accounts/data/", {})
    assert response.status_code == 422
    assert "This field is required." in response.content.decode()


def test_hostile_strings_are_stored_as_text_and_rendered_harmlessly(alice_client, curriculum):
    data = {
        "schema": 1,
        "progress": [
            {
                "resource": {
                    "roadmap": curriculum["lstm"].roadmap.slug,
                    "url": "https://e.com/lstm",
                },
                "status": "in_progress",
                "bookmark": '"><script>alert(1)</script>',
            }
        ],
        "notes": [
            {
                "resource": {"roadmap": "x", "url": "https://e.com/lstm"},
                "body": "<img src=x onerror=alert(1)> {{ user.password }}",
            }
        ],
    }
    pending = import_file(alice_client, json.dumps(data))
    preview = alice_client.get(f"/accounts/data/import/{pending.pk}/").content.decode()
    assert "<script>alert" not in preview
    confirm(alice_client, pending)
    note = Note.objects.get()
    assert "<img" not in note.body_html and "&lt;img" in note.body_html
    assert (
        "<script>"
        not in alice_client.get("/accounts/data/export.md").content.decode().split("LSTM")[0]
    )


def test_another_learners_pending_import_is_404(alices_work, alice_client, bob_client):
    pending = import_file(alice_client, json.dumps(exported(alice_client)))
    assert bob_client.get(f"/accounts/data/import/{pending.pk}/").status_code == 404
    assert confirm(bob_client, pending).status_code == 404
    assert PendingImport.objects.filter(pk=pending.pk).exists()


def test_a_confirm_without_the_button_is_a_400(alices_work, alice_client):
    pending = import_file(alice_client, json.dumps(exported(alice_client)))
    assert alice_client.post(f"/accounts/data/import/{pending.pk}/").status_code == 400


def test_public_marks_are_exported_but_not_imported(alices_work, alice_client, bob):
    PublicNote.objects.create(note=Note.objects.get(user=alices_work))
    data = exported(alice_client)
    assert data["notes"][0]["public"] is True
    bob_client = client_for(bob)
    confirm(bob_client, import_file(bob_client, json.dumps(data)))
    assert Note.objects.for_user(bob).count() == 1
    assert PublicNote.objects.filter(note__user=bob).count() == 0


@pytest.mark.django_db(transaction=True)
def test_two_confirms_at_once_import_once():
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("Needs PostgreSQL's concurrent writers (CI runs it with DATABASE_URL set).")
    section = make_section()
    resources = [make_resource(section) for _ in range(3)]
    source = User.objects.create_user(email="source@example.com", password=PASSWORD)
    for resource in resources:
        learning.set_status(source, resource, Status.DONE)
        learning.save_note(source, resource, "n")
    data = json.dumps(exported(client_for(source)))
    target = User.objects.create_user(email="target@example.com", password=PASSWORD)
    pending = import_file(client_for(target), data)

    results: list = []
    barrier = threading.Barrier(2)

    def post() -> None:
        try:
            client = client_for(target)
            barrier.wait()
            results.append(confirm(client, pending).status_code)
        except BaseException as exc:  # any failure in a thread fails the test
            results.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) in ([302, 302], [302, 404])
    assert Progress.objects.for_user(target).count() == 3
    assert Note.objects.for_user(target).count() == 3
    assert Event.objects.for_user(target).count() == 6
