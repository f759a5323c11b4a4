"""Production mode (``DEBUG=0``) as an operator runs it: settings, headers, static files, errors.

Every check starts Django in a subprocess with a production environment built from scratch, so
nothing from the test settings or the developer's shell leaks in. Their database is a migrated
SQLite file, their static files are collected the way the Dockerfile collects them.
"""

import json
import re
import secrets
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.processes import (
    ROOT,
    SECRET_KEY,
    UNREACHABLE_DATABASE,
    VENV_BIN,
    free_port,
    http_get,
    manage,
    production_env,
    run,
    stop,
    wait_for_200,
)

pytestmark = pytest.mark.processes

# Makes requests with Django's test client inside the production process and writes what came
# back to a JSON file: argv[1] is the list of requests, argv[2] the file.
CLIENT_SCRIPT = """
import json, sys, time
import django

django.setup()
from django.test import Client

results = []
for r in json.loads(sys.argv[1]):
    client = Client(raise_request_exception=False)
    client.cookies.load(r.get("cookies", {}))
    start = time.monotonic()
    response = client.get(r["path"], headers=r.get("headers", {}), secure=r.get("secure", False))
    results.append({
        "status": response.status_code,
        "seconds": time.monotonic() - start,
        "headers": {k.lower(): v for k, v in response.headers.items()},
        "cookies": {name: bool(m["secure"]) for name, m in response.cookies.items()},
        "cookie_attributes": {
            name: {"path": m["path"], "domain": m["domain"], "secure": bool(m["secure"])}
            for name, m in response.cookies.items()
        },
        "body": response.content.decode(errors="replace"),
    })
with open(sys.argv[2], "w") as out:
    json.dump(results, out)
"""
# What the proxy adds to a request that reached it over HTTPS; only gunicorn reads it (and only
# from the proxy's address), so requests made inside Django say secure=True instead.
HTTPS = {"X-Forwarded-Proto": "https"}


def client_requests(
    env: dict[str, str], requests: list[dict], tmp_path: Path
) -> tuple[list[dict], str]:
    """The responses to ``requests``, and everything the process logged while making them."""
    out = tmp_path / f"responses-{secrets.token_hex(4)}.json"
    proc = run([sys.executable, "-c", CLIENT_SCRIPT, json.dumps(requests), str(out)], env)
    logs = proc.stdout + proc.stderr
    assert proc.returncode == 0, logs
    return json.loads(out.read_text()), logs


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> dict[str, str]:
    """A production environment with a migrated database and collected static files."""
    tmp = tmp_path_factory.mktemp("production")
    env = production_env(
        DATABASE_URL=f"sqlite:///{tmp / 'db.sqlite3'}", STATIC_ROOT=str(tmp / "static")
    )
    for command in (["collectstatic", "--no-input"], ["migrate", "--no-input"]):
        proc = manage(*command, env=env)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    return env


def test_it_refuses_to_start_without_a_secret_key():
    proc = manage("check", env=production_env(SECRET_KEY=None))

    assert proc.returncode != 0
    assert "SECRET_KEY" in proc.stderr


def test_it_reads_the_secret_key_from_a_file(tmp_path):
    key_file = tmp_path / "secret_key"
    key_file.write_text(f"{SECRET_KEY}-from-a-file\n")
    env = production_env(SECRET_KEY=None, SECRET_KEY_FILE=str(key_file))

    proc = run([sys.executable, "-c", "import django.conf as c; print(c.settings.SECRET_KEY)"], env)

    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"{SECRET_KEY}-from-a-file"


def test_it_names_an_unreadable_secret_key_file(tmp_path):
    proc = manage(
        "check", env=production_env(SECRET_KEY=None, SECRET_KEY_FILE=str(tmp_path / "missing"))
    )

    assert proc.returncode != 0
    assert "SECRET_KEY_FILE" in proc.stderr


def test_the_deployment_checklist_passes_with_only_the_required_settings():
    proc = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())

    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert "WARNINGS" not in output
    assert "ERRORS" not in output


@pytest.mark.parametrize("path", ["/", "/accounts/login/"])
def test_pages_carry_the_security_headers(site, tmp_path, path):
    [response], _ = client_requests(site, [{"path": path, "secure": True}], tmp_path)

    assert response["status"] == 200, response["body"][:2000]
    headers = response["headers"]
    csp = headers["content-security-policy"]
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "default-src 'self'" in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["cross-origin-opener-policy"] == "same-origin"
    assert headers["x-frame-options"] == "DENY"
    hsts = dict(re.findall(r"([\w-]+)(?:=(\d+))?", headers["strict-transport-security"]))
    assert int(hsts["max-age"]) >= 31_536_000
    assert "includeSubDomains" in hsts
    assert all(response["cookies"].values()), response["cookies"]


def test_the_login_page_sets_only_secure_cookies(site, tmp_path):
    [response], _ = client_requests(site, [{"path": "/accounts/login/", "secure": True}], tmp_path)

    assert "__Host-csrftoken" in response["cookies"]
    assert response["cookies"]["__Host-csrftoken"] is True


def test_session_and_csrf_cookies_carry_the_host_prefix_and_its_attributes(site, tmp_path):
    proc = run(
        [
            sys.executable,
            "-c",
            "import django; django.setup()\n"
            "from django.conf import settings as s\n"
            "print(s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME, s.SESSION_COOKIE_DOMAIN,"
            " s.CSRF_COOKIE_DOMAIN, s.SESSION_COOKIE_PATH, s.CSRF_COOKIE_PATH)",
        ],
        site,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == [
        "__Host-sessionid", "__Host-csrftoken", "None", "None", "/", "/"
    ]  # fmt: skip

    [response], _ = client_requests(site, [{"path": "/accounts/login/", "secure": True}], tmp_path)
    for name, attributes in response["cookie_attributes"].items():
        assert name.startswith("__Host-"), name
        assert attributes == {"path": "/", "domain": "", "secure": True}


def setting(name: str, env: dict[str, str]) -> str:
    code = f"import django\ndjango.setup()\nfrom django.conf import settings as s\nprint(s.{name})"
    proc = run([sys.executable, "-c", code], env)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"EMAIL_HOST": "smtp.example.org"}, "mandatory"),  # the mode that reveals nothing
        ({}, "optional"),  # without email nobody could confirm an address
        ({"EMAIL_HOST": "smtp.example.org", "ACCOUNT_EMAIL_VERIFICATION": "optional"}, "optional"),
        ({"ACCOUNT_EMAIL_VERIFICATION": "mandatory"}, "mandatory"),
        ({"DEBUG": "1", "EMAIL_HOST": "smtp.example.org"}, "optional"),
    ],
)
def test_production_defaults_to_mandatory_verification_once_email_is_configured(
    overrides, expected
):
    assert setting("ACCOUNT_EMAIL_VERIFICATION", production_env(**overrides)) == expected


def test_development_keeps_the_plain_cookie_names():
    proc = run(
        [
            sys.executable,
            "-c",
            "import django; django.setup()\n"
            "from django.conf import settings as s\n"
            "print(s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME)",
        ],
        production_env(DEBUG="1"),
    )
    assert proc.stdout.split() == ["sessionid", "csrftoken"], proc.stderr


def test_plain_http_is_redirected_to_https_except_the_health_check(site, tmp_path):
    home, login, health = client_requests(
        site,
        [
            {"path": "/"},
            {"path": "/accounts/login/?next=/roadmaps/llm-roadmap/"},
            {"path": "/healthz"},
        ],
        tmp_path,
    )[0]

    assert home["status"] == 301
    assert home["headers"]["location"] == "https://testserver/"
    assert login["status"] == 301
    assert login["headers"]["location"] == (
        "https://testserver/accounts/login/?next=/roadmaps/llm-roadmap/"
    )
    assert health["status"] == 200


def test_the_health_check_needs_no_host_session_or_https(site, tmp_path):
    [response], logs = client_requests(
        site, [{"path": "/healthz", "headers": {"Host": "10.1.2.3:8000"}}], tmp_path
    )

    assert response["status"] == 200
    assert json.loads(response["body"]) == {"status": "ok"}
    assert response["cookies"] == {}
    assert response["headers"]["cache-control"] == "no-store"
    assert "DisallowedHost" not in logs


def test_the_readiness_check_answers_503_at_once_when_the_database_is_down(site, tmp_path):
    env = site | {"DATABASE_URL": UNREACHABLE_DATABASE}

    alive, ready = client_requests(env, [{"path": "/healthz"}, {"path": "/readyz"}], tmp_path)[0]

    assert alive["status"] == 200  # the process answers: restarting it would not help
    assert ready["status"] == 503
    assert json.loads(ready["body"])["database"] == "unavailable"
    assert ready["seconds"] < 2


def test_a_server_error_shows_a_plain_page_and_logs_the_traceback(site, tmp_path):
    env = site | {"DATABASE_URL": UNREACHABLE_DATABASE}
    # The home page reads the curriculum; the admin reads the session the cookie names.
    requests = [
        {"path": "/", "secure": True},
        {"path": "/admin/", "secure": True, "cookies": {"__Host-sessionid": "x" * 32}},
    ]

    responses, logs = client_requests(env, requests, tmp_path)

    for request, response in zip(requests, responses, strict=True):
        assert response["status"] == 500, request
        body = response["body"]
        for leak in ("Traceback", "OperationalError", "DATABASES", SECRET_KEY, "127.0.0.1:1"):
            assert leak not in body, (leak, body)
        event = (
            rf"^\S+ \S+ ERROR django\.request Internal Server Error: {re.escape(request['path'])}$"
        )
        assert re.search(event, logs, re.M), logs
    assert "Traceback (most recent call last)" in logs
    assert "OperationalError" in logs


def test_an_unknown_page_is_a_plain_404(site, tmp_path):
    [response], _ = client_requests(site, [{"path": "/no-such-page/", "secure": True}], tmp_path)

    assert response["status"] == 404
    assert "config.urls" not in response["body"]
    assert "Traceback" not in response["body"]


def start_gunicorn(env: dict[str, str], tmp_path: Path) -> tuple[subprocess.Popen, int, Path]:
    port = free_port()
    log = tmp_path / f"gunicorn-{port}.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [VENV_BIN / "gunicorn", "-c", "python:config.gunicorn_conf", "config.wsgi"],
            cwd=ROOT,
            env=env | {"PORT": str(port), "WEB_CONCURRENCY": "1"},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    wait_for_200(port, "/healthz", server, log, time.monotonic() + 30)
    return server, port, log


def test_only_the_proxys_address_may_say_a_request_came_over_https(site, tmp_path):
    # The proxy is 127.0.0.2; everyone else (here 127.0.0.1) reaches the port directly.
    server, port, log = start_gunicorn(site | {"FORWARDED_ALLOW_IPS": "127.0.0.2"}, tmp_path)
    host = {"Host": "localhost"}
    try:
        status, headers, _ = http_get(port, "/", HTTPS | host)
        assert (status, headers["Location"]) == (301, "https://localhost/")  # plain HTTP

        status, headers, _ = http_get(port, "/accounts/login/", HTTPS | host)
        assert status == 301
        assert "Secure" not in headers.get("Set-Cookie", "")

        status, headers, body = http_get(port, "/", HTTPS | host, source="127.0.0.2")
        assert status == 200, body[:500]
        assert "max-age=31536000" in headers["Strict-Transport-Security"]

        status, headers, _ = http_get(port, "/", host, source="127.0.0.2")
        assert status == 301  # the proxy itself, over plain HTTP
    finally:
        assert stop(server) == 0, log.read_text()[-5000:]


def test_gunicorn_trusts_the_loopback_by_default_and_a_containers_gateway(tmp_path):
    from config.proxies import container_gateway

    routes = tmp_path / "route"
    routes.write_text(
        "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\n"
        "eth0\t0012A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\n"
        "eth0\t00000000\t0112A8C0\t0003\t0\t0\t0\t00000000\n"
    )
    assert container_gateway(str(routes)) == "192.168.18.1"
    assert container_gateway(str(tmp_path / "missing")) is None

    code = "from config import gunicorn_conf as g; print(g.forwarded_allow_ips)"
    proc = run([sys.executable, "-c", code], production_env(FORWARDED_ALLOW_IPS=None))
    assert proc.stdout.strip().startswith("127.0.0.1,::1"), proc.stderr
    proc = run([sys.executable, "-c", code], production_env(FORWARDED_ALLOW_IPS="10.0.0.0/8"))
    assert proc.stdout.strip() == "10.0.0.0/8", proc.stderr


def test_gunicorn_serves_hashed_static_files_compressed_and_cached_for_a_year(site, tmp_path):
    manifest = json.loads((Path(site["STATIC_ROOT"]) / "staticfiles.json").read_text())
    stylesheet = "/static/" + manifest["paths"]["css/site.css"]
    port = free_port()
    log = tmp_path / "gunicorn.log"
    env = site | {"PORT": str(port), "WEB_CONCURRENCY": "1"}
    with log.open("w") as out:
        server = subprocess.Popen(
            [VENV_BIN / "gunicorn", "-c", "python:config.gunicorn_conf", "config.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_200(port, "/healthz", server, log, time.monotonic() + 30)

        for encoding in ("br", "gzip"):
            status, headers, body = http_get(
                port, stylesheet, HTTPS | {"Host": "localhost", "Accept-Encoding": encoding}
            )
            assert status == 200
            assert headers["Content-Encoding"] == encoding
            assert headers["Content-Type"].startswith("text/css")
            cache_control = headers["Cache-Control"]
            assert "immutable" in cache_control
            max_age = int(re.search(r"max-age=(\d+)", cache_control).group(1))
            assert max_age >= 31_536_000
            assert len(body) < int((Path(site["STATIC_ROOT"]) / stylesheet[8:]).stat().st_size)
        assert "GET /healthz" in log.read_text()
    finally:
        assert stop(server) == 0, log.read_text()[-5000:]
