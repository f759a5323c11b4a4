"""Notes cannot stall the site: a render budget, a save rate limit, and a paginated My notes."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from roadmap.markdown import (
    HTML_CEILING,
    MarkdownTooLarge,
    html_budget,
    render_markdown,
    token_budget,
)
from roadmap.models import Note
from roadmap.views import NOTES_PER_PAGE
from tests.conftest import make_resource, make_section

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rate_limits")]

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://testserver/"}


def exploding_note(limit: int = 20_000) -> str:
    """Issue 9's note: wide headers over columns of one-character rows, table after table."""
    header = "|" + "|".join("a" * 180) + "|\n|" + "|".join("-" * 180) + "|\n"
    block = header + "a\n" * 200 + "\n"
    return block * (limit // len(block))


def table_note(rows: int = 20) -> str:
    return "| Model | Year |\n| --- | --- |\n" + "| GPT-2 | 2019 |\n" * rows


def url(resource) -> str:
    return f"/resources/{resource.pk}/note/"


def test_the_exploding_note_is_refused_before_its_tables_are_built(monkeypatch):
    from roadmap.markdown import _table_rule as original

    text = exploding_note()
    # Counting the rows markdown-it pads shows the refusal comes before any work on them:
    # the first table's header width times its rows is already over the budget.
    padded = []

    def counting(state, start, end, silent):
        if not silent:
            padded.append(start)
        return original(state, start, end, silent)

    monkeypatch.setattr("roadmap.markdown._table_rule", counting)

    with pytest.raises(MarkdownTooLarge):
        render_markdown(text)
    assert padded == []
    assert token_budget(text) < 180 * 200 * 3  # what the first table alone would take


def test_a_table_that_fits_its_budget_renders_and_stays_within_its_html_budget():
    text = table_note(200)
    html = render_markdown(text)
    assert html.count("<td>") == 400
    assert len(html) <= html_budget(text)


def test_the_html_budget_is_twenty_times_the_text_never_below_10_kb_nor_above_1_mb():
    assert html_budget("x") == 10_000
    assert html_budget("x" * 2_000) == 40_000
    assert html_budget("x" * 10_000_000) == HTML_CEILING == 1_000_000


def test_html_over_its_budget_is_refused_even_when_the_tokens_fit(monkeypatch):
    monkeypatch.setattr("roadmap.markdown.HTML_FLOOR", 0)
    monkeypatch.setattr("roadmap.markdown.HTML_PER_CHARACTER", 2)
    text = "| a | b |\n| - | - |\n| c | d |\n"  # fits the token budget, renders to ~4x
    with pytest.raises(MarkdownTooLarge):
        render_markdown(text)


def test_curriculum_prose_over_budget_is_shown_as_text_not_rendered():
    from roadmap.markdown import render_trusted_markdown

    html = render_trusted_markdown(exploding_note(5_000))
    assert html.startswith("<p>|a|a|")
    assert "<td>" not in html


def test_saving_the_exploding_note_is_refused_with_422_and_the_text_kept(
    alice, alice_client, resource
):
    alice_client.post(url(resource), {"body": "kept"})
    text = exploding_note()

    for headers in ({}, HTMX):
        response = alice_client.post(url(resource), {"body": text}, **headers)
        assert response.status_code == 422
        html = response.content.decode()
        assert "too large to display" in html
        assert "Nothing was saved" in html
        assert ("<html" in html) is (headers == {})
        textarea = re.search(r"<textarea[^>]*>\n?(.*?)</textarea>", html, re.S).group(1)
        assert textarea.replace("&#x27;", "'") == text  # nothing the learner typed is lost
    assert Note.objects.get(user=alice).body == "kept"


def test_a_normal_table_note_is_saved(alice, alice_client, resource):
    response = alice_client.post(url(resource), {"body": table_note()}, **HTMX)
    assert response.status_code == 200
    assert "<td>GPT-2</td>" in Note.objects.get(user=alice).body_html


def test_note_saves_past_the_rate_limit_get_429_and_keep_the_text(alice, alice_client, resource):
    for n in range(30):
        assert alice_client.post(url(resource), {"body": f"draft {n}"}, **HTMX).status_code == 200

    response = alice_client.post(url(resource), {"body": "draft 30"}, **HTMX)

    assert response.status_code == 429
    html = response.content.decode()
    assert "saved notes very often" in html
    assert "draft 30</textarea>" in html
    assert Note.objects.get(user=alice).body == "draft 29"
    no_js = alice_client.post(url(resource), {"body": "draft 31"})
    assert no_js.status_code == 429
    assert "<html" in no_js.content.decode() and "draft 31</textarea>" in no_js.content.decode()


def test_the_rate_limit_is_per_learner(alice_client, bob, bob_client, resource):
    for n in range(31):
        alice_client.post(url(resource), {"body": f"draft {n}"}, **HTMX)
    assert bob_client.post(url(resource), {"body": "bob's"}, **HTMX).status_code == 200
    assert Note.objects.get(user=bob).body == "bob's"


@pytest.fixture
def resource():
    return make_resource(make_section(title="NLP", slug="nlp"), title="Understanding LSTMs")


def _many_notes(user, count: int) -> list[Note]:
    section = make_section(title="Many", slug="many")
    notes = []
    for n in range(count):
        resource = make_resource(section, title=f"Resource {n:03}", order=n)
        notes.append(
            Note.objects.create(
                user=user, resource=resource, body=f"n{n}", body_html=f"<p>note {n:03}</p>"
            )
        )
    return notes


def test_my_notes_is_paginated_with_a_labelled_page_nav(alice, alice_client):
    _many_notes(alice, NOTES_PER_PAGE * 2 + 5)

    first = alice_client.get("/notes/").content.decode()
    third = alice_client.get("/notes/?page=3").content.decode()

    assert first.count('class="note-card"') == NOTES_PER_PAGE
    assert "note 000" in first and f"note {NOTES_PER_PAGE:03}" not in first
    assert third.count('class="note-card"') == 5
    assert f"note {NOTES_PER_PAGE * 2 + 4:03}" in third
    assert '<nav class="pagination" aria-label="Pages of notes">' in first
    assert 'href="?page=1" aria-current="page"' in first
    assert 'href="?page=2" rel="next"' in first
    assert 'href="?page=2" rel="prev"' in third
    assert f"Notes 1–{NOTES_PER_PAGE} of {NOTES_PER_PAGE * 2 + 5}" in first


@pytest.mark.parametrize("page", ["0", "999", "x", ""])
def test_a_page_number_out_of_range_shows_a_page_of_notes(alice, alice_client, page):
    _many_notes(alice, NOTES_PER_PAGE + 1)
    response = alice_client.get(f"/notes/?page={page}")
    assert response.status_code == 200
    assert 'class="note-card"' in response.content.decode()


def test_one_page_of_notes_shows_no_page_nav(alice, alice_client):
    _many_notes(alice, 3)
    assert "pagination" not in alice_client.get("/notes/").content.decode()


def test_my_notes_costs_the_same_queries_for_few_and_many_notes(alice, alice_client):
    _many_notes(alice, 2)
    with CaptureQueriesContext(connection) as few:
        alice_client.get("/notes/")
    Note.objects.all().delete()
    _many_notes(alice, NOTES_PER_PAGE * 5)
    with CaptureQueriesContext(connection) as many:
        alice_client.get("/notes/?page=3")
    assert len(many) == len(few)
