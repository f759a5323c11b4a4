"""The learner statistics by study group, and the "worth your time" answers in them."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from groups.models import WorthAnswer
from roadmap.models import Resource
from tests.groups_helpers import add_member, make_group
from tests.test_learner_statistics import CSV_URL, URL, course  # noqa: F401 - the fixture


@pytest.fixture
def answered(course):  # noqa: F811
    vectors = Resource.objects.get(title="Vectors")
    transformer = Resource.objects.get(title="Transformer")
    alice, bob = (
        User.objects.get(email="alice@example.com"),
        User.objects.get(email="bob@example.com"),
    )
    erin = User.objects.get(email="erin@example.com")
    WorthAnswer.objects.create(user=alice, resource=vectors, worth=True)
    WorthAnswer.objects.create(user=bob, resource=vectors, worth=False)
    WorthAnswer.objects.create(user=erin, resource=vectors, worth=True)
    WorthAnswer.objects.create(user=alice, resource=transformer, worth=True)
    group = make_group(alice, course["roadmap"], name="Alice and Erin")
    add_member(group, erin)
    return group


@pytest.mark.django_db
def test_curators_see_the_answers_per_resource_most_worth_first(answered, carol_client):
    page = carol_client.get(URL).content.decode()
    worth = page.split('id="worth-heading"', 1)[1].split("</table>", 1)[0]
    assert worth.index("Transformer") < worth.index("Vectors")
    assert "67%" in worth and "100%" in worth


@pytest.mark.django_db
def test_the_csv_has_the_answers_and_sorts_by_them(answered, carol_client):
    rows = list(csv.DictReader(io.StringIO(carol_client.get(CSV_URL).content.decode())))
    vectors = next(row for row in rows if row["resource"] == "Vectors")
    assert (vectors["worth their time: yes"], vectors["worth their time: no"]) == ("2", "1")
    assert vectors["worth their time"] == "67%"
    by_worth = carol_client.get(f"{CSV_URL}?sort=worth").content.decode()
    ordered = [row["resource"] for row in csv.DictReader(io.StringIO(by_worth))]
    assert ordered[:2] == ["Transformer", "Vectors"]
    assert {row for row in ordered} == {"Transformer", "Vectors", "'=Calculus"}


@pytest.mark.django_db
def test_statistics_can_count_one_groups_members_only(answered, carol_client):
    everyone = carol_client.get(URL).content.decode()
    assert "Study group: Alice and Erin" in everyone
    page = carol_client.get(f"{URL}?roadmap=llm&group={answered.pk}").content.decode()
    assert "Only the members of the study group" in page
    summary = page.split('class="statistics-summary"', 1)[1].split("</ul>", 1)[0]
    assert "<strong>2</strong> learners started" in summary
    rows = list(
        csv.DictReader(
            io.StringIO(
                carol_client.get(f"{CSV_URL}?roadmap=llm&group={answered.pk}").content.decode()
            )
        )
    )
    vectors = next(row for row in rows if row["resource"] == "Vectors")
    assert (
        vectors["started"],
        vectors["worth their time: yes"],
        vectors["worth their time: no"],
    ) == (
        "2",
        "2",
        "0",
    )


@pytest.mark.django_db
@pytest.mark.parametrize("group", ["abc", "999999", "1" * 30])
def test_an_unknown_group_is_a_404(answered, carol_client, group):
    assert carol_client.get(f"{URL}?roadmap=llm&group={group}").status_code == 404


@pytest.mark.django_db
def test_a_group_of_another_roadmap_is_a_404(answered, carol_client):
    other = make_group(User.objects.get(email="bob@example.com"))
    assert carol_client.get(f"{URL}?roadmap=llm&group={other.pk}").status_code == 404


@pytest.mark.django_db
def test_the_filter_costs_no_extra_query(answered, carol_client):
    carol_client.get(URL)
    with CaptureQueriesContext(connection) as everyone:
        carol_client.get(URL)
    with CaptureQueriesContext(connection) as one_group:
        carol_client.get(f"{URL}?roadmap=llm&group={answered.pk}")
    assert len(one_group) <= len(everyone) + 1  # the group itself is read
