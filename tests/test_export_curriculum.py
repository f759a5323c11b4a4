import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from roadmap.curriculum.export import resource_line
from roadmap.curriculum.parse import parse_curriculum
from roadmap.models import Resource, Roadmap, Section
from tests.conftest import make_resource, make_roadmap, make_section

pytestmark = pytest.mark.django_db

SHIPPED = Path(__file__).resolve().parent.parent / "fixtures" / "llm-roadmap.md"


def import_file(path: Path | str, *args: str) -> str:
    out = io.StringIO()
    call_command("import_curriculum", str(path), *args, stdout=out)
    return out.getvalue()


def export(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("export_curriculum", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def assert_import_changes_nothing(output: str) -> None:
    assert "Sections — created: 0, changed: 0," in output
    assert "unpublished: 0" in output.split("Resources")[0]
    assert "Resources — created: 0, changed: 0," in output
    assert output.count("unpublished: 0") == 2


def test_exporting_right_after_importing_the_shipped_file_gives_it_back_byte_for_byte(
    tmp_path: Path,
):
    import_file(SHIPPED)

    markdown, warnings = export()
    call_command("export_curriculum", "--output", str(tmp_path / "out.md"), stderr=io.StringIO())

    assert markdown.encode() == SHIPPED.read_bytes()
    assert (tmp_path / "out.md").read_bytes() == SHIPPED.read_bytes()
    assert warnings == ""


def test_importing_an_export_of_the_shipped_file_changes_nothing(tmp_path: Path):
    import_file(SHIPPED)
    markdown, _ = export()
    path = tmp_path / "export.md"
    path.write_text(markdown, encoding="utf-8")

    assert_import_changes_nothing(import_file(path))


def test_importing_an_export_after_curators_edits_changes_nothing(tmp_path: Path):
    import_file(SHIPPED)
    roadmap = Roadmap.objects.get(slug="llm-roadmap")
    section = Section.objects.get(slug="llm-basic")
    # Edits a curator makes in the admin, each one a shape the writer has to choose for.
    Resource.objects.filter(url="https://jalammar.github.io/illustrated-transformer/").update(
        title="The Illustrated Transformer - 2nd edition", author="", description=""
    )
    Resource.objects.filter(url="https://bbycroft.net/llm").update(
        author="Dr. Brendan Bycroft", description="A 3D walk. Through a model."
    )
    Resource.objects.filter(url="https://lilianweng.github.io/posts/2018-06-24-attention/").update(
        author="Lilian Weng", description=""
    )
    # Estimates set in the admin, in minutes.
    Resource.objects.filter(url="https://www.youtube.com/watch?v=rfscVS0vtbw").update(
        estimated_minutes=270
    )
    Resource.objects.filter(url="https://bbycroft.net/llm").update(estimated_minutes=45)
    # An author the dash form cannot end ("H." reads as an initial), so another form is needed.
    Resource.objects.filter(url="https://web.stanford.edu/~jurafsky/slp3/11.pdf").update(
        author="Jurafsky and Martin. H", description="Chapter 11."
    )
    section.group_intros = {**section.group_intros, "in_depth": "Coming soon: in-depth reading."}
    section.save()
    Roadmap.objects.filter(pk=roadmap.pk).touch()
    markdown, warnings = export()
    path = tmp_path / "export.md"
    path.write_text(markdown, encoding="utf-8")
    assert warnings == ""

    assert_import_changes_nothing(import_file(path))
    assert Section.objects.get(slug="llm-basic").group_intros["in_depth"] == (
        "Coming soon: in-depth reading."
    )
    assert "**In-depth resources**\n\nComing soon: in-depth reading.\n" in markdown
    assert (
        "* [Learn Python](https://www.youtube.com/watch?v=rfscVS0vtbw) (~4 h 30 min) - "
        "freeCodeCamp. Long video" in markdown
    )
    assert "* [LLM Visualization](https://bbycroft.net/llm) (~45 min) - Dr. Brendan" in markdown
    assert Resource.objects.get(url="https://bbycroft.net/llm").estimated_minutes == 45


@pytest.mark.parametrize(
    ("fields", "line"),
    [
        (
            {"title": "Attention", "author": "Lilian Weng", "description": "A formal one."},
            "* [Attention](https://example.com/a) - Lilian Weng. A formal one.",
        ),
        (
            {"title": "Attention", "author": "Lilian Weng", "description": ""},
            "* [Attention](https://example.com/a) - Lilian Weng",
        ),
        (
            {"title": "Intro - part 1", "author": "", "description": "Start here."},
            "* [Intro - part 1](https://example.com/a). Start here.",
        ),
        (
            {"title": "Attention", "author": "", "description": ""},
            "* [Attention](https://example.com/a)",
        ),
        (
            {"title": "Chapter 9", "author": "James H", "description": "Read it."},
            "* [James H - Chapter 9](https://example.com/a): Read it.",
        ),
        (
            {"title": "Course", "author": "", "description": "Long.", "estimated_minutes": 90},
            "* [Course](https://example.com/a) (~1 h 30 min). Long.",
        ),
        (
            {"title": "Talk", "author": "Ada", "description": "", "estimated_minutes": 120},
            "* [Talk](https://example.com/a) (~2 h) - Ada",
        ),
        (
            {"title": "Clip", "author": "James H", "description": "Go.", "estimated_minutes": 5},
            "* [James H - Clip](https://example.com/a) (~5 min): Go.",
        ),
    ],
)
def test_each_resource_is_written_in_the_plainest_form_that_reads_back_the_same(fields, line):
    resource = make_resource(url="https://example.com/a", **fields)

    assert resource_line(resource) == line
    (parsed,) = parse_curriculum(f"# Part\n\n{line}\n").resources
    assert (parsed.title, parsed.author, parsed.description, parsed.estimated_minutes) == (
        fields["title"],
        fields["author"],
        fields["description"],
        fields.get("estimated_minutes"),
    )


def test_an_estimate_read_in_any_form_is_exported_in_the_canonical_one_and_round_trips(
    tmp_path: Path,
):
    source = tmp_path / "source.md"
    source.write_text(
        "# Part\n\n"
        "* [A](https://example.com/a) (~1.5 h). One.\n"
        "* [B](https://example.com/b) (~90 min). Two.\n"
        "* [C](https://example.com/c) (~2 hours). Three.\n"
        "* [D](https://example.com/d). Four.\n",
        encoding="utf-8",
    )
    import_file(source, "--roadmap", "timed")

    markdown, warnings = export("--roadmap", "timed")

    assert warnings == ""
    assert markdown == (
        "# Part\n\n"
        "**Resources**\n\n"
        "* [A](https://example.com/a) (~1 h 30 min). One.\n"
        "* [B](https://example.com/b) (~1 h 30 min). Two.\n"
        "* [C](https://example.com/c) (~2 h). Three.\n"
        "* [D](https://example.com/d). Four.\n"
    )
    again = tmp_path / "again.md"
    again.write_text(markdown, encoding="utf-8")
    assert_import_changes_nothing(import_file(again, "--roadmap", "timed"))
    assert export("--roadmap", "timed")[0] == markdown


def test_an_estimate_the_file_cannot_carry_is_left_out_and_warned_about():
    resource = make_resource(url="https://example.com/a", title="Huge", estimated_minutes=70_000)

    markdown, warnings = export("--roadmap", resource.roadmap.slug)

    assert "* [Huge](https://example.com/a)\n" in markdown
    assert "(~" not in markdown
    assert "its estimated time (70000 minutes) is outside what the file can say" in warnings


def test_sections_nest_by_depth_and_unpublished_ones_are_left_out():
    roadmap = make_roadmap(slug="maths")
    part = make_section(roadmap, title="Part", slug="part", intro="Why.", order=1)
    child = make_section(roadmap, title="Child", slug="child", parent=part, order=2)
    hidden = make_section(roadmap, title="Hidden", slug="hidden", order=3, is_published=False)
    make_resource(child, title="A", url="https://example.com/a", level="high_level", order=10)
    make_resource(child, title="B", url="https://example.com/b", order=20, is_published=False)
    make_resource(hidden, title="C", url="https://example.com/c", order=10)

    markdown, _ = export("--roadmap", "maths")

    assert markdown == (
        "# Part\n\nWhy.\n\n## Child\n\n**High level resources**\n\n* [A](https://example.com/a)\n"
    )


def test_a_published_section_under_an_unpublished_part_is_warned_about():
    roadmap = make_roadmap(slug="maths")
    shown = make_section(roadmap, title="Shown", slug="shown", order=1)
    make_resource(shown, title="A", url="https://example.com/a", order=10)
    draft = make_section(roadmap, title="Draft", slug="draft", order=2, is_published=False)
    make_section(roadmap, title="Orphan", slug="orphan", parent=draft, order=3)

    markdown, warnings = export("--roadmap", "maths")

    assert "Orphan" not in markdown and "Draft" not in markdown
    assert "Section “Orphan” is published but under an unpublished section" in warnings


def test_a_section_whose_slug_its_heading_would_not_make_is_warned_about(tmp_path: Path):
    roadmap = make_roadmap(slug="maths")
    section = make_section(roadmap, title="Linear algebra", slug="vectors", order=1)
    make_resource(section, title="A", url="https://example.com/a", order=10)

    markdown, warnings = export("--roadmap", "maths")

    assert "Section “Linear algebra”: its slug is 'vectors'" in warnings
    assert "'linear-algebra'" in warnings
    assert markdown.startswith("# Linear algebra\n")


def test_a_line_break_in_a_description_is_written_as_a_space_and_warned_about():
    roadmap = make_roadmap(slug="maths")
    section = make_section(roadmap, title="Part", slug="part", order=1)
    make_resource(
        section,
        title="A",
        url="https://example.com/a",
        author="Ann",
        description="One.\r\nTwo.",
        order=10,
    )

    markdown, warnings = export("--roadmap", "maths")

    assert "* [A](https://example.com/a) - Ann. One. Two.\n" in markdown
    assert "Resource https://example.com/a: an import would change its description" in warnings


def test_orders_with_gaps_are_warned_about_as_a_renumbering_that_keeps_the_order():
    roadmap = make_roadmap(slug="maths")
    section = make_section(roadmap, title="Part", slug="part", order=10)
    make_resource(section, title="A", url="https://example.com/a", order=10)
    make_resource(section, title="B", url="https://example.com/b", order=15)

    markdown, warnings = export("--roadmap", "maths")

    assert markdown.index("[A]") < markdown.index("[B]")
    assert "1 sections or resources would be renumbered in steps of 10" in warnings


def test_a_roadmap_without_published_resources_is_written_with_a_warning():
    roadmap = make_roadmap(slug="maths")
    make_section(roadmap, title="Part", slug="part", intro="Soon.", order=1)

    markdown, warnings = export("--roadmap", "maths")

    assert markdown == "# Part\n\nSoon.\n"
    assert "no published resources" in warnings


def test_another_roadmap_is_exported_by_its_slug(tmp_path: Path):
    import_file(SHIPPED)
    other = tmp_path / "other.md"
    other.write_text("# Basics\n\n**Resources**\n\n* [A](https://example.com/a). Start.\n")
    import_file(other, "--roadmap", "basics")

    markdown, _ = export("--roadmap", "basics")

    assert markdown == other.read_text()


def test_an_unknown_roadmap_is_an_error_naming_the_ones_there_are():
    make_roadmap(slug="maths")

    with pytest.raises(CommandError, match=r"No roadmap with the slug 'nope' \(roadmaps: maths\)"):
        export("--roadmap", "nope")


def test_an_output_file_that_cannot_be_written_is_a_clear_error(tmp_path: Path):
    import_file(SHIPPED)

    with pytest.raises(CommandError, match="cannot be written"):
        export("--output", str(tmp_path / "missing" / "out.md"))
