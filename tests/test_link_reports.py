"""Learners report a problem with a resource's link; curators get it, the link is checked again."""

import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django_tasks_db.models import DBTaskResult

from linkhealth.models import LinkCheck, LinkCheckRun, LinkReport
from tests.conftest import client_for, make_resource, make_section, make_user

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://testserver/"}


@pytest.fixture
def resource():
    return make_resource(title="Attention is all you need")


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def run_worker() -> None:
    call_command("run_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=StringIO())


def report_url(resource) -> str:
    return f"/resources/{resource.pk}/report/"


def test_the_roadmap_page_offers_each_learner_a_report_link(alice_client, resource):
    html = alice_client.get("/").content.decode()
    assert f"href=/resources/{resource.pk}/report/ " in html
    # Named "Report a problem with the link to <title>" (aria-labelledby, tests/browser too).
    assert f'aria-labelledby="wr t{resource.pk}">Report a problem</a>' in html
    assert "<span id=wr>Report a problem with the link to</span>" in html


def test_the_report_page_shows_a_form_with_reasons(alice_client, resource):
    response = alice_client.get(report_url(resource))
    html = response.content.decode()
    assert response.status_code == 200 and "<html" in html
    assert "Report a problem with “Attention is all you need”" in html
    assert 'name="reason" value="broken"' in html and 'name="comment"' in html


def test_htmx_gets_the_form_alone(alice_client, resource):
    response = alice_client.get(report_url(resource), **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert f'id="report-form-{resource.pk}"' in html


def test_a_report_without_javascript_is_saved_and_goes_back_to_the_resource(
    alice, alice_client, resource
):
    response = alice_client.post(report_url(resource), {"reason": "broken", "comment": "404 now"})
    assert response.status_code == 302
    assert response["Location"] == resource.get_absolute_url()
    report = LinkReport.objects.get()
    assert (report.user, report.resource, report.reason, report.comment) == (
        alice,
        resource,
        "broken",
        "404 now",
    )
    page = alice_client.get(response["Location"]).content.decode()
    assert "curators will look at the link to “Attention is all you need”" in page


def test_an_htmx_report_answers_with_a_thank_you_fragment(alice_client, resource):
    response = alice_client.post(report_url(resource), {"reason": "moved"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert 'role="status"' in html and "Thank you" in html
    assert LinkReport.objects.get().reason == "moved"


def test_reporting_twice_keeps_one_open_report_and_updates_it(alice_client, resource):
    alice_client.post(report_url(resource), {"reason": "broken"})
    response = alice_client.post(report_url(resource), {"comment": "It is paywalled now"}, **HTMX)
    assert response.status_code == 200 and "is updated" in response.content.decode()
    report = LinkReport.objects.get()
    assert (report.reason, report.comment) == ("broken", "It is paywalled now")
    page = alice_client.get(report_url(resource)).content.decode()
    assert "curators have not resolved it yet" in page


def test_after_a_report_is_resolved_the_learner_can_report_again(alice, alice_client, resource):
    alice_client.post(report_url(resource), {"reason": "broken"})
    LinkReport.objects.resolve(by=None)
    alice_client.post(report_url(resource), {"reason": "moved"})
    assert LinkReport.objects.count() == 2
    assert LinkReport.objects.open().get().reason == "moved"


def test_two_learners_report_the_same_link_separately(alice_client, bob_client, resource):
    alice_client.post(report_url(resource), {"reason": "broken"})
    bob_client.post(report_url(resource), {"reason": "broken"})
    assert LinkReport.objects.open().count() == 2


def test_reports_are_rate_limited_with_a_429_and_a_message(alice_client, settings):
    settings.LINKHEALTH_REPORTS_PER_HOUR = 2
    section = make_section()
    first, second, third = (make_resource(section) for _ in range(3))
    for resource in (first, second):
        assert alice_client.post(report_url(resource), {"reason": "broken"}).status_code == 302
    response = alice_client.post(report_url(third), {"reason": "broken", "comment": "keep me"})
    html = response.content.decode()
    assert response.status_code == 429
    assert "2 reports in the last hour" in html and "Nothing was sent" in html
    assert "keep me" in html  # what the learner typed is still there
    htmx = alice_client.post(report_url(third), {"reason": "broken"}, **HTMX)
    assert htmx.status_code == 429 and "<html" not in htmx.content.decode()
    assert LinkReport.objects.count() == 2
    # Updating an open report is not a new one, so the limit does not stop it.
    assert alice_client.post(report_url(first), {"comment": "more"}).status_code == 302


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reason": "nonsense"}, "Choose one of the reasons listed"),
        ({"comment": "x" * 1001}, "at most 1000 fit"),
    ],
)
def test_bad_input_is_a_422_with_a_clear_message_and_saves_nothing(
    alice_client, resource, data, message
):
    for headers in ({}, HTMX):
        response = alice_client.post(report_url(resource), data, **headers)
        assert response.status_code == 422
        assert message in response.content.decode()
    assert not LinkReport.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(anon, resource):
    response = anon.get(report_url(resource))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/resources/")


def test_resources_the_roadmap_does_not_show_cannot_be_reported(alice_client):
    hidden = make_resource(is_published=False)
    assert alice_client.get(report_url(hidden)).status_code == 404
    assert alice_client.post(report_url(hidden), {"reason": "broken"}).status_code == 404
    assert not LinkReport.objects.exists()


def test_a_learners_report_never_fetches_the_link_inside_their_request(
    alice_client, link_server, django_capture_on_commit_callbacks
):
    # Tests run tasks with the immediate backend, as development does: the re-check would run
    # inside this request, so it is not started from it at all.
    resource = make_resource(url=link_server.url("/trickle"))
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(report_url(resource), {"reason": "broken"}, **HTMX)
    assert response.status_code == 200 and "Thank you" in response.content.decode()
    assert link_server.requests == []
    assert not LinkCheck.objects.exists() and not LinkCheckRun.objects.exists()
    page = alice_client.get(report_url(make_resource())).content.decode()
    assert "Curators see the report, not who sent it." in page and "checked again" not in page


@pytest.mark.django_db(transaction=True)
def test_with_a_worker_a_report_queues_a_check_of_the_link(
    alice_client, link_server, database_tasks
):
    resource = make_resource(url=link_server.url("/gone"))
    alice_client.post(report_url(resource), {"reason": "broken"})
    assert link_server.requests == []  # nothing fetched in the learner's request
    queued = DBTaskResult.objects.get()
    assert (queued.task_name, queued.status) == ("recheck_reported_link", "READY")
    run_worker()
    check = LinkCheck.objects.get(url=resource.url)
    assert (check.outcome, check.http_status) == ("broken", 410)
    page = alice_client.get(report_url(make_resource())).content.decode()
    assert "checked again in the background" in page


@pytest.mark.django_db(transaction=True)
def test_a_link_checked_minutes_ago_is_not_fetched_again_for_a_report(
    alice_client, bob_client, link_server, database_tasks
):
    resource = make_resource(url=link_server.url("/gone"))
    alice_client.post(report_url(resource), {"reason": "broken"})
    run_worker()
    bob_client.post(report_url(resource), {"reason": "broken"})
    run_worker()
    assert link_server.requests == [("HEAD", "/gone"), ("GET", "/gone")]
    assert LinkCheck.objects.get(url=resource.url).consecutive_failures == 1


@pytest.fixture
def racer(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("Needs PostgreSQL's concurrent writers (CI runs it with DATABASE_URL set).")
    return make_user("racer@example.com"), make_resource()


def test_ten_reports_sent_at_once_leave_one_open_report_and_no_error(racer):
    learner, resource = racer
    statuses: list = []
    barrier = threading.Barrier(10)

    def send() -> None:
        try:
            client = client_for(learner)
            barrier.wait()
            statuses.append(client.post(report_url(resource), {"reason": "broken"}).status_code)
        except BaseException as exc:
            statuses.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert statuses == [302] * 10
    assert LinkReport.objects.filter(user=learner, resource=resource).count() == 1
