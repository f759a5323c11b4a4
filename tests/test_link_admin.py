"""Link health in the admin: status column and filter, "use the new URL", reports, dashboard."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from linkhealth.checker import Result
from linkhealth.models import LinkCheck, LinkCheckRun, LinkReport
from linkhealth.tasks import check_links
from linkhealth.worker import worker_last_seen
from roadmap.models import Progress, Resource, Roadmap
from tests.conftest import make_resource, make_section

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/roadmap/resource/"


def record(url: str, outcome: str, times: int = 1, **fields) -> LinkCheck:
    for _ in range(times):
        LinkCheck.objects.record([Result(url, outcome, **fields)])
    return LinkCheck.objects.get(url=url)


@pytest.fixture
def links():
    """One resource in each link state."""
    section = make_section()
    made = {}
    for name in ("ok", "redirected", "broken", "unreachable", "failing", "never"):
        made[name] = make_resource(section, title=f"Link {name}", url=f"https://{name}.test/")
    record(made["ok"].url, "ok", http_status=200)
    record(made["redirected"].url, "redirected", http_status=200, final_url="https://new.test/")
    record(made["broken"].url, "broken", times=2, http_status=404)
    record(made["unreachable"].url, "unreachable", times=2, error="connection refused")
    record(made["failing"].url, "broken", http_status=500)
    return made


def titles_in(html: str) -> set[str]:
    return {
        f"Link {n}"
        for n in ("ok", "redirected", "broken", "unreachable", "failing", "never")
        if f">Link {n}<" in html
    }


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("broken", {"Link broken"}),
        ("unreachable", {"Link unreachable"}),
        ("failing", {"Link failing"}),
        ("redirected", {"Link redirected"}),
        ("ok", {"Link ok"}),
        ("never", {"Link never"}),
    ],
)
def test_the_link_status_filter_shows_the_resources_in_that_state(
    carol_client, links, status, expected
):
    response = carol_client.get(f"{CHANGELIST}?link_status={status}")
    assert response.status_code == 200
    assert titles_in(response.content.decode()) == expected


def test_the_link_column_says_what_the_last_check_found(carol_client, links):
    html = carol_client.get(CHANGELIST).content.decode()
    assert '<span class="link-status link-broken">Broken</span><br><small>HTTP 404</small>' in html
    assert "Unreachable</span><br><small>connection refused</small>" in html
    assert "Failed once</span><br><small>HTTP 500</small>" in html
    assert "Never checked" in html
    assert 'href="https://new.test/"' in html and "Use the new URL" in html


def test_the_changelist_costs_the_same_queries_with_more_resources(carol_client, links):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        carol_client.get(CHANGELIST)
    section = make_section()
    for n in range(20):
        url = f"https://more-{n}.test/"
        make_resource(section, url=url)
        record(url, "broken", times=2, http_status=404)
    with CaptureQueriesContext(connection) as large:
        carol_client.get(CHANGELIST)
    assert len(large) == len(small)


def test_a_resources_page_shows_its_link_status(carol_client, links):
    html = carol_client.get(f"{CHANGELIST}{links['broken'].pk}/change/").content.decode()
    assert "Broken: HTTP 404" in html
    html = carol_client.get(f"{CHANGELIST}{links['redirected'].pk}/change/").content.decode()
    assert 'Redirected to <a href="https://new.test/"' in html
    # No submit button before Save: Enter in a field must save, not change the link.
    assert "formaction" not in html
    add_page = carol_client.get(f"{CHANGELIST}add/").content.decode()
    assert "Link health:</label>" not in add_page and "Link health:</label>" in html


def test_use_the_new_url_moves_the_resource_and_keeps_learners_progress(carol_client, alice, links):
    resource = links["redirected"]
    Progress.objects.create(user=alice, resource=resource)
    version = resource.roadmap.content_version
    response = carol_client.post(
        f"{CHANGELIST}{resource.pk}/use-new-url/", HTTP_REFERER=f"http://testserver{CHANGELIST}"
    )
    assert response.status_code == 302 and response["Location"] == f"http://testserver{CHANGELIST}"
    resource.refresh_from_db()
    assert resource.url == "https://new.test/"
    assert Progress.objects.get(user=alice).resource == resource
    assert Roadmap.objects.get(pk=resource.roadmap_id).content_version > version
    assert LinkCheck.objects.get(url="https://new.test/").status == "ok"
    page = carol_client.get(CHANGELIST).content.decode()
    assert "now links to https://new.test/" in page


def test_use_the_new_url_refuses_a_url_another_resource_of_the_roadmap_has(carol_client, links):
    resource = links["redirected"]
    make_resource(resource.section, title="Already there", url="https://new.test/")
    response = carol_client.post(f"{CHANGELIST}{resource.pk}/use-new-url/", follow=True)
    assert "“Already there” in the same roadmap already links to https://new.test/" in (
        response.content.decode()
    )
    resource.refresh_from_db()
    assert resource.url == "https://redirected.test/"


def test_use_the_new_url_needs_a_redirect_and_a_post(carol_client, links):
    broken = links["broken"]
    response = carol_client.post(f"{CHANGELIST}{broken.pk}/use-new-url/", follow=True)
    assert "has no redirect to follow" in response.content.decode()
    assert Resource.objects.get(pk=broken.pk).url == "https://broken.test/"
    assert carol_client.get(f"{CHANGELIST}{broken.pk}/use-new-url/").status_code == 405
    assert carol_client.post(f"{CHANGELIST}999999/use-new-url/").status_code == 404


def test_learners_cannot_use_the_new_url(alice_client, links):
    resource = links["redirected"]
    response = alice_client.post(f"{CHANGELIST}{resource.pk}/use-new-url/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert Resource.objects.get(pk=resource.pk).url == "https://redirected.test/"


def test_the_bulk_action_uses_new_urls_and_reports_what_it_could_not_change(carol_client, links):
    picked = [links["redirected"].pk, links["broken"].pk]
    response = carol_client.post(
        CHANGELIST,
        {"action": "use_new_urls", "_selected_action": picked, "index": 0},
        follow=True,
    )
    html = response.content.decode()
    assert "1 resource now links to where it redirected." in html
    assert "“Link broken” has no redirect to follow" in html
    assert Resource.objects.get(pk=links["redirected"].pk).url == "https://new.test/"


def test_check_links_now_checks_the_selected_resources(carol_client, link_server):
    section = make_section()
    gone = make_resource(section, url=link_server.url("/gone"))
    fine = make_resource(section, url=link_server.url("/ok"))
    skipped = make_resource(section, url=link_server.url("/missing"))
    response = carol_client.post(
        CHANGELIST,
        {"action": "check_links_now", "_selected_action": [gone.pk, fine.pk], "index": 0},
        follow=True,
    )
    assert "Checked 2 links." in response.content.decode()
    assert LinkCheck.objects.get(url=gone.url).http_status == 410
    assert LinkCheck.objects.get(url=fine.url).outcome == "ok"
    assert not LinkCheck.objects.filter(url=skipped.url).exists()
    run = LinkCheckRun.objects.get()
    assert (run.trigger, run.partial, run.checked) == ("admin", True, 2)


def test_the_admin_index_counts_broken_links_and_open_reports(carol_client, alice, bob, links):
    LinkReport.objects.create(user=alice, resource=links["broken"], reason="broken")
    LinkReport.objects.create(user=bob, resource=links["broken"], reason="broken")
    LinkReport.objects.create(
        user=bob, resource=links["ok"], reason="moved", resolved_at=timezone.now()
    )
    html = carol_client.get("/admin/").content.decode()
    assert f'<a href="{CHANGELIST}?link_status=broken">1 broken link</a>' in html
    assert f'<a href="{CHANGELIST}?link_status=unreachable">1 unreachable link</a>' in html
    assert f'<a href="{CHANGELIST}?link_status=redirected">1 redirected link</a>' in html
    assert '<a href="/admin/linkhealth/linkreport/?state=open">2 open reports</a>' in html
    assert "1 never checked" in html
    assert "Check every link now" in html


def test_the_check_every_link_button_checks_every_published_link(carol_client, link_server):
    section = make_section()
    make_resource(section, url=link_server.url("/ok"))
    make_resource(section, url=link_server.url("/gone"))
    assert carol_client.get("/admin/linkhealth/linkcheckrun/check-all/").status_code == 405
    response = carol_client.post("/admin/linkhealth/linkcheckrun/check-all/", follow=True)
    assert "Every published link was checked." in response.content.decode()
    assert LinkCheck.objects.count() == 2
    run = LinkCheckRun.objects.get()
    assert (run.trigger, run.partial, run.checked, run.failing) == ("admin", False, 2, 1)
    assert "Every link was last checked" in carol_client.get("/admin/").content.decode()


def test_curators_see_open_reports_without_who_sent_them_and_resolve_them(
    carol, carol_client, alice, links
):
    report = LinkReport.objects.create(
        user=alice, resource=links["broken"], reason="broken", comment="Gone since May"
    )
    page = carol_client.get("/admin/linkhealth/linkreport/?state=open").content.decode()
    assert "Link broken" in page and "Gone since May" in page and "Broken" in page
    assert "alice@example.com" not in page
    detail = carol_client.get(f"/admin/linkhealth/linkreport/{report.pk}/change/")
    assert detail.status_code == 200 and "alice@example.com" not in detail.content.decode()
    response = carol_client.post(
        "/admin/linkhealth/linkreport/",
        {"action": "resolve_reports", "_selected_action": [report.pk], "index": 0},
        follow=True,
    )
    assert "Resolved 1 report." in response.content.decode()
    report.refresh_from_db()
    assert report.resolved_by == carol and report.resolved_at is not None
    assert not LinkReport.objects.open().exists()


@pytest.mark.parametrize(
    "url",
    [
        "/admin/linkhealth/linkreport/",
        "/admin/linkhealth/linkcheck/",
        "/admin/linkhealth/linkcheck/?status=broken",
        "/admin/linkhealth/linkcheckrun/",
    ],
)
def test_curators_can_open_the_link_health_pages(carol_client, links, url):
    assert carol_client.get(url).status_code == 200


def test_learners_do_not_see_the_link_health_admin(alice_client):
    for url in ("/admin/", "/admin/linkhealth/linkreport/"):
        response = alice_client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert alice_client.post("/admin/linkhealth/linkcheckrun/check-all/").status_code == 302
    assert not LinkCheckRun.objects.exists()


# What the admin says of the schedule: only what a running worker does.

NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)


def link_health(client) -> str:
    html = client.get("/admin/").content.decode()
    box = html[html.index('id="link-health"') :]
    return " ".join(re.sub(r"<[^>]+>", "", box[: box.index("</div>")]).split())


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def worker_ran_a_task(ago: timedelta) -> None:
    result = check_links.enqueue()
    DBTaskResult.objects.filter(pk=result.id).update(
        status="SUCCESSFUL", started_at=NOW - ago - timedelta(minutes=1), finished_at=NOW - ago
    )


def test_without_a_worker_the_admin_claims_no_schedule(carol_client, links, clock):
    LinkCheckRun.objects.create(trigger="admin", started_at=NOW - timedelta(days=2))
    LinkCheckRun.objects.update(finished_at=NOW - timedelta(days=2))
    text = link_health(carol_client)
    assert "Every link was last checked 2 days ago" in text
    assert "No background worker is configured" in text
    assert "nothing checks them on a schedule" in text
    assert "daily" not in text


def test_a_queue_no_worker_ever_served_is_no_schedule(carol_client, links, database_tasks, clock):
    text = link_health(carol_client)
    assert "Links have never all been checked." in text
    assert "No worker has run yet, so nothing checks links on a schedule" in text
    assert "daily" not in text


def test_a_worker_seen_today_checks_links_daily(carol_client, links, database_tasks, clock):
    worker_ran_a_task(ago=timedelta(hours=2))
    assert worker_last_seen() == NOW - timedelta(hours=2)
    text = link_health(carol_client)
    assert "The worker checks every link daily; it was last at work 2 hours ago." in text


def test_a_worker_gone_for_days_is_said_to_be_gone(carol_client, links, database_tasks, clock):
    worker_ran_a_task(ago=timedelta(days=3))
    text = link_health(carol_client)
    assert "No worker has been at work since" in text and "(3 days ago)" in text
    assert "nothing checks links on a schedule" in text
    assert "daily" not in text
