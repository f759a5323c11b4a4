"""Personas and small builders shared by every test.

Alice is a learner who owns data, Bob is another learner (a stranger to Alice's data),
Carol is a curator, and ``anon`` is a visitor without an account.
"""

import itertools

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from accounts.models import User
from roadmap.models import Resource, Roadmap, Section

PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)


def make_user(email: str, **extra) -> User:
    return User.objects.create_user(email=email, password=PASSWORD, **extra)


def make_roadmap(**fields) -> Roadmap:
    n = next(_counter)
    fields.setdefault("slug", f"roadmap-{n}")
    fields.setdefault("title", f"Roadmap {n}")
    return Roadmap.objects.create(**fields)


def make_section(roadmap: Roadmap | None = None, **fields) -> Section:
    n = next(_counter)
    fields.setdefault("title", f"Section {n}")
    fields.setdefault("slug", f"section-{n}")
    fields.setdefault("order", n)
    return Section.objects.create(roadmap=roadmap or make_roadmap(), **fields)


def make_resource(section: Section | None = None, **fields) -> Resource:
    n = next(_counter)
    section = section or make_section()
    fields.setdefault("title", f"Resource {n}")
    fields.setdefault("url", f"https://example.com/resource/{n}")
    fields.setdefault("order", n)
    return Resource.objects.create(section=section, roadmap=section.roadmap, **fields)


def client_for(user: User | None, **kwargs) -> Client:
    client = Client(**kwargs)
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    # Real hashing is deliberately slow; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def alice(db) -> User:
    return make_user("alice@example.com")


@pytest.fixture
def bob(db) -> User:
    return make_user("bob@example.com")


@pytest.fixture
def carol(db) -> User:
    user = make_user("carol@example.com", is_staff=True)
    user.groups.add(Group.objects.get(name="Curators"))
    return user


@pytest.fixture
def anon() -> Client:
    return Client()


@pytest.fixture
def alice_client(alice) -> Client:
    return client_for(alice)


@pytest.fixture
def bob_client(bob) -> Client:
    return client_for(bob)


@pytest.fixture
def carol_client(carol) -> Client:
    return client_for(carol)


@pytest.fixture
def csrf_client(alice) -> Client:
    """Alice's browser as Django really sees it: CSRF checks on, as in production."""
    return client_for(alice, enforce_csrf_checks=True)


@pytest.fixture(autouse=True)
def fresh_process_caches():
    """Outlines and rendered items are kept per process; each test starts without them."""
    from maps import draw
    from roadmap import fragments, outline, pagecache

    outline.forget_curricula()
    fragments.clear()
    pagecache.clear()
    draw.forget()
    yield
    outline.forget_curricula()
    fragments.clear()
    pagecache.clear()
    draw.forget()


@pytest.fixture
def fresh_rate_limits():
    """allauth keeps its rate limits (logins, sign-ups, email changes: 10 a minute per account)
    in the shared cache; tests that count them start and end with none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def link_server(settings):
    """A local HTTP server (tests/link_server.py) that the link checker is allowed to reach."""
    from tests.link_server import LinkServer

    settings.LINKCHECK_ALLOW_PRIVATE = True
    settings.LINKCHECK_CONNECT_TIMEOUT = 2
    settings.LINKCHECK_READ_TIMEOUT = 0.5
    server = LinkServer().start()
    yield server
    server.stop()
