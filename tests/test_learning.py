"""The rules every write to a learner's state keeps (roadmap/learning.py)."""

import pytest

from history.models import Event
from roadmap import learning
from roadmap.models import Note, Progress
from tests.conftest import make_resource

Status = Progress.Status


@pytest.fixture
def resource(db):
    return make_resource()


def test_a_status_change_is_saved_and_recorded_once(alice, resource):
    assert learning.set_status(alice, resource, Status.IN_PROGRESS) is True
    assert learning.set_status(alice, resource, Status.IN_PROGRESS) is False
    assert Progress.objects.get(user=alice, resource=resource).status == Status.IN_PROGRESS
    assert list(Event.objects.values_list("kind", "status")) == [("status", "in_progress")]


def test_not_started_without_a_bookmark_leaves_no_row(alice, resource):
    learning.set_status(alice, resource, Status.DONE)
    learning.set_status(alice, resource, Status.NOT_STARTED)
    assert not Progress.objects.exists()
    assert Event.objects.count() == 2


def test_resetting_a_resource_never_touched_records_nothing(alice, resource):
    assert learning.set_status(alice, resource, Status.NOT_STARTED) is False
    assert not Progress.objects.exists()
    assert not Event.objects.exists()


def test_a_bookmark_outlives_a_reset_status(alice, resource):
    learning.set_status(alice, resource, Status.IN_PROGRESS)
    assert learning.set_bookmark(alice, resource, "  video 7, 12:40 ") is True
    learning.set_status(alice, resource, Status.NOT_STARTED)
    row = Progress.objects.get(user=alice, resource=resource)
    assert (row.status, row.bookmark) == (Status.NOT_STARTED, "video 7, 12:40")
    assert learning.set_bookmark(alice, resource, "") is True
    assert not Progress.objects.exists()


def test_a_bookmark_alone_does_not_change_the_status(alice, resource):
    learning.set_bookmark(alice, resource, "chapter 3")
    assert Progress.objects.get(user=alice).status == Status.NOT_STARTED
    assert not Progress.objects.done().exists()
    assert not Event.objects.exists()


def test_saving_the_same_note_twice_records_one_edit(alice, resource):
    learning.save_note(alice, resource, "**bold**")
    learning.save_note(alice, resource, "**bold**")
    assert Note.objects.get(user=alice).body_html == "<p><strong>bold</strong></p>\n"
    assert list(Event.objects.values_list("kind", flat=True)) == ["note"]


def test_an_empty_note_deletes_it(alice, resource):
    learning.save_note(alice, resource, "text")
    assert learning.save_note(alice, resource, "   ") is None
    assert not Note.objects.exists()


def test_one_learners_writes_never_touch_anothers(alice, bob, resource):
    learning.set_status(alice, resource, Status.DONE)
    learning.set_status(bob, resource, Status.SKIPPED)
    learning.set_status(bob, resource, Status.NOT_STARTED)
    assert Progress.objects.get().user == alice


def test_a_conditional_reset_only_resets_the_status_it_names(alice, resource):
    learning.set_status(alice, resource, Status.IN_PROGRESS)
    assert learning.set_status(alice, resource, Status.NOT_STARTED, only_from=Status.DONE) is False
    assert Progress.objects.get(user=alice).status == Status.IN_PROGRESS
    learning.set_status(alice, resource, Status.DONE)
    assert learning.set_status(alice, resource, Status.NOT_STARTED, only_from=Status.DONE) is True
    assert not Progress.objects.exists()


def test_a_conditional_change_that_does_not_apply_leaves_no_row_behind(alice, resource):
    assert learning.set_status(alice, resource, Status.SKIPPED, only_from=Status.DONE) is False
    assert not Progress.objects.exists()
    assert not Event.objects.exists()
