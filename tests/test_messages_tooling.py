"""scripts/messages.py: it finds what makemessages finds, and its check fails on what is wrong."""

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("messages_tool", ROOT / "scripts" / "messages.py")
messages = importlib.util.module_from_spec(spec)
spec.loader.exec_module(messages)

TEMPLATE = """{% load i18n %}
<h1>{% translate "Plain words" %}</h1>
<p>{% translate "Done" context "status" %}</p>
<p>{% blocktranslate with title=resource.title %}Notes on {{ title }}{% endblocktranslate %}</p>
<p>{% blocktranslate count counter=n %}\
{{ counter }} day{% plural %}{{ counter }} days{% endblocktranslate %}</p>
<p>{% translate some_variable %}</p>
"""


def found_in(tmp_path: Path, name: str, text: str) -> set:
    path = tmp_path / "templates" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    keywords = messages.KEYWORDS
    result = set()
    for _line, function, arguments in messages._extract(path, "django"):
        context, found = messages._messages(keywords.get(function), arguments)
        if found:
            result.add((context, found))
    return result


def test_templates_give_the_strings_makemessages_would(tmp_path):
    assert found_in(tmp_path, "page.html", TEMPLATE) == {
        (None, ("Plain words",)),
        ("status", ("Done",)),
        (None, ("Notes on %(title)s",)),
        (None, ("%(counter)s day", "%(counter)s days")),
    }


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project of one app whose code marks one string, with a French catalog."""
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "apps.py").write_text("")
    (tmp_path / "demo" / "views.py").write_text(
        "from django.utils.translation import gettext as _\nTEXT = _('Hello')\n"
    )
    monkeypatch.setattr(messages, "ROOT", tmp_path)
    monkeypatch.setattr(messages, "LANGUAGES", ["fr"])
    messages.extract()
    return tmp_path / "demo" / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def translate(po: Path, text: str) -> None:
    catalog = read_po(po.open("rb"), locale="fr")
    catalog.get("Hello").string = text
    with po.open("wb") as f:
        write_po(f, catalog)


def test_the_check_passes_only_once_every_string_is_translated_and_compiled(project):
    assert "demo/locale/fr/LC_MESSAGES/django.po: 'Hello' is not translated" in messages.check()
    translate(project, "Bonjour")
    assert any("does not match its .po" in problem for problem in messages.check())
    messages.compile_all()
    assert messages.check() == []


def test_the_check_fails_on_a_new_string_and_on_a_placeholder_lost(project):
    translate(project, "Bonjour")
    messages.compile_all()
    views = project.parents[3] / "views.py"
    views.write_text(views.read_text() + "OTHER = _('Hi %(name)s')\n")
    assert any("no entry for 'Hi %(name)s'" in problem for problem in messages.check())
    messages.extract()
    catalog = read_po(project.open("rb"), locale="fr")
    catalog.get("Hi %(name)s").string = "Salut %(nom)s"
    with project.open("wb") as f:
        write_po(f, catalog)
    messages.compile_all()
    assert any("placeholder" in problem for problem in messages.check())


def test_extracting_twice_changes_nothing(project):
    before = project.read_bytes()
    messages.extract()
    assert project.read_bytes() == before


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext's xgettext")
def test_the_site_marks_the_same_strings_for_makemessages(tmp_path):
    """With GNU gettext at hand: Django's makemessages, run on a copy, finds the same set."""
    copy = tmp_path / "copy"
    files = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    for name in files:
        if "/locale/" in f"/{name}" or not name.endswith((".py", ".html", ".txt")):
            continue
        target = copy / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    (copy / "locale").mkdir()
    for app in messages._apps():
        (copy / app / "locale").mkdir(parents=True, exist_ok=True)
    ignored = ["tests/*", "bench/*", "scripts/*", "*/management/commands/*"]
    command = [sys.executable, "manage.py", "makemessages", "-l", "fr", "-e", "html,txt,py"]
    command += [f"--ignore={pattern}" for pattern in ignored]
    subprocess.run(command, cwd=copy, capture_output=True, check=True)

    def strings(base: Path) -> set:
        found = set()
        catalogs = [*base.glob("*/locale/fr/LC_MESSAGES/django.po")]
        catalogs += base.glob("locale/fr/LC_MESSAGES/django.po")
        for po in catalogs:
            for message in read_po(po.open("rb"), locale="fr"):
                if message.id:
                    key = message.id if isinstance(message.id, str) else tuple(message.id)
                    found.add((str(po.relative_to(base)), key, message.context))
        return found

    assert strings(copy) == strings(ROOT)


def test_an_empty_catalog_has_the_languages_plural_forms():
    catalog = messages._new_catalog("ar")
    assert catalog.num_plurals == 6
    assert isinstance(catalog, Catalog)
