"""The learners' activity per section (insights/section_activity.py): what the statistics page reads
instead of every progress row. Kept by the write path, it must always equal a rebuild from
scratch; after a curriculum change the statistics must follow at once."""

import json
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.utils import timezone

from insights import section_activity
from insights.models import SectionActivity, SectionActivityBuild
from insights.statistics import learner_statistics
from roadmap import learning
from roadmap.models import Progress, Roadmap
from tests.conftest import client_for, make_resource, make_roadmap, make_section, make_user

pytestmark = pytest.mark.django_db

Status = Progress.Status


def rows() -> list[tuple]:
    return sorted(SectionActivity.objects.values_list("user", "section", "done", "latest"))


def assert_kept_equals_rebuilt(*roadmaps: Roadmap) -> list[tuple]:
    kept = rows()
    for roadmap in roadmaps:
        section_activity.rebuild(roadmap)
    assert kept == rows()
    return kept


def summary(roadmap: Roadmap) -> dict[str, tuple[int, int]]:
    """Per section title: (learners who started it, learners who finished it)."""
    statistics = learner_statistics(Roadmap.objects.get(pk=roadmap.pk), timezone.now())
    return {
        row.section.title: (row.figures.started, row.figures.finished)
        for row in statistics.sections
    }


@pytest.fixture
def course():
    roadmap = make_roadmap(slug="course")
    a, b = make_section(roadmap, title="A"), make_section(roadmap, title="B")
    return {
        "roadmap": roadmap,
        "a": a,
        "b": b,
        "a1": make_resource(a, title="a1"),
        "a2": make_resource(a, title="a2"),
        "b1": make_resource(b, title="b1"),
    }


def test_every_write_of_the_learning_path_keeps_the_rows_equal_to_a_rebuild(course, alice, bob):
    a, b, a1, a2, b1 = (course[k] for k in ("a", "b", "a1", "a2", "b1"))
    roadmap = course["roadmap"]
    steps = [
        lambda: learning.set_status(alice, a1, Status.DONE),
        lambda: learning.set_status(alice, a2, Status.IN_PROGRESS),
        lambda: learning.set_bookmark(bob, b1, "minute 12"),
        lambda: learning.save_note(bob, a1, "A note."),
        lambda: learning.set_status(alice, a2, Status.DONE),
        lambda: learning.set_status(alice, a1, Status.SKIPPED),
        lambda: learning.save_note(bob, a1, ""),
        lambda: learning.set_bookmark(bob, b1, ""),
        lambda: learning.set_status(alice, a1, Status.NOT_STARTED),
    ]
    seen = []
    for step in steps:
        assert step() is not False
        seen.append(assert_kept_equals_rebuilt(roadmap))

    def by_user(kept):
        return {(u, s): (done, latest % section_activity.PACK) for u, s, done, latest in kept}

    # After the first two: Alice has one done in A, and her latest activity is a2.
    assert by_user(seen[1]) == {(alice.pk, a.pk): (1, a2.pk)}
    # A bookmark alone starts a resource: Bob is in B with nothing done.
    assert by_user(seen[2])[(bob.pk, b.pk)] == (0, b1.pk)
    # A note alone starts one too.
    assert by_user(seen[3])[(bob.pk, a.pk)] == (0, a1.pk)
    # Deleting his note and clearing his bookmark leaves Bob with no row at all.
    assert by_user(seen[-1]) == {(alice.pk, a.pk): (1, a2.pk)}


def test_a_repeated_write_changes_nothing(course, alice):
    learning.set_status(alice, course["a1"], Status.DONE)
    before = rows()
    assert learning.set_status(alice, course["a1"], Status.DONE) is False
    assert rows() == before


def test_an_import_refreshes_the_learners_rows(course, alice, bob):
    learning.set_status(alice, course["a1"], Status.DONE)
    learning.set_bookmark(alice, course["b1"], "page 3")
    learning.save_note(alice, course["a2"], "Keep.")
    response = client_for(alice).get("/accounts/data/export.json")
    data = json.loads(b"".join(response.streaming_content))

    bob_client = client_for(bob)
    upload = bob_client.post("/accounts/data/", {"file": _file(json.dumps(data))})
    assert upload.status_code == 302
    assert bob_client.post(upload["Location"], {"confirm": "import"}).status_code == 302

    kept = assert_kept_equals_rebuilt(course["roadmap"])
    bobs = {(s, done) for u, s, done, _ in kept if u == bob.pk}
    assert bobs == {(course["a"].pk, 1), (course["b"].pk, 0)}


def _file(content: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("export.json", content.encode(), content_type="application/json")


def test_the_statistics_follow_a_resource_moved_to_another_section_at_once(course, alice):
    a1, a2, b1 = course["a1"], course["a2"], course["b1"]
    learning.set_status(alice, a1, Status.DONE)
    learning.set_status(alice, a2, Status.DONE)
    assert summary(course["roadmap"]) == {"A": (1, 1), "B": (0, 0)}

    # A curator moves b1 into A: Alice has done two of its three now.
    b1.section = course["a"]
    b1.save()
    assert summary(course["roadmap"]) == {"A": (1, 0), "B": (0, 0)}

    learning.set_status(alice, b1, Status.DONE)
    assert summary(course["roadmap"]) == {"A": (1, 1), "B": (0, 0)}
    assert_kept_equals_rebuilt(course["roadmap"])


def test_the_statistics_follow_a_resource_withdrawn_or_published_again(course, alice, bob):
    learning.set_status(alice, course["a1"], Status.DONE)
    learning.set_status(bob, course["a2"], Status.DONE)
    assert summary(course["roadmap"]) == {"A": (2, 0), "B": (0, 0)}

    course["a2"].is_published = False
    course["a2"].save()
    # Bob's only activity was on a2: he is gone from A, and Alice finished what is left.
    assert summary(course["roadmap"]) == {"A": (1, 1), "B": (0, 0)}

    course["a2"].is_published = True
    course["a2"].save()
    assert summary(course["roadmap"]) == {"A": (2, 0), "B": (0, 0)}


def test_the_rows_are_rebuilt_once_per_curriculum_change(course, alice):
    learning.set_status(alice, course["a1"], Status.DONE)
    roadmap = Roadmap.objects.get(pk=course["roadmap"].pk)
    assert section_activity.ensure_current(roadmap) is True  # never built for this roadmap yet
    assert section_activity.ensure_current(roadmap) is False
    assert SectionActivityBuild.objects.get(roadmap=roadmap).content_version == (
        roadmap.content_version
    )

    course["b"].title = "B, renamed"
    course["b"].save()
    roadmap.refresh_from_db()
    assert section_activity.ensure_current(roadmap) is True
    assert section_activity.ensure_current(roadmap) is False


def test_rebuilding_one_roadmap_leaves_anothers_rows_alone(course, alice):
    other = make_roadmap(slug="other")
    elsewhere = make_resource(make_section(other, title="Elsewhere"))
    learning.set_status(alice, elsewhere, Status.DONE)
    learning.set_status(alice, course["a1"], Status.DONE)
    before = rows()
    section_activity.rebuild(course["roadmap"])
    assert rows() == before
    assert len(before) == 2


def test_the_command_rebuilds_rows_written_around_the_write_path(course, alice, capsys):
    roadmap = course["roadmap"]
    section_activity.rebuild(roadmap)
    # A restore or the shell writes progress without going through roadmap/learning.py.
    Progress.objects.create(user=alice, resource=course["a1"], status=Status.DONE)
    assert summary(roadmap)["A"] == (0, 0)

    call_command("rebuild_section_activity", "--roadmap", "course")

    assert "course: rebuilt in" in capsys.readouterr().out
    assert summary(roadmap)["A"] == (1, 0)


def test_the_command_names_an_unknown_roadmap():
    with pytest.raises(CommandError, match="No roadmap with the slug 'nope'"):
        call_command("rebuild_section_activity", "--roadmap", "nope")


def test_deleting_a_learner_deletes_their_rows(course, alice, bob):
    learning.set_status(alice, course["a1"], Status.DONE)
    learning.set_status(bob, course["a1"], Status.DONE)
    alice.delete()
    assert [user for user, *_ in rows()] == [bob.pk]


def _at_once(*calls) -> list:
    """Run ``calls`` in threads released together; each one's result or exception."""
    results: list = [None] * len(calls)
    barrier = threading.Barrier(len(calls))

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = calls[i]()
        except BaseException as exc:  # any failure in a thread fails the test
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.mark.django_db(transaction=True)
def test_writes_in_two_tabs_and_a_rebuild_at_once_keep_the_rows_right():
    if connection.vendor != "postgresql":
        pytest.skip("Needs PostgreSQL's concurrent writers (CI runs it with DATABASE_URL set).")
    roadmap = make_roadmap(slug="busy")
    section = make_section(roadmap, title="Busy")
    resources = [make_resource(section) for _ in range(16)]
    learner = make_user("busy@example.com")
    for first, second in zip(resources[::2], resources[1::2], strict=True):
        results = _at_once(
            lambda first=first: learning.set_status(learner, first, Status.DONE),
            lambda second=second: learning.save_note(learner, second, "At once."),
            lambda: section_activity.rebuild(roadmap),
        )
        assert not [r for r in results if isinstance(r, BaseException)], results
        assert_kept_equals_rebuilt(roadmap)
    assert rows()[0][2] == 8


@pytest.mark.django_db(transaction=True)
def test_an_import_and_a_click_by_the_same_learner_at_once_both_land(monkeypatch):
    from history import imports

    if connection.vendor != "postgresql":
        pytest.skip("Needs PostgreSQL's concurrent writers (CI runs it with DATABASE_URL set).")
    roadmap = make_roadmap(slug="both")
    section = make_section(roadmap, title="Both")
    first, second = make_resource(section), make_resource(section)
    source, learner = make_user("source@example.com"), make_user("both@example.com")
    learning.set_status(source, first, Status.DONE)
    response = client_for(source).get("/accounts/data/export.json")
    data = imports.parse_export(b"".join(response.streaming_content))

    # The import holds its locks a while; the click comes in meanwhile, in another tab.
    importing = threading.Event()
    plan = imports.plan_import

    def slow_plan(user, data):
        importing.set()
        threading.Event().wait(0.5)
        return plan(user, data)

    monkeypatch.setattr(imports, "plan_import", slow_plan)

    def click():
        importing.wait(10)
        return learning.set_status(learner, second, Status.DONE)

    results = _at_once(lambda: imports.apply_import(learner, data), click)

    assert not [r for r in results if isinstance(r, BaseException)], results
    assert set(Progress.objects.filter(user=learner).values_list("resource", flat=True)) == {
        first.pk,
        second.pk,
    }
    kept = assert_kept_equals_rebuilt(roadmap)
    assert {user: done for user, _, done, _ in kept} == {source.pk: 1, learner.pk: 2}


def test_a_section_moved_to_another_roadmap_takes_its_rows_along(course, alice):
    learning.set_status(alice, course["b1"], Status.DONE)
    learning.set_status(alice, course["a1"], Status.DONE)
    other = make_roadmap(slug="other")
    assert summary(course["roadmap"])["B"] == (1, 1)

    course["b"].roadmap = other
    course["b"].save()

    # Both roadmaps moved on; the statistics of either rebuild without a clash.
    assert "B" not in summary(course["roadmap"])
    summary(other)
    course["a"].title = "A, renamed"
    course["a"].save()
    assert summary(course["roadmap"]) == {"A, renamed": (1, 0)}
    assert_kept_equals_rebuilt(course["roadmap"], other)


def test_a_resource_moved_to_another_roadmap_leaves_the_old_ones_figures(course, alice):
    learning.set_status(alice, course["a1"], Status.DONE)
    assert summary(course["roadmap"])["A"] == (1, 0)
    other = make_roadmap(slug="other")
    elsewhere = make_section(other, title="Elsewhere")
    version = Roadmap.objects.get(pk=course["roadmap"].pk).content_version

    course["a1"].roadmap, course["a1"].section = other, elsewhere
    course["a1"].save()

    assert Roadmap.objects.get(pk=course["roadmap"].pk).content_version > version
    # Alice did a1, now elsewhere: here she has started nothing.
    assert summary(course["roadmap"])["A"] == (0, 0)
    assert summary(other)["Elsewhere"] == (1, 1)


def test_a_write_through_a_resource_loaded_before_a_move_lands_in_its_new_section(course, alice):
    stale = type(course["b1"]).objects.get(pk=course["b1"].pk)
    course["b1"].section = course["a"]
    course["b1"].save()
    section_activity.ensure_current(Roadmap.objects.get(pk=course["roadmap"].pk))

    learning.set_status(alice, stale, Status.DONE)

    assert [(s, done) for _, s, done, _ in assert_kept_equals_rebuilt(course["roadmap"])] == [
        (course["a"].pk, 1)
    ]
