"""Curator edits that must never take the roadmap down: bad group intros and section cycles."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from roadmap.models import MAX_SECTION_DEPTH, Roadmap, Section
from tests.conftest import make_resource, make_roadmap, make_section

pytestmark = pytest.mark.django_db


def section_form(section, roadmap=None, **changes) -> dict:
    """The section admin's change form for ``section`` as it is, with ``changes``."""
    return {
        "roadmap": (roadmap or section.roadmap).pk,
        "title": section.title,
        "slug": section.slug,
        "intro": "",
        "group_intros": "{}",
        "order": 1,
        "is_published": "on",
        "resources-TOTAL_FORMS": 0,
        "resources-INITIAL_FORMS": 0,
        **changes,
    }


# --- group_intros ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (["a"], "must be an object"),
        ("text", "must be an object"),
        ({"high_level": 5}, 'introduction for "high_level" must be text'),
        ({"beginner": "Start here"}, '"beginner" is not a resource level'),
    ],
)
def test_a_section_refuses_group_intros_that_are_not_text_by_level(value, message):
    section = make_section()
    section.group_intros = value

    with pytest.raises(ValidationError) as error:
        section.full_clean()

    assert message in " ".join(error.value.message_dict["group_intros"])


def test_a_section_accepts_group_intros_by_known_level():
    section = make_section()
    section.group_intros = {"": "General.", "high_level": "Start here.", "theoretical": "Maths."}
    section.full_clean()


def test_the_admin_shows_a_clear_error_for_bad_group_intros(carol_client):
    section = make_section()
    response = carol_client.post(
        f"/admin/roadmap/section/{section.pk}/change/",
        section_form(section, group_intros='{"high_level": 5}'),
    )

    assert response.status_code == 200
    assert "must be text" in response.content.decode()
    section.refresh_from_db()
    assert section.group_intros == {}


@pytest.mark.parametrize("value", [["a"], "text", {"high_level": 5}, {"nonsense": "x"}, 12])
def test_bad_group_intros_saved_behind_validation_take_no_page_down(alice_client, value, caplog):
    section = make_section(slug="basics")
    resource = make_resource(section, level="high_level")
    make_resource(section, level="")
    # update() bypasses validation, as fixtures, the shell and old rows do.
    Section.objects.filter(pk=section.pk).update(group_intros=value)
    Roadmap.objects.filter(pk=section.roadmap_id).touch()

    assert alice_client.get("/").status_code == 200
    assert alice_client.get(section.roadmap.get_absolute_url()).status_code == 200
    assert alice_client.get(f"/resources/{resource.pk}/note/").status_code == 200
    response = alice_client.post(
        f"/resources/{resource.pk}/progress/",
        {"done": "on"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver/",
    )
    assert response.status_code == 200
    assert alice_client.post(f"/resources/{resource.pk}/progress/", {}).status_code == 302
    assert "ignored" in caplog.text


def test_the_usable_group_intros_of_a_partly_bad_section_are_still_shown(anon):
    section = make_section()
    make_resource(section, level="high_level")
    make_resource(section, level="in_depth")
    Section.objects.filter(pk=section.pk).update(
        group_intros={"high_level": "Watch these first.", "in_depth": ["not", "text"]}
    )
    Roadmap.objects.filter(pk=section.roadmap_id).touch()

    html = anon.get(section.roadmap.get_absolute_url()).content.decode()

    assert "Watch these first." in html
    assert "&#x27;not&#x27;" not in html and "['not'" not in html


# --- Section cycles ----------------------------------------------------------------------------


def _inline_data(roadmap: Roadmap, sections: list[Section], parents: dict[int, Section | None]):
    data = {
        "slug": roadmap.slug,
        "title": roadmap.title,
        "description": "",
        "order": roadmap.order,
        "is_published": "on",
        "sections-TOTAL_FORMS": len(sections),
        "sections-INITIAL_FORMS": len(sections),
        "sections-MIN_NUM_FORMS": 0,
        "sections-MAX_NUM_FORMS": 1000,
    }
    for i, section in enumerate(sections):
        parent = parents.get(section.pk, section.parent)
        data |= {
            f"sections-{i}-id": section.pk,
            f"sections-{i}-roadmap": roadmap.pk,
            f"sections-{i}-title": section.title,
            f"sections-{i}-slug": section.slug,
            f"sections-{i}-parent": parent.pk if parent else "",
            f"sections-{i}-order": section.order,
            f"sections-{i}-is_published": "on",
        }
    return data


def test_two_sections_nested_in_each_other_in_one_admin_submit_are_refused(carol_client):
    roadmap = make_roadmap()
    x = make_section(roadmap, title="X", slug="x")
    y = make_section(roadmap, title="Y", slug="y")

    response = carol_client.post(
        f"/admin/roadmap/roadmap/{roadmap.pk}/change/",
        _inline_data(roadmap, [x, y], {x.pk: y, y.pk: x}),
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "would be nested inside themselves" in html
    assert "cannot be nested inside itself" in html
    assert Section.objects.filter(pk__in=[x.pk, y.pk], parent__isnull=False).count() == 0


def test_a_valid_admin_submit_that_swaps_nesting_in_a_chain_is_saved(carol_client):
    roadmap = make_roadmap()
    x = make_section(roadmap, title="X", slug="x")
    y = make_section(roadmap, title="Y", slug="y")
    z = make_section(roadmap, title="Z", slug="z")

    response = carol_client.post(
        f"/admin/roadmap/roadmap/{roadmap.pk}/change/",
        _inline_data(roadmap, [x, y, z], {y.pk: x, z.pk: y}),
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    assert Section.objects.get(pk=z.pk).parent.parent == x


def test_the_section_form_refuses_a_parent_inside_the_section(carol_client):
    roadmap = make_roadmap()
    top = make_section(roadmap, slug="top")
    child = make_section(roadmap, slug="child", parent=top)
    grandchild = make_section(roadmap, slug="grandchild", parent=child)

    response = carol_client.post(
        f"/admin/roadmap/section/{top.pk}/change/", section_form(top, parent=grandchild.pk)
    )

    assert response.status_code == 200
    assert "cannot be nested inside itself" in response.content.decode()
    assert Section.objects.get(pk=top.pk).parent is None


def _plant_cycle() -> tuple[Section, Section, Section]:
    roadmap = make_roadmap()
    top = make_section(roadmap, slug="top")
    x = make_section(roadmap, slug="x")
    y = make_section(roadmap, slug="y", parent=x)
    make_resource(top)
    make_resource(x)
    Section.objects.filter(pk=x.pk).update(parent=y)  # bypasses every check
    Roadmap.objects.filter(pk=roadmap.pk).touch()
    return top, x, y


def test_a_cycle_planted_behind_validation_does_not_hang_section_clean():
    top, x, _ = _plant_cycle()
    under_x = Section(roadmap=top.roadmap, parent=x, title="Under X", slug="under-x")

    with pytest.raises(ValidationError) as error:
        under_x.full_clean()

    assert "loops" in error.value.message_dict["parent"][0]


def test_a_cycle_planted_behind_validation_takes_no_page_down(alice_client, carol_client):
    top, x, _ = _plant_cycle()
    resource = top.resources.get()

    assert alice_client.get("/").status_code == 200
    page = alice_client.get(top.roadmap.get_absolute_url())
    assert page.status_code == 200
    assert top.title in page.content.decode()
    assert alice_client.get(f"/resources/{resource.pk}/note/").status_code == 200
    checked = alice_client.post(f"/resources/{resource.pk}/progress/", {"done": "on"})
    assert checked.status_code == 302
    assert carol_client.get(f"/admin/roadmap/roadmap/{top.roadmap_id}/change/").status_code == 200
    assert carol_client.get(f"/admin/roadmap/section/{x.pk}/change/").status_code == 200


def test_sections_nested_deeper_than_the_limit_are_refused():
    roadmap = make_roadmap()
    parent = None
    for depth in range(MAX_SECTION_DEPTH + 1):
        parent = make_section(roadmap, slug=f"level-{depth}", parent=parent)
    deepest = Section(roadmap=roadmap, parent=parent, title="Too deep", slug="too-deep")

    with pytest.raises(ValidationError) as error:
        deepest.full_clean()

    assert "at most" in error.value.message_dict["parent"][0]


def test_loaddata_refuses_a_fixture_that_nests_sections_in_each_other(tmp_path):
    roadmap = make_roadmap(slug="looped")
    fixture = tmp_path / "looped.json"
    fixture.write_text(
        json.dumps(
            [
                {
                    "model": "roadmap.section",
                    "fields": {
                        "roadmap": ["looped"],
                        "parent": ["looped", "b"],
                        "title": "A",
                        "slug": "a",
                    },
                },
                {
                    "model": "roadmap.section",
                    "fields": {
                        "roadmap": ["looped"],
                        "parent": ["looped", "a"],
                        "title": "B",
                        "slug": "b",
                    },
                },
            ]
        )
    )

    with pytest.raises(CommandError, match="nests sections wrongly"):
        call_command("loaddata", str(fixture), verbosity=0)

    assert not Section.objects.filter(roadmap=roadmap).exists()


# --- moving a section to another roadmap -------------------------------------------------------


def test_a_section_with_resources_is_not_moved_to_another_roadmap_without_them(carol_client):
    section = make_section(title="Holds one")
    resource = make_resource(section)
    other = make_roadmap(slug="other")

    response = carol_client.post(
        f"/admin/roadmap/section/{section.pk}/change/", section_form(section, other)
    )

    assert response.status_code == 200
    assert "move them to a section of the other roadmap first" in response.content.decode()
    section.refresh_from_db(), resource.refresh_from_db()
    assert section.roadmap_id == resource.roadmap_id != other.pk


def test_a_section_with_subsections_is_not_moved_either():
    part = make_section(title="Part")
    make_section(part.roadmap, title="Child", parent=part)
    part.roadmap = make_roadmap(slug="other")

    with pytest.raises(ValidationError) as error:
        part.full_clean()

    assert "roadmap" in error.value.message_dict


def test_an_empty_section_moves_and_both_roadmaps_change(carol_client):
    section = make_section(title="Empty")
    old = Roadmap.objects.get(pk=section.roadmap_id)
    other = make_roadmap(slug="other")
    other.refresh_from_db()

    response = carol_client.post(
        f"/admin/roadmap/section/{section.pk}/change/", section_form(section, other)
    )

    assert response.status_code == 302
    section.refresh_from_db()
    assert section.roadmap_id == other.pk
    assert Roadmap.objects.get(pk=old.pk).content_version > old.content_version
    assert Roadmap.objects.get(pk=other.pk).content_version > other.content_version
