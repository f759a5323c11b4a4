"""Every page with a pseudo-translation: any visible English left is a string nobody marked.

At test time every translation Django looks up (ours, allauth's, Django's) becomes the English
wrapped in ⟦…⟧. Every page found in the URL configuration is rendered for a visitor, a learner
with data and a member of staff, outside the admin; its visible text (and the texts assistive
technology reads: aria-label, title, alt, placeholder) must then be only wrapped text, curriculum
text (inside an element with its own ``lang``), user content, numbers and punctuation.
A new page joins by being in the URL configuration; one that needs an object in its address
says how to make it in ``ARGUMENTS``.
"""

import re
from html.parser import HTMLParser

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.translation import trans_real

from groups.models import Group, Invitation, Membership
from history.models import Event, PendingImport, PublicNote, PublicProfile
from linkhealth.models import LinkReport
from roadmap import learning
from roadmap.models import Progress
from tests.conftest import client_for, make_resource, make_section, make_user

OPEN, CLOSE = "⟦", "⟧"
CONTEXT_SEPARATOR = "\x04"

# Addresses that are no page: downloads, the JavaScript catalog, health checks, forms' targets,
# and single sign-on's round trips to an identity provider (none is configured here).
NOT_PAGES = {
    "history:export_json",
    "history:export_markdown",
    "javascript-catalog",
    "set_language",
    "healthz",
    "readyz",
}
SKIPPED_PREFIXES = ("admin/", "accounts/social/", "accounts/github/", "accounts/google/")
SKIPPED_PREFIXES += ("accounts/gitlab/", "accounts/oidc/", "accounts/openid_connect/")

# What may stay as it is: the site's name, product and format names, and the test's own data.
ALLOWED = [
    "LLM Roadmap",
    "alice@example.com",
    "carol@example.com",
    "alice-learns",
    "JSON",
    "Markdown",
    "UTC",
    "testserver",
    "Study circle",
    "Alice",
    "Carol",
    "page 3",  # alice's own words: where she stopped
]


class PseudoTranslation:
    """A translation that wraps every message, in whatever language is asked for."""

    def __init__(self, language: str) -> None:
        self.language = language

    def to_language(self) -> str:
        return self.language

    def gettext(self, message: str) -> str:
        return f"{OPEN}{message.split(CONTEXT_SEPARATOR)[-1]}{CLOSE}"

    def ngettext(self, singular: str, plural: str, number: int) -> str:
        return self.gettext(singular if number == 1 else plural)


@pytest.fixture
def pseudo(monkeypatch):
    monkeypatch.setattr(trans_real, "translation", PseudoTranslation)
    monkeypatch.setattr(trans_real, "_default", PseudoTranslation("en"))
    yield
    trans_real.deactivate()


class VisibleText(HTMLParser):
    """The text a person sees or hears, leaving out curriculum text (an element with its own
    ``lang``), scripts, the data of text areas and the time zones' names."""

    SELF_CLOSING_SIBLINGS = {"option", "li", "p"}
    SKIP = {"script", "style", "textarea", "template", "kbd"}  # kbd: keys stay keys
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
    VOID |= {"track", "wbr"}
    READ_ALOUD = ("aria-label", "title", "alt", "placeholder")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[
            tuple[str, bool]
        ] = []  # per open element: its tag, is its content left out?
        self.text: list[str] = []
        self.attributes: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in self.SELF_CLOSING_SIBLINGS and self.stack and self.stack[-1][0] == tag:
            self.stack.pop()  # <option>…<option>: the first ends where the second starts
        skipped = bool(self.stack and self.stack[-1][1])
        skipped |= tag in self.SKIP or (tag != "html" and "lang" in attrs)
        skipped |= tag == "select" and attrs.get("name") == "time_zone"
        skipped |= "note-body" in (attrs.get("class") or "").split()  # a learner's own words
        if not skipped:
            self.attributes += [attrs[name] for name in self.READ_ALOUD if attrs.get(name)]
            if tag == "input" and attrs.get("type") in {"submit", "button"} and attrs.get("value"):
                self.attributes.append(attrs["value"])
        if tag not in self.VOID:
            self.stack.append((tag, skipped))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        # Pop to the element that ends: those whose end tag may be left out end with it.
        if tag in self.VOID or all(open_tag != tag for open_tag, _ in self.stack):
            return
        while self.stack and self.stack.pop()[0] != tag:
            pass

    def handle_data(self, data):
        if not (self.stack and self.stack[-1][1]):
            self.text.append(data)


def unmarked(text: str) -> str:
    """What is left of ``text`` once wrapped passages and allowed words are taken out."""
    previous = None
    while previous != text:  # innermost first: a wrapped sentence may hold wrapped words
        previous = text
        text = re.sub(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}", " ", text)
    for word in ALLOWED:
        text = text.replace(word, " ")
    text = re.sub(r"\S+@\S+|https?://\S+", " ", text)  # email addresses and links
    return " ".join(text.split())


def problems_in(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    found = []
    for passage in [" ".join(parser.text), *parser.attributes]:
        rest = unmarked(passage)
        if re.search(r"[^\W\d_]", rest):
            found.append(rest[:300])
    return found


def discover(patterns=None, prefix: str = "", namespace: str | None = None):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from discover(pattern.url_patterns, route, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield name, route


@pytest.fixture
def world(db):
    """A curriculum, a learner with something of everything, and a member of staff."""
    section = make_section(title="Attention")
    # As the shipped curriculum: the roadmap is named as the site, so <title> does not repeat it
    # (a <title> cannot mark the curriculum's language).
    section.roadmap.title = "LLM Roadmap"
    section.roadmap.save()
    resource = make_resource(section=section, title="The Illustrated Transformer")
    other = make_resource(section=section, title="Attention Is All You Need")
    alice = make_user("alice@example.com")
    learning.set_status(alice, resource, Progress.Status.DONE)
    learning.set_status(alice, other, Progress.Status.IN_PROGRESS)
    learning.set_bookmark(alice, other, "page 3")
    note = learning.save_note(alice, resource, "# Recap\n\nattention is weighted averages")
    PublicNote.objects.create(note=note)
    PublicProfile.objects.create(user=alice, handle="alice-learns", is_enabled=True)
    LinkReport.objects.file(alice, other, "moved", "gone")
    pending = PendingImport.objects.create(
        user=alice, data={"schema": 1, "settings": {}, "progress": [], "notes": [], "events": []}
    )
    staff = make_user("carol@example.com", is_staff=True)
    # A study group alice organizes and carol is a plain member of, with an open invitation.
    group = Group.objects.create(name="Study circle", roadmap=section.roadmap)
    Membership.objects.create(group=group, user=alice, role="owner", display_name="Alice")
    Membership.objects.create(group=group, user=staff, role="member", display_name="Carol")
    invitation = Invitation.objects.create(group=group, created_by=alice)
    assert Event.objects.filter(user=alice).exists()
    return {
        "resource": resource,
        "alice": alice,
        "staff": staff,
        "arguments": {
            "pk": resource.pk,
            "slug": section.roadmap.slug,
            "handle": "alice-learns",
            "token": invitation.token,
        },
        "group": group.pk,
        "pending": pending.pk,
    }


# Pages whose <pk> is not a resource.
ARGUMENTS = {"history:import_preview": "pending", "history:import_preview_moved": "pending"}


def addresses(world) -> list[tuple[str, str]]:
    found = []
    for name, route in discover():
        if name in NOT_PAGES or route.startswith(SKIPPED_PREFIXES):
            continue
        # The names in the whole route, the includes' parts too: <int:pk>, (?P<pk>…).
        keys = set(re.findall(r"<(?:\w+:)?(\w+)>", route))
        kwargs = {key: world["arguments"].get(key) for key in keys}
        if "pk" in kwargs and name in ARGUMENTS:
            kwargs["pk"] = world[ARGUMENTS[name]]
        elif "pk" in kwargs and name.startswith("groups:") and name != "groups:worth":
            kwargs["pk"] = world["group"]
        if None in kwargs.values():
            continue  # an address this test cannot make (a password reset key…)
        found.append((name, reverse(name, kwargs=kwargs)))
    return found


def test_the_pseudo_translation_wraps_what_is_marked_and_nothing_else(pseudo):
    html = '<p>⟦Marked⟧ and left</p><span lang="en">Curriculum</span><p title="⟦ok⟧">12</p>'
    assert problems_in(html) == ["and left 12"]
    assert problems_in("<p>⟦Nested ⟦words⟧ inside⟧, 3 · LLM Roadmap</p>") == []


def test_every_page_is_translated_for_everyone(pseudo, world, settings):
    settings.REGISTRATION_OPEN = True
    pages = addresses(world)
    names = {name for name, _ in pages}
    # Enough of the site is found that a broken discovery cannot pass unnoticed.
    assert {"history:dashboard", "roadmap:my_notes", "accounts:settings", "account_login"} <= names
    failures = []
    visited = 0
    for who, client in [
        ("visitor", client_for(None)),
        ("learner", client_for(world["alice"])),
        ("staff", client_for(world["staff"])),
    ]:
        # In a language other than the curriculum's, whose text then carries its own lang.
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "fr"
        for _name, url in pages:
            response = client.get(url)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            visited += 1
            failures += [f"{who} {url}: {text}" for text in problems_in(response.content.decode())]
    assert visited > 30
    assert not failures, "Unmarked text:\n" + "\n".join(failures)
