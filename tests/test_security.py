"""The attack battery: every state-changing endpoint, found from the URL conf.

A new view under a learner-facing namespace (``LEARNER_NAMESPACES``) is picked up
automatically: it must refuse anonymous visitors, requests without a CSRF token or from a
foreign origin, and other learners' objects, and survive garbage, before it can pass.
"""

import threading
from html.parser import HTMLParser

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import User
from history.models import PendingImport, PublicNote
from linkhealth.models import LinkReport
from roadmap.models import Note, Progress
from tests.conftest import PASSWORD, client_for, make_resource, make_user

# Every app whose views learners use; a new app adds its namespace here.
LEARNER_NAMESPACES = {"roadmap", "linkhealth", "history", "accounts", "maps", "groups", "goals"}
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://testserver/"}
PROBE_BODY = {"done": "on", "body": "probe"}


def discover(patterns=None, namespace: str | None = None) -> list[tuple[str, URLPattern]]:
    found = []
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            found += discover(pattern.url_patterns, pattern.namespace or namespace)
        elif namespace in LEARNER_NAMESPACES:
            found.append((f"{namespace}:{pattern.name}", pattern))
    return found


ENDPOINTS = discover()
ENDPOINT_NAMES = [name for name, _ in ENDPOINTS]


def _alice():
    return User.objects.filter(email="alice@example.com").first() or make_user("alice@example.com")


def _alices_note(resource) -> int:
    Note.objects.create(user=_alice(), resource=resource, body="mine", body_html="<p>mine</p>")
    return resource.pk


def _alices_pending_import(resource) -> int:
    return PendingImport.objects.create(
        user=_alice(), data={"schema": 1, "settings": {}, "progress": [], "notes": [], "events": []}
    ).pk


def _alices_group(resource) -> int:
    from tests.groups_helpers import make_group

    return make_group(_alice(), resource.roadmap).pk


# Every group endpoint's <pk> is a group: Alice's own, which Bob is not in.
GROUP_ENDPOINTS = {
    f"groups:{name}"
    for name in (
        "detail",
        "progress_csv",
        "edit",
        "delete",
        "leave",
        "my_settings",
        "remove_member",
        "set_role",
        "transfer",
        "create_link",
        "invite_email",
        "revoke",
        "remind",
    )
}

# Pages that only read (a POST is a 405 before any lookup): their GET must be the 404.
READ_ONLY = {"groups:detail", "groups:progress_csv"}

# Endpoints whose <pk> names something of Alice's rather than a resource: how to make one.
OWNED_BY_ALICE = {
    **dict.fromkeys(GROUP_ENDPOINTS, _alices_group),
    "history:import_preview": _alices_pending_import,
    "history:import_preview_moved": _alices_pending_import,  # its address before /accounts/
    "history:note_visibility": _alices_note,
}


def target_pk(name: str, resource) -> int:
    factory = OWNED_BY_ALICE.get(name)
    return factory(resource) if factory else resource.pk


def url_for(name: str, pattern: URLPattern, resource, pk: int | None = None) -> str:
    kwargs = {}
    for key in pattern.pattern.converters:
        kwargs[key] = (pk or resource.pk) if key == "pk" else resource.roadmap.slug
    for key in set(pattern.pattern.regex.groupindex) - set(kwargs):
        kwargs[key] = resource.roadmap.slug
    return reverse(name, kwargs=kwargs)


def learner_data() -> tuple[int, int, int]:
    # Alice's own note, made for the endpoints that need one ("mine"), is not a probe's doing;
    # nor is her group, made for the group endpoints (a probe must not add, drop or change
    # memberships, invitations, reminders or answers: counted with the learner's rows).
    from groups.models import Invitation, Membership, Nudge, WorthAnswer

    groups = (
        Invitation.objects.count()
        + Nudge.objects.count()
        + WorthAnswer.objects.count()
        + Membership.objects.exclude(role="owner").count()
    )
    return (
        Progress.objects.count() + groups,
        Note.objects.exclude(body="mine").count(),
        LinkReport.objects.count(),
    )


@pytest.fixture
def resource(db):
    return make_resource(title="Attention")


def test_the_battery_finds_every_writing_endpoint():
    assert {"roadmap:set_progress", "roadmap:note", "linkhealth:report"} <= set(ENDPOINT_NAMES)
    assert {
        "history:dashboard",
        "history:import",
        "history:import_preview",
        "history:note_visibility",
        "history:public_settings",
        "history:public_page",
        "accounts:settings",
        "accounts:delete",
    } <= set(ENDPOINT_NAMES)
    # The old addresses of the account area's pages still take posts, and are probed too.
    assert {
        "accounts:settings_moved",
        "accounts:delete_moved",
        "history:public_settings_moved",
        "history:import_moved",
        "history:import_preview_moved",
    } <= set(ENDPOINT_NAMES)
    assert {
        "roadmap:set_progress",
        "roadmap:set_status",
        "roadmap:set_bookmark",
        "roadmap:dismiss_new",
        "roadmap:note",
    } <= set(ENDPOINT_NAMES)
    # The old address of the progress settings only redirects now, and is probed all the same.
    assert "accounts:progress_settings" in ENDPOINT_NAMES
    assert GROUP_ENDPOINTS | {"groups:list", "groups:join", "groups:worth"} == {
        name for name in ENDPOINT_NAMES if name.startswith("groups:")
    }
    assert "goals:feed" in ENDPOINT_NAMES
    # Unsubscribing works without a session by design: its own battery is below.
    assert not [name for name in ENDPOINT_NAMES if name.startswith("unsubscribe:")]


@pytest.mark.django_db
@pytest.mark.parametrize("name", ENDPOINT_NAMES)
def test_anonymous_posts_go_to_login_and_write_nothing(name, anon, resource):
    pattern = dict(ENDPOINTS)[name]
    url = url_for(name, pattern, resource, target_pk(name, resource))
    response = anon.post(url, PROBE_BODY)
    assert response.status_code in (302, 405)
    if response.status_code == 302:
        assert response["Location"].startswith("/accounts/login/")
    htmx = anon.post(url, PROBE_BODY, **HTMX)
    assert htmx.status_code == 405 or htmx["HX-Redirect"].startswith("/accounts/login/")
    assert learner_data() == (0, 0, 0)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ENDPOINT_NAMES)
def test_wrong_methods_are_405(name, alice_client, resource):
    url = url_for(name, dict(ENDPOINTS)[name], resource, target_pk(name, resource))
    for method in ("put", "patch", "delete"):
        assert getattr(alice_client, method)(url).status_code == 405


@pytest.mark.django_db
@pytest.mark.parametrize("name", ENDPOINT_NAMES)
def test_posts_without_a_csrf_token_are_refused(name, csrf_client, resource):
    url = url_for(name, dict(ENDPOINTS)[name], resource, target_pk(name, resource))
    response = csrf_client.post(url, PROBE_BODY)
    assert response.status_code == 403
    assert "security token" in response.content.decode()
    assert learner_data() == (0, 0, 0)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ENDPOINT_NAMES)
def test_posts_from_a_foreign_origin_are_refused(name, csrf_client, resource):
    csrf_client.get("/")
    token = csrf_client.cookies["csrftoken"].value
    response = csrf_client.post(
        url_for(name, dict(ENDPOINTS)[name], resource, target_pk(name, resource)),
        PROBE_BODY,
        HTTP_X_CSRFTOKEN=token,
        HTTP_ORIGIN="https://evil.example",
    )
    assert response.status_code == 403
    assert learner_data() == (0, 0, 0)


@pytest.mark.django_db
@pytest.mark.parametrize("name", [n for n, p in ENDPOINTS if "pk" in p.pattern.converters])
@pytest.mark.parametrize(
    "bad_id", ["abc", "-1", "0", "999999999", "99999999999999999999999", "1e3", "%00", "%ED%A0%80"]
)
def test_garbage_ids_are_404_never_500(name, bad_id, alice_client, resource):
    pk = target_pk(name, resource)
    url = url_for(name, dict(ENDPOINTS)[name], resource, pk).replace(f"/{pk}/", f"/{bad_id}/", 1)
    allowed = (404, 405) if name in READ_ONLY else (404,)
    assert alice_client.post(url, PROBE_BODY).status_code in allowed
    if name in READ_ONLY:
        assert alice_client.get(url).status_code == 404
    # An old address sends a GET on to the new one first: what counts is where it ends.
    assert alice_client.get(url, follow=True).status_code in (404, 405)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ENDPOINT_NAMES)
def test_a_2_mb_body_is_a_400_with_a_clear_message(name, alice_client, resource):
    url = url_for(name, dict(ENDPOINTS)[name], resource, target_pk(name, resource))
    response = alice_client.post(url, {"body": "x" * (2 * 1024 * 1024)})
    assert response.status_code in (400, 405)
    if response.status_code == 400:
        assert "too large" in response.content.decode()
    assert learner_data() == (0, 0, 0)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(OWNED_BY_ALICE))
def test_another_learners_objects_are_404_and_untouched(name, alice, bob_client, resource):
    pk = target_pk(name, resource)
    url = url_for(name, dict(ENDPOINTS)[name], resource, pk)
    before = (learner_data(), PendingImport.objects.count(), PublicNote.objects.count())
    expected = 405 if name in READ_ONLY else 404
    assert bob_client.post(url, PROBE_BODY | {"public": "on"}).status_code == expected
    assert bob_client.get(url, follow=True).status_code in (404, 405)
    if name in READ_ONLY:
        assert bob_client.get(url).status_code == 404
    assert (learner_data(), PendingImport.objects.count(), PublicNote.objects.count()) == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    ["\x00", "a\x00b", "{{ user.password }}", "{% debug %}", '"><svg onload=1>'],
)
def test_hostile_note_bodies_are_refused_or_stored_harmlessly(body, alice_client, resource):
    url = f"/resources/{resource.pk}/note/"
    response = alice_client.post(url, {"body": body}, **HTMX)
    assert response.status_code in (200, 422)
    html = response.content.decode()
    assert "<svg" not in html and "pbkdf2" not in html
    page = alice_client.get("/notes/").content.decode()
    assert "<svg" not in page and "pbkdf2" not in page


@pytest.mark.django_db
def test_lone_surrogates_in_the_raw_body_do_not_crash(alice_client, resource):
    # A lone surrogate cannot be encoded as UTF-8; on the wire it arrives as these bytes.
    response = alice_client.generic(
        "POST",
        f"/resources/{resource.pk}/note/",
        b"body=%ED%A0%80abc",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code in (302, 422)


class ElementCollector(HTMLParser):
    """The elements and attributes a browser would build from some HTML."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: set[str] = set()
        self.urls: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        for name, value in attrs:
            self.attributes.add(name)
            if name in ("href", "src", "action", "formaction"):
                self.urls.append((value or "").strip().lower())


def assert_harmless(html: str) -> None:
    found = ElementCollector(html)
    assert not found.tags & {"script", "img", "iframe", "style", "svg", "object", "embed", "form"}
    assert not {a for a in found.attributes if a.startswith(("on", "hx-", "data-hx", "style"))}
    assert not [u for u in found.urls if u.startswith(("javascript:", "data:", "vbscript:"))]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "markdown",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "![x](https://e.com/x.png)",
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](&#106;avascript:alert(1))",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        "<javascript:alert(1)>",
        "<a hx-get='/notes/' hx-trigger='load'>x</a>",
        '<div hx-on:click="alert(1)">x</div>',
        "[x](https://e.com \"t\" onclick='x')",
        "<style>body{display:none}</style>",
        "<iframe src=https://e.com></iframe>",
        "<svg onload=alert(1)>",
    ],
)
def test_markdown_attacks_do_not_survive_in_notes(markdown, alice_client, resource):
    response = alice_client.post(f"/resources/{resource.pk}/note/", {"body": markdown}, **HTMX)
    assert response.status_code == 200
    assert_harmless(Note.objects.get().body_html)
    my_notes = alice_client.get("/notes/").content.decode()
    # The note as My notes shows it (its own controls, below it, are the page's markup).
    assert_harmless(my_notes.split('class="prose note-body"', 1)[1].split('class="note-meta"')[0])
    fragment = response.content.decode()
    assert_harmless(fragment.split("<form", 1)[0])  # the rendered note, above the editor


@pytest.mark.django_db
@pytest.mark.parametrize(
    "markdown",
    ["[" * 19_000, "> " * 9_000 + "deep", "- " * 9_000 + "x", "*a" * 9_000, "[![" * 6_000],
)
def test_pathological_markdown_is_rendered_with_bounded_output(markdown, alice_client, resource):
    response = alice_client.post(f"/resources/{resource.pk}/note/", {"body": markdown}, **HTMX)
    assert response.status_code == 200
    note = Note.objects.get()
    assert len(note.body_html) < 10 * len(markdown)
    assert note.body_html.count("<blockquote>") <= 20  # nesting is capped


@pytest.mark.django_db
def test_titles_with_markup_are_escaped_in_pages_and_fragments(alice_client):
    resource = make_resource(title='<b>x</b> {{ y }} "q"', author="<i>a</i>", description="1 < 2")
    page = alice_client.get("/").content.decode()
    assert "<b>x</b>" not in page and "<i>a</i>" not in page
    assert "&lt;b&gt;x&lt;/b&gt; {{ y }} &quot;q&quot;" in page
    fragment = alice_client.post(
        f"/resources/{resource.pk}/progress/", {"done": "on"}, **HTMX
    ).content.decode()
    assert "<b>x</b>" not in fragment  # its controls refer to the title on the page
    bookmark = alice_client.get(f"/resources/{resource.pk}/bookmark/", **HTMX).content.decode()
    assert "<b>x</b>" not in bookmark and "&lt;b&gt;x&lt;/b&gt;" in bookmark
    editor = alice_client.get(f"/resources/{resource.pk}/note/", **HTMX).content.decode()
    assert "<b>x</b>" not in editor and "&lt;b&gt;x&lt;/b&gt;" in editor


@pytest.mark.django_db
def test_another_learners_data_never_shows(alice, bob_client, resource):
    Progress.objects.create(user=alice, resource=resource)
    Note.objects.create(
        user=alice, resource=resource, body="alice-secret", body_html="<p>alice-secret</p>"
    )
    for url in ("/", "/notes/", f"/resources/{resource.pk}/note/"):
        html = bob_client.get(url).content.decode()
        assert "alice-secret" not in html and "alice@example.com" not in html
    assert "checked" not in bob_client.get("/").content.decode()


@pytest.mark.django_db
def test_signup_does_not_reveal_registered_emails_when_verification_is_mandatory(alice, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    data = {"password1": PASSWORD + "!", "password2": PASSWORD + "!"}
    taken = Client().post("/accounts/signup/", {**data, "email": "alice@example.com"})
    fresh = Client().post("/accounts/signup/", {**data, "email": "fresh@example.com"})
    assert taken.status_code == fresh.status_code == 302
    assert taken["Location"] == fresh["Location"]


@pytest.mark.django_db
def test_password_reset_does_not_reveal_registered_emails(alice):
    taken = Client().post("/accounts/password/reset/", {"email": "alice@example.com"})
    fresh = Client().post("/accounts/password/reset/", {"email": "nobody@example.com"})
    assert (taken.status_code, taken["Location"]) == (fresh.status_code, fresh["Location"])


def post_at_once(learner, resource, bodies: list[dict], **headers) -> list[int | BaseException]:
    """POST each body to the check-off URL from its own thread, all released together."""
    results: list[int | BaseException] = []
    barrier = threading.Barrier(len(bodies))

    def post(body: dict) -> None:
        try:
            client = client_for(learner)
            barrier.wait()
            url = f"/resources/{resource.pk}/progress/"
            results.append(client.post(url, body, **headers).status_code)
        except BaseException as exc:  # any failure in a thread fails the test
            results.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.fixture
def racer(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("Needs PostgreSQL's concurrent writers (CI runs it with DATABASE_URL set).")
    return make_user("racer@example.com"), make_resource()


def test_twenty_simultaneous_toggles_leave_zero_or_one_row_and_no_error(racer):
    learner, resource = racer
    bodies = [{"done": "on"} if i % 2 else {} for i in range(20)]
    assert post_at_once(learner, resource, bodies, **HTMX) == [200] * 20
    assert Progress.objects.filter(user=learner, resource=resource).count() in (0, 1)


def test_a_double_clicked_done_gives_one_row(racer):
    learner, resource = racer
    assert post_at_once(learner, resource, [{"done": "on"}, {"done": "on"}]) == [302, 302]
    assert Progress.objects.filter(user=learner, resource=resource).count() == 1


# The account pages that two-factor, sessions and single sign-on add (allauth's views, our
# settings). Found from the URL conf as well: a page allauth adds in an upgrade joins the battery,
# or must be named below as part of signing in, where anonymous visitors belong.

ACCOUNT_APPS = ("allauth.mfa", "allauth.usersessions", "allauth.socialaccount.views")
SIGN_IN_FLOW = {
    "mfa_authenticate",  # the second step of signing in
    "mfa_reauthenticate",  # confirming who you are before a change
    "mfa_reauthenticate_webauthn",
    "mfa_login_webauthn",  # signing in with a passkey
    "socialaccount_login_cancelled",
    "socialaccount_login_error",
    "socialaccount_signup",  # finishing a sign-up that began at a provider
}


def discover_account_pages(patterns=None, prefix: str = "/") -> list[tuple[str, str]]:
    found = []
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            found += discover_account_pages(pattern.url_patterns, route)
        elif pattern.name and pattern.callback.__module__.startswith(ACCOUNT_APPS):
            found.append((pattern.name, route))
    return found


ACCOUNT_PAGES = {n: r for n, r in discover_account_pages() if n not in SIGN_IN_FLOW}


def account_page_url(name: str, pk: int = 1) -> str:
    return ACCOUNT_PAGES[name].replace("<int:pk>", str(pk))


def account_data() -> tuple[int, int, int]:
    from allauth.mfa.models import Authenticator
    from allauth.socialaccount.models import SocialAccount
    from allauth.usersessions.models import UserSession

    return Authenticator.objects.count(), SocialAccount.objects.count(), UserSession.objects.count()


def test_the_battery_finds_the_new_account_pages():
    assert {
        "mfa_index",
        "mfa_activate_totp",
        "mfa_generate_recovery_codes",
        "mfa_add_webauthn",
        "mfa_remove_webauthn",
        "usersessions_list",
        "socialaccount_connections",
    } <= set(ACCOUNT_PAGES)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(ACCOUNT_PAGES))
def test_account_pages_send_anonymous_visitors_to_login_and_write_nothing(name, anon):
    before = account_data()
    for method in (anon.get, anon.post):
        response = method(account_page_url(name), PROBE_BODY)
        assert response.status_code == 302, (name, response.status_code)
        assert response["Location"].startswith("/accounts/login/")
    assert account_data() == before


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(ACCOUNT_PAGES))
def test_account_page_posts_without_a_csrf_token_are_refused(name, csrf_client):
    before = account_data()
    response = csrf_client.post(account_page_url(name), PROBE_BODY)
    assert response.status_code == 403
    assert "security token" in response.content.decode()
    assert account_data() == before


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(ACCOUNT_PAGES))
def test_account_page_posts_from_a_foreign_origin_are_refused(name, csrf_client):
    csrf_client.get("/accounts/email/")
    token = csrf_client.cookies["csrftoken"].value
    before = account_data()
    response = csrf_client.post(
        account_page_url(name),
        PROBE_BODY,
        HTTP_X_CSRFTOKEN=token,
        HTTP_ORIGIN="https://evil.example",
    )
    assert response.status_code == 403
    assert account_data() == before


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(ACCOUNT_PAGES))
def test_account_pages_answer_a_signed_in_learner_without_an_error(name, alice_client):
    response = alice_client.get(account_page_url(name))
    assert response.status_code in (200, 302, 404), (name, response.status_code)


@pytest.mark.django_db
@pytest.mark.parametrize("name", [n for n, r in ACCOUNT_PAGES.items() if "<int:pk>" in r])
def test_another_learners_security_key_is_a_404(name, alice, bob):
    from allauth.mfa.models import Authenticator

    key = Authenticator.objects.create(user=bob, type=Authenticator.Type.WEBAUTHN, data={})
    client = Client()
    client.post("/accounts/login/", {"login": alice.email, "password": PASSWORD})
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    for bad in (key.pk, 0, 99999999999999999999999):
        url = account_page_url(name, bad)
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"name": "mine now"}).status_code == 404, url
    key.refresh_from_db()
    assert key.data == {} and key.user == bob


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(ACCOUNT_PAGES))
@pytest.mark.parametrize(
    "body",
    [
        PROBE_BODY,
        {"code": "%00", "credential": "{", "name": "\x00"},
        {"credential": '{"id": 1, "response": []}', "passwordless": "on", "name": "k" * 5000},
        {"account": "999999999999999999999", "code": "1" * 1000},
    ],
)
def test_garbage_posts_to_account_pages_are_answered_without_an_error(name, body, alice):
    client = Client(raise_request_exception=False)
    client.post("/accounts/login/", {"login": alice.email, "password": PASSWORD})
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    response = client.post(account_page_url(name), body)
    assert response.status_code < 500, (name, response.status_code)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(SIGN_IN_FLOW))
def test_sign_in_steps_answer_strangers_without_an_error(name):
    url = dict(discover_account_pages())[name]
    client = Client(raise_request_exception=False)
    for response in (client.get(url), client.post(url, {**PROBE_BODY, "credential": "{}"})):
        assert response.status_code < 500, (name, response.status_code)
    assert account_data() == (0, 0, 0)


# Signed unsubscribe links (goals/unsubscribe.py): they work without a session, so the token
# is the only protection, and it must refuse every other use.


def _subscribed(user):
    from goals.models import Goal

    return Goal.objects.create(user=user, weekly_summary=True, inactivity_reminder_days=7)


def _link(goal, kind: str = "weekly_summary", token: str | None = None) -> str:
    from goals.unsubscribe import make_token

    return f"/email/unsubscribe/{kind}/{token or make_token(goal, kind)}/"


@pytest.mark.django_db
def test_a_tampered_unsubscribe_token_is_400_and_changes_nothing(alice, bob):
    goal = _subscribed(alice)
    link = _link(goal)
    token = link.split("/")[-2]
    payload, rest = token.split(":", 1)
    for bad in (
        token[:-1] + ("A" if token[-1] != "A" else "B"),  # the signature
        payload[:-1] + ("A" if payload[-1] != "A" else "B") + ":" + rest,  # the payload
        token + "x",
        "x",
    ):
        for method in ("get", "post"):
            response = getattr(Client(), method)(_link(goal, token=bad))
            assert response.status_code == 400, (bad, method)
            assert "not valid" in response.content.decode()
    goal.refresh_from_db()
    assert goal.weekly_summary


@pytest.mark.django_db
def test_a_reused_unsubscribe_token_is_410(alice):
    goal = _subscribed(alice)
    link = _link(goal)
    assert Client().post(link).status_code == 200
    goal.refresh_from_db()
    goal.weekly_summary = True  # subscribed again in settings
    goal.save()
    for method in ("get", "post"):
        response = getattr(Client(), method)(link)
        assert response.status_code == 410
        assert "no longer valid" in response.content.decode()
    goal.refresh_from_db()
    assert goal.weekly_summary


@pytest.mark.django_db
def test_another_learners_token_unsubscribes_only_them_and_cannot_be_forged(alice, bob):
    from django.core import signing

    from goals.unsubscribe import SALT

    alices, bobs = _subscribed(alice), _subscribed(bob)
    # Alice, signed in, follows Bob's link (a forwarded email): Bob's address is the one shown
    # and unsubscribed, never hers.
    page = client_for(alice).get(_link(bobs)).content.decode()
    assert "bob@example.com" in page and "alice@example.com" not in page
    assert client_for(alice).post(_link(bobs)).status_code == 200
    alices.refresh_from_db()
    bobs.refresh_from_db()
    assert (alices.weekly_summary, bobs.weekly_summary) == (True, False)
    # Alice's id with Bob's nonce: signed (as if by us), but for no one's current link.
    mixed = signing.dumps({"u": alice.pk, "n": bobs.unsubscribe_nonce}, salt=SALT + "inactivity")
    assert Client().post(_link(alices, "inactivity", mixed)).status_code == 410
    # Bob's id signed with another key: refused.
    forged = signing.dumps(
        {"u": bob.pk, "n": bobs.unsubscribe_nonce},
        key="not-our-secret",
        salt=SALT + "inactivity",
    )
    assert Client().post(_link(bobs, "inactivity", forged)).status_code == 400
    bobs.refresh_from_db()
    assert bobs.inactivity_reminder_days == 7


@pytest.mark.django_db
def test_the_goal_settings_need_a_csrf_token(alice, csrf_client):
    from goals.models import Goal

    response = csrf_client.post(
        "/accounts/settings/",
        {"time_zone": "UTC", "weekly_goal": "3", "weekly_summary": "on", "summary_day": "0"},
    )
    assert response.status_code == 403
    assert not Goal.objects.exists()
