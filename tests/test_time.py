"""Estimated time: read from the Markdown, set in the admin, shown per resource, and summed
into the time left per section and overall, which follows every status change."""

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from accounts.models import User
from roadmap.curriculum.parse import CurriculumFormatError, parse_curriculum
from roadmap.estimates import (
    EstimateError,
    TimeLeft,
    format_estimate,
    parse_estimate,
    rounded_duration,
    spoken_estimate,
)
from roadmap.models import Progress, Resource
from tests.conftest import make_resource, make_section
from tests.helpers import build_curriculum, count_queries, give_every_kind_of_state

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://testserver/"}


# --- Reading and writing an estimate ---------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "minutes"),
    [
        ("3 h", 180),
        ("45 min", 45),
        ("1 h 30 min", 90),
        ("1.5 h", 90),
        ("0.25 h", 15),
        ("2h", 120),
        ("90 min", 90),
        ("1 hour", 60),
        ("2 hours 5 minutes", 125),
        (" 3 h ", 180),
        ("1000 h", 60_000),
        ("1 min", 1),
    ],
)
def test_an_estimate_is_read_in_hours_minutes_or_both(written: str, minutes: int):
    assert parse_estimate(written) == minutes


@pytest.mark.parametrize(
    ("written", "message"),
    [
        (" h", "is not understood: write (~45 min), (~3 h), (~1 h 30 min) or (~1.5 h)"),
        ("", "is not understood"),
        ("3", "is not understood"),
        ("three hours", "is not understood"),
        ("-1 h", "is not understood"),
        ("1,5 h", "is not understood"),
        ("0 min", "is less than a minute"),
        ("0 h", "is less than a minute"),
        ("0.001 h", "is less than a minute"),
        ("1001 h", "is over 1000 h"),
        ("60001 min", "is over 1000 h"),
        ("99999999999999999999999 h", "is over 1000 h"),
        ("1 h 60 min", "mixes its units"),
        ("1.5 h 10 min", "mixes its units"),
    ],
)
def test_a_malformed_or_absurd_estimate_is_refused_saying_why(written: str, message: str):
    with pytest.raises(EstimateError) as refused:
        parse_estimate(written)
    assert message in refused.value.message


@pytest.mark.parametrize(
    ("minutes", "canonical"),
    [
        (1, "1 min"),
        (45, "45 min"),
        (60, "1 h"),
        (90, "1 h 30 min"),
        (180, "3 h"),
        (61, "1 h 1 min"),
    ],
)
def test_an_estimate_is_written_in_one_canonical_form(minutes: int, canonical: str):
    assert format_estimate(minutes) == canonical


def test_every_canonical_form_reads_back_as_the_same_minutes():
    for minutes in [*range(1, 200), 599, 600, 601, 1439, 59_999, 60_000]:
        assert parse_estimate(format_estimate(minutes)) == minutes


@pytest.mark.parametrize(
    ("minutes", "spoken"),
    [
        (1, "about 1 minute"),
        (45, "about 45 minutes"),
        (60, "about 1 hour"),
        (61, "about 1 hour 1 minute"),
        (150, "about 2 hours 30 minutes"),
    ],
)
def test_an_estimate_is_spoken_in_words(minutes: int, spoken: str):
    assert spoken_estimate(minutes) == spoken


@pytest.mark.parametrize(
    ("minutes", "said"),
    [
        (1, "1 minute"),
        (59, "59 minutes"),
        (60, "1 hour"),
        (74, "1 hour"),
        (75, "1.5 hours"),
        (105, "2 hours"),
        (840, "14 hours"),
        (855, "14.5 hours"),
    ],
)
def test_a_sum_is_rounded_to_minutes_under_an_hour_then_to_the_half_hour(minutes: int, said: str):
    assert rounded_duration(minutes) == said


@pytest.mark.parametrize(
    ("minutes", "unestimated", "left", "in_all"),
    [
        (
            840,
            6,
            "About 14 hours left, 6 resources without an estimate",
            "About 14 hours in all, 6 ",
        ),
        (
            90,
            1,
            "About 1.5 hours left, 1 resource without an estimate",
            "About 1.5 hours in all, 1 ",
        ),
        (45, 0, "About 45 minutes left", "About 45 minutes in all"),
        (0, 1, "No time estimate for the resource left", "No time estimate for these"),
        (0, 3, "No time estimate for the 3 resources left", "No time estimate for these"),
        (0, 0, "", ""),
    ],
)
def test_time_left_reads_as_a_sentence_and_says_nothing_when_all_is_finished(
    minutes, unestimated, left, in_all
):
    time = TimeLeft(minutes=minutes, unestimated=unestimated, spoken=True)
    assert time.left() == left
    assert time.in_all().startswith(in_all)
    if not in_all:
        assert time.in_all() == ""


def test_time_left_says_nothing_in_a_roadmap_without_any_estimate():
    time = TimeLeft(minutes=0, unestimated=31, spoken=False)
    assert time.left() == time.in_all() == ""


# --- The importer ----------------------------------------------------------------------------


def only(line: str):
    (resource,) = parse_curriculum(f"# Heading\n\n{line}\n").resources
    return resource


@pytest.mark.parametrize(
    ("line", "fields"),
    [
        (
            "* [Learn Python](https://example.com/a) (~4 h 30 min) - freeCodeCamp. A long video.",
            ("Learn Python", "freeCodeCamp", "A long video.", 270),
        ),
        (
            "* [freeCodeCamp - Learn Python](https://example.com/a) (~1.5 h): A long video.",
            ("Learn Python", "freeCodeCamp", "A long video.", 90),
        ),
        (
            "* [Learn Python](https://example.com/a) (~45 min). A long video.",
            ("Learn Python", "", "A long video.", 45),
        ),
        ("* [Learn Python](https://example.com/a) (~3 h)", ("Learn Python", "", "", 180)),
        (
            "* [Learn Python](https://example.com/a): A (~3 h) video.",
            ("Learn Python", "", "A (~3 h) video.", None),
        ),
        ("* [Learn Python](https://example.com/a)", ("Learn Python", "", "", None)),
    ],
)
def test_the_importer_reads_an_optional_estimate_right_after_the_link(line: str, fields):
    resource = only(line)
    assert (
        resource.title,
        resource.author,
        resource.description,
        resource.estimated_minutes,
    ) == fields


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("* [A](https://example.com/a) (~ h)", "the estimated time (~ h) at column 30"),
        ("* [A](https://example.com/a) (~0 min)", "(~0 min) at column 30 is less than a minute"),
        ("* [A](https://example.com/a) (~1200 h)", "(~1200 h) at column 30 is over 1000 h"),
        ("  - [A](https://example.com/a)  (~3 h", "at column 33 is never closed with ')'"),
    ],
)
def test_a_malformed_estimate_is_refused_naming_its_line_and_column(line: str, message: str):
    with pytest.raises(CurriculumFormatError) as refused:
        parse_curriculum(f"# Heading\n\n{line}\n")
    assert refused.value.line == 3
    assert message in refused.value.message


@pytest.mark.django_db
def test_the_import_command_refuses_a_malformed_estimate_and_saves_nothing(tmp_path: Path):
    path = tmp_path / "roadmap.md"
    path.write_text(
        "# Part\n\n* [A](https://example.com/a) (~2 h)\n* [B](https://example.com/b) (~0 min)\n"
    )
    with pytest.raises(CommandError) as refused:
        call_command("import_curriculum", str(path), stdout=io.StringIO())
    assert str(refused.value) == (
        f"{path}, line 4: the estimated time (~0 min) at column 30 is less than a minute: "
        "at least (~1 min)"
    )
    assert Resource.objects.count() == 0


@pytest.mark.django_db
def test_an_import_sets_changes_and_clears_estimates_as_the_file_says(tmp_path: Path):
    path = tmp_path / "roadmap.md"
    path.write_text("# Part\n\n* [A](https://example.com/a) (~2 h)\n* [B](https://example.com/b)\n")
    call_command("import_curriculum", str(path), stdout=io.StringIO())
    assert dict(Resource.objects.values_list("title", "estimated_minutes")) == {"A": 120, "B": None}

    path.write_text(
        "# Part\n\n* [A](https://example.com/a)\n* [B](https://example.com/b) (~5 min)\n"
    )
    out = io.StringIO()
    call_command("import_curriculum", str(path), stdout=out)
    assert dict(Resource.objects.values_list("title", "estimated_minutes")) == {"A": None, "B": 5}
    assert "changed: https://example.com/a (A): estimated_minutes" in out.getvalue()


# --- The roadmap page ------------------------------------------------------------------------


@pytest.fixture
def course():
    """A part with a section below it: 1 h + 30 min estimated, and one resource without."""
    part = make_section(title="Basics", slug="basics")
    maths = make_section(part.roadmap, title="Maths", slug="maths", parent=part)
    return {
        "intro": make_resource(part, title="Intro", estimated_minutes=60),
        "vectors": make_resource(maths, title="Vectors", estimated_minutes=30),
        "matrices": make_resource(maths, title="Matrices"),
    }


def region(html: str, region_id: str) -> str:
    """The text of the time-left paragraph ``region_id``, or None when it is hidden."""
    match = re.search(
        rf'<p id="{region_id}" class="time-left"( hidden)?[^>]*>(.*?)</p>', html, re.S
    )
    assert match, f"no #{region_id} in the page"
    return None if match.group(1) else match.group(2).strip()


def mark(user, resource, status) -> None:
    Progress.objects.update_or_create(user=user, resource=resource, defaults={"status": status})


@pytest.mark.django_db
def test_each_resource_shows_its_estimate_short_and_in_words(anon, course):
    html = anon.get("/").content.decode()
    item = re.search(rf'id="{course["intro"].anchor}".*?</li>', html, re.S).group(0)
    assert (
        '<span class="estimate"><span aria-hidden="true">~1 h</span>'
        '<span class="visually-hidden">about 1 hour</span></span>'
    ) in item
    matrices = re.search(rf'id="{course["matrices"].anchor}".*?</li>', html, re.S).group(0)
    assert 'class="estimate"' not in matrices


@pytest.mark.django_db
def test_a_learner_sees_the_time_left_per_section_with_its_subsections_and_overall(
    alice_client, course
):
    html = alice_client.get("/").content.decode()
    without = ", 1 resource without an estimate"
    assert region(html, "overall-time") == f"About 1.5 hours left{without}"
    assert region(html, "section-time-basics") == f"About 1.5 hours left{without}"
    assert region(html, "section-time-maths") == f"About 30 minutes left{without}"


@pytest.mark.django_db
def test_done_and_skipped_resources_are_not_left_but_in_progress_ones_are(
    alice, alice_client, course
):
    mark(alice, course["intro"], Progress.Status.DONE)
    mark(alice, course["matrices"], Progress.Status.SKIPPED)
    mark(alice, course["vectors"], Progress.Status.IN_PROGRESS)
    html = alice_client.get("/").content.decode()
    assert region(html, "overall-time") == "About 30 minutes left"
    assert region(html, "section-time-basics") == "About 30 minutes left"
    assert region(html, "section-time-maths") == "About 30 minutes left"


@pytest.mark.django_db
def test_a_section_left_with_no_estimate_says_so_and_a_finished_one_says_nothing(
    alice, alice_client, course
):
    mark(alice, course["intro"], Progress.Status.DONE)
    mark(alice, course["vectors"], Progress.Status.DONE)
    html = alice_client.get("/").content.decode()
    assert region(html, "section-time-maths") == "No time estimate for the resource left"
    assert region(html, "overall-time") == "No time estimate for the resource left"

    mark(alice, course["matrices"], Progress.Status.SKIPPED)
    html = alice_client.get("/").content.decode()
    assert region(html, "section-time-maths") is None
    assert region(html, "overall-time") is None


@pytest.mark.django_db
def test_a_roadmap_without_any_estimate_says_nothing_about_time(alice_client, anon):
    part = make_section(title="Basics", slug="basics")
    make_resource(part)
    make_resource(part)
    for client in (alice_client, anon):
        html = client.get("/").content.decode()
        assert region(html, "overall-time") is None
        assert region(html, "section-time-basics") is None
        assert "estimate" not in html.lower()


@pytest.mark.django_db
def test_a_visitor_sees_the_time_it_takes_in_all(anon, course):
    html = anon.get("/").content.decode()
    assert region(html, "overall-time") == "About 1.5 hours in all, 1 resource without an estimate"
    assert region(html, "section-time-maths") == (
        "About 30 minutes in all, 1 resource without an estimate"
    )
    assert "left" not in region(html, "section-time-basics")


@pytest.mark.django_db
def test_a_curators_new_estimate_shows_on_the_next_view(alice_client, course):
    alice_client.get("/")  # the page, the curriculum and the items are now cached
    matrices = course["matrices"]
    matrices.estimated_minutes = 45
    matrices.save()

    html = alice_client.get("/").content.decode()
    assert region(html, "section-time-maths") == "About 1.5 hours left"
    assert region(html, "overall-time") == "About 2.5 hours left"
    assert '<span aria-hidden="true">~45 min</span>' in html


# --- Status changes --------------------------------------------------------------------------


@pytest.mark.django_db
def test_ticking_done_with_htmx_updates_the_time_left_out_of_band(alice_client, course):
    response = alice_client.post(
        f"/resources/{course['vectors'].pk}/progress/", {"done": "on"}, **HTMX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    for region_id, text in [
        ("section-time-maths", "No time estimate for the resource left"),
        ("section-time-basics", "About 1 hour left, 1 resource without an estimate"),
        ("overall-time", "About 1 hour left, 1 resource without an estimate"),
    ]:
        assert f'<p id="{region_id}" class="time-left" hx-swap-oob="true">{text}</p>' in html


@pytest.mark.django_db
def test_skipping_with_the_status_select_updates_the_time_left_out_of_band(alice_client, course):
    response = alice_client.post(
        f"/resources/{course['intro'].pk}/status/", {"status": "skipped"}, **HTMX
    )
    html = response.content.decode()
    assert (
        '<p id="section-time-basics" class="time-left" hx-swap-oob="true">About 30 minutes left, '
        "1 resource without an estimate</p>"
    ) in html
    assert '<p id="overall-time" class="time-left" hx-swap-oob="true">About 30 minutes' in html
    assert 'id="section-time-maths"' not in html  # the intro is not in Maths: nothing changes


@pytest.mark.django_db
def test_finishing_everything_hides_the_time_left_out_of_band(alice, alice_client, course):
    mark(alice, course["intro"], Progress.Status.DONE)
    mark(alice, course["vectors"], Progress.Status.DONE)
    response = alice_client.post(
        f"/resources/{course['matrices'].pk}/progress/", {"done": "on"}, **HTMX
    )
    html = response.content.decode()
    assert '<p id="overall-time" class="time-left" hidden hx-swap-oob="true"></p>' in html
    assert '<p id="section-time-maths" class="time-left" hidden hx-swap-oob="true"></p>' in html


@pytest.mark.django_db
def test_without_javascript_the_redirected_page_shows_the_new_time_left(alice_client, course):
    response = alice_client.post(f"/resources/{course['intro'].pk}/progress/", {"done": "on"})
    assert response.status_code == 302
    html = alice_client.get(response["Location"].split("#")[0]).content.decode()
    assert region(html, "overall-time") == "About 30 minutes left, 1 resource without an estimate"

    response = alice_client.post(
        f"/resources/{course['intro'].pk}/status/", {"status": "in_progress"}
    )
    assert response.status_code == 302
    html = alice_client.get(response["Location"].split("#")[0]).content.decode()
    assert region(html, "overall-time") == "About 1.5 hours left, 1 resource without an estimate"


# --- Cost ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_time_left_adds_no_query_at_1x_or_10x(alice, alice_client):
    small = build_curriculum(scale=1, slug="small")
    big = build_curriculum(scale=10, slug="big")
    for i, resource in enumerate(Resource.objects.order_by("pk")):
        if i % 3:
            Resource.objects.filter(pk=resource.pk).update(estimated_minutes=15 * (i % 7 + 1))
    User.objects.filter(pk=alice.pk).update(date_joined=timezone.now())  # nothing new to her
    give_every_kind_of_state(alice)

    small_count = count_queries(alice_client, small.get_absolute_url())
    # Six, and the signs from other learners read on a cold view (groups/signs.py).
    assert count_queries(alice_client, big.get_absolute_url()) == small_count <= 7
    html = alice_client.get(big.get_absolute_url()).content.decode()
    assert "hours left" in region(html, "overall-time")


# --- Admin -----------------------------------------------------------------------------------


def resource_form(resource, **changes) -> dict:
    return {
        "section": resource.section.pk,
        "title": resource.title,
        "url": resource.url,
        "author": "",
        "description": "",
        "kind": "video",
        "level": "",
        "order": 1,
        "is_published": "on",
        **changes,
    }


@pytest.mark.django_db
def test_a_curator_sets_an_estimate_in_minutes_and_sees_it_formatted_in_the_list(carol_client):
    resource = make_resource(title="Learn Python")
    form = carol_client.get(f"/admin/roadmap/resource/{resource.pk}/change/").content.decode()
    assert 'name="estimated_minutes"' in form
    assert "90 for 1 h 30 min" in form

    response = carol_client.post(
        f"/admin/roadmap/resource/{resource.pk}/change/",
        resource_form(resource, estimated_minutes="90"),
    )
    assert response.status_code == 302
    resource.refresh_from_db()
    assert resource.estimated_minutes == 90
    listing = carol_client.get("/admin/roadmap/resource/").content.decode()
    assert "estimated time" in listing.lower()
    assert '<td class="field-estimate">1 h 30 min</td>' in listing

    carol_client.post(
        f"/admin/roadmap/resource/{resource.pk}/change/",
        resource_form(resource, estimated_minutes=""),
    )
    resource.refresh_from_db()
    assert resource.estimated_minutes is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("0", "greater than or equal to 1"),
        ("60001", "less than or equal to 60000"),
        ("1.5", "Enter a whole number"),
    ],
)
def test_an_estimate_the_markdown_could_not_carry_is_a_form_error(carol_client, typed, error):
    resource = make_resource()
    response = carol_client.post(
        f"/admin/roadmap/resource/{resource.pk}/change/",
        resource_form(resource, estimated_minutes=typed),
    )
    assert response.status_code == 200
    assert error in response.content.decode()
    resource.refresh_from_db()
    assert resource.estimated_minutes is None


# --- My progress -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_my_progress_shows_the_time_left_per_section(alice, alice_client, course):
    mark(alice, course["vectors"], Progress.Status.DONE)
    html = alice_client.get("/me/").content.decode()
    assert '<th scope="col">Time left</th>' in html
    rows = dict(
        re.findall(
            r'<a href="[^"]*#section-([\w-]+)" lang="en">.*?<td>([^<]*)</td>\s*</tr>', html, re.S
        )
    )
    assert rows == {
        "basics": "About 1 hour left, 1 resource without an estimate",
        "maths": "No time estimate for the resource left",
    }

    mark(alice, course["matrices"], Progress.Status.SKIPPED)
    html = alice_client.get("/me/").content.decode()
    assert "<td>Nothing left</td>" in html


@pytest.mark.django_db
def test_my_progress_has_no_time_column_for_a_roadmap_without_estimates(alice_client):
    make_resource(make_section(title="Basics"))
    html = alice_client.get("/me/").content.decode()
    assert "Time left" not in html
