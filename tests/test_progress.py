import pytest

from roadmap.models import Progress
from tests.conftest import make_resource, make_section

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://testserver/"}


@pytest.fixture
def resources():
    part = make_section(title="Basics", slug="basics")
    section = make_section(part.roadmap, title="Maths", slug="maths", parent=part)
    return [make_resource(section, title=f"Lesson {i}") for i in range(3)]


def url(resource) -> str:
    return f"/resources/{resource.pk}/progress/"


def test_checking_off_without_javascript_saves_and_redirects_back_to_the_resource(
    alice, alice_client, resources
):
    response = alice_client.post(url(resources[0]), {"done": "on"})
    assert response.status_code == 302
    assert (
        response["Location"] == f"/roadmaps/{resources[0].roadmap.slug}/#resource-{resources[0].pk}"
    )
    assert Progress.objects.filter(user=alice, resource=resources[0]).exists()


def test_unchecking_removes_the_progress(alice, alice_client, resources):
    Progress.objects.create(user=alice, resource=resources[0])
    alice_client.post(url(resources[0]), {})
    assert not Progress.objects.filter(user=alice).exists()


def test_the_page_shows_what_was_checked_off(alice, alice_client, resources):
    Progress.objects.create(user=alice, resource=resources[1])
    html = alice_client.get("/").content.decode()
    assert f'aria-labelledby="wd t{resources[1].pk}" checked' in html
    assert f'aria-labelledby="wd t{resources[0].pk}">' in html
    assert "<strong>1 of 3</strong>" in html
    assert f'Continue with: <a href="#resource-{resources[0].pk}">Lesson 0</a>' in html


def test_an_htmx_check_off_returns_the_toggle_and_out_of_band_progress(alice_client, resources):
    response = alice_client.post(url(resources[0]), {"done": "on"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert html.lstrip().startswith(f"<label id=pt{resources[0].pk}>")
    assert f'aria-labelledby="wd t{resources[0].pk}" checked' in html
    assert 'id="section-progress-maths"' in html and 'id="section-progress-basics"' in html
    assert 'id="overall-progress" class="progress-block" hx-swap-oob="true"' in html
    assert "<strong>1 of 3</strong>" in html
    assert 'id="toc-maths" hx-swap-oob="true"' in html
    assert f'Continue with: <a href="#resource-{resources[1].pk}">' in html


def test_finishing_a_section_marks_it_finished(alice, alice_client, resources):
    for resource in resources[:2]:
        Progress.objects.create(user=alice, resource=resource)
    html = alice_client.post(url(resources[2]), {"done": "on"}, **HTMX).content.decode()
    assert '<span class="badge">Finished</span>' in html
    assert "You have finished every resource" in html


def test_checking_off_twice_keeps_one_row(alice, alice_client, resources):
    for _ in range(3):
        assert alice_client.post(url(resources[0]), {"done": "on"}, **HTMX).status_code == 200
    assert Progress.objects.filter(user=alice, resource=resources[0]).count() == 1


def test_unchecking_something_never_checked_is_harmless(alice_client, resources):
    assert alice_client.post(url(resources[0]), {}).status_code == 302


def test_a_learner_only_changes_their_own_progress(alice, bob, bob_client, resources):
    Progress.objects.create(user=alice, resource=resources[0])
    bob_client.post(url(resources[0]), {"user": alice.pk})  # unchecking as Bob
    assert Progress.objects.filter(user=alice, resource=resources[0]).exists()
    bob_client.post(url(resources[1]), {"done": "on", "user": alice.pk})
    assert Progress.objects.get(resource=resources[1]).user == bob
    assert "<strong>1 of 3</strong>" in bob_client.get("/").content.decode()


def test_anonymous_visitors_are_sent_to_log_in_and_nothing_is_written(anon, resources):
    response = anon.post(url(resources[0]), {"done": "on"}, HTTP_REFERER="http://testserver/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/")
    assert not Progress.objects.exists()


def test_anonymous_htmx_requests_get_a_client_redirect(anon, resources):
    response = anon.post(url(resources[0]), {"done": "on"}, **HTMX)
    assert response["HX-Redirect"].startswith("/accounts/login/?next=/")
    assert not Progress.objects.exists()


def test_a_foreign_referer_is_not_used_as_the_next_page(anon, resources):
    response = anon.post(url(resources[0]), {}, HTTP_REFERER="https://evil.example/")
    assert response["Location"] == "/accounts/login/?next=/"


def test_get_is_not_allowed(alice_client, resources):
    assert alice_client.get(url(resources[0])).status_code == 405


@pytest.mark.parametrize("path", ["/resources/999999/progress/", "/resources/-1/progress/"])
def test_unknown_resources_are_404(alice_client, path):
    assert alice_client.post(path, {"done": "on"}).status_code == 404


def test_unpublished_resources_cannot_be_checked_off(alice_client, resources):
    resources[0].is_published = False
    resources[0].save()
    assert alice_client.post(url(resources[0]), {"done": "on"}).status_code == 404
    assert not Progress.objects.exists()


def test_a_post_without_a_csrf_token_is_refused(csrf_client, resources):
    assert csrf_client.post(url(resources[0]), {"done": "on"}).status_code == 403
    assert not Progress.objects.exists()


def test_a_post_with_the_csrf_header_like_htmx_sends_is_accepted(csrf_client, resources):
    csrf_client.get("/")
    token = csrf_client.cookies["csrftoken"].value
    response = csrf_client.post(url(resources[0]), {"done": "on"}, HTTP_X_CSRFTOKEN=token, **HTMX)
    assert response.status_code == 200
    assert Progress.objects.count() == 1


def test_resources_hidden_with_their_part_or_roadmap_cannot_be_checked_off(alice_client, resources):
    part = resources[0].section.parent
    part.is_published = False
    part.save()
    assert alice_client.post(url(resources[0]), {"done": "on"}).status_code == 404
    part.is_published = True
    part.save()
    roadmap = resources[0].roadmap
    roadmap.is_published = False
    roadmap.save()
    assert alice_client.post(url(resources[0]), {"done": "on"}).status_code == 404
    assert not Progress.objects.exists()
