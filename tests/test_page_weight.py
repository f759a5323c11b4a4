"""The signed-in roadmap page's weight (issue 19): at most 60 KB of HTML for the shipped
curriculum (31 resources), and at most twice the anonymous page, for a learner with every kind of
state (all four statuses, bookmarks, notes)."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from roadmap import learning
from roadmap.models import Progress, Resource
from tests.conftest import client_for
from tests.helpers import give_every_kind_of_state

BUDGET_BYTES = 60_000
BUDGET_RATIO = 2.0


@pytest.fixture
def curriculum(db):
    # Ids from 1, as a site has them: each id is written several times per resource, and
    # PostgreSQL's sequences run on from one test to the next.
    statements = StringIO()
    call_command("sqlsequencereset", "roadmap", stdout=statements, no_color=True)
    with connection.cursor() as cursor:
        for statement in statements.getvalue().split(";"):
            if statement.strip() and statement.strip() not in {"BEGIN", "COMMIT"}:
                cursor.execute(statement)
    call_command("loaddata", "curriculum", verbosity=0)
    return Resource.objects.count()


def test_the_shipped_curriculum_is_the_size_the_budget_is_for(curriculum):
    assert curriculum == 31


def test_the_signed_in_page_stays_within_its_budget(alice, anon, curriculum):
    give_every_kind_of_state(alice)
    learner = client_for(alice)
    learner.get("/")  # the first visit lists what is new; the budget is for every later one
    signed_in = len(learner.get("/").content)
    anonymous = len(anon.get("/").content)
    assert signed_in <= BUDGET_BYTES
    assert signed_in <= BUDGET_RATIO * anonymous


def test_resources_carry_no_csrf_token_of_their_own(alice, curriculum):
    give_every_kind_of_state(alice)
    learner = client_for(alice)
    learner.get("/")  # past the list of what is new, which has a form of its own
    html = learner.get("/").content.decode()
    # In the page's content, only its one form; besides it, the header's log-out form and the
    # footer's language picker.
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    assert main.count('name="csrfmiddlewaretoken"') == 1
    assert html.count('name="csrfmiddlewaretoken"') == 3


def test_finished_resources_ask_worth_it_without_a_form_of_their_own(alice, curriculum):
    for resource in Resource.objects.all():
        learning.set_status(alice, resource, Progress.Status.DONE)
    learner = client_for(alice)
    learner.get("/")
    html = learner.get("/").content.decode()
    assert html.count("name=worth value=yes") == 31
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    assert main.count('name="csrfmiddlewaretoken"') == 1
    assert html.count('<form id="pf" ') == 1
