"""The roadmap page's keyboard shortcuts: listed on request (roadmap/shortcuts.py), not written
into every page."""

from django.core.management import call_command

HTMX = {"HTTP_HX_REQUEST": "true"}
KEYS = ["<kbd>d</kbd>", "<kbd>p</kbd>", "<kbd>s</kbd>", "<kbd>n</kbd>", "<kbd>?</kbd>"]


def test_the_keys_are_a_page_of_their_own(anon, db):
    response = anon.get("/shortcuts/")
    html = response.content.decode()
    assert response.status_code == 200 and "<html" in html
    assert all(key in html for key in KEYS)
    assert 'method="dialog"' not in html  # a page, not a dialog to close


def test_htmx_gets_the_dialogs_content_only(alice_client):
    html = alice_client.get("/shortcuts/", **HTMX).content.decode()
    assert "<html" not in html and all(key in html for key in KEYS)
    assert '<h2 id="shortcuts-heading">Keyboard shortcuts</h2>' in html
    assert '<form method="dialog">' in html


def test_the_signed_in_page_loads_the_keys_on_demand(alice_client):
    call_command("loaddata", "curriculum", verbosity=0)
    html = alice_client.get("/").content.decode()
    assert 'data-url="/shortcuts/"></dialog>' in html and "<kbd>" not in html


def test_only_get(alice_client):
    assert alice_client.post("/shortcuts/").status_code == 405
