"""The translation catalogs, kept with Python alone (no GNU gettext): extract, compile, check.

    python scripts/messages.py extract   # update every .po from the code (as makemessages would)
    python scripts/messages.py compile   # write each .po's .mo
    python scripts/messages.py check     # make lint: fail on anything out of step

Extraction does what Django's ``makemessages`` does, in Python: templates (``.html``, ``.txt``)
go through Django's own ``templatize`` (which turns ``{% translate %}`` and
``{% blocktranslate %}`` into gettext calls), and that and the Python files are read by Babel's
Python extractor with makemessages' keywords; scripts (``static/**/*.js``) by Babel's JavaScript
extractor, into the ``djangojs`` domain that ``/jsi18n/`` serves. Each string goes to the
catalog of the app its file belongs to (``<app>/locale/``), and strings of the site-wide
``templates/``, ``config/`` and ``static/`` to ``locale/`` (``LOCALE_PATHS``): where
``manage.py makemessages`` run at the project's root would put them.

``check`` fails when a catalog lacks a string the code marks (or keeps one it no longer marks),
when a language has an untranslated or fuzzy entry, when a translation's placeholders differ
from the English's, and when a committed ``.mo`` is not the compilation of its ``.po``.
docs/translating.md says how to add a language.
"""

import ast
import io
import os
import re
import sys
import warnings
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from babel.messages.catalog import Catalog  # noqa: E402
from babel.messages.extract import extract_javascript, extract_python  # noqa: E402
from babel.messages.mofile import write_mo  # noqa: E402
from babel.messages.pofile import read_po, write_po  # noqa: E402
from django.conf import settings  # noqa: E402
from django.utils.translation.template import templatize  # noqa: E402

SOURCE_LANGUAGE = "en"
FIXED_DATE = datetime(2026, 1, 1, tzinfo=UTC)
LANGUAGES = [code for code, name in settings.LANGUAGES if code != SOURCE_LANGUAGE]
# Folders that are not the site's own code, or whose words are not the interface's: tests,
# the benchmark, the tools, and command output meant for operators (which stays English).
SKIPPED_DIRS = {"tests", "bench", "scripts", "staticfiles", "migrations", "locale", "node_modules"}
SITE_WIDE = {"templates", "config", "static"}

# makemessages' keywords (django/core/management/commands/makemessages.py), in Babel's form.
KEYWORDS = {
    "_": None,
    "gettext": None,
    "gettext_lazy": None,
    "gettext_noop": None,
    "ngettext": (1, 2),
    "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "npgettext_lazy": ((1, "c"), 2, 3),
}
JS_KEYWORDS = {
    "gettext": None,
    "gettext_noop": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
}
# Django's own plural rules where they are the usual ones; French and Spanish with the two
# forms their speakers use (Django's catalogs add a third for millions, which our strings never
# count). Arabic has six.
PLURAL_FORMS = {
    "fr": "nplurals=2; plural=(n > 1);",
    "de": "nplurals=2; plural=(n != 1);",
    "es": "nplurals=2; plural=(n != 1);",
    "ar": (
        "nplurals=6; plural=n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : "
        "n%100>=11 && n%100<=99 ? 4 : 5;"
    ),
}


def _apps() -> set[str]:
    return {path.parent.name for path in ROOT.glob("*/apps.py")}


def _locale_dir(path: Path) -> Path:
    top = path.relative_to(ROOT).parts[0]
    if top in _apps():
        return ROOT / top / "locale"
    return ROOT / "locale"


def _source_files():
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIPPED_DIRS)
        here = Path(folder)
        if here == ROOT:
            dirs[:] = [d for d in dirs if d in _apps() or d in SITE_WIDE]
            continue
        # Management commands talk to operators, in English.
        if "commands" in here.parts and "management" in here.parts:
            continue
        for name in sorted(files):
            path = here / name
            template = name.endswith((".html", ".txt")) and "templates" in path.parts
            if name.endswith(".py") or template:
                yield path, "django"
            elif name.endswith(".js") and "static" in path.parts:
                yield path, "djangojs"


def _extract(path: Path, domain: str):
    """(line, function, arguments) of every marked call: string arguments, None for others."""
    text = path.read_text(encoding="utf-8")
    if domain == "djangojs":
        found = extract_javascript(io.BytesIO(text.encode()), JS_KEYWORDS, [], {})
    elif path.suffix in {".html", ".txt"}:
        found = _template_calls(text, path)
    else:
        found = extract_python(io.BytesIO(text.encode()), KEYWORDS, [], {"encoding": "utf-8"})
    for lineno, funcname, arguments, _comments in found:
        yield lineno, funcname, arguments if isinstance(arguments, tuple) else (arguments,)


_CALL = re.compile(r"(?<![\w])(npgettext|ngettext|pgettext|gettext|_)\(")


def _template_calls(text: str, path: Path):
    """The gettext calls Django's ``templatize`` makes of a template's translation tags.

    Its output is meant for xgettext, which reads it leniently; it is not Python a tokenizer
    accepts, so each call is found and parsed on its own (each sits on one line).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        source = templatize(text, origin=str(path))
    for lineno, line in enumerate(source.splitlines(), 1):
        for match in _CALL.finditer(line):
            for end in range(match.end(), len(line)):
                if line[end] != ")":
                    continue
                try:
                    call = ast.parse(line[match.start() : end + 1], mode="eval").body
                except SyntaxError:
                    continue
                arguments = tuple(
                    arg.value
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
                    else None
                    for arg in call.args
                )
                yield lineno, match[1], arguments, []
                break


def _messages(spec, arguments: tuple) -> tuple[str | None, tuple | None]:
    """The context and the message(s) of a call, by its keyword's spec (Babel's form)."""
    context = None
    indices = []
    for position in spec or (1,):
        if isinstance(position, tuple):
            context = arguments[position[0] - 1] if len(arguments) >= position[0] else None
        else:
            indices.append(position)
    if any(len(arguments) < i for i in indices):
        return None, None
    messages = tuple(arguments[i - 1] for i in indices)
    if not all(messages) or (spec and isinstance(spec[0], tuple) and not context):
        return None, None  # not a literal: nothing to extract (xgettext skips it too)
    return context, messages


def extracted() -> dict[tuple[Path, str], Catalog]:
    """What the code marks, as one catalog per (locale folder, domain)."""
    catalogs: dict[tuple[Path, str], Catalog] = defaultdict(
        lambda: Catalog(locale=SOURCE_LANGUAGE, project="LLM Roadmap", fuzzy=False)
    )
    for path, domain in _source_files():
        where = str(path.relative_to(ROOT))
        keywords = KEYWORDS if domain == "django" else JS_KEYWORDS
        for lineno, funcname, arguments in _extract(path, domain):
            context, messages = _messages(keywords.get(funcname), arguments)
            if messages is None:
                continue
            msgid = messages[0] if len(messages) == 1 else messages
            catalogs[(_locale_dir(path), domain)].add(
                msgid, locations=[(where, lineno)], context=context
            )
    return dict(catalogs)


def _po_path(locale_dir: Path, language: str, domain: str) -> Path:
    return locale_dir / language / "LC_MESSAGES" / f"{domain}.po"


def _read(path: Path, language: str) -> Catalog:
    with path.open("rb") as f:
        catalog = read_po(f, locale=language)
    # The .po files carry no dates (extracting twice changes nothing); without these, Babel
    # would write today's into each .mo's header, and no .mo would ever match again.
    catalog.creation_date = catalog.revision_date = FIXED_DATE
    return catalog


def _key(message) -> tuple:
    return (message.id if isinstance(message.id, str) else message.id[0], message.context)


def _new_catalog(language: str) -> Catalog:
    catalog = Catalog(
        locale=language,
        project="LLM Roadmap",
        version="",
        copyright_holder="the LLM Roadmap contributors",
        msgid_bugs_address="",
        last_translator="the LLM Roadmap contributors",
        language_team="",
        fuzzy=False,
        header_comment=(
            "# The interface of LLM Roadmap, translated. Made by `make messages`, which keeps the\n"
            "# translations; docs/translating.md has the glossary and how to add a language."
        ),
    )
    catalog._num_plurals, catalog._plural_expr = _plural_rule(language)
    return catalog


def _plural_rule(language: str) -> tuple[int, str]:
    rule = PLURAL_FORMS[language]
    count = int(rule.split(";")[0].split("=")[1])
    expr = rule.split("plural=", 1)[1].rstrip(";")
    return count, expr


def extract() -> None:
    for (locale_dir, domain), template in sorted(extracted().items()):
        for language in LANGUAGES:
            path = _po_path(locale_dir, language, domain)
            old = _read(path, language) if path.exists() else None
            catalog = _new_catalog(language)
            for message in template:
                if not message.id:
                    continue
                previous = old.get(message.id, context=message.context) if old else None
                catalog.add(
                    message.id,
                    string=previous.string if previous else None,
                    locations=message.locations,
                    context=message.context,
                    auto_comments=message.auto_comments,
                    flags=previous.flags if previous else (),
                )
            path.parent.mkdir(parents=True, exist_ok=True)
            _write_po(path, catalog)
            print(f"{path.relative_to(ROOT)}: {len(catalog)} messages")


def _write_po(path: Path, catalog: Catalog) -> None:
    buffer = io.BytesIO()
    # Files without line numbers (makemessages' --add-location=file): an edit elsewhere in a
    # file does not touch every catalog, and branches merge without conflicts in them.
    write_po(buffer, catalog, width=100, sort_output=False, omit_header=False, include_lineno=False)
    path.write_bytes(_stable_header(buffer.getvalue()))


def _stable_header(po: bytes) -> bytes:
    """Without the creation and revision dates, so that extracting twice changes nothing."""
    lines = [
        line
        for line in po.split(b"\n")
        if not line.startswith((b'"POT-Creation-Date:', b'"PO-Revision-Date:'))
    ]
    return b"\n".join(lines)


def _mo_bytes(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def _catalog_files():
    for path in sorted(ROOT.glob("*/locale/*/LC_MESSAGES/*.po")) + sorted(
        ROOT.glob("locale/*/LC_MESSAGES/*.po")
    ):
        yield path, path.parent.parent.name


def compile_all() -> None:
    for path, language in _catalog_files():
        path.with_suffix(".mo").write_bytes(_mo_bytes(_read(path, language)))
        print(f"{path.with_suffix('.mo').relative_to(ROOT)}")


def _translated(message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return all(strings) and "fuzzy" not in message.flags


def check() -> list[str]:
    problems: list[str] = []
    wanted = extracted()
    for (locale_dir, domain), template in sorted(wanted.items()):
        keys = {_key(m) for m in template if m.id}
        for language in LANGUAGES:
            path = _po_path(locale_dir, language, domain)
            where = path.relative_to(ROOT)
            if not path.exists():
                problems.append(f"{where} is missing: run make messages")
                continue
            catalog = _read(path, language)
            have = {_key(m) for m in catalog if m.id}
            for msgid, _context in sorted(keys - have, key=str):
                problems.append(f"{where}: no entry for {msgid!r}: run make messages")
            for msgid, _context in sorted(have - keys, key=str):
                problems.append(f"{where}: {msgid!r} is no longer marked: run make messages")
    for path, language in _catalog_files():
        where = path.relative_to(ROOT)
        catalog = _read(path, language)
        expected_plurals = _plural_rule(language)[0] if language in PLURAL_FORMS else None
        if expected_plurals and catalog.num_plurals != expected_plurals:
            problems.append(f"{where}: {catalog.num_plurals} plural forms, not {expected_plurals}")
        for message in catalog:
            if not message.id:
                continue
            if not _translated(message):
                problems.append(f"{where}: {message.id!r} is not translated")
                continue
        for message, errors in catalog.check():
            for error in errors:
                problems.append(f"{where}: {message.id!r}: {error}")
        mo = path.with_suffix(".mo")
        if not mo.exists() or mo.read_bytes() != _mo_bytes(catalog):
            problems.append(f"{mo.relative_to(ROOT)} does not match its .po: run make messages")
    return problems


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else ""
    if command == "extract":
        extract()
    elif command == "compile":
        compile_all()
    elif command == "check":
        problems = check()
        for problem in problems:
            print(problem, file=sys.stderr)
        if problems:
            print(f"{len(problems)} problems in the translations.", file=sys.stderr)
            return 1
        print("Translations: every marked string is translated in every language.")
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
