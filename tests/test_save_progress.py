"""The roadmap page without JavaScript: one form for every resource's controls, where a
resource's Save applies that resource's fields only and goes back to the same address."""

import pytest

from roadmap.models import Progress
from tests.conftest import make_resource, make_section

Status = Progress.Status
URL = "/resources/progress/"


@pytest.fixture
def resources(db):
    section = make_section(title="Attention", slug="attention")
    return [make_resource(section, title=f"Attention part {i}") for i in range(3)]


def status_of(user, resource) -> str:
    row = Progress.objects.filter(user=user, resource=resource).first()
    return row.status if row else Status.NOT_STARTED


def page_form(resources, **changes) -> dict:
    """What the page's form sends: every resource's controls as rendered (not started)."""
    data = {f"status-{r.pk}": "not_started" for r in resources}
    data.update(changes)
    return data


def test_a_save_applies_only_its_resources_fields_and_lands_back_on_the_filtered_page(
    alice, alice_client, resources
):
    first, second, third = resources
    Progress.objects.create(user=alice, resource=third, status=Status.IN_PROGRESS)
    data = page_form(
        resources,
        **{f"status-{second.pk}": "skipped", f"done-{first.pk}": "on"},
        save=str(second.pk),
        next="/?q=attention",
    )
    response = alice_client.post(URL, data)
    assert response.status_code == 302
    assert response["Location"] == f"/?q=attention#resource-{second.pk}"
    assert status_of(alice, second) == Status.SKIPPED
    # The other resources' fields, as the page showed them, change nothing.
    assert status_of(alice, first) == Status.NOT_STARTED
    assert status_of(alice, third) == Status.IN_PROGRESS


def test_ticking_done_saves_done_and_unticking_undoes_it(alice, alice_client, resources):
    resource = resources[0]
    data = page_form(resources, **{f"done-{resource.pk}": "on"}, save=str(resource.pk))
    alice_client.post(URL, data)
    assert status_of(alice, resource) == Status.DONE
    data = page_form(resources, **{f"status-{resource.pk}": "done"}, save=str(resource.pk))
    alice_client.post(URL, data)  # the box unticked, the menu as shown
    assert status_of(alice, resource) == Status.NOT_STARTED


def test_the_status_menu_wins_when_both_controls_changed(alice, alice_client, resources):
    resource = resources[0]
    changes = {f"done-{resource.pk}": "on", f"status-{resource.pk}": "in_progress"}
    alice_client.post(URL, page_form(resources, **changes, save=str(resource.pk)))
    assert status_of(alice, resource) == Status.IN_PROGRESS


def test_saving_twice_changes_nothing_more(alice, alice_client, resources):
    resource = resources[0]
    data = page_form(resources, **{f"status-{resource.pk}": "skipped"}, save=str(resource.pk))
    alice_client.post(URL, data)
    alice_client.post(URL, data)
    assert Progress.objects.get(user=alice, resource=resource).status == Status.SKIPPED


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/", "javascript:alert(1)", ""]
)
def test_an_unsafe_or_missing_next_falls_back_to_the_roadmap(alice_client, resources, next_url):
    resource = resources[0]
    data = page_form(resources, save=str(resource.pk), next=next_url)
    response = alice_client.post(URL, data)
    assert response["Location"] == f"/roadmaps/{resource.roadmap.slug}/#resource-{resource.pk}"


@pytest.mark.parametrize("save", ["", "abc", "1e3", "٣", "9" * 30])
def test_a_missing_or_malformed_save_is_a_400(alice_client, resources, save):
    response = alice_client.post(URL, page_form(resources, save=save))
    assert response.status_code == 400
    assert not Progress.objects.exists()


def test_an_unknown_resource_is_a_404(alice_client, resources):
    assert alice_client.post(URL, {"save": "999999"}).status_code == 404


def test_an_unknown_status_comes_back_on_its_own_page_with_the_message(alice_client, resources):
    resource = resources[0]
    data = page_form(
        resources, **{f"status-{resource.pk}": "finished"}, save=str(resource.pk), next="/?q=a"
    )
    response = alice_client.post(URL, data)
    assert response.status_code == 422
    html = response.content.decode()
    assert "Choose a status" in html and 'aria-invalid="true"' in html
    assert '<input type="hidden" name="next" value="/?q=a">' in html
    assert not Progress.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(anon, resources):
    response = anon.post(URL, {"save": str(resources[0].pk)}, HTTP_REFERER="http://testserver/?q=a")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not Progress.objects.exists()


def test_get_is_not_allowed(alice_client):
    assert alice_client.get(URL).status_code == 405


def test_the_page_form_carries_the_filtered_address(alice_client, resources):
    html = alice_client.get("/?q=attention").content.decode()
    assert '<input type="hidden" name="next" value="/?q=attention">' in html
    pk = resources[0].pk
    assert f"<button form=pf name=save value={pk} " in html


def test_a_single_control_post_without_javascript_also_goes_back_to_next(alice_client, resources):
    resource = resources[0]
    response = alice_client.post(
        f"/resources/{resource.pk}/status/", {"status": "skipped", "next": "/?q=attention"}
    )
    assert response["Location"] == f"/?q=attention#resource-{resource.pk}"


def test_an_unfiltered_page_sends_back_to_its_plain_address(alice_client, resources):
    # The unfiltered page is cached by its path: it must not keep one visit's stray query.
    html = alice_client.get("/?utm_source=mail").content.decode()
    assert '<input type="hidden" name="next" value="/">' in html
