import io
import json
import shutil

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import override_settings

from roadmap.models import Note, Progress, Resource
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

TRANSFORMER = "https://jalammar.github.io/illustrated-transformer/"


def sync(**kwargs) -> str:
    out = io.StringIO()
    call_command("sync_curriculum", stdout=out, **kwargs)
    return out.getvalue()


def test_the_first_start_loads_the_curriculum():
    assert "Applied curriculum.json" in sync()
    assert Resource.objects.published().count() == 31


def test_a_restart_leaves_curators_edits_alone():
    sync()
    Resource.objects.filter(url=TRANSFORMER).update(title="Curated title")
    assert "left alone" in sync()
    assert Resource.objects.get(url=TRANSFORMER).title == "Curated title"


def test_a_changed_fixture_is_applied_in_place_and_keeps_learner_data(tmp_path):
    source = settings.FIXTURE_DIRS[0] / "curriculum.json"
    shutil.copy(source, tmp_path / "curriculum.json")
    with override_settings(FIXTURE_DIRS=[tmp_path]):
        sync()
        resource = Resource.objects.get(url=TRANSFORMER)
        learner = make_user("learner@example.com")
        Progress.objects.create(user=learner, resource=resource)
        Note.objects.create(user=learner, resource=resource, body="mine", body_html="<p>mine</p>")

        data = json.loads((tmp_path / "curriculum.json").read_text())
        for obj in data:
            if obj["model"] == "roadmap.resource" and obj["fields"]["url"] == TRANSFORMER:
                obj["fields"]["title"] = "The Illustrated Transformer (2nd edition)"
        (tmp_path / "curriculum.json").write_text(json.dumps(data))
        assert "Applied" in sync()

    resource.refresh_from_db()
    assert resource.title == "The Illustrated Transformer (2nd edition)"
    assert Resource.objects.count() == 31
    assert Progress.objects.get(user=learner).resource == resource
    assert Note.objects.get(user=learner).body == "mine"


def test_force_reapplies_an_unchanged_fixture():
    sync()
    Resource.objects.filter(url=TRANSFORMER).update(title="Curated title")
    sync(force=True)
    assert Resource.objects.get(url=TRANSFORMER).title == "The Illustrated Transformer"


def test_an_unknown_fixture_is_a_clear_error():
    with pytest.raises(CommandError, match="No fixture named 'nope'"):
        sync(fixture="nope")


def test_a_fixture_that_nests_sections_in_each_other_is_refused_and_changes_nothing(tmp_path):
    from roadmap.models import CurriculumSync, Section

    sync()
    rows = json.loads((settings.FIXTURE_DIRS[0] / "curriculum.json").read_text())
    sections = [row for row in rows if row["model"] == "roadmap.section"]
    key = {id(row): [*row["fields"]["roadmap"], row["fields"]["slug"]] for row in sections}
    top = next(row for row in sections if row["fields"]["parent"] is None)
    child = next(row for row in sections if row["fields"]["parent"] == key[id(top)])
    top["fields"]["parent"] = key[id(child)]  # the part inside its own section
    (tmp_path / "curriculum.json").write_text(json.dumps(rows))
    before = CurriculumSync.objects.get().sha256

    with override_settings(FIXTURE_DIRS=[tmp_path]), pytest.raises(CommandError, match="nest"):
        sync()

    assert Section.objects.get(slug=top["fields"]["slug"]).parent is None
    assert CurriculumSync.objects.get().sha256 == before
