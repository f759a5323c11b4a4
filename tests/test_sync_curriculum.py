import io
import json
import shutil

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import override_settings

from roadmap.models import Note, Progress, Resource, Roadmap
from roadmap.outline import curriculum_of
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


def _retitle(path, url: str, title: str) -> None:
    data = json.loads(path.read_text())
    for obj in data:
        if obj["model"] == "roadmap.resource" and obj["fields"]["url"] == url:
            obj["fields"]["title"] = title
    path.write_text(json.dumps(data))


@pytest.mark.parametrize(
    "command", [["loaddata", "curriculum"], ["sync_curriculum"]], ids=["loaddata", "sync"]
)
def test_reloading_a_changed_fixture_moves_the_version_so_other_processes_reread(tmp_path, command):
    # The fixture carries no content_version: a raw save used to write the default (0) over
    # the stored one, and the load's own touches then brought it back to the same number, so
    # a process that had cached the curriculum at that version kept showing the old one.
    shutil.copy(settings.FIXTURE_DIRS[0] / "curriculum.json", tmp_path / "curriculum.json")
    with override_settings(FIXTURE_DIRS=[tmp_path]):
        call_command(*command, verbosity=0)
        roadmap = Roadmap.objects.get()
        cached = curriculum_of(roadmap)  # what another process holds
        assert TRANSFORMER in {resource.url for resource in cached.resources}
        _retitle(tmp_path / "curriculum.json", TRANSFORMER, "Retitled in the fixture")
        call_command(*command, verbosity=0)

    reloaded = Roadmap.objects.get()
    assert reloaded.content_version > roadmap.content_version
    titles = {resource.title for resource in curriculum_of(reloaded).resources}
    assert "Retitled in the fixture" in titles


def test_a_fixture_that_carries_a_version_does_not_set_it(tmp_path):
    # Versions count this database's changes: one in a dumpdata (of this database when it was
    # new, or of another) never takes the stored one back.
    shutil.copy(settings.FIXTURE_DIRS[0] / "curriculum.json", tmp_path / "curriculum.json")
    with override_settings(FIXTURE_DIRS=[tmp_path]):
        call_command("loaddata", "curriculum", verbosity=0)
        before = Roadmap.objects.get().content_version
        data = json.loads((tmp_path / "curriculum.json").read_text())
        data[0]["fields"]["content_version"] = 0
        (tmp_path / "curriculum.json").write_text(json.dumps(data))
        call_command("loaddata", "curriculum", verbosity=0)
    assert Roadmap.objects.get().content_version > before
