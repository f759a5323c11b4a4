import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from roadmap.models import Resource
from tests.conftest import make_resource, make_roadmap, make_section

pytestmark = pytest.mark.django_db


def test_every_model_reads_as_its_title():
    resource = make_resource(title="The Illustrated Transformer")
    assert str(resource) == "The Illustrated Transformer"
    assert str(resource.section) == resource.section.title
    assert str(resource.roadmap) == resource.roadmap.title


def test_a_url_appears_once_per_roadmap():
    resource = make_resource(url="https://example.com/a")
    with pytest.raises(IntegrityError):
        make_resource(section=resource.section, url="https://example.com/a")


def test_the_same_url_may_appear_in_two_roadmaps():
    make_resource(url="https://example.com/a")
    make_resource(url="https://example.com/a")
    assert Resource.objects.filter(url="https://example.com/a").count() == 2


def test_a_resource_takes_its_roadmap_from_its_section():
    section = make_section()
    resource = Resource.objects.create(section=section, title="T", url="https://example.com/t")
    assert resource.roadmap == section.roadmap


def test_a_section_gets_a_slug_from_its_title():
    section = make_section(title="Neural net basics", slug="")
    assert section.slug == "neural-net-basics"


def test_a_section_cannot_be_nested_in_another_roadmap():
    parent = make_section()
    child = make_section(roadmap=make_roadmap())
    child.parent = parent
    with pytest.raises(ValidationError, match="same roadmap"):
        child.full_clean()


def test_a_section_cannot_be_nested_inside_itself():
    parent = make_section()
    child = make_section(roadmap=parent.roadmap, parent=parent)
    parent.parent = child
    with pytest.raises(ValidationError, match="inside itself"):
        parent.full_clean()


def test_a_resource_cannot_point_at_a_section_of_another_roadmap():
    resource = make_resource()
    resource.section = make_section()
    with pytest.raises(ValidationError, match="roadmap"):
        resource.full_clean()


def test_published_hides_unpublished_resources_and_resources_of_unpublished_sections():
    shown = make_resource()
    make_resource(section=shown.section, is_published=False)
    make_resource(section=make_section(roadmap=shown.roadmap, is_published=False))
    assert list(Resource.objects.published()) == [shown]
