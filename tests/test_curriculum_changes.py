"""Curators change the curriculum; learners never lose progress or notes because of it."""

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import ProtectedError

from roadmap.models import Note, Progress, Resource, Section
from tests.conftest import make_user
from tests.helpers import CURRICULUM_MARKDOWN

pytestmark = pytest.mark.django_db

TRANSFORMER = "https://jalammar.github.io/illustrated-transformer/"
GPT2 = "https://jalammar.github.io/illustrated-gpt2/"
LSTM = "https://colah.github.io/posts/2015-08-Understanding-LSTMs/"
NANOGPT = "https://www.youtube.com/watch?v=kCc8FmEb1nY"


@pytest.fixture
def learners_with_data():
    call_command("loaddata", "curriculum", verbosity=0)
    learners = [make_user("one@example.com"), make_user("two@example.com")]
    for learner in learners:
        for url in (TRANSFORMER, GPT2, LSTM, NANOGPT):
            resource = Resource.objects.get(url=url)
            Progress.objects.create(user=learner, resource=resource)
            Note.objects.create(
                user=learner, resource=resource, body=f"{learner} on {url}", body_html="<p>x</p>"
            )
    return learners


def snapshot() -> set[tuple[str, str, str]]:
    rows = {
        (p.user.email, p.resource.url, "progress")
        for p in Progress.objects.select_related("user", "resource")
    }
    rows |= {
        (n.user.email, n.resource.url, n.body)
        for n in Note.objects.select_related("user", "resource")
    }
    return rows


def edited_source(tmp_path: Path) -> Path:
    """The curriculum with one resource retitled, one moved, two reordered and one removed."""
    text = CURRICULUM_MARKDOWN.read_text()
    text = text.replace("[The Illustrated Transformer]", "[The Illustrated Transformer, revised]")
    lstm_line = next(line for line in text.splitlines() if LSTM in line)
    text = text.replace(lstm_line + "\n", "")
    text = text.replace("**Theoretical resources**", f"**Theoretical resources**\n\n{lstm_line}")
    gpt2_line = next(line for line in text.splitlines() if GPT2 in line)
    transformer_line = next(line for line in text.splitlines() if TRANSFORMER in line)
    text = text.replace(transformer_line, "@@T@@").replace(gpt2_line, transformer_line)
    text = text.replace("@@T@@", gpt2_line)
    text = re.sub(r"^.*" + re.escape(NANOGPT) + r".*\n", "", text, flags=re.MULTILINE)
    path = tmp_path / "edited.md"
    path.write_text(text)
    return path


def test_reloading_the_fixture_keeps_every_learners_data(learners_with_data):
    before = snapshot()
    call_command("loaddata", "curriculum", verbosity=0)
    call_command("loaddata", "curriculum", verbosity=0)
    assert snapshot() == before
    assert Resource.objects.count() == 31


def test_reimporting_an_edited_markdown_keeps_every_learners_data(learners_with_data, tmp_path):
    before = snapshot()
    out = io.StringIO()
    call_command("import_curriculum", str(edited_source(tmp_path)), stdout=out)
    assert snapshot() == before

    transformer = Resource.objects.get(url=TRANSFORMER)
    assert transformer.title == "The Illustrated Transformer, revised"
    assert transformer.order > Resource.objects.get(url=GPT2).order
    lstm = Resource.objects.get(url=LSTM)
    assert lstm.section == Section.objects.get(slug="llm-basic")
    assert lstm.level == "theoretical"
    nanogpt = Resource.objects.get(url=NANOGPT)
    assert not nanogpt.is_published
    assert Progress.objects.filter(resource=nanogpt).count() == 2


def test_a_removed_resource_disappears_from_the_page_but_not_from_my_notes(
    learners_with_data, tmp_path
):
    from tests.conftest import client_for

    call_command("import_curriculum", str(edited_source(tmp_path)), stdout=io.StringIO())
    client = client_for(learners_with_data[0])
    assert NANOGPT not in client.get("/").content.decode()
    my_notes = client.get("/notes/").content.decode()
    assert f'<a href="{NANOGPT}" target="_blank" rel="noopener"><span lang="en">nanoGPT' in my_notes
    assert "no longer on the roadmap" in my_notes


def test_learner_data_protects_resources_from_deletion(learners_with_data):
    with pytest.raises(ProtectedError):
        Resource.objects.get(url=TRANSFORMER).delete()
    with pytest.raises(ProtectedError):
        Resource.objects.get(url=TRANSFORMER).section.delete()


def test_deleting_a_resource_with_progress_in_admin_is_refused(learners_with_data, carol_client):
    resource = Resource.objects.get(url=TRANSFORMER)
    before = snapshot()
    carol_client.post(f"/admin/roadmap/resource/{resource.pk}/delete/", {"post": "yes"})
    carol_client.post(
        "/admin/roadmap/resource/",
        {"action": "delete_selected", "_selected_action": [resource.pk], "post": "yes"},
    )
    assert Resource.objects.filter(pk=resource.pk).exists()
    assert snapshot() == before
