"""The interface's language: from the browser, the footer's picker and the learner's setting,
with the headers caches need, right to left in Arabic, and emails in the recipient's language."""

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import translation

from roadmap import pagecache
from tests.conftest import PASSWORD, client_for, make_resource

pytestmark = pytest.mark.django_db

LANGUAGE_COOKIE = settings.LANGUAGE_COOKIE_NAME


def html_lang(response) -> tuple[str, str]:
    match = re.search(r'<html lang="([^"]+)" dir="([^"]+)">', response.content.decode())
    assert match, "no <html lang dir>"
    return match[1], match[2]


def vary(response) -> set[str]:
    return {part.strip().lower() for part in response.get("Vary", "").split(",")}


@pytest.fixture
def resource(db):
    return make_resource(title="Attention Is All You Need")


@pytest.mark.parametrize(
    ("accept", "lang", "words"),
    [
        ("fr-FR,fr;q=0.9,en;q=0.5", "fr", "Se connecter"),
        ("de", "de", "Anmelden"),
        ("es-419,es;q=0.8", "es", "Iniciar sesión"),
        ("ar", "ar", "تسجيل الدخول"),
        ("ja,zh;q=0.8", "en", "Log in"),
    ],
)
def test_a_first_visit_speaks_the_browsers_language(resource, accept, lang, words):
    response = Client(HTTP_ACCEPT_LANGUAGE=accept).get("/roadmaps/")
    assert response.status_code == 200
    assert html_lang(response)[0] == lang
    assert words in response.content.decode()
    assert response["Content-Language"] == lang


def test_responses_vary_on_the_language_and_the_cookie_that_chooses_it(resource, alice_client):
    for response in (Client().get("/"), alice_client.get("/"), Client().get("/roadmaps/")):
        assert {"accept-language", "cookie"} <= vary(response)
        assert response["Content-Language"] == "en"


def test_arabic_pages_are_right_to_left_and_the_others_left_to_right(resource):
    assert html_lang(Client(HTTP_ACCEPT_LANGUAGE="ar").get("/")) == ("ar", "rtl")
    for code in ("en", "fr", "de", "es"):
        assert html_lang(Client(HTTP_ACCEPT_LANGUAGE=code).get("/")) == (code, "ltr")


def test_the_footer_picker_is_a_form_that_works_without_javascript(resource):
    visitor = Client(HTTP_ACCEPT_LANGUAGE="fr")
    page = visitor.get("/roadmaps/").content.decode()
    form = re.search(r'<form method="post" action="/i18n/setlang/".*?</form>', page, re.S)[0]
    assert 'name="csrfmiddlewaretoken"' in form
    assert '<input type="hidden" name="next" value="/roadmaps/">' in form
    # Each language is named in itself, with its own lang; the current one is selected.
    assert '<option value="fr" lang="fr" selected>Français</option>' in form
    assert '<option value="ar" lang="ar">العربية</option>' in form
    assert '<option value="de" lang="de">Deutsch</option>' in form

    response = visitor.post("/i18n/setlang/", {"language": "de", "next": "/roadmaps/"})
    assert response.status_code == 302 and response["Location"] == "/roadmaps/"
    assert response.cookies[LANGUAGE_COOKIE].value == "de"
    # The cookie now wins over the browser's French.
    assert html_lang(visitor.get("/roadmaps/"))[0] == "de"


def test_the_picker_refuses_gets_unknown_languages_and_foreign_next(resource):
    visitor = Client()
    assert visitor.get("/i18n/setlang/", {"language": "fr"}).status_code == 405
    response = visitor.post("/i18n/setlang/", {"language": "xx", "next": "/roadmaps/"})
    assert response.status_code == 302 and LANGUAGE_COOKIE not in response.cookies
    response = visitor.post("/i18n/setlang/", {"language": "fr", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_the_picker_needs_a_csrf_token(resource):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/i18n/setlang/", {"language": "fr"}).status_code == 403


def test_a_signed_in_learners_choice_in_the_picker_is_saved(alice, alice_client, resource):
    alice_client.post("/i18n/setlang/", {"language": "es", "next": "/"})
    alice.refresh_from_db()
    assert alice.language == "es"


def test_the_saved_language_follows_the_learner_to_a_new_device(alice, resource):
    alice.language = "ar"
    alice.save(update_fields=["language"])
    # Another browser, which asks for German and has never seen the site.
    device = Client(HTTP_ACCEPT_LANGUAGE="de")
    assert html_lang(device.get("/roadmaps/"))[0] == "de"
    device.force_login(alice)
    response = device.get("/roadmaps/")
    assert html_lang(response) == ("ar", "rtl")
    assert response["Content-Language"] == "ar"
    # The cookie follows, so the browser keeps the language after signing out.
    assert response.cookies[LANGUAGE_COOKIE].value == "ar"
    device.post("/accounts/logout/")
    assert html_lang(device.get("/roadmaps/"))[0] == "ar"


def test_the_saved_language_wins_over_the_cookie(alice, resource):
    device = client_for(alice)
    device.cookies[LANGUAGE_COOKIE] = "de"
    alice.language = "fr"
    alice.save(update_fields=["language"])
    assert html_lang(device.get("/roadmaps/"))[0] == "fr"


def test_settings_save_the_language_and_say_so_in_it(alice, alice_client):
    page = alice_client.get("/accounts/settings/").content.decode()
    assert '<option value="" selected>The browser&#x27;s language</option>' in page
    assert '<option value="ar" lang="ar">العربية</option>' in page
    response = alice_client.post(
        "/accounts/settings/", {"language": "fr", "time_zone": "UTC"}, follow=True
    )
    alice.refresh_from_db()
    assert alice.language == "fr"
    html = response.content.decode()
    assert html_lang(response)[0] == "fr"
    assert "Vos paramètres ont été enregistrés." in html
    assert '<option value="fr" lang="fr" selected>Français</option>' in html


def test_the_browsers_language_again_clears_the_saved_one_and_the_cookie(alice):
    alice.language = "de"
    alice.save(update_fields=["language"])
    device = client_for(alice, HTTP_ACCEPT_LANGUAGE="es")
    device.cookies[LANGUAGE_COOKIE] = "de"
    response = device.post("/accounts/settings/", {"language": "", "time_zone": "UTC"})
    assert response.cookies[LANGUAGE_COOKIE].value == ""  # deleted
    alice.refresh_from_db()
    assert alice.language == ""
    assert html_lang(device.get(response["Location"]))[0] == "es"


def test_settings_refuse_a_language_the_site_does_not_have(alice, alice_client):
    response = alice_client.post("/accounts/settings/", {"language": "xx", "time_zone": "UTC"})
    assert response.status_code == 422
    alice.refresh_from_db()
    assert alice.language == ""


def test_the_page_cache_never_serves_one_language_to_another(resource):
    pagecache.clear()
    french = Client(HTTP_ACCEPT_LANGUAGE="fr").get("/")
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get("/")
    french_again = Client(HTTP_ACCEPT_LANGUAGE="fr").get("/")
    assert html_lang(french)[0] == "fr" and html_lang(english)[0] == "en"
    assert "Se connecter" in french.content.decode()
    assert "Se connecter" not in english.content.decode()
    assert "Log in" in english.content.decode()
    assert _without_tokens(french_again) == _without_tokens(french)


def test_a_learners_cached_page_follows_their_language(alice, alice_client, resource):
    pagecache.clear()
    assert html_lang(alice_client.get("/"))[0] == "en"
    alice.language = "de"
    alice.save(update_fields=["language"])
    response = alice_client.get("/")
    assert html_lang(response)[0] == "de"
    assert "Mein Fortschritt" in response.content.decode()


def _without_tokens(response) -> str:
    return re.sub(
        r'(csrfmiddlewaretoken" value="|"X-CSRFToken": "|nonce=")[^"]+',
        r"\1",
        response.content.decode(),
    )


def test_dates_follow_the_language(alice, resource):
    from roadmap import learning

    learning.save_note(alice, resource, "A note")
    note_date = {}
    for code in ("en", "fr", "de"):
        alice.language = code
        alice.save(update_fields=["language"])
        html = client_for(alice).get("/notes/").content.decode()
        note_date[code] = re.search(r"<time datetime=[^>]+>([^<]+)</time>", html)[1]
    assert (
        len(set(note_date.values())) == 3
    )  # "Dec. 3, 2026", "3 décembre 2026", "3. Dezember 2026"


def test_emails_go_out_in_the_recipients_saved_language(alice):
    alice.language = "fr"
    alice.save(update_fields=["language"])
    Client(HTTP_ACCEPT_LANGUAGE="en").post("/accounts/password/reset/", {"email": alice.email})
    [message] = mail.outbox
    with translation.override("fr"):
        french_greeting = translation.gettext("Hello from %(site_name)s!") % {
            "site_name": settings.SITE_NAME
        }
    assert message.body.startswith(french_greeting)
    assert "Hello from" not in message.body


def test_without_a_saved_language_emails_use_the_one_the_site_was_shown_in(alice):
    Client(HTTP_ACCEPT_LANGUAGE="de").post("/accounts/password/reset/", {"email": alice.email})
    [message] = mail.outbox
    assert message.body.startswith(f"Hallo von {settings.SITE_NAME}!")


def test_the_javascript_catalog_is_a_script_the_csp_allows():
    response = Client(HTTP_ACCEPT_LANGUAGE="fr").get("/jsi18n/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert "django.gettext" in response.content.decode()


def test_rendered_resources_are_kept_per_language(db):
    make_resource(title="Attention in pictures", kind="video")
    pagecache.clear()
    french = Client(HTTP_ACCEPT_LANGUAGE="fr").get("/").content.decode()
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get("/").content.decode()
    assert '<span class="kind">Vidéo</span>' in french
    assert '<span class="kind">Video</span>' in english


def test_signing_in_switches_to_the_saved_language_at_once(alice):
    alice.language = "fr"
    alice.save(update_fields=["language"])
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = browser.post(
        "/accounts/login/", {"login": alice.email, "password": PASSWORD}, follow=True
    )
    assert html_lang(response)[0] == "fr"
    html = response.content.decode()
    assert "Successfully signed in" not in html
    with translation.override("fr"):
        welcome = translation.gettext("Successfully signed in as %(name)s.")
    assert welcome.split("%(name)s")[0] in html


def test_dates_are_shown_in_the_learners_time_zone(alice, resource):
    from roadmap import learning

    with time_machine.travel(datetime(2026, 3, 1, 20, 0, tzinfo=UTC), tick=False):
        learning.save_note(alice, resource, "Late at night in Tokyo")
    alice.time_zone = "Asia/Tokyo"
    alice.save(update_fields=["time_zone"])
    html = client_for(alice).get("/notes/").content.decode()
    assert "March 2, 2026" in html and "March 1, 2026" not in html
    alice.time_zone = "America/New_York"
    alice.save(update_fields=["time_zone"])
    html = client_for(alice).get("/notes/").content.decode()
    assert "March 1, 2026" in html
