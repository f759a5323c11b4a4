"""Signs from other learners on the roadmap page: finished counts, group counts, "worth it"."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from groups import signs
from groups.models import WorthAnswer
from roadmap import learning
from roadmap.models import Progress
from tests.conftest import client_for, make_resource, make_user
from tests.groups_helpers import add_member, make_group

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://testserver/"}


def finish(users, resource):
    for user in users:
        learning.set_status(user, resource, Progress.Status.DONE)


@pytest.fixture
def resource(db):
    return make_resource(title="Attention")


@pytest.mark.django_db
def test_finished_counts_show_from_five_learners(resource, anon):
    learners = [make_user(f"l{i}@example.com") for i in range(5)]
    finish(learners[:4], resource)
    assert "finished this" not in anon.get("/").content.decode()
    finish(learners[4:], resource)
    signs.clear()
    assert "5 learners finished this." in anon.get("/").content.decode()


@pytest.mark.django_db
def test_in_a_group_the_learner_sees_how_many_of_the_group_finished(resource, alice, bob):
    group = make_group(alice, resource.roadmap)
    add_member(group, bob)
    finish([bob], resource)
    page = client_for(alice).get("/").content.decode()
    assert "1 of 2 in your group finished this." in page
    outsider = client_for(make_user("out@example.com")).get("/").content.decode()
    assert "in your group" not in outsider


@pytest.mark.django_db
def test_leaving_the_group_removes_its_count_at_once(resource, alice, bob):
    group = make_group(alice, resource.roadmap)
    add_member(group, bob)
    bob_client = client_for(bob)
    assert "in your group" in bob_client.get("/").content.decode()
    bob_client.post(f"/groups/{group.pk}/leave/")
    assert "in your group" not in bob_client.get("/").content.decode()


@pytest.mark.django_db
def test_worth_it_is_asked_after_done_and_changeable_with_htmx(resource, alice, alice_client):
    assert "Worth your time?" not in alice_client.get("/").content.decode()
    response = alice_client.post(f"/resources/{resource.pk}/progress/", {"done": "on"}, **HTMX)
    fragment = response.content.decode()
    assert f"id=x{resource.pk}" in fragment and "Worth your time?" in fragment
    # Not answered yet: two plain buttons, neither pressed nor "not pressed".
    assert "aria-pressed" not in fragment.split(f"id=x{resource.pk}")[1]
    answer = alice_client.post(f"/resources/{resource.pk}/worth/", {"worth": "yes"}, **HTMX)
    html = answer.content.decode()
    assert answer.status_code == 200 and "<html" not in html and "You said yes." in html
    assert "aria-pressed=true>Yes" in html and "aria-pressed=false>No" in html
    # The buttons belong to the page's one form: no form or token of the resource's own.
    assert f"form=pf formaction=/resources/{resource.pk}/worth/ name=worth value=yes" in html
    assert "<form" not in html and "csrfmiddlewaretoken" not in html
    assert f'role=group aria-labelledby="ww t{resource.pk}"' in html
    alice_client.post(f"/resources/{resource.pk}/worth/", {"worth": "no"}, **HTMX)
    assert WorthAnswer.objects.get().worth is False
    assert "You said no." in alice_client.get("/").content.decode()


@pytest.mark.django_db
def test_worth_it_works_without_javascript(resource, alice, alice_client):
    learning.set_status(alice, resource, Progress.Status.DONE)
    response = alice_client.post(f"/resources/{resource.pk}/worth/", {"worth": "yes"})
    assert response.status_code == 302 and response["Location"].endswith(f"#resource-{resource.pk}")
    assert WorthAnswer.objects.get(user=alice).worth is True


@pytest.mark.django_db
def test_worth_it_without_javascript_posts_the_page_form_and_keeps_the_filter(
    resource, alice, alice_client
):
    learning.set_status(alice, resource, Progress.Status.DONE)
    page = alice_client.get("/?q=attention").content.decode()
    assert "<span id=ww>Worth your time:</span>" in page  # the group's name, written once
    # What the page's form sends with the No button: its token, its next, the other fields.
    posted = {"next": "/?q=attention", f"done-{resource.pk}": "on", "worth": "no"}
    response = alice_client.post(f"/resources/{resource.pk}/worth/", posted)
    assert response["Location"] == f"/?q=attention#resource-{resource.pk}"
    assert WorthAnswer.objects.get(user=alice).worth is False
    elsewhere = {"next": "https://evil.example/", "worth": "yes"}
    response = alice_client.post(f"/resources/{resource.pk}/worth/", elsewhere)
    assert response["Location"].endswith(f"/#resource-{resource.pk}")
    assert "evil" not in response["Location"]
    assert WorthAnswer.objects.get(user=alice).worth is True


@pytest.mark.django_db
def test_worth_it_needs_the_resource_done_and_a_yes_or_no(resource, alice_client):
    response = alice_client.post(f"/resources/{resource.pk}/worth/", {"worth": "yes"}, **HTMX)
    assert response.status_code == 422 and "Mark it done first" in response.content.decode()
    bad = alice_client.post(f"/resources/{resource.pk}/worth/", {"worth": "maybe"}, **HTMX)
    assert bad.status_code == 422 and "Choose yes or no." in bad.content.decode()
    assert not WorthAnswer.objects.exists()


@pytest.mark.django_db
def test_the_share_shows_once_five_have_answered(resource, anon):
    learners = [make_user(f"w{i}@example.com") for i in range(5)]
    finish(learners, resource)
    for i, learner in enumerate(learners[:4]):
        WorthAnswer.objects.create(user=learner, resource=resource, worth=i < 3)
    assert "found it worth their time" not in anon.get("/").content.decode()
    WorthAnswer.objects.create(user=learners[4], resource=resource, worth=True)
    signs.clear()
    assert "80% of the 5 learners who answered found it worth" in anon.get("/").content.decode()


def page_queries(client) -> int:
    client.get("/")
    with CaptureQueriesContext(connection) as captured:
        client.get("/")
    return len(captured)


@pytest.mark.django_db
def test_learners_outside_groups_pay_no_query_and_members_a_constant_number(resource, alice, bob):
    from roadmap import extras

    baseline_client = client_for(make_user("plain@example.com"))
    with_signs = page_queries(baseline_client)
    saved = list(extras._providers)
    extras._providers.clear()
    try:
        from roadmap import pagecache

        pagecache.clear()
        without_signs = page_queries(client_for(make_user("plain2@example.com")))
    finally:
        extras._providers.extend(saved)
    assert with_signs == without_signs
    group = make_group(alice, resource.roadmap)
    add_member(group, bob)
    small = page_queries(client_for(bob))
    for i in range(10):
        member = make_user(f"g{i}@example.com")
        add_member(group, member)
        finish([member], make_resource(resource.section))
    assert page_queries(client_for(bob)) == small


@pytest.mark.django_db
def test_the_filtered_list_keeps_the_signs(resource, alice, alice_client):
    learning.set_status(alice, resource, Progress.Status.DONE)
    fragment = alice_client.get("/?q=Attention", **HTMX).content.decode()
    assert "<html" not in fragment and "Worth your time?" in fragment


@pytest.mark.django_db
def test_a_failing_provider_leaves_the_roadmap_page_up(resource, alice_client):
    from roadmap import extras

    def broken(request, outline):
        raise RuntimeError("down")

    extras.register(broken)
    try:
        assert alice_client.get("/").status_code == 200
    finally:
        extras._providers.remove(broken)


@pytest.mark.django_db
def test_a_learner_in_several_groups_costs_the_same_queries_as_in_one(resource, alice, bob):
    first = make_group(alice, resource.roadmap, name="First")
    add_member(first, bob)
    finish([alice], resource)
    one = page_queries_cold(client_for(bob))
    for n in range(3):
        other = make_group(make_user(f"owner{n}@example.com"), resource.roadmap, name=f"G{n}")
        add_member(other, bob)
    page = client_for(bob).get("/").content.decode()
    assert "1 of 2 in First finished this." in page and "0 of 2 in G0 finished this." in page
    assert page_queries_cold(client_for(bob)) == one


def page_queries_cold(client) -> int:
    from roadmap import pagecache

    signs.clear()
    pagecache.clear()
    client.get("/")  # the curriculum, read once per process
    signs.clear()
    pagecache.clear()
    with CaptureQueriesContext(connection) as captured:
        client.get("/")
    return len(captured)


def test_a_full_store_drops_its_oldest_entries_not_all_of_them(monkeypatch):
    monkeypatch.setattr(signs, "MAX_ENTRIES", 3)
    store = {}
    for n in range(5):
        signs._keep(store, n, f"signs {n}")
    assert list(store) == [2, 3, 4]
    signs._keep(store, 2, "signs 2, counted again")  # refreshed: now the newest
    signs._keep(store, 5, "signs 5")
    assert list(store) == [4, 2, 5]
    assert store[2] == "signs 2, counted again"
