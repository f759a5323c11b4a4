"""What is new: resources added since a learner's previous visit, shown to them once."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from roadmap.models import Resource, Visit
from tests.conftest import client_for, make_resource, make_section, make_user

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://testserver/"}


@pytest.fixture
def section():
    return make_section(title="Basics", slug="basics")


@pytest.fixture
def learner(section):
    make_resource(section, title="Old favourite")
    return make_user("learner@example.com")  # signed up after the first resource


def test_a_new_learner_finds_nothing_new(learner):
    html = client_for(learner).get("/").content.decode()
    assert "New since your last visit" not in html and "badge-new" not in html
    assert not Visit.objects.exists()  # and the page view wrote nothing


def test_resources_added_since_the_last_visit_are_listed_once_and_marked_new(learner, section):
    client = client_for(learner)
    client.get("/")
    added = make_resource(section, title="Fresh paper")
    html = client.get("/").content.decode()
    assert '<h2 id="whats-new-heading">New since your last visit</h2>' in html
    assert f'<li><a href="#resource-{added.pk}">Fresh paper</a></li>' in html
    assert html.count('<span class="badge badge-new">New</span>') == 1
    assert Visit.objects.get(user=learner).seen_until == added.added_at

    again = client.get("/").content.decode()
    assert "New since your last visit" not in again and "badge-new" not in again


def test_what_is_new_is_per_learner(learner, section):
    other = make_user("other@example.com")
    client_for(learner).get("/")  # learner sees the news, other has not come back yet
    make_resource(section, title="Fresh paper")
    assert "Fresh paper</a></li>" in client_for(learner).get("/").content.decode()
    assert "Fresh paper</a></li>" in client_for(other).get("/").content.decode()
    assert "New since your last visit" not in client_for(learner).get("/").content.decode()


def test_anonymous_visitors_see_no_news(anon, learner, section):
    make_resource(section, title="Fresh paper")
    assert "New since your last visit" not in anon.get("/").content.decode()


def test_dismissing_the_list_with_htmx_removes_it(learner, section):
    client = client_for(learner)
    make_resource(section, title="Fresh paper")
    slug = section.roadmap.slug
    response = client.post(f"/roadmaps/{slug}/whats-new/dismiss/", **HTMX)
    assert response.status_code == 200 and response.content == b""
    assert "New since your last visit" not in client.get("/").content.decode()


def test_dismissing_without_javascript_redirects_to_the_roadmap(learner, section):
    response = client_for(learner).post(f"/roadmaps/{section.roadmap.slug}/whats-new/dismiss/")
    assert (
        response.status_code == 302 and response["Location"] == f"/roadmaps/{section.roadmap.slug}/"
    )
    assert Visit.objects.filter(user=learner, roadmap=section.roadmap).exists()


def test_dismissing_needs_a_learner_and_a_published_roadmap(anon, learner, section):
    url = f"/roadmaps/{section.roadmap.slug}/whats-new/dismiss/"
    assert anon.post(url)["Location"].startswith("/accounts/login/")
    assert client_for(learner).get(url).status_code == 405
    assert client_for(learner).post("/roadmaps/nope/whats-new/dismiss/").status_code == 404
    assert not Visit.objects.exists()


def test_reloading_the_curriculum_keeps_when_each_resource_was_added(db):
    call_command("loaddata", "curriculum", verbosity=0)
    long_ago = timezone.now() - timedelta(days=30)
    Resource.objects.update(added_at=long_ago)
    call_command("loaddata", "curriculum", verbosity=0)
    call_command("sync_curriculum", "--force", verbosity=0)
    assert set(Resource.objects.values_list("added_at", flat=True)) == {long_ago}
    learner = make_user("returning@example.com")
    learner.date_joined = long_ago + timedelta(days=1)
    learner.save()
    assert "New since your last visit" not in client_for(learner).get("/").content.decode()
