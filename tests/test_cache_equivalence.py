"""The caches change nothing a visitor sees: every persona's page, served from warm caches that
every other persona filled too, is byte for byte the page rendered with no cache at all, but for
the per-request CSRF tokens and CSP nonces."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from roadmap import caches, learning
from roadmap.markdown import render_markdown
from roadmap.models import Progress, Visit
from tests.conftest import client_for, make_resource, make_roadmap, make_section, make_user
from tests.helpers import without_tokens

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
HTMX_FILTER = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://testserver/"}


@dataclass
class Persona:
    name: str
    client: object
    url: str
    headers: dict = field(default_factory=dict)
    user: object = None
    sees_news: bool = False  # their page view marks what is new as seen; undone before each

    def get(self) -> str:
        if self.sees_news:
            Visit.objects.filter(user=self.user).delete()
        response = self.client.get(self.url, **self.headers)
        assert response.status_code == 200, self.name
        html = response.content.decode()
        assert "\x00" not in html, self.name  # no placeholder left unstamped
        return html


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def personas(frozen) -> list[Persona]:
    roadmap = make_roadmap(slug="llm", title="LLMs", order=1)
    part = make_section(roadmap, title="Foundations", intro="Read *these* first.")
    section = make_section(roadmap, title="Attention", parent=part)
    resources = [
        make_resource(section, title="Attention is all you need", level="theoretical"),
        make_resource(section, title="The illustrated transformer", estimated_minutes=45),
        make_resource(section, title="Attention, visually", level="high_level", author="Ada"),
        make_resource(part, title="Linear algebra", estimated_minutes=120, kind="video"),
    ]
    second = make_roadmap(slug="agents", title="Agents", order=2)
    make_resource(make_section(second, title="Tools"), title="Tool use")

    def learner(email: str):
        return make_user(email)  # joined now: nothing is new to them

    news = learner("news@example.com")
    frozen.shift(timedelta(days=3))
    make_resource(section, title="A fresh paper")  # added after they signed up and last came
    frozen.shift(timedelta(days=1))

    found: list[Persona] = []
    anon = client_for(None)
    found += [
        Persona("anonymous", anon, "/"),
        Persona("anonymous, second roadmap", anon, "/roadmaps/agents/"),
        Persona("anonymous, filtered", anon, "/?q=attention"),
    ]
    for status in Progress.Status.values:
        user = learner(f"{status}@example.com")
        learning.set_status(user, resources[0], status)
        found.append(Persona(f"learner, {status}", client_for(user), "/", user=user))
    user = learner("counts-skipped@example.com")
    user.count_skipped_as_done = True
    user.save()
    learning.set_status(user, resources[1], Progress.Status.SKIPPED)
    found.append(Persona("learner counting skipped as done", client_for(user), "/", user=user))

    user = learner("bookmark@example.com")
    learning.set_status(user, resources[1], Progress.Status.IN_PROGRESS)
    learning.set_bookmark(user, resources[1], "video 3, 12:40 <b>")
    found.append(Persona("learner with a bookmark", client_for(user), "/", user=user))

    user = learner("note@example.com")
    body = "# My notes\n\nThe **key** idea."
    learning.save_note(user, resources[2], body, html=render_markdown(body))
    found.append(Persona("learner with a note", client_for(user), "/", user=user))

    user = learner("filter@example.com")
    learning.set_status(user, resources[0], Progress.Status.DONE)
    client = client_for(user)
    found += [
        Persona("learner, filtered", client, "/?q=attention&status=done", user=user),
        Persona("learner, filter as htmx", client, "/?q=visually", HTMX_FILTER, user=user),
        Persona("learner, second roadmap", client, "/roadmaps/agents/", user=user),
    ]

    found.append(
        Persona("learner with what's new", client_for(news), "/", user=news, sees_news=True)
    )
    return found


def test_every_persona_sees_the_same_page_with_caches_on_and_off(personas):
    uncached = {}
    for persona in personas:
        caches.clear_all()
        uncached[persona.name] = without_tokens(persona.get())
    names_by_page: dict[str, list[str]] = {}
    for name, page in uncached.items():
        names_by_page.setdefault(page, []).append(name)
    assert [names for names in names_by_page.values() if len(names) > 1] == []  # each its own

    caches.clear_all()
    for round in ("filling the caches", "served from them"):
        for persona in personas:
            assert without_tokens(persona.get()) == uncached[persona.name], (persona.name, round)


def test_the_personas_cover_what_a_page_can_show(personas):
    pages = {}
    for persona in personas:
        pages[persona.name] = persona.get()
    assert "Sign up" in pages["anonymous"]
    assert "video 3, 12:40 &lt;b&gt;" in pages["learner with a bookmark"]
    assert "New since your last visit" in pages["learner with what's new"]
    assert "<html" not in pages["learner, filter as htmx"]
    assert "Tool use" in pages["learner, second roadmap"]
    assert "All roadmaps" in pages["anonymous"]
