"""Statuses beside the Done checkbox: set either, and both, the badges and the figures agree."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from history.models import Event
from roadmap.forms import STATUS_CODES
from roadmap.models import Progress
from tests.conftest import make_resource, make_section

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://testserver/"}
Status = Progress.Status


@pytest.fixture
def resources():
    part = make_section(title="Basics", slug="basics")
    section = make_section(part.roadmap, title="Maths", slug="maths", parent=part)
    return [make_resource(section, title=f"Lesson {i}") for i in range(4)]


def url(resource) -> str:
    return f"/resources/{resource.pk}/status/"


def status_of(user, resource) -> str:
    row = Progress.objects.filter(user=user, resource=resource).first()
    return row.status if row else Status.NOT_STARTED


def selected(html: str, resource) -> str:
    select = re.search(rf"<select name=status-{resource.pk} form=pf.*?</select>", html, re.S)
    # The menus send one letter per status (roadmap.forms.STATUS_CODES).
    code = re.search(r"<option value=(\w) selected>", select.group(0)).group(1)
    return STATUS_CODES[code]


def test_each_resource_has_a_status_select_named_after_it_with_four_options(
    alice_client, resources
):
    html = alice_client.get("/").content.decode()
    # Named "Status: <title>" by its label and the resource's title (aria-labelledby).
    pk = resources[0].pk
    assert f"<span id=t{pk}>{resources[0].title}</span>" in html
    assert f'aria-labelledby="ws t{pk}"' in html
    assert "<span id=ws>Status:</span>" in html  # written once for every resource
    select = re.search(rf"name=status-{resources[0].pk} .*?</select>", html, re.S).group(0)
    options = re.findall(r"<option value=(\w)[^>]*>([^<]+)", select)
    assert options == [("n", "Not started"), ("p", "In progress"), ("d", "Done"), ("s", "Skipped")]
    assert selected(html, resources[0]) == "not_started"


def test_setting_a_status_without_javascript_saves_it_and_redirects_back_to_the_resource(
    alice, alice_client, resources
):
    response = alice_client.post(url(resources[1]), {"status": "in_progress"})
    assert response.status_code == 302
    assert (
        response["Location"] == f"/roadmaps/{resources[1].roadmap.slug}/#resource-{resources[1].pk}"
    )
    assert status_of(alice, resources[1]) == Status.IN_PROGRESS
    html = alice_client.get("/").content.decode()
    assert selected(html, resources[1]) == "in_progress"
    assert (
        f'<span id=sb{resources[1].pk}><span class="badge badge-active">In progress</span>' in html
    )


def test_an_htmx_status_change_returns_the_select_and_the_agreeing_checkbox_out_of_band(
    alice_client, resources
):
    response = alice_client.post(url(resources[0]), {"status": "done"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert html.lstrip().startswith(f"<label id=sf{resources[0].pk}>")
    assert selected(html, resources[0]) == "done"
    toggle = re.search(rf"<label id=pt{resources[0].pk} [^>]*>", html).group(0)
    assert "hx-swap-oob=true" in toggle
    assert f'aria-labelledby="wd t{resources[0].pk}" checked' in html
    assert 'id="overall-progress" class="progress-block" hx-swap-oob="true"' in html
    assert "<strong>1 of 4</strong>" in html
    assert 'id="section-progress-maths"' in html and 'id="toc-maths" hx-swap-oob="true"' in html


def test_moving_a_done_resource_to_skipped_unticks_its_checkbox(alice, alice_client, resources):
    alice_client.post(url(resources[0]), {"status": "done"}, **HTMX)
    html = alice_client.post(url(resources[0]), {"status": "skipped"}, **HTMX).content.decode()
    assert f'aria-labelledby="wd t{resources[0].pk}">' in html  # not checked
    assert '<span class="badge badge-skipped">Skipped</span>' in html
    assert "0 of 4</strong> resources done (0%), 1 skipped" in html


def test_ticking_done_updates_the_select_out_of_band(alice, alice_client, resources):
    alice_client.post(url(resources[2]), {"status": "in_progress"})
    response = alice_client.post(f"/resources/{resources[2].pk}/progress/", {"done": "on"}, **HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith(f"<label id=pt{resources[2].pk}>")
    status_form = re.search(rf"<label id=sf{resources[2].pk} [^>]*>", html).group(0)
    assert "hx-swap-oob=true" in status_form
    assert selected(html, resources[2]) == "done"
    assert f"<span id=sb{resources[2].pk} hx-swap-oob=true></span>" in html
    assert status_of(alice, resources[2]) == Status.DONE


def test_unticking_done_resets_a_done_resource(alice, alice_client, resources):
    alice_client.post(url(resources[0]), {"status": "done"})
    alice_client.post(f"/resources/{resources[0].pk}/progress/", {})
    assert status_of(alice, resources[0]) == Status.NOT_STARTED


def test_unticking_done_from_a_stale_page_leaves_an_in_progress_resource_alone(
    alice, alice_client, resources
):
    alice_client.post(url(resources[0]), {"status": "in_progress"})
    response = alice_client.post(f"/resources/{resources[0].pk}/progress/", {}, **HTMX)
    assert response.status_code == 200
    assert status_of(alice, resources[0]) == Status.IN_PROGRESS
    assert selected(response.content.decode(), resources[0]) == "in_progress"


def test_every_status_change_is_recorded_in_the_history(alice, alice_client, resources):
    for status in ("in_progress", "in_progress", "done", "skipped"):
        alice_client.post(url(resources[0]), {"status": status})
    assert list(
        Event.objects.filter(user=alice).order_by("pk").values_list("status", flat=True)
    ) == [
        "in_progress",
        "done",
        "skipped",
    ]


@pytest.mark.parametrize("body", [{}, {"status": "finished"}, {"status": ""}, {"status": "\x00"}])
def test_an_unknown_status_is_a_422_with_a_clear_message_and_changes_nothing(
    alice, alice_client, resources, body
):
    alice_client.post(url(resources[0]), {"status": "in_progress"})
    htmx = alice_client.post(url(resources[0]), body, **HTMX)
    assert htmx.status_code == 422
    html = htmx.content.decode()
    assert "<html" not in html
    assert "Choose a status: Not started, In progress, Done or Skipped." in html
    assert selected(html, resources[0]) == "in_progress"
    plain = alice_client.post(url(resources[0]), body)
    assert plain.status_code == 422
    page = plain.content.decode()
    assert "<html" in page and "Choose a status" in page and "Back to the roadmap" in page
    assert status_of(alice, resources[0]) == Status.IN_PROGRESS


def test_anonymous_visitors_are_sent_to_log_in_and_nothing_is_written(anon, resources):
    response = anon.post(url(resources[0]), {"status": "done"}, HTTP_REFERER="http://testserver/")
    assert response["Location"].startswith("/accounts/login/?next=/")
    htmx = anon.post(url(resources[0]), {"status": "done"}, **HTMX)
    assert htmx["HX-Redirect"].startswith("/accounts/login/")
    assert not Progress.objects.exists()


def test_get_is_not_allowed(alice_client, resources):
    assert alice_client.get(url(resources[0])).status_code == 405


@pytest.mark.parametrize("path", ["/resources/999999/status/", "/resources/0/status/"])
def test_unknown_resources_are_404(alice_client, path):
    assert alice_client.post(path, {"status": "done"}).status_code == 404


def test_unpublished_resources_get_no_status(alice_client, resources):
    resources[0].is_published = False
    resources[0].save()
    assert alice_client.post(url(resources[0]), {"status": "done"}).status_code == 404
    assert not Progress.objects.exists()


def test_a_learner_only_sets_their_own_status(alice, bob, bob_client, resources):
    alice_client_status = Progress.objects.create(user=alice, resource=resources[0])
    bob_client.post(url(resources[0]), {"status": "skipped", "user": alice.pk})
    alice_client_status.refresh_from_db()
    assert alice_client_status.status == Status.DONE
    assert status_of(bob, resources[0]) == Status.SKIPPED


def test_progress_shows_skipped_and_in_progress_apart(alice, alice_client, resources):
    statuses = ["done", "skipped", "in_progress", "not_started"]
    for resource, status in zip(resources, statuses, strict=True):
        alice_client.post(url(resource), {"status": status})
    html = alice_client.get("/").content.decode()
    assert (
        "Your progress: <strong>1 of 4</strong> resources done (25%), 1 skipped, 1 in progress"
        in html
    )
    assert '<progress id="overall-progress-bar" max="4" value="1">' in html
    assert (
        '1 of 4 done<span class="visually-hidden"> in Maths</span>, 1 skipped, 1 in progress'
        in html
    )
    assert '<span class="toc-active">1 in progress</span>' in html


def test_skipped_counts_as_done_when_the_learner_says_so(alice, alice_client, resources):
    for resource, status in zip(resources, ["done", "skipped", "skipped", "skipped"], strict=True):
        alice_client.post(url(resource), {"status": status})
    assert "<strong>1 of 4</strong>" in alice_client.get("/").content.decode()

    response = alice_client.post(
        "/accounts/settings/", {"time_zone": "UTC", "count_skipped_as_done": "on"}
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.count_skipped_as_done is True
    html = alice_client.get("/").content.decode()
    assert "<strong>4 of 4</strong> resources done (100%), 3 of them skipped" in html
    assert "You have finished every resource" in html
    assert '<span class="badge">Finished</span>' in html

    alice_client.post("/accounts/settings/", {"time_zone": "UTC"})
    alice.refresh_from_db()
    assert alice.count_skipped_as_done is False
    html = alice_client.get("/").content.decode()
    assert "<strong>1 of 4</strong>" in html and "Every resource is done or skipped." in html


def test_the_progress_panel_links_to_the_progress_part_of_the_settings(alice_client, resources):
    html = alice_client.get("/").content.decode()
    assert 'href="/accounts/settings/?next=/#progress">Progress settings</a>' in html


def test_continue_with_offers_the_latest_in_progress_resource_then_the_next_not_started(
    alice, alice_client, resources
):
    def continue_with() -> str:
        html = alice_client.get("/").content.decode()
        return re.search(r'Continue with: <a href="#resource-(\d+)">', html).group(1)

    alice_client.post(url(resources[0]), {"status": "done"})
    alice_client.post(url(resources[1]), {"status": "skipped"})
    assert continue_with() == str(resources[2].pk)  # the next not started

    alice_client.post(url(resources[3]), {"status": "in_progress"})
    alice_client.post(url(resources[2]), {"status": "in_progress"})
    earlier = timezone.now() - timedelta(hours=1)
    Progress.objects.filter(user=alice, resource=resources[3]).update(updated_at=earlier)
    assert continue_with() == str(resources[2].pk)  # touched last
    Progress.objects.filter(user=alice, resource=resources[2]).update(
        updated_at=earlier - timedelta(hours=1)
    )
    assert continue_with() == str(resources[3].pk)


def test_learners_with_different_statuses_each_see_their_own(
    alice, bob, alice_client, bob_client, resources
):
    Progress.objects.create(user=alice, resource=resources[0], status=Status.IN_PROGRESS)
    Progress.objects.create(user=bob, resource=resources[0], status=Status.SKIPPED)
    for _ in range(2):  # rendered, then served from the caches
        alice_html = alice_client.get("/").content.decode()
        bob_html = bob_client.get("/").content.decode()
        assert selected(alice_html, resources[0]) == "in_progress"
        assert selected(bob_html, resources[0]) == "skipped"
        assert "badge-skipped" not in alice_html and "badge-active" not in bob_html


def test_the_menus_short_codes_set_the_status_they_stand_for(alice, alice_client, resources):
    for code, status in STATUS_CODES.items():
        alice_client.post(url(resources[0]), {"status": code}, **HTMX)
        assert status_of(alice, resources[0]) == status
