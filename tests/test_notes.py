import re

import pytest
from django.conf import settings

from history.models import PublicNote, PublicProfile
from roadmap.markdown import headings_under, render_markdown
from roadmap.models import Note
from tests.conftest import make_resource, make_section

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://testserver/"}


@pytest.fixture
def resource():
    return make_resource(make_section(title="NLP", slug="nlp"), title="Understanding LSTMs")


def url(resource) -> str:
    return f"/resources/{resource.pk}/note/"


def test_the_note_page_has_a_textarea_labelled_with_the_resource_title(alice_client, resource):
    html = alice_client.get(url(resource)).content.decode()
    assert "<html" in html
    assert f'<label for="note-body-{resource.pk}">Notes on Understanding LSTMs</label>' in html
    assert f'<textarea name="body" id="note-body-{resource.pk}"' in html


def test_opening_notes_with_htmx_returns_only_the_editor(alice_client, resource):
    html = alice_client.get(url(resource), **HTMX).content.decode()
    assert "<html" not in html
    assert f'id="note-editor-{resource.pk}"' in html


def test_saving_without_javascript_renders_markdown_and_redirects_back(
    alice, alice_client, resource
):
    response = alice_client.post(url(resource), {"body": "Gates are **key**."}, follow=True)
    assert response.redirect_chain[-1][0] == resource.get_absolute_url()
    assert "was saved" in response.content.decode()
    note = Note.objects.get(user=alice, resource=resource)
    assert note.body == "Gates are **key**."
    assert note.body_html == "<p>Gates are <strong>key</strong>.</p>\n"


def test_saving_with_htmx_returns_the_rendered_note_in_the_editor(alice_client, resource):
    response = alice_client.post(url(resource), {"body": "# Recap\n\n- cell state"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "Note saved." in html
    assert "<h4>Recap</h4>" in html and "<li>cell state</li>" in html  # under the card's <h3>


def test_saving_again_updates_the_same_note(alice, alice_client, resource):
    alice_client.post(url(resource), {"body": "first"})
    alice_client.post(url(resource), {"body": "second"})
    assert list(Note.objects.filter(user=alice).values_list("body", flat=True)) == ["second"]


def test_saving_an_empty_note_deletes_it(alice, alice_client, resource):
    alice_client.post(url(resource), {"body": "something"})
    alice_client.post(url(resource), {"body": "   "})
    assert not Note.objects.filter(user=alice).exists()


def test_scripts_and_dangerous_links_never_survive(alice, alice_client, resource):
    body = (
        "<script>alert(1)</script>\n\n"
        "[click](javascript:alert(1)) <img src=x onerror=alert(1)> "
        '<a hx-get="/x" hx-trigger="load">x</a> [ok](https://example.com)'
    )
    alice_client.post(url(resource), {"body": body})
    html = Note.objects.get(user=alice).body_html
    assert "<script" not in html and "<img" not in html and "<a hx-get" not in html
    assert "javascript:" not in html.replace("[click](javascript:alert(1))", "")
    assert '<a href="https://example.com" rel="nofollow noopener">ok</a>' in html
    page = alice_client.get(url(resource)).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # the source, escaped in the textarea
    assert "<script>alert(1)" not in page


def test_a_note_over_the_limit_is_refused_with_a_message_and_kept_in_the_form(
    alice, alice_client, resource
):
    alice_client.post(url(resource), {"body": "kept"})
    too_long = "x" * (settings.NOTE_MAX_LENGTH + 1)
    response = alice_client.post(url(resource), {"body": too_long}, **HTMX)
    assert response.status_code == 422
    html = response.content.decode()
    assert "notes can hold at most 20000" in html
    assert too_long in html  # nothing the learner typed is lost
    assert Note.objects.get(user=alice).body == "kept"


def test_a_note_with_a_nul_character_is_refused(alice_client, resource):
    response = alice_client.post(url(resource), {"body": "a\x00b"})
    assert response.status_code == 422
    assert "Null characters are not allowed." in response.content.decode()
    assert not Note.objects.exists()


def test_notes_are_private(alice, alice_client, bob_client, resource):
    alice_client.post(url(resource), {"body": "alice's secret"})
    assert "alice&#x27;s secret" not in bob_client.get(url(resource)).content.decode()
    assert "alice" not in bob_client.get("/notes/").content.decode()
    bob_client.post(url(resource), {"body": "bob's own", "user": alice.pk})
    assert Note.objects.get(user=alice).body == "alice's secret"
    assert Note.objects.filter(body="bob's own").get().user.email == "bob@example.com"


def test_my_notes_lists_the_learners_notes_grouped_by_section(alice_client, resource):
    other = make_resource(make_section(resource.roadmap, title="Transformers"), title="GPT-2")
    alice_client.post(url(resource), {"body": "on lstm"})
    alice_client.post(url(other), {"body": "on gpt"})
    html = alice_client.get("/notes/").content.decode()
    assert (
        html.index("NLP")
        < html.index("on lstm")
        < html.index("Transformers")
        < html.index("on gpt")
    )
    assert f'href="{resource.get_absolute_url()}"' in html


def test_the_roadmap_shows_which_resources_have_a_note(alice_client, resource):
    alice_client.post(url(resource), {"body": "x"})
    flag = f"<span id=nf{resource.pk}>(saved)</span>"
    assert flag in alice_client.get("/").content.decode()


def test_anonymous_visitors_are_sent_to_log_in(anon, resource):
    assert anon.get(url(resource))["Location"] == f"/accounts/login/?next={url(resource)}"
    assert anon.get("/notes/")["Location"] == "/accounts/login/?next=/notes/"
    assert anon.post(url(resource), {"body": "x"}).status_code == 302
    assert not Note.objects.exists()


def test_other_methods_are_not_allowed(alice_client, resource):
    assert alice_client.put(url(resource)).status_code == 405
    assert alice_client.post("/notes/").status_code == 405


def test_an_unknown_resource_is_404(alice_client):
    assert alice_client.get("/resources/424242/note/").status_code == 404


def test_saving_inline_on_the_roadmap_also_updates_the_notes_flag(alice_client, resource):
    html = alice_client.post(url(resource), {"body": "x"}, **HTMX).content.decode()
    assert f"<a id=nl{resource.pk} " in html
    flag = f"hx-swap-oob=true>Notes <span id=nf{resource.pk}>(saved)"
    assert flag in html


def test_saving_on_the_note_page_sends_no_flag_for_a_missing_target(alice_client, resource):
    on_note_page = {**HTMX, "HTTP_HX_CURRENT_URL": f"http://testserver{url(resource)}"}
    html = alice_client.post(url(resource), {"body": "x"}, **on_note_page).content.decode()
    assert f"<a id=nl{resource.pk} " not in html


# A note's headings sit below the heading of what it is shown in.

RECAP = "# Recap\n\nGates.\n\n## Forget gate\n\nSigmoid."


def headings(html: str) -> list[tuple[int, str]]:
    """The note's headings as (level, text), in the order shown."""
    body = html[html.index('class="prose note-body"') :]
    return [(int(level), text) for level, text in re.findall(r"<h([1-6])>(.*?)</h\1>", body)]


def resource_heading_level(html: str, resource) -> int:
    item = html[html.index(f'id="resource-{resource.pk}"') :]
    return int(re.search(r'<h([1-6]) class="resource-title">', item).group(1))


def test_a_notes_headings_nest_under_its_resource_in_the_roadmaps_card(alice_client, resource):
    alice_client.post(url(resource), {"body": RECAP})
    level = resource_heading_level(alice_client.get("/").content.decode(), resource)
    html = alice_client.get(url(resource), **HTMX).content.decode()
    assert headings(html) == [(level + 1, "Recap"), (level + 2, "Forget gate")]
    saved = alice_client.post(url(resource), {"body": RECAP + "!"}, **HTMX).content.decode()
    assert headings(saved) == [(level + 1, "Recap"), (level + 2, "Forget gate")]


def test_a_notes_headings_come_below_the_title_of_its_own_page(alice_client, resource):
    alice_client.post(url(resource), {"body": RECAP})
    assert headings(alice_client.get(url(resource)).content.decode()) == [
        (2, "Recap"),
        (3, "Forget gate"),
    ]
    on_note_page = {**HTMX, "HTTP_HX_CURRENT_URL": f"http://testserver{url(resource)}"}
    saved = alice_client.post(url(resource), {"body": RECAP + "!"}, **on_note_page)
    assert headings(saved.content.decode()) == [(2, "Recap"), (3, "Forget gate")]


def test_my_notes_and_the_public_page_put_note_headings_under_the_resources_h3(
    alice, alice_client, anon, resource
):
    # Stored as earlier versions stored it: the note's own levels, moved only when shown.
    note = Note.objects.create(
        user=alice, resource=resource, body=RECAP, body_html=render_markdown(RECAP)
    )
    assert "<h1>Recap</h1>" in note.body_html
    my_notes = alice_client.get("/notes/").content.decode()
    assert '<h3 lang="en">' in my_notes
    assert headings(my_notes) == [(4, "Recap"), (5, "Forget gate")]

    PublicProfile.objects.create(user=alice, handle="ada", is_enabled=True)
    PublicNote.objects.create(note=note)
    public = anon.get("/u/ada/").content.decode()
    assert headings(public) == [(4, "Recap"), (5, "Forget gate")]


@pytest.mark.parametrize(
    ("markdown", "parent", "expected"),
    [
        ("# A\n\n## B\n\n### C", 3, "<h4>A</h4> <h5>B</h5> <h6>C</h6>"),
        ("# A\n\n###### F", 3, "<h4>A</h4> <h6>F</h6>"),  # none deeper than h6
        ("### Only a third-level one", 1, "<h2>Only a third-level one</h2>"),  # no gap left
        ("## B\n\n# A", 2, "<h4>B</h4> <h3>A</h3>"),  # the highest one sets the level
        ("No heading at all", 3, "<p>No heading at all</p>"),
    ],
)
def test_headings_under_moves_every_heading_below_the_parent(markdown, parent, expected):
    html = headings_under(render_markdown(markdown), parent)
    assert " ".join(html.split("\n")).strip() == expected


def test_headings_under_leaves_heading_tags_written_as_text_alone():
    html = headings_under(render_markdown("# Tags\n\nType `<h1>` or <h2>x</h2>"), 3)
    assert html.count("<h4>") == 1 and "<h5>" not in html
    assert "&lt;h1&gt;" in html and "&lt;h2&gt;" in html
