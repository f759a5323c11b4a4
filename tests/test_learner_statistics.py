import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from insights import section_activity
from insights.admin import csv_cell
from insights.statistics import learner_statistics
from roadmap.models import Note, Progress, Section
from tests.conftest import make_resource, make_roadmap, make_section, make_user

pytestmark = pytest.mark.django_db

URL = "/admin/insights/learnerstatistics/"
CSV_URL = "/admin/insights/learnerstatistics/statistics.csv"


def days_ago(days: int):
    return timezone.now() - timedelta(days=days)


# Rows dated in the past, which roadmap/learning.py (stamping "now") cannot make; like it, each
# helper then refreshes the learner's activity in that section (insights/section_activity.py).


def done(user, resource, days: int = 1, status: str = Progress.Status.DONE) -> None:
    progress = Progress.objects.create(user=user, resource=resource, status=status)
    Progress.objects.filter(pk=progress.pk).update(updated_at=days_ago(days))
    section_activity.refresh(user, resource)


def noted(user, resource, days: int = 1) -> None:
    note = Note.objects.create(user=user, resource=resource, body="n", body_html="<p>n</p>")
    Note.objects.filter(pk=note.pk).update(updated_at=days_ago(days))
    section_activity.refresh(user, resource)


@pytest.fixture
def course(alice, bob):
    """A part with one section of two resources, then a section of one; four learners.

    Alice finished everything. Bob checked off the first resource, skipped the last and noted
    the second, then went quiet 35 days ago. Dave wrote a note on the first 5 days ago and is
    in the middle of the second. Erin checked off the first resource 60 days ago and never came
    back.
    """
    roadmap = make_roadmap(slug="llm", title="LLM Roadmap", order=1)
    part = make_section(roadmap, title="Preliminaries", order=1)
    maths = make_section(roadmap, title="Maths", parent=part, order=2)
    vectors = make_resource(maths, title="Vectors", order=1)
    calculus = make_resource(maths, title="=Calculus", order=2)
    llms = make_section(roadmap, title="LLMs", order=3)
    transformer = make_resource(llms, title="Transformer", order=1)
    make_resource(llms, title="Draft", order=2, is_published=False)
    dave, erin = make_user("dave@example.com"), make_user("erin@example.com")

    done(alice, vectors, 50), done(alice, calculus, 45), done(alice, transformer, 40)
    noted(alice, calculus, 44)
    done(bob, vectors, 40), done(bob, transformer, 38, "skipped"), noted(bob, calculus, 35)
    noted(dave, vectors, 5), done(dave, calculus, 3, "in_progress")
    done(erin, vectors, 60)
    # Elsewhere: activity in another roadmap counts there, not here.
    done(dave, make_resource(make_section(make_roadmap(slug="other", order=2))), 1)
    return {"roadmap": roadmap, "sections": (part, maths, llms)}


def figures_by_title(statistics) -> dict[str, tuple]:
    rows = {}
    for section in statistics.sections:
        f = section.figures
        rows[section.section.title] = (f.started, f.finished, f.noted, f.stopped)
        for row in section.resources:
            f = row.figures
            rows[row.resource.title] = (f.started, f.finished, f.skipped, f.noted, f.stopped)
    return rows


def test_each_resource_and_section_counts_learners_who_started_finished_noted_and_stopped(
    course,
):
    statistics = learner_statistics(course["roadmap"], timezone.now())

    # Sections: (started, finished, noted, stopped in it); resources: skipped as well.
    assert figures_by_title(statistics) == {
        "Preliminaries": (4, 1, 3, 2),
        "Maths": (4, 1, 3, 2),
        "Vectors": (4, 3, 0, 1, 1),
        "=Calculus": (3, 1, 0, 2, 1),
        "LLMs": (2, 1, 0, 0),
        "Transformer": (2, 1, 1, 0, 0),
    }
    rates = {row.resource.title: row.figures.completion_rate for row in statistics.resources}
    assert rates == {"Vectors": 0.75, "=Calculus": 1 / 3, "Transformer": 0.5}


def test_a_part_with_resources_of_its_own_and_subsections_counts_each_learner_once(alice, bob):
    roadmap = make_roadmap(slug="nested")
    part = make_section(roadmap, title="Part", order=1)
    intro = make_resource(part, title="Intro", order=1)
    child = make_section(roadmap, title="Child", parent=part, order=2)
    grandchild = make_section(roadmap, title="Grandchild", parent=child, order=3)
    deep = make_resource(grandchild, title="Deep", order=1)
    done(alice, intro), done(alice, deep)
    done(bob, intro), noted(bob, deep)

    statistics = learner_statistics(roadmap, timezone.now())

    sections = {row.section.title: row for row in statistics.sections}
    assert (sections["Part"].figures.started, sections["Part"].figures.finished) == (2, 1)
    assert (sections["Child"].figures.started, sections["Child"].figures.finished) == (2, 1)
    assert sections["Grandchild"].total == 1
    assert (statistics.learners, statistics.finished_roadmap) == (2, 1)


def test_the_summary_counts_learners_in_the_roadmap_who_finished_it_and_who_stopped(course):
    statistics = learner_statistics(course["roadmap"], timezone.now())

    assert (statistics.learners, statistics.finished_roadmap, statistics.inactive) == (4, 1, 2)
    # Ties come in reading order.
    assert [row.resource.title for row in statistics.most_stopped] == ["Vectors", "=Calculus"]
    assert [row.resource.title for row in statistics.most_noted] == ["=Calculus", "Vectors"]


def test_a_curator_sees_the_figures_and_no_learner_is_named(course, carol_client):
    response = carol_client.get(URL)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Learner statistics</h1>" in html
    assert "<strong>4</strong> learners started this roadmap" in html
    assert "<strong>2</strong> stopped: no activity in it for 30 days" in html
    assert '<th scope="row">Vectors</th>' in html and "75%" in html
    assert "Draft" not in html
    assert "@example.com" not in html.replace("carol@example.com", "")


def test_the_admin_index_links_to_it_for_curators(course, carol_client):
    html = carol_client.get("/admin/").content.decode()

    assert f'<a href="{URL}"' in html and "Learner statistics" in html


def test_the_csv_holds_the_same_figures_and_no_personal_data(course, carol_client):
    response = carol_client.get(CSV_URL)

    text = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="learner-statistics-llm-' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(text)))
    vectors = next(row for row in rows if row["resource"] == "Vectors")
    assert (vectors["started"], vectors["finished"], vectors["completion rate"]) == (
        "4",
        "3",
        "75%",
    )
    assert (vectors["notes"], vectors["stopped here (30+ days)"]) == ("1", "1")
    transformer = next(row for row in rows if row["resource"] == "Transformer")
    assert (transformer["skipped"], transformer["completion rate"]) == ("1", "50%")
    maths = next(row for row in rows if row["row"] == "section" and row["section"] == "Maths")
    assert (maths["resources"], maths["started"], maths["finished"]) == ("2", "4", "1")
    # A title that a spreadsheet would run as a formula is written as text.
    assert any(row["resource"] == "'=Calculus" for row in rows)
    assert "@" not in text


@pytest.mark.parametrize(
    "title",
    [
        "=1+1",
        " =1+1",
        "\u00a0\u3000=1+1",
        "\u200b=1+1",
        "\uff1d3+3",
        "\ufe66HYPERLINK(1)",
        "\uff0b1",
        "-1+1",
        "\u22121+1",
        "@SUM(A1)",
        "|cmd",
        " |cmd",
        "%0A",
        "\tx",
        "\rx",
    ],
)
def test_a_title_a_spreadsheet_would_read_as_a_formula_is_written_as_text(title):
    assert csv_cell(title) == "'" + title


@pytest.mark.parametrize("value", ["Calculus", " Calculus", "1+1", "75%", "", 3, -3, 0.5])
def test_other_cells_and_numbers_are_written_as_they_are(value):
    assert csv_cell(value) == value


def test_the_csv_escapes_a_formula_behind_spaces_or_in_full_width(course, carol_client):
    section = Section.objects.get(title="Maths")
    for title in (" =1+1", "\uff1d3+3", "|cmd"):
        make_resource(section, title=title)

    rows = list(csv.DictReader(io.StringIO(carol_client.get(CSV_URL).content.decode())))

    titles = {row["resource"] for row in rows}
    assert {"' =1+1", "'\uff1d3+3", "'|cmd"} <= titles


def test_another_roadmap_is_chosen_by_its_slug_and_an_unknown_one_is_a_404(course, carol_client):
    html = carol_client.get(f"{URL}?roadmap=other").content.decode()

    assert "<strong>1</strong> learner started this roadmap" in html
    assert carol_client.get(f"{URL}?roadmap=nope").status_code == 404
    assert carol_client.get(f"{CSV_URL}?roadmap=nope").status_code == 404


def test_without_a_roadmap_the_page_says_so(carol_client):
    html = carol_client.get(URL).content.decode()

    assert "There is no roadmap yet" in html
    assert carol_client.get(CSV_URL).status_code == 404


@pytest.mark.parametrize("url", [URL, CSV_URL])
def test_learners_and_visitors_are_sent_to_the_admin_login(course, alice_client, anon, url):
    for client in (alice_client, anon):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("url", [URL, CSV_URL])
def test_posts_are_refused(course, carol_client, url):
    assert carol_client.post(url).status_code == 405


def test_no_page_shows_a_single_learners_progress_row(course, carol_client, alice):
    pk = Progress.objects.filter(user=alice).first().pk

    for path in (f"{pk}/change/", f"{pk}/delete/", f"{pk}/history/", "add/"):
        assert carol_client.get(URL + path).status_code == 404


def more_learners(course, note_every: int) -> None:
    """36 more learners on the course's vectors resource, every ``note_every``-th with a note."""
    vectors = course["sections"][1].resources.first()
    for n in range(36):
        learner = make_user(f"learner{n}@example.com")
        done(learner, vectors, n)
        if n % note_every == 0:
            noted(learner, vectors, n)


def test_the_page_costs_the_same_queries_at_4_and_40_learners(course, carol_client):
    carol_client.get(URL)
    with CaptureQueriesContext(connection) as few:
        assert carol_client.get(URL).status_code == 200
    more_learners(course, note_every=3)

    with CaptureQueriesContext(connection) as many:
        html = carol_client.get(URL).content.decode()

    assert "<strong>40</strong> learners started this roadmap" in html
    assert len(many) == len(few)


def progress_at(user, resource, ago: timedelta, status: str = Progress.Status.DONE) -> None:
    progress = Progress.objects.create(user=user, resource=resource, status=status)
    Progress.objects.filter(pk=progress.pk).update(updated_at=timezone.now() - ago)
    section_activity.refresh(user, resource)


def test_a_learner_stops_only_after_30_days_without_activity_to_the_hour(alice):
    roadmap = make_roadmap(slug="edges")
    section = make_section(roadmap, title="Only")
    first, second = make_resource(section, title="First"), make_resource(section, title="Second")
    just_quiet, still_here = make_user("quiet@example.com"), make_user("here@example.com")
    progress_at(just_quiet, first, timedelta(days=40))
    progress_at(just_quiet, second, timedelta(days=30, hours=1), Progress.Status.IN_PROGRESS)
    progress_at(still_here, first, timedelta(days=60))
    progress_at(still_here, second, timedelta(days=29, hours=23), Progress.Status.IN_PROGRESS)
    # Finished everything long ago: done, not stopped.
    progress_at(alice, first, timedelta(days=90)), progress_at(alice, second, timedelta(days=80))

    statistics = learner_statistics(roadmap, timezone.now())

    assert (statistics.learners, statistics.finished_roadmap, statistics.inactive) == (3, 1, 1)
    assert [(row.resource.title, row.figures.stopped) for row in statistics.most_stopped] == [
        ("Second", 1)
    ]


def test_a_learner_stops_where_their_latest_activity_is_a_note_or_a_status(alice, bob):
    roadmap = make_roadmap(slug="latest")
    section = make_section(roadmap, title="Only")
    first, second, third = (make_resource(section, title=t) for t in ("First", "Second", "Third"))
    # Alice's last act was a note on the first resource, after checking off the second.
    done(alice, first, 50), done(alice, second, 45), noted(alice, first, 40)
    # Bob's was checking off the third, long after a note on the second.
    noted(bob, second, 70), done(bob, third, 35)

    statistics = learner_statistics(roadmap, timezone.now())

    stopped = {row.resource.title: row.figures.stopped for row in statistics.resources}
    assert stopped == {"First": 1, "Second": 0, "Third": 1}


def test_activity_in_another_roadmap_counts_there_and_keeps_this_ones_figures(alice, bob):
    here, there = make_roadmap(slug="here", order=1), make_roadmap(slug="there", order=2)
    mine = make_resource(make_section(here, title="Here"), title="Mine")
    theirs = make_resource(make_section(there, title="There"), title="Theirs")
    # Alice went quiet here 40 days ago but is busy in the other roadmap: she stopped here.
    done(alice, mine, 40), done(alice, theirs, 1, Progress.Status.IN_PROGRESS)
    done(bob, theirs, 50)

    here_figures = learner_statistics(here, timezone.now())
    there_figures = learner_statistics(there, timezone.now())

    assert (here_figures.learners, here_figures.finished_roadmap, here_figures.inactive) == (
        1,
        1,
        0,
    )
    assert (there_figures.learners, there_figures.finished_roadmap) == (2, 1)
    assert there_figures.inactive == 0  # Bob finished it; Alice is active
    assert figures_by_title(there_figures)["Theirs"] == (2, 1, 0, 0, 0)


def test_notes_and_progress_on_unpublished_resources_count_nowhere(alice, bob):
    roadmap = make_roadmap(slug="drafts")
    section = make_section(roadmap, title="Only")
    shown = make_resource(section, title="Shown")
    draft = make_resource(section, title="Draft", is_published=False)
    done(alice, shown, 40), noted(alice, draft, 1), done(alice, draft, 1)
    noted(bob, draft, 2)
    make_user("idle@example.com")  # an account with no activity is no learner

    statistics = learner_statistics(roadmap, timezone.now())

    # Alice's latest activity here is the shown resource 40 days ago, and she finished it all.
    assert (statistics.learners, statistics.finished_roadmap, statistics.inactive) == (1, 1, 0)
    assert figures_by_title(statistics) == {"Only": (1, 1, 0, 0), "Shown": (1, 1, 0, 0, 0)}
    assert statistics.most_noted == []


def test_skipping_starts_a_resource_without_finishing_it_or_its_section(alice, bob):
    roadmap = make_roadmap(slug="skips")
    section = make_section(roadmap, title="Only")
    first, second = make_resource(section, title="First"), make_resource(section, title="Second")
    done(alice, first), done(alice, second, 1, Progress.Status.SKIPPED)
    done(bob, first, 1, Progress.Status.SKIPPED), noted(bob, first), noted(bob, second)

    statistics = learner_statistics(roadmap, timezone.now())

    assert figures_by_title(statistics) == {
        "Only": (2, 0, 2, 0),
        "First": (2, 1, 1, 1, 0),
        "Second": (2, 0, 1, 1, 0),
    }
    assert statistics.finished_roadmap == 0


def test_three_levels_of_sections_count_each_learner_once_at_every_level(alice, bob):
    roadmap = make_roadmap(slug="deep")
    part = make_section(roadmap, title="Part", order=1)
    chapter = make_section(roadmap, title="Chapter", parent=part, order=2)
    lesson = make_section(roadmap, title="Lesson", parent=chapter, order=3)
    other = make_section(roadmap, title="Other", parent=part, order=4)
    own = make_resource(part, title="Own")
    a, b = make_resource(lesson, title="A"), make_resource(lesson, title="B")
    c = make_resource(chapter, title="C")
    d = make_resource(other, title="D")
    for resource in (own, a, b, c, d):
        done(alice, resource)
    done(bob, a), done(bob, b), noted(bob, c)

    statistics = learner_statistics(roadmap, timezone.now())

    rows = figures_by_title(statistics)
    assert rows["Part"] == (2, 1, 1, 0)
    assert rows["Chapter"] == (2, 1, 1, 0)
    assert rows["Lesson"] == (2, 2, 0, 0)
    assert rows["Other"] == (1, 1, 0, 0)
    assert {row.section.title: row.total for row in statistics.sections} == {
        "Part": 5,
        "Chapter": 3,
        "Lesson": 2,
        "Other": 1,
    }


def test_the_csv_costs_the_same_queries_at_4_and_40_learners(course, carol_client):
    carol_client.get(CSV_URL)
    with CaptureQueriesContext(connection) as few:
        assert carol_client.get(CSV_URL).status_code == 200
    more_learners(course, note_every=1)

    with CaptureQueriesContext(connection) as many:
        rows = list(csv.reader(io.StringIO(carol_client.get(CSV_URL).content.decode())))

    assert rows[1][5] == "40"  # "Preliminaries" started by the course's 4 and the 36
    assert len(many) == len(few)


def test_titles_in_the_table_are_escaped_and_sections_say_how_many_resources(carol_client):
    roadmap = make_roadmap(slug="escaped", title="Escaped")
    section = make_section(roadmap, title="<b>Part</b> & more")
    make_resource(section, title="<script>alert(1)</script>")

    html = carol_client.get(URL + "?roadmap=escaped").content.decode()

    assert "&lt;b&gt;Part&lt;/b&gt; &amp; more" in html
    assert '<span class="quiet">(1 resource)</span>' in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html
