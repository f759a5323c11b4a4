"""Signed-in pages are private to the browser; anonymous pages may be cached by proxies."""

import pytest

from tests.conftest import make_resource

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/", "/notes/", "/accounts/email/"])
def test_signed_in_pages_are_private_and_vary_on_the_cookie(alice_client, path):
    make_resource()
    response = alice_client.get(path)

    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    assert "Cookie" in response["Vary"]


def test_a_signed_in_fragment_is_private_too(alice_client):
    resource = make_resource()
    response = alice_client.get(f"/resources/{resource.pk}/note/", HTTP_HX_REQUEST="true")

    assert "private" in response["Cache-Control"]


def test_anonymous_roadmap_pages_are_not_marked_private(anon):
    resource = make_resource()
    for path in ("/", resource.roadmap.get_absolute_url()):
        response = anon.get(path)

        assert response.status_code == 200
        assert "private" not in response.get("Cache-Control", "")
