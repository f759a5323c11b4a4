"""The emails allauth sends speak as the site (SITE_NAME) and link to the address it is used at."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

HOST = "roadmap.example.org"


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_NAME = "Study Hall"
    settings.ALLOWED_HOSTS = [HOST]


@pytest.fixture
def visitor() -> Client:
    return Client(HTTP_HOST=HOST)


def links_in(body: str) -> list[str]:
    return re.findall(r"https?://\S+", body)


def assert_speaks_as_the_site(message) -> None:
    body = message.body
    assert body.startswith("Hello from Study Hall!")
    assert "Thank you for using Study Hall!" in body
    assert f"https://{HOST}/" in body.splitlines()  # the site's own address, as a link
    assert links_in(body) and all(link.startswith(f"https://{HOST}/") for link in links_in(body))
    assert "testserver" not in body and "127.0.0.1" not in body


def test_the_sign_up_email_names_the_site_and_links_to_it(visitor):
    visitor.post(
        "/accounts/signup/",
        {"email": "new@example.com", "password1": PASSWORD, "password2": PASSWORD},
        secure=True,  # over HTTPS, as behind the production proxy
    )
    [message] = mail.outbox
    assert_speaks_as_the_site(message)
    assert f"https://{HOST}/accounts/confirm-email/" in message.body


def test_the_password_reset_email_names_the_site_and_links_to_it(alice, visitor):
    EmailAddress.objects.create(user=alice, email=alice.email, primary=True, verified=True)
    visitor.post("/accounts/password/reset/", {"email": alice.email}, secure=True)
    [message] = mail.outbox
    assert_speaks_as_the_site(message)
    assert f"https://{HOST}/accounts/password/reset/key/" in message.body
