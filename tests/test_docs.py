"""The documentation stays true to the code and to itself.

README.md and docs/*.md link to one another by file and by heading; a link that points at a file
or a heading that is gone fails here, as GitHub would show it: a heading's anchor is its GitHub
slug. The operator's reference (docs/self-hosting.md) names every environment variable the server
reads, and the curators' guide every management command, so neither can fall behind the code.
"""

import ast
import os
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from urllib.parse import unquote

import pytest

from accounts import providers as identity_providers

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SELF_HOSTING = DOCS / "self-hosting.md"
# Folders whose code is not the server's: its tests, the benchmark, installed packages.
NOT_SERVER_CODE = {"tests", "bench", "migrations", "node_modules", "staticfiles"}


def documentation_files() -> list[Path]:
    return [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]


# --- Markdown: headings, anchors and links -------------------------------------------------------

FENCE = re.compile(r"^\s*(```|~~~)")
ATX_HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
HTML_ANCHOR = re.compile(r"""<a\s+[^>]*\b(?:id|name)\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
CODE_SPAN = re.compile(r"(`+)(.+?)\1")
INLINE_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)")
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def prose_lines(text: str) -> Iterator[tuple[int, str]]:
    """Numbered lines outside fenced code blocks."""
    fenced = None
    for number, line in enumerate(text.splitlines(), start=1):
        if match := FENCE.match(line):
            if fenced is None:
                fenced = match.group(1)
            elif match.group(1) == fenced:
                fenced = None
            continue
        if fenced is None:
            yield number, line


def github_slug(heading: str) -> str:
    """The anchor GitHub gives a heading: its text, lower case, punctuation dropped, spaces to -."""
    text = CODE_SPAN.sub(lambda m: m.group(2), heading)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)  # a link's text stays, its address goes
    text = re.sub(r"<[^>]+>", "", text)
    text = re.sub(r"[*~]", "", text)
    text = re.sub(r"[^\w\- ]", "", text.strip().lower())
    return text.replace(" ", "-")


@cache
def anchors(path: Path) -> frozenset[str]:
    """Every #fragment a link into this Markdown file may use."""
    found: set[str] = set()
    seen: dict[str, int] = {}
    for _, line in prose_lines(path.read_text(encoding="utf-8")):
        found.update(HTML_ANCHOR.findall(line))
        if match := ATX_HEADING.match(line):
            slug = github_slug(match.group(2))
            # GitHub numbers repeated headings: configuration, configuration-1, configuration-2.
            count = seen.get(slug, 0)
            seen[slug] = count + 1
            found.add(slug if count == 0 else f"{slug}-{count}")
    return frozenset(found)


def link_targets(path: Path) -> Iterator[tuple[int, str]]:
    for number, line in prose_lines(path.read_text(encoding="utf-8")):
        # A link written inside a code span is an example, not a link.
        line = CODE_SPAN.sub(lambda m: "x" * len(m.group(0)), line)
        for match in INLINE_LINK.finditer(line):
            yield number, match.group(1)
        if match := REFERENCE_DEFINITION.match(line):
            yield number, match.group(1)


def broken_links(path: Path) -> list[str]:
    """Each relative link of a Markdown file whose file or #anchor does not exist."""
    problems = []
    for number, target in link_targets(path):
        if not target or SCHEME.match(target) or target.startswith("//"):
            continue
        address, _, fragment = target.partition("#")
        if address.startswith("/"):
            destination = ROOT / unquote(address.lstrip("/"))
        elif address:
            destination = path.parent / unquote(address)
        else:
            destination = path
        where = f"{path.name}:{number}: {target}"
        if not destination.exists():
            problems.append(f"{where}: no such file")
        elif fragment and destination.suffix == ".md" and fragment not in anchors(destination):
            problems.append(f"{where}: no heading #{fragment} in {destination.name}")
    return problems


@pytest.mark.parametrize("path", documentation_files(), ids=lambda path: path.name)
def test_every_relative_link_and_anchor_resolves(path):
    assert broken_links(path) == []


def test_the_readme_stays_a_guide_of_at_most_200_lines():
    assert len((ROOT / "README.md").read_text(encoding="utf-8").splitlines()) <= 200


def test_a_missing_file_and_a_missing_heading_are_found(tmp_path):
    (tmp_path / "guide.md").write_text(
        "# Guide\n\n## Self-hosting → Configuration\n\n## Find (the roadmap's filter)\n\n"
        "## Configuration\n\n## Configuration\n",
        encoding="utf-8",
    )
    index = tmp_path / "index.md"
    index.write_text(
        "# Index\n\n"
        "[fine](guide.md#self-hosting--configuration), [also](guide.md#find-the-roadmaps-filter),\n"
        "[the second one](guide.md#configuration-1), [here](#index), ![a picture](guide.md)\n"
        "[gone](missing.md) and [no such heading](guide.md#installation)\n"
        "[nor here](#nowhere), [the third one](guide.md#configuration-2)\n"
        "`[in code](nothing.md)` and [outside](https://example.org/missing.md#x)\n\n"
        "```\n[in a block](nothing.md)\n```\n\n"
        "[ref]: elsewhere.md\n",
        encoding="utf-8",
    )

    assert broken_links(index) == [
        "index.md:5: missing.md: no such file",
        "index.md:5: guide.md#installation: no heading #installation in guide.md",
        "index.md:6: #nowhere: no heading #nowhere in index.md",
        "index.md:6: guide.md#configuration-2: no heading #configuration-2 in guide.md",
        "index.md:13: elsewhere.md: no such file",
    ]


@pytest.mark.parametrize(
    ("heading", "slug"),
    [
        ("Quick start", "quick-start"),
        ("Self-hosting", "self-hosting"),
        ("Export format (schema 1)", "export-format-schema-1"),
        ("Find (the roadmap's filter)", "find-the-roadmaps-filter"),
        ("`check_links` and the worker", "check_links-and-the-worker"),
        ("Health and readiness", "health-and-readiness"),
        ("Example: Keycloak", "example-keycloak"),
    ],
)
def test_headings_get_githubs_anchors(heading, slug):
    assert github_slug(heading) == slug


# --- Environment variables -----------------------------------------------------------------------


def dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{dotted(node.value)}.{node.attr}"
    return ""


def reads_environment(node: ast.AST) -> ast.AST | None:
    """The name argument of os.environ.get(…), os.getenv(…) or os.environ[…], else None."""
    if isinstance(node, ast.Call) and node.args:
        callee = dotted(node.func)
        if callee.endswith("environ.get") or callee.endswith("getenv"):
            return node.args[0]
    if isinstance(node, ast.Subscript) and dotted(node.value).endswith("environ"):
        return node.slice
    return None


def variables_read_by(source: str) -> set[str]:
    """Environment variables a module reads by name, directly or through its small helpers.

    A helper is a function that reads the variable named by its first parameter
    (``envbool(name, default)``); its calls with a literal name count as reads of that name.
    """
    tree = ast.parse(source)
    helpers = set()
    for function in ast.walk(tree):
        if isinstance(function, ast.FunctionDef) and function.args.args:
            parameter = function.args.args[0].arg
            for node in ast.walk(function):
                name = reads_environment(node)
                if isinstance(name, ast.Name) and name.id == parameter:
                    helpers.add(function.name)
    names = set()
    for node in ast.walk(tree):
        name = reads_environment(node)
        is_call = isinstance(node, ast.Call) and node.args
        if name is None and is_call and dotted(node.func).rsplit(".", 1)[-1] in helpers:
            name = node.args[0]
        if isinstance(name, ast.Constant) and isinstance(name.value, str):
            names.add(name.value)
    return names


def server_modules() -> Iterator[Path]:
    for folder, subfolders, files in os.walk(ROOT):
        # Pruned in place, so that .venv and the like are never walked.
        subfolders[:] = [
            name for name in subfolders if not name.startswith(".") and name not in NOT_SERVER_CODE
        ]
        yield from (Path(folder) / name for name in files if name.endswith(".py"))


@cache
def configuration_variables() -> frozenset[str]:
    names = identity_provider_variables() | container_variables()
    for path in server_modules():
        names |= variables_read_by(path.read_text(encoding="utf-8"))
    # Not the operator's to set: Django's entry points default it for themselves.
    return frozenset(names - {"DJANGO_SETTINGS_MODULE"})


class RecordingEnvironment(dict):
    """An environment in which every variable is set, noting each one asked for."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: set[str] = set()

    def get(self, name, default=None):
        self.asked.add(name)
        return "https://id.example.org"

    def __getitem__(self, name):
        self.asked.add(name)
        return "https://id.example.org"


def identity_provider_variables() -> set[str]:
    """The providers' variables are built from their prefix (GITHUB_ + CLIENT_ID): ask for them."""
    environment = RecordingEnvironment()
    identity_providers.from_environment(environment)
    return environment.asked


def container_variables() -> set[str]:
    """What compose substitutes (${POSTGRES_PASSWORD…}) and the entrypoint's defaults."""
    compose = (ROOT / "compose.yaml").read_text(encoding="utf-8")
    entrypoint = (ROOT / "scripts" / "entrypoint.sh").read_text(encoding="utf-8")
    return set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", compose)) | set(
        re.findall(r"\$\{([A-Z][A-Z0-9_]*):?[-=]", entrypoint)
    )


def env_example_variables() -> set[str]:
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    return set(re.findall(r"^#?\s?([A-Z][A-Z0-9_]*)=", text, re.MULTILINE))


def mentioned(name: str, text: str) -> bool:
    return re.search(rf"(?<![A-Z0-9_]){name}(?![A-Z0-9_])", text) is not None


def test_the_scan_finds_reads_through_helpers_and_directly():
    source = (
        "import os\n"
        "def envint(name, default):\n"
        "    value = os.environ.get(name)\n"
        "    return int(value) if value else default\n"
        "PORT = envint('PORT', 8000)\n"
        "HOST = os.environ.get('EMAIL_HOST')\n"
        "KEY = os.environ['SECRET_KEY']\n"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'x')\n"
    )
    assert variables_read_by(source) == {"PORT", "EMAIL_HOST", "SECRET_KEY"}


def test_the_scan_sees_the_settings_the_server_reads():
    names = configuration_variables()
    # One of each way of reading: a helper, os.environ, gunicorn's own helper, a provider's
    # prefix, compose, and the entrypoint.
    assert {
        "DEBUG",
        "SECRET_KEY_FILE",
        "WEB_CONCURRENCY",
        "FORWARDED_ALLOW_IPS",
        "GITLAB_CLIENT_SECRET",
        "OIDC_SERVER_URL",
        "POSTGRES_PASSWORD",
        "WEB_BIND",
        "DB_WAIT_SECONDS",
    } <= names


def test_every_environment_variable_is_in_the_self_hosting_reference():
    reference = SELF_HOSTING.read_text(encoding="utf-8")
    expected = configuration_variables() | env_example_variables()
    assert sorted(name for name in expected if not mentioned(name, reference)) == []


def test_the_configuration_table_names_no_variable_the_code_no_longer_reads():
    rows = [
        line.split("|")[1]
        for _, line in prose_lines(SELF_HOSTING.read_text(encoding="utf-8"))
        if line.startswith("| `")
    ]
    documented = {name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row)}
    assert documented, "the configuration table was not found"
    known = configuration_variables() | env_example_variables()
    assert sorted(documented - known) == []


# --- Management commands -------------------------------------------------------------------------


def management_commands() -> set[str]:
    return {
        path.stem
        for path in ROOT.glob("*/management/commands/*.py")
        if not path.stem.startswith("_")
    }


def test_every_management_command_is_documented():
    docs = "\n".join(path.read_text(encoding="utf-8") for path in sorted(DOCS.glob("*.md")))
    commands = management_commands()
    assert {"check_links", "import_curriculum", "run_worker"} <= commands
    assert sorted(name for name in commands if f"manage.py {name}" not in docs) == []
