"""Uploads waiting for confirmation cannot fill the disk (issue 18, item 2).

One pending import per learner (a new upload replaces it), a rate limit on uploads, expired
uploads deleted by the worker, and a preview whose size does not grow with the file.
"""

import json
import threading
import time
from datetime import timedelta
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import IntegrityError, connection, connections, transaction
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from history.models import PendingImport
from history.tasks import remove_expired_imports, schedule_import_cleanup
from history.views import PREVIEW_ROWS
from roadmap import learning
from roadmap.models import Progress
from tests.conftest import client_for, make_resource, make_section, make_user

pytestmark = pytest.mark.django_db

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def resources():
    section = make_section()
    return [make_resource(section, title=f"Known {n}") for n in range(3)]


def ref(resource) -> dict:
    return {"roadmap": resource.roadmap.slug, "url": resource.url, "title": resource.title}


def export_of(resources, status: str = "done", bookmark: str = "") -> str:
    progress = [{"resource": ref(r), "status": status, "bookmark": bookmark} for r in resources]
    return json.dumps({"schema": 1, "progress": progress})


def upload(client, content: str, name: str = "export.json"):
    return client.post("/accounts/data/", {"file": SimpleUploadedFile(name, content.encode())})


def test_a_new_upload_replaces_the_learners_pending_import(alice, alice_client, bob, resources):
    bobs = upload(client_for(bob), export_of(resources))
    first = upload(alice_client, export_of(resources[:1]), "first.json")
    second = upload(alice_client, export_of(resources), "second.json")

    [pending] = PendingImport.objects.filter(user=alice)
    assert second["Location"] == f"/accounts/data/import/{pending.pk}/"
    assert pending.filename == "second.json"
    # The first preview, still open in another tab, cannot confirm a file it never showed.
    assert alice_client.get(first["Location"]).status_code == 404
    assert alice_client.post(first["Location"], {"confirm": "import"}).status_code == 404
    assert Progress.objects.for_user(alice).count() == 0
    assert alice_client.get(second["Location"]).status_code == 200
    assert client_for(bob).get(bobs["Location"]).status_code == 200  # others' untouched


def test_the_database_holds_at_most_one_pending_import_per_learner(alice):
    PendingImport.objects.create(user=alice, data={})
    with pytest.raises(IntegrityError), transaction.atomic():
        PendingImport.objects.create(user=alice, data={})


def test_the_import_page_links_to_the_upload_waiting_for_confirmation(alice_client, resources):
    assert (
        "waiting for your confirmation" not in alice_client.get("/accounts/data/").content.decode()
    )
    location = upload(alice_client, export_of(resources), "mine.json")["Location"]
    page = alice_client.get("/accounts/data/").content.decode()
    assert "<strong>mine.json</strong> is waiting for your confirmation" in page
    assert f'href="{location}"' in page


def someone_waits_for_a_lock(timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                return True
        time.sleep(0.02)
    return False


@pytest.mark.django_db(transaction=True)
def test_an_upload_while_another_is_being_saved_replaces_it():
    if connection.vendor != "postgresql":
        pytest.skip("Needs PostgreSQL's concurrent writers (CI runs it with DATABASE_URL set).")
    learner = make_user("learner@example.com")
    first_saved, may_commit = threading.Event(), threading.Event()
    errors: list = []

    def first() -> None:
        try:
            with transaction.atomic():  # the first upload's transaction, held open
                PendingImport.objects.replace(learner, filename="first.json", data={})
                first_saved.set()
                may_commit.wait(timeout=20)
        except BaseException as exc:  # any failure in a thread fails the test
            errors.append(exc)
        finally:
            connections.close_all()

    def second() -> None:
        try:
            first_saved.wait(timeout=20)
            PendingImport.objects.replace(learner, filename="second.json", data={})
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    assert first_saved.wait(timeout=20)
    assert someone_waits_for_a_lock()  # the second upload waits for the first one
    may_commit.set()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert list(PendingImport.objects.values_list("filename", flat=True)) == ["second.json"]


def test_uploads_past_the_rate_limit_get_429_and_lose_nothing(alice, alice_client, bob, resources):
    for n in range(10):
        assert upload(alice_client, export_of(resources), f"{n}.json").status_code == 302
    kept = PendingImport.objects.get(user=alice)

    response = upload(alice_client, export_of(resources[:1]), "eleventh.json")

    assert response.status_code == 429
    html = response.content.decode()
    assert "You have uploaded many files in the last hour. Nothing was imported" in html
    assert 'aria-invalid="true"' in html
    assert f'href="/accounts/data/import/{kept.pk}/"' in html  # the waiting upload is still there
    assert PendingImport.objects.get(user=alice) == kept
    assert PendingImport.objects.get(user=alice).filename == "9.json"
    assert alice_client.get(f"/accounts/data/import/{kept.pk}/").status_code == 200
    assert upload(client_for(bob), export_of(resources)).status_code == 302  # per learner


def test_an_upload_older_than_a_day_is_gone_even_before_the_worker_deletes_it(
    alice, alice_client, resources
):
    location = upload(alice_client, export_of(resources))["Location"]
    pending = PendingImport.objects.get(user=alice)
    pending.created_at = timezone.now() - PendingImport.KEPT_FOR - timedelta(seconds=1)
    pending.save(update_fields=["created_at"])

    assert alice_client.get(location).status_code == 404
    assert alice_client.post(location, {"confirm": "import"}).status_code == 404
    assert Progress.objects.for_user(alice).count() == 0
    assert (
        "waiting for your confirmation" not in alice_client.get("/accounts/data/").content.decode()
    )


def aged(user, age: timedelta) -> PendingImport:
    return PendingImport.objects.create(user=user, data={}, created_at=timezone.now() - age)


def test_the_clean_up_task_deletes_expired_uploads_only(alice, bob):
    aged(alice, timedelta(hours=24, seconds=1))
    fresh = aged(bob, timedelta(hours=23))
    result = remove_expired_imports.enqueue()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == {"deleted": 1}
    assert list(PendingImport.objects.all()) == [fresh]


def test_the_command_deletes_expired_uploads(alice, bob):
    aged(alice, timedelta(days=3))
    aged(bob, timedelta(minutes=5))
    out = StringIO()
    call_command("remove_expired_imports", stdout=out)
    assert out.getvalue() == "Deleted 1 expired upload.\n"
    assert list(PendingImport.objects.values_list("user", flat=True)) == [bob.pk]


def cleanups_waiting():
    return DBTaskResult.objects.filter(
        task_path="history.tasks.remove_expired_imports", status=TaskResultStatus.READY
    )


def test_the_clean_up_is_queued_once_for_the_worker(settings):
    settings.TASKS = DATABASE_TASKS
    assert schedule_import_cleanup() is not None
    assert schedule_import_cleanup() is None
    [waiting] = cleanups_waiting()
    assert abs(waiting.run_after - timezone.now()) < timedelta(minutes=1)


def test_the_immediate_backend_queues_no_clean_up_for_later():
    assert schedule_import_cleanup() is None
    assert not DBTaskResult.objects.exists()


# The worker closes connections between tasks, as it does in production: this test commits.
@pytest.mark.django_db(transaction=True)
def test_the_worker_starts_the_hourly_clean_up_and_it_keeps_itself_going(settings):
    settings.TASKS = DATABASE_TASKS
    learner = make_user("learner@example.com")
    aged(learner, timedelta(days=2))
    started = timezone.now()
    call_command("run_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=StringIO())
    assert not PendingImport.objects.exists()
    done = DBTaskResult.objects.get(
        task_path="history.tasks.remove_expired_imports", status=TaskResultStatus.SUCCESSFUL
    )
    assert done.return_value == {"deleted": 1}
    next_one = cleanups_waiting().get()
    assert started + timedelta(minutes=59) < next_one.run_after < started + timedelta(minutes=70)


def test_the_preview_stays_small_whatever_the_file_holds(alice, alice_client, resources):
    section = make_section()
    known = [make_resource(section, title=f"Changed {n:03}") for n in range(40)]
    for resource in known:
        learning.set_status(alice, resource, Progress.Status.SKIPPED)
        learning.save_note(alice, resource, "mine")
    unknown = [
        {"roadmap": "elsewhere", "url": f"https://e.com/gone/{n}", "title": f"Gone {n:04}"}
        for n in range(3000)
    ]
    data = {
        "schema": 1,
        "progress": [{"resource": ref(r), "status": "done"} for r in known]
        + [{"resource": r, "status": "done"} for r in unknown],
        "notes": [{"resource": ref(r), "body": "theirs"} for r in known],
    }
    location = upload(alice_client, json.dumps(data))["Location"]
    page = alice_client.get(location).content.decode()

    assert "Resources that are not on this instance (3000)" in page
    assert "Gone 0000" in page and f"Gone {PREVIEW_ROWS - 1:04}" in page
    assert f"Gone {PREVIEW_ROWS:04}" not in page
    assert f"and {3000 - PREVIEW_ROWS} more" in page
    assert "0 statuses or bookmarks added, 40 changed" in page
    assert page.count("Changed 0") == 2 * PREVIEW_ROWS  # statuses, then notes
    assert page.count(f"and {40 - PREVIEW_ROWS} more") == 2
    assert len(page) < 20_000
