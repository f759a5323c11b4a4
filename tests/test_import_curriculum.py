import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from roadmap.curriculum.parse import (
    MAX_LINE_LENGTH,
    CurriculumFormatError,
    ParsedCurriculum,
    ParsedResource,
    _split_author,
    infer_kind,
    parse_curriculum,
)
from roadmap.models import Progress, Resource, Roadmap, Section
from tests.conftest import make_user

REAL_FILE = Path(__file__).resolve().parent.parent / "fixtures" / "llm-roadmap.md"

SMALL = """\
# Basics

Why the basics matter.

## Maths

**High level Resources**

* [3Blue1Brown - Linear Algebra](https://example.com/linear-algebra): Vectors and matrices.
* [Khan Academy - Calculus](https://www.khanacademy.org/math/calculus-1): Limits.

## Python

**Resources**

* [Real Python](https://realpython.com/): Tutorials.
"""


def only_resource(markdown: str) -> ParsedResource:
    (resource,) = parse_curriculum(f"# Heading\n\n{markdown}\n").resources
    return resource


def write(tmp_path: Path, markdown: str, name: str = "roadmap.md") -> Path:
    path = tmp_path / name
    path.write_text(markdown, encoding="utf-8")
    return path


def run(path: Path | str, *args: str) -> str:
    out = io.StringIO()
    call_command("import_curriculum", str(path), *args, stdout=out)
    return out.getvalue()


def counts() -> tuple[int, int, int]:
    return Roadmap.objects.count(), Section.objects.count(), Resource.objects.count()


# --- Parsing: the tail after the link --------------------------------------------------------


def test_a_colon_tail_takes_the_author_from_the_link_text_before_a_dash():
    resource = only_resource(
        "* [3Blue1Brown - The Essence of Linear Algebra](https://example.com/a): Visual maths."
    )
    assert resource.author == "3Blue1Brown"
    assert resource.title == "The Essence of Linear Algebra"
    assert resource.description == "Visual maths."


def test_a_colon_tail_takes_the_author_from_a_trailing_by():
    resource = only_resource(
        "* [AP Statistics Intuition by Ms Aerin](https://example.com/a):  A Medium series."
    )
    assert (resource.title, resource.author) == ("AP Statistics Intuition", "Ms Aerin")
    assert resource.description == "A Medium series."


def test_a_colon_tail_without_dash_or_by_has_no_author():
    resource = only_resource("* [Immersive Linear Algebra](https://example.com/a): A textbook.")
    assert (resource.title, resource.author) == ("Immersive Linear Algebra", "")


def test_a_dash_tail_names_the_author_up_to_the_first_sentence():
    resource = only_resource(
        "* [The Illustrated Transformer](https://example.com/a) - Jay Alammar. "
        "The most famous explanation. Really."
    )
    assert resource.title == "The Illustrated Transformer"
    assert resource.author == "Jay Alammar"
    assert resource.description == "The most famous explanation. Really."


def test_an_authors_initials_do_not_end_the_author():
    resource = only_resource(
        "* [Transformers](https://example.com/a.pdf) - Dan Jurafsky and James H. Martin. "
        "This chapter describes self-attention."
    )
    assert resource.author == "Dan Jurafsky and James H. Martin"
    assert resource.description == "This chapter describes self-attention."


def test_a_tail_without_a_separator_reads_like_a_dash_tail():
    resource = only_resource(
        "* [LLM Visualization](https://bbycroft.net/llm)  Brendan Bycroft. 3D visualization"
    )
    assert resource.title == "LLM Visualization"
    assert resource.author == "Brendan Bycroft"
    assert resource.description == "3D visualization"


def test_a_period_right_after_the_link_means_no_author():
    resource = only_resource(
        "* [Decoding Strategies in LLMs](https://example.com/a). An introduction to decoding. "
    )
    assert resource.author == ""
    assert resource.description == "An introduction to decoding."


def test_a_link_alone_has_no_author_and_no_description():
    resource = only_resource("- [Attention? Attention!](https://example.com/a)")
    assert (resource.title, resource.author, resource.description) == (
        "Attention? Attention!",
        "",
        "",
    )


def test_descriptions_are_trimmed_but_otherwise_kept_as_written():
    resource = only_resource(
        "* [Immersive](https://example.com/a):   Key concepts such as vectors..  "
    )
    assert resource.description == "Key concepts such as vectors.."


def test_a_url_may_hold_balanced_parentheses():
    resource = only_resource("* [Attention](https://en.wikipedia.org/wiki/Attention_(ML)): Wiki.")
    assert resource.url == "https://en.wikipedia.org/wiki/Attention_(ML)"
    assert resource.description == "Wiki."


# --- Parsing: sections, groups and prose -----------------------------------------------------


@pytest.mark.parametrize(
    ("label", "level"),
    [
        ("**High level Resources**", "high_level"),
        ("**In-depth level Resources**", "in_depth"),
        ("**Theroretical resources**", "theoretical"),
        ("**Theoretical resources**", "theoretical"),
        ("**Resources**", ""),
        ("### Resources ", ""),
        ("### High level resources", "high_level"),
    ],
)
def test_a_group_label_sets_the_level_of_the_resources_after_it(label: str, level: str):
    parsed = parse_curriculum(f"# Part\n\n{label}\n\n* [A](https://example.com/a): A.\n")
    assert [section.title for section in parsed.sections] == ["Part"]
    assert parsed.resources[0].level == level


def test_resources_before_any_group_label_are_general():
    assert only_resource("* [A](https://example.com/a): A.").level == ""


def test_a_group_label_heading_is_not_a_section():
    parsed = parse_curriculum(
        "# Part\n\n## Maths\n\n### Resources \n\n**High level Resources**\n\n"
        "* [A](https://example.com/a): A.\n"
    )
    assert [section.slug for section in parsed.sections] == ["part", "maths"]
    assert parsed.sections[1].resources[0].level == "high_level"


def test_an_empty_group_produces_nothing():
    parsed = parse_curriculum(
        "# Part\n\n**High level Resources**\n\n* [A](https://example.com/a): A.\n\n"
        "**In-depth level Resources**\n\n## Next\n\n* [B](https://example.com/b): B.\n"
    )
    assert [(r.url, r.level) for r in parsed.resources] == [
        ("https://example.com/a", "high_level"),
        ("https://example.com/b", ""),
    ]
    assert parsed.sections[0].group_intros == {}


def test_stray_lines_before_the_first_group_are_the_sections_intro():
    parsed = parse_curriculum(
        "# Preliminary\n\nTo begin this journey.\n\n\n\nFocus on three axes: \n\n"
        "* **Mathematical preliminaries** \n* **Python basis**\n\n"
        "**Resources**\n\n* [A](https://example.com/a): A.\n"
    )
    assert parsed.sections[0].intro == (
        "To begin this journey.\n\nFocus on three axes: \n\n"
        "* **Mathematical preliminaries** \n* **Python basis**"
    )


def test_prose_after_a_group_label_introduces_that_group():
    parsed = parse_curriculum(
        "# LLM basic\n\n**High level resources**\n\nA grasp of the transformer.\n\n"
        "* [A](https://example.com/a) - Jay Alammar. A.\n\n"
        "**Theroretical resources**\n\nA formal introduction.\n\n"
        "* [B](https://example.com/b) - Dan Jurafsky. B.\n"
    )
    section = parsed.sections[0]
    assert section.intro == ""
    assert section.group_intros == {
        "high_level": "A grasp of the transformer.",
        "theoretical": "A formal introduction.",
    }


def test_lines_in_a_code_block_are_prose_even_when_they_look_like_headings():
    parsed = parse_curriculum(
        "# Part\n\n```python\n# a comment, not a heading\n\n\n* [x](y)\n```\n\n"
        "* [A](https://example.com/a): A.\n"
    )
    assert [section.title for section in parsed.sections] == ["Part"]
    assert parsed.sections[0].intro == "```python\n# a comment, not a heading\n\n\n* [x](y)\n```"


def test_headings_nest_under_the_latest_shallower_heading():
    parsed = parse_curriculum(
        "# One\n## Two\n### Three\n## Four\n# Five\n### Six\n* [A](https://example.com/a): A.\n"
    )
    assert [(s.slug, s.depth, s.parent_slug) for s in parsed.sections] == [
        ("one", 1, None),
        ("two", 2, "one"),
        ("three", 3, "two"),
        ("four", 2, "one"),
        ("five", 1, None),
        ("six", 3, "five"),
    ]


def test_section_slugs_are_unique_within_the_file():
    parsed = parse_curriculum(
        "# Resources and more\n## Basics\n# Basics\n## Basics\n* [A](https://example.com/a): A.\n"
    )
    assert [s.slug for s in parsed.sections] == [
        "resources-and-more",
        "basics",
        "basics-2",
        "basics-3",
    ]


def test_sections_are_numbered_in_file_order_and_resources_within_their_section():
    parsed = parse_curriculum(SMALL)
    assert [(s.slug, s.order) for s in parsed.sections] == [
        ("basics", 10),
        ("maths", 20),
        ("python", 30),
    ]
    assert [(r.url, r.order) for r in parsed.resources] == [
        ("https://example.com/linear-algebra", 10),
        ("https://www.khanacademy.org/math/calculus-1", 20),
        ("https://realpython.com/", 10),
    ]


@pytest.mark.parametrize(
    ("url", "title", "kind"),
    [
        ("https://www.youtube.com/watch?v=fNk_zzaMoSs&list=PLZHQ", "Linear Algebra", "playlist"),
        ("https://www.youtube.com/playlist?list=PLqnslRFeH2U", "PyTorch Tutorials", "playlist"),
        ("https://www.youtube.com/watch?v=VyWAvY2CF9c", "Deep Learning Crash Course", "video"),
        ("https://youtu.be/i_LwzRVP7bg", "Machine Learning for Everybody", "video"),
        ("https://arxiv.org/abs/1706.03762", "Attention Is All You Need", "paper"),
        ("https://web.stanford.edu/~jurafsky/slp3/10.pdf", "Transformers", "book"),
        ("https://www.kaggle.com/learn-guide/natural-language-processing", "NLP Guide", "course"),
        ("https://example.com/intro", "An intro course", "course"),
        ("https://bbycroft.net/llm", "LLM Visualization", "interactive"),
        ("https://jakevdp.github.io/PythonDataScienceHandbook/", "Python Handbook", "book"),
        ("https://realpython.com/", "Real Python", "website"),
        ("https://jalammar.github.io/illustrated-transformer/", "Transformer", "article"),
    ],
)
def test_the_kind_is_inferred_from_the_url_and_the_text(url: str, title: str, kind: str):
    assert infer_kind(url, title, "") == kind


def test_the_title_speaks_before_the_description_when_inferring_the_kind():
    kind = infer_kind(
        "https://jakevdp.github.io/PythonDataScienceHandbook/",
        "Python Data Science Handbook",
        "Data visualization with Matplotlib.",
    )
    assert kind == "book"


def test_the_real_file_parses_into_31_sensibly_kinded_resources():
    parsed = parse_curriculum(REAL_FILE.read_text(encoding="utf-8"))
    kinds: dict[str, list[str]] = {}
    for resource in parsed.resources:
        kinds.setdefault(resource.kind, []).append(resource.title)
    assert len(parsed.resources) == 31
    assert sorted(kinds["playlist"]) == [
        "PyTorch Tutorials",
        "Statistics Fundamentals",
        "The Essence of Linear Algebra",
    ]
    assert sorted(kinds["course"]) == [
        "Calculus",
        "Intro to Machine Learning",
        "Linear Algebra",
        "NLP Guide",
        "Practical Deep Learning",
        "Probability and Statistics",
    ]
    assert sorted(kinds["interactive"]) == ["Immersive Linear Algebra", "LLM Visualization"]
    assert sorted(kinds["book"]) == [
        "Fine-tuning and Masked Language Models",
        "Python Data Science Handbook",
        "Transformers and Large Language Models",
    ]
    assert kinds["website"] == ["Real Python"]
    assert len(kinds["video"]) == 6
    assert len(kinds["article"]) == 10


# --- Parsing: malformed files ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("markdown", "line", "message"),
    [
        ("\n* [A](https://example.com/a): A.\n# H\n", 2, "a resource must come after a heading"),
        ("# H\n\n* [Title](https://x\n", 3, "never closed"),
        ("# H\n* [Title]\n", 2, "has no (url)"),
        ("# H\n* [Title: no closing bracket\n", 2, "never closed"),
        ("# H\n* [](https://example.com/a): A.\n", 2, "the link has no text"),
        ("# H\n* [  ](https://example.com/a): A.\n", 2, "the link has no text"),
        ("# H\n* [A](ftp://example.com/a): A.\n", 2, "is not an http(s) link"),
        ("# H\n* [A](/relative/path): A.\n", 2, "is not an http(s) link"),
        ("# H\n* [A](https://exa..mple.com/a): A.\n", 2, "is not a valid URL"),
        ("# H\n* [A](https://example.com/a b): A.\n", 2, "contains a space"),
        ("# H\n* [A](https://example.com/a)\n##   \n", 3, "a heading needs a title"),
        ("# H\n\nOnly prose here.\n", 3, "the file has no resources"),
        ("Prose first.\n# H\n* [A](https://example.com/a)\n", 1, "must come after a heading"),
        ("# H\n* [A](https://example.com/a) (~ h)\n", 2, "(~ h) at column 30 is not understood"),
        ("# H\n* [A](https://example.com/a) (~0 min)\n", 2, "is less than a minute"),
        ("# H\n* [A](https://example.com/a) (~1001 h)\n", 2, "is over 1000 h"),
    ],
)
def test_a_malformed_file_names_the_line_of_the_mistake(markdown: str, line: int, message: str):
    with pytest.raises(CurriculumFormatError) as caught:
        parse_curriculum(markdown)
    assert caught.value.line == line
    assert message in caught.value.message


def test_the_same_url_twice_names_both_lines():
    with pytest.raises(CurriculumFormatError) as caught:
        parse_curriculum(
            "# H\n* [A](https://example.com/a): A.\n\n## I\n* [B](https://example.com/a): B.\n"
        )
    assert caught.value.line == 5
    assert "already listed on line 2" in caught.value.message


def test_fields_longer_than_the_model_allows_are_malformed():
    with pytest.raises(CurriculumFormatError, match="line 2: the title is 301 characters"):
        parse_curriculum(f"# H\n* [{'x' * 301}](https://example.com/a): A.\n")
    with pytest.raises(CurriculumFormatError, match="line 1: the heading is 201 characters"):
        parse_curriculum(f"# {'x' * 201}\n* [A](https://example.com/a): A.\n")
    with pytest.raises(CurriculumFormatError, match="line 2: the author is 201 characters"):
        parse_curriculum(f"# H\n* [A](https://example.com/a) - {'x' * 201}\n")


def test_the_author_split_is_one_pass_over_a_120_kb_tail_of_initials():
    # 40,000 initials, each a period that does not end the author: every earlier version
    # re-split everything before each period, 40,000 times over 120 KB.
    tail = "J. " * 40_000 + "Smith. The description."

    author, description = _split_author(tail)

    assert author == tail.removesuffix(". The description.")
    assert description == "The description."


def test_a_120_kb_resource_line_is_refused_by_its_length_before_it_is_read():
    line = "* [A](https://example.com/a) - " + "J. " * 40_000
    with pytest.raises(CurriculumFormatError) as caught:
        parse_curriculum(f"# H\n{line}\n")
    assert caught.value.line == 2
    assert f"at most {MAX_LINE_LENGTH}" in caught.value.message


def test_closing_hashes_of_a_heading_are_dropped_but_a_hash_in_a_word_is_kept():
    parsed = parse_curriculum(
        "# Basics ##\n## C# and F#\n* [A](https://example.com/a): A.\n## Tabs\t#\t\n"
    )
    assert [s.title for s in parsed.sections] == ["Basics", "C# and F#", "Tabs"]


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x1b", "\x0b", "\x0c", "\r", "\x7f", "\x85"])
@pytest.mark.parametrize(
    ("template", "line"),
    [
        ("# Ba{c}sics\n* [A](https://example.com/a): A.\n", 1),
        ("# H\nIntro with {c} in it.\n* [A](https://example.com/a): A.\n", 2),
        ("# H\n* [Ti{c}tle](https://example.com/a): A.\n", 2),
        ("# H\n* [A](https://example.com/a{c}): A.\n", 2),
        ("# H\n* [A](https://example.com/a) - Au{c}thor. Text.\n", 2),
        ("# H\n* [A](https://example.com/a): Descr{c}iption.\n", 2),
        ("# H\n**High level{c} Resources**\n* [A](https://example.com/a): A.\n", 2),
    ],
)
def test_control_characters_are_refused_in_every_field_naming_the_line(char, template, line):
    with pytest.raises(CurriculumFormatError) as caught:
        parse_curriculum(template.format(c=char))

    assert caught.value.line == line
    assert f"control character U+{ord(char):04X}" in caught.value.message


def test_tabs_and_windows_line_endings_are_still_allowed():
    parsed = parse_curriculum("# H\r\n* [A](https://example.com/a):\tTabbed\tdescription.\r\n")
    assert parsed.resources[0].description == "Tabbed\tdescription."


@pytest.mark.django_db
def test_the_command_names_the_line_of_a_control_character(tmp_path):
    path = write(tmp_path, "# H\n* [A](https://example.com/a): nul\x00 here.\n")
    with pytest.raises(CommandError, match=r"roadmap\.md, line 2: control character U\+0000"):
        run(path)
    assert counts() == (0, 0, 0)


# --- Importing into the database -------------------------------------------------------------


@pytest.mark.django_db
def test_it_imports_the_real_file_with_its_sections_and_exact_urls():
    output = run(REAL_FILE)

    roadmap = Roadmap.objects.get(slug="llm-roadmap")
    assert roadmap.title == "LLM Roadmap"
    assert roadmap.description.startswith("From maths and Python basics")
    assert Resource.objects.filter(roadmap=roadmap, is_published=True).count() == 31
    sections = {s.slug: s for s in Section.objects.filter(roadmap=roadmap)}
    assert [(slug, s.parent.slug if s.parent else None) for slug, s in sections.items()] == [
        ("preliminary-a-refresh", None),
        ("mathematical-basis", "preliminary-a-refresh"),
        ("python-basics", "preliminary-a-refresh"),
        ("neural-net-basics", "preliminary-a-refresh"),
        ("natural-language-processing", "preliminary-a-refresh"),
        ("llm-basic", None),
    ]
    transformer = Resource.objects.get(url="https://jalammar.github.io/illustrated-transformer/")
    assert transformer.section.slug == "llm-basic"
    assert (transformer.author, transformer.level) == ("Jay Alammar", "high_level")
    chapter = Resource.objects.get(url="https://web.stanford.edu/~jurafsky/slp3/10.pdf")
    assert (chapter.level, chapter.kind) == ("theoretical", "book")
    playlist = Resource.objects.get(
        url="https://www.youtube.com/watch?v=fNk_zzaMoSs&list=PLZHQObOWTQDPD3MizzM2xVFitgF8hE_ab"
    )
    assert playlist.section.slug == "mathematical-basis"
    assert Resource.objects.get(url="https://realpython.com/").section.slug == "python-basics"
    assert sections["llm-basic"].group_intros["theoretical"].startswith("A list of resources")
    assert "Resources — created: 31, changed: 0, left alone: 0, unpublished: 0" in output


@pytest.mark.django_db
def test_an_estimate_is_saved_and_importing_it_again_changes_nothing(tmp_path: Path):
    path = write(
        tmp_path, SMALL.replace("(https://realpython.com/)", "(https://realpython.com/) (~1.5 h)")
    )
    run(path)
    assert Resource.objects.get(url="https://realpython.com/").estimated_minutes == 90
    assert Resource.objects.exclude(estimated_minutes=None).count() == 1

    out = run(path)

    assert "Resources — created: 0, changed: 0, left alone: 3" in out


@pytest.mark.django_db
def test_importing_twice_is_a_no_op():
    run(REAL_FILE)
    pks = dict(Resource.objects.values_list("url", "pk"))
    section_pks = dict(Section.objects.values_list("slug", "pk"))

    output = run(REAL_FILE)

    assert "Resources — created: 0, changed: 0, left alone: 31, unpublished: 0" in output
    assert "Sections — created: 0, changed: 0, left alone: 6, unpublished: 0" in output
    assert dict(Resource.objects.values_list("url", "pk")) == pks
    assert dict(Section.objects.values_list("slug", "pk")) == section_pks
    assert counts() == (1, 6, 31)


@pytest.mark.django_db
def test_a_new_roadmap_gets_a_title_from_its_slug(tmp_path: Path):
    output = run(write(tmp_path, SMALL), "--roadmap", "maths-for-ml")

    roadmap = Roadmap.objects.get(slug="maths-for-ml")
    assert roadmap.title == "Maths For Ml"
    assert roadmap.resources.count() == 3
    assert 'Roadmap maths-for-ml ("Maths For Ml"): created.' in output


@pytest.mark.django_db
def test_an_existing_roadmap_keeps_its_title_and_description(tmp_path: Path):
    Roadmap.objects.create(slug="llm-roadmap", title="Curated title", description="Mine.")
    run(write(tmp_path, SMALL))
    roadmap = Roadmap.objects.get(slug="llm-roadmap")
    assert (roadmap.title, roadmap.description) == ("Curated title", "Mine.")


@pytest.mark.django_db
def test_importing_into_one_roadmap_leaves_other_roadmaps_alone(tmp_path: Path):
    run(REAL_FILE)
    run(write(tmp_path, SMALL), "--roadmap", "other")
    assert Resource.objects.filter(roadmap__slug="llm-roadmap", is_published=True).count() == 31
    assert Resource.objects.filter(roadmap__slug="other").count() == 3


@pytest.mark.django_db
def test_a_retitled_resource_keeps_its_pk_and_the_report_names_the_field(tmp_path: Path):
    path = write(tmp_path, SMALL)
    run(path)
    resource = Resource.objects.get(url="https://realpython.com/")

    write(tmp_path, SMALL.replace("[Real Python]", "[Real Python tutorials]"))
    output = run(path)

    resource.refresh_from_db()
    assert resource.title == "Real Python tutorials"
    assert Resource.objects.count() == 3
    assert "changed: https://realpython.com/ (Real Python tutorials): title" in output
    assert "Resources — created: 0, changed: 1, left alone: 2, unpublished: 0" in output


@pytest.mark.django_db
def test_a_resource_moved_to_another_section_keeps_its_pk(tmp_path: Path):
    path = write(tmp_path, SMALL)
    run(path)
    calculus = Resource.objects.get(url="https://www.khanacademy.org/math/calculus-1")
    line = "* [Khan Academy - Calculus](https://www.khanacademy.org/math/calculus-1): Limits.\n"

    write(tmp_path, SMALL.replace(line, "") + line)
    output = run(path)

    moved = Resource.objects.get(pk=calculus.pk)
    assert moved.section.slug == "python"
    assert (moved.level, moved.order) == ("", 20)
    assert "(Calculus): level, section\n" in output
    assert Resource.objects.count() == 3


@pytest.mark.django_db
def test_reordering_resources_in_the_file_changes_their_order(tmp_path: Path):
    path = write(tmp_path, SMALL)
    run(path)
    first, second = SMALL.splitlines(keepends=True)[8:10]
    write(tmp_path, SMALL.replace(first + second, second + first))

    run(path)

    maths = Resource.objects.filter(section__slug="maths").order_by("order")
    assert [r.title for r in maths] == ["Calculus", "Linear Algebra"]
    assert [r.order for r in maths] == [10, 20]


@pytest.mark.django_db
def test_it_unpublishes_resources_missing_from_the_file(tmp_path: Path):
    path = write(tmp_path, SMALL)
    run(path)
    gone = Resource.objects.get(url="https://realpython.com/")
    progress = Progress.objects.create(user=make_user("alice@example.com"), resource=gone)

    write(tmp_path, SMALL.replace("* [Real Python](https://realpython.com/): Tutorials.\n", ""))
    output = run(path)

    gone.refresh_from_db()
    assert gone.is_published is False
    assert Progress.objects.filter(pk=progress.pk, resource=gone).exists()
    assert Resource.objects.count() == 3
    assert "unpublished, no longer in the file: https://realpython.com/ (Real Python)" in output
    assert "Nothing was deleted" in output


@pytest.mark.django_db
def test_it_unpublishes_sections_missing_from_the_file(tmp_path: Path):
    path = write(tmp_path, SMALL)
    run(path)

    write(tmp_path, SMALL.split("## Python")[0])
    output = run(path)

    python = Section.objects.get(slug="python")
    assert python.is_published is False
    assert Resource.objects.get(url="https://realpython.com/").is_published is False
    assert "Sections — created: 0, changed: 0, left alone: 2, unpublished: 1" in output
    assert "unpublished, no longer in the file: python (Python)" in output


@pytest.mark.django_db
def test_a_resource_back_in_the_file_is_published_again(tmp_path: Path):
    path = write(tmp_path, SMALL)
    run(path)
    Resource.objects.filter(url="https://realpython.com/").update(is_published=False)
    Section.objects.filter(slug="python").update(is_published=False)

    output = run(path)

    assert Resource.objects.get(url="https://realpython.com/").is_published is True
    assert Section.objects.get(slug="python").is_published is True
    assert "changed: https://realpython.com/ (Real Python): is_published" in output


@pytest.mark.django_db
def test_a_curator_set_kind_survives_reimport():
    run(REAL_FILE)
    url = "https://jalammar.github.io/illustrated-transformer/"
    Resource.objects.filter(url=url).update(kind=Resource.Kind.INTERACTIVE)

    output = run(REAL_FILE)

    assert Resource.objects.get(url=url).kind == Resource.Kind.INTERACTIVE
    assert "changed: 0" in output


@pytest.mark.django_db
def test_a_dry_run_changes_nothing_and_says_so(tmp_path: Path):
    run(REAL_FILE)
    before = list(Resource.objects.values().order_by("pk"))
    changed = REAL_FILE.read_text(encoding="utf-8").replace("[nanoGPT]", "[nanoGPT, renamed]")
    changed = changed.replace(
        "* [Attention? Attention!](https://lilianweng.github.io/posts/2018-06-24-attention/)", ""
    )

    output = run(write(tmp_path, changed), "--dry-run")

    lines = output.strip().splitlines()
    assert lines[0] == lines[-1] == "Dry run: nothing was saved."
    assert "(nanoGPT, renamed): title" in output
    assert "unpublished: 1" in output
    assert list(Resource.objects.values().order_by("pk")) == before


@pytest.mark.django_db
def test_a_dry_run_into_an_empty_database_creates_nothing():
    output = run(REAL_FILE, "--dry-run")
    assert "Resources — created: 31" in output
    assert counts() == (0, 0, 0)


@pytest.mark.django_db
def test_a_malformed_file_is_a_command_error_naming_the_line_and_nothing_is_written(
    tmp_path: Path,
):
    run(REAL_FILE)
    before = counts()
    titles = dict(Resource.objects.values_list("url", "title"))
    broken = REAL_FILE.read_text(encoding="utf-8").replace(
        "[nanoGPT](https://www.youtube.com/watch?v=kCc8FmEb1nY)", "[nanoGPT](https://www.you"
    )
    path = write(tmp_path, broken.replace("[Real Python]", "[Real Python renamed]"))
    line = next(n for n, text in enumerate(broken.splitlines(), 1) if "[nanoGPT]" in text)

    with pytest.raises(CommandError) as caught:
        run(path)

    assert str(caught.value) == f"{path}, line {line}: the link's URL is never closed with ')'"
    assert counts() == before
    assert dict(Resource.objects.values_list("url", "title")) == titles


@pytest.mark.django_db
def test_a_resource_before_any_heading_is_a_command_error(tmp_path: Path):
    path = write(tmp_path, "Intro.\n\n* [A](https://example.com/a): A.\n# H\n")
    with pytest.raises(CommandError, match=r"line 1: text must come after a heading"):
        run(path)
    path = write(tmp_path, "\n\n* [A](https://example.com/a): A.\n# H\n")
    with pytest.raises(CommandError, match=r"line 3: a resource must come after a heading"):
        run(path)
    assert counts() == (0, 0, 0)


@pytest.mark.django_db
def test_a_missing_file_is_a_command_error(tmp_path: Path):
    with pytest.raises(CommandError, match="cannot be read"):
        run(tmp_path / "missing.md")
    with pytest.raises(CommandError, match="cannot be read"):
        run(tmp_path)
    assert counts() == (0, 0, 0)


@pytest.mark.django_db
def test_a_file_that_is_not_utf8_is_a_command_error(tmp_path: Path):
    path = tmp_path / "latin1.md"
    path.write_bytes("# Café\n* [A](https://example.com/a): Crème.\n".encode("latin-1"))
    with pytest.raises(CommandError, match="is not UTF-8 text"):
        run(path)
    assert counts() == (0, 0, 0)


@pytest.mark.django_db
def test_a_byte_order_mark_does_not_hide_the_first_heading(tmp_path: Path):
    path = tmp_path / "bom.md"
    path.write_bytes(b"\xef\xbb\xbf" + SMALL.encode())
    run(path)
    assert Section.objects.filter(slug="basics", parent=None).exists()


@pytest.mark.django_db
def test_an_invalid_roadmap_slug_is_a_command_error(tmp_path: Path):
    with pytest.raises(CommandError, match="not a valid slug"):
        run(write(tmp_path, SMALL), "--roadmap", "not a slug")
    assert counts() == (0, 0, 0)


def test_a_parsed_curriculum_lists_its_resources_in_file_order():
    parsed = parse_curriculum(SMALL)
    assert isinstance(parsed, ParsedCurriculum)
    assert [r.title for r in parsed.resources] == ["Linear Algebra", "Calculus", "Real Python"]
