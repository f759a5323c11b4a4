"""The link checker against a real HTTP server on the loopback (tests/link_server.py)."""

import ipaddress
import shutil
import socket
import ssl
import subprocess
import threading
import time

import pytest

from linkhealth import checker
from linkhealth.checker import Checker
from tests.link_server import Counter, LinkServer

OK, REDIRECTED, BROKEN, UNREACHABLE = "ok", "redirected", "broken", "unreachable"


@pytest.fixture
def check(link_server):
    local = Checker(connect_timeout=2, read_timeout=0.5, allow_private=True)
    return lambda path: local.check(link_server.url(path))


def test_a_page_that_answers_200_is_ok(check):
    result = check("/ok")
    assert (result.outcome, result.http_status, result.final_url) == (OK, 200, "")


def test_a_permanent_redirect_is_redirected_with_its_final_url(check, link_server):
    result = check("/moved")
    assert (result.outcome, result.http_status) == (REDIRECTED, 200)
    assert result.final_url == link_server.url("/ok")


def test_a_chain_of_permanent_redirects_ends_at_the_last_page(check, link_server):
    result = check("/moved-twice")
    assert (result.outcome, result.final_url) == (REDIRECTED, link_server.url("/ok"))


def test_a_temporary_redirect_is_ok_but_remembers_where_it_went(check, link_server):
    result = check("/temporary")
    assert (result.outcome, result.final_url) == (OK, link_server.url("/ok"))


@pytest.mark.parametrize(("path", "status"), [("/missing", 404), ("/gone", 410), ("/error", 500)])
def test_error_statuses_are_broken_with_their_status(check, path, status):
    result = check(path)
    assert (result.outcome, result.http_status) == (BROKEN, status)


def test_a_site_that_rate_limits_the_checker_is_unreachable_not_broken(check):
    result = check("/busy")
    assert (result.outcome, result.http_status) == (UNREACHABLE, 429)
    assert "HTTP 429" in result.error


def test_an_error_to_head_is_asked_again_with_get(check, link_server):
    check("/missing")
    assert link_server.requests == [("HEAD", "/missing"), ("GET", "/missing")]


def test_a_server_that_refuses_head_is_ok_through_get(check, link_server):
    result = check("/no-head")
    assert (result.outcome, result.http_status) == (OK, 200)
    assert link_server.requests == [("HEAD", "/no-head"), ("GET", "/no-head")]


def test_a_server_that_hangs_past_the_read_timeout_is_unreachable(check):
    result = check("/hang")
    assert (result.outcome, result.http_status) == (UNREACHABLE, None)
    assert "timed out" in result.error


def check_in_thread(local: Checker, url: str, wait: float) -> tuple[list, float]:
    """The check's result (empty if it had not finished within ``wait``) and its duration."""
    found: list = []
    started = time.monotonic()
    thread = threading.Thread(target=lambda: found.append(local.check(url)), daemon=True)
    thread.start()
    thread.join(timeout=wait)
    return found, time.monotonic() - started


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_a_server_that_trickles_its_headers_is_cut_at_the_total_deadline(
    scheme, link_server, tls_server, certificate, monkeypatch
):
    server = tls_server if scheme == "https" else link_server
    trusting = ssl.create_default_context(cafile=str(certificate[0]))
    monkeypatch.setattr(checker, "_tls_context", lambda: trusting)
    # Each byte comes well within the read timeout: only a deadline for the whole fetch ends it.
    server.trickle_every = 0.1
    local = Checker(connect_timeout=2, read_timeout=0.5, total_timeout=1, allow_private=True)
    found, seconds = check_in_thread(local, f"{scheme}://localhost:{server.port}/trickle", 5)
    assert found, "the check was still reading the trickle after 5 s"
    assert (found[0].outcome, found[0].http_status) == (UNREACHABLE, None)
    assert "timed out" in found[0].error
    assert seconds < 2
    assert server.requests == [("HEAD", "/trickle")]


def test_the_total_deadline_counts_from_the_connection_not_from_waiting_for_the_host(
    link_server,
):
    # Three slow checks of one host, one at a time: the last waits longer than its deadline for
    # its turn, and still has all of it once its request goes.
    local = Checker(read_timeout=0.5, total_timeout=0.5, per_host=1, allow_private=True)
    results = local.check_all([link_server.url(f"/slow?{n}") for n in range(3)])
    assert [r.outcome for r in results] == [OK, OK, OK]


def test_a_refused_connection_is_unreachable():
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    result = Checker(allow_private=True).check(f"http://127.0.0.1:{port}/")
    assert (result.outcome, result.error) == (UNREACHABLE, "connection refused")


def test_a_redirect_loop_stops_after_five_hops(check, link_server):
    result = check("/loop")
    assert result.outcome == BROKEN and "more than 5 redirects" in result.error
    assert len(link_server.requests) == 6


def test_a_name_that_does_not_resolve_is_unreachable_not_broken():
    # .invalid never resolves (RFC 2606): what every link looks like without network access.
    result = Checker().check("https://no-such-host.invalid/page")
    assert (result.outcome, result.http_status) == (UNREACHABLE, None)
    assert "DNS lookup failed" in result.error


def test_loopback_is_refused_without_a_request_when_private_addresses_are_not_allowed(link_server):
    result = Checker(allow_private=False).check(link_server.url("/ok"))
    assert result.outcome == UNREACHABLE
    assert "non-public address (127.0.0.1)" in result.error
    assert link_server.requests == []


def test_an_ipv4_compatible_loopback_address_is_refused_without_a_request(link_server):
    result = Checker(allow_private=False).check(f"http://[::127.0.0.1]:{link_server.port}/ok")
    assert result.outcome == UNREACHABLE
    assert "non-public address (::7f00:1)" in result.error
    assert link_server.requests == []


def test_localhost_by_name_is_refused_after_resolving_it(link_server):
    result = Checker(allow_private=False).check(f"http://localhost:{link_server.port}/ok")
    assert result.outcome == UNREACHABLE and "non-public address" in result.error
    assert link_server.requests == []


def test_every_redirect_hop_is_checked_against_the_address_rules(link_server, monkeypatch):
    # The first hop is allowed (as if public); its redirect points at another loopback address.
    allowed = ipaddress.ip_address("127.0.0.1")
    monkeypatch.setattr(checker, "is_public", lambda ip: ip == allowed)
    link_server.redirect_to = f"http://127.0.0.2:{link_server.port}/ok"
    result = Checker(allow_private=False).check(link_server.url("/elsewhere"))
    assert result.outcome == UNREACHABLE
    assert "non-public address (127.0.0.2)" in result.error
    assert result.final_url == link_server.redirect_to


def test_the_connection_goes_to_the_address_that_was_checked(link_server, monkeypatch):
    # A name whose DNS answer changes after the check (DNS rebinding) cannot redirect the
    # request: the checker resolves once and connects to exactly that address.
    answers = iter(["127.0.0.1", "10.0.0.1"])

    def getaddrinfo(host, port, *args, **kwargs):
        assert host == "rebind.test"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(checker, "is_public", lambda ip: str(ip) == "127.0.0.1")
    result = Checker(allow_private=False).check(f"http://rebind.test:{link_server.port}/ok")
    assert (result.outcome, result.http_status) == (OK, 200)
    assert link_server.host_headers == [f"rebind.test:{link_server.port}"]
    assert next(answers) == "10.0.0.1"  # looked up once, never again


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for localhost (Debian's openssl)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl not installed")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    command = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
    command += ["-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"]
    command += ["-keyout", str(key), "-out", str(cert)]
    subprocess.run(command, check=True, capture_output=True)
    return cert, key


@pytest.fixture
def tls_server(certificate):
    cert, key = certificate
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = LinkServer(tls=context).start()
    yield server
    server.stop()


def test_tls_is_verified_against_the_host_name_not_the_pinned_address(
    tls_server, certificate, monkeypatch
):
    trusting = ssl.create_default_context(cafile=str(certificate[0]))
    monkeypatch.setattr(checker, "_tls_context", lambda: trusting)
    local = Checker(allow_private=True)
    result = local.check(f"https://localhost:{tls_server.port}/ok")
    assert (result.outcome, result.http_status) == (OK, 200)
    assert tls_server.server_names == ["localhost"]
    # By address, the certificate (made out to localhost) does not match.
    by_address = local.check(f"https://127.0.0.1:{tls_server.port}/ok")
    assert by_address.outcome == UNREACHABLE and "TLS error" in by_address.error


def test_a_certificate_nobody_vouches_for_is_unreachable_never_trusted(tls_server):
    result = Checker(allow_private=True).check(f"https://localhost:{tls_server.port}/ok")
    assert (result.outcome, result.http_status) == (UNREACHABLE, None)
    assert "TLS error: CERTIFICATE_VERIFY_FAILED" in result.error
    assert tls_server.requests == []


@pytest.mark.parametrize("scheme_url", ["ftp://example.com/x", "file:///etc/passwd", "gopher://x/"])
def test_other_schemes_are_refused(scheme_url):
    result = Checker().check(scheme_url)
    assert result.outcome == UNREACHABLE and "not an http(s) URL" in result.error


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.100.100.200",
        "100.64.0.1",
        "0.0.0.0",  # noqa: S104 - an address to refuse, not one to bind
        "224.0.0.1",
        "240.0.0.1",
        "::1",
        "fe80::1",
        "fd00:ec2::254",
        "fc00::1",
        "ff02::1",
        "::ffff:10.0.0.1",
        "::ffff:127.0.0.1",
        "64:ff9b::a00:1",
        "2002:a00:1::",
        "2002:7f00:1::",
        # IPv4-compatible (deprecated, ::/96): refused whatever address it carries.
        "::127.0.0.1",
        "::10.0.0.1",
        "::169.254.169.254",
        "::8.8.8.8",
        # IPv4-translated (::ffff:0:0:0/96) carrying a private address.
        "::ffff:0:7f00:1",
        "::ffff:0:a00:1",
        "64:ff9b::7f00:1",
        "64:ff9b:1::a00:1",
    ],
)
def test_non_public_addresses_are_never_fetched(address):
    assert not checker.is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "address",
    [
        "93.184.215.14",
        "8.8.8.8",
        "2606:4700::6810:84e5",
        "::ffff:8.8.8.8",
        "::ffff:0:808:808",
        "64:ff9b::808:808",
    ],
)
def test_public_addresses_are_allowed(address):
    assert checker.is_public(ipaddress.ip_address(address))


def test_checks_run_at_most_8_at_once_and_2_per_host():
    counter = Counter()
    servers = [LinkServer(f"127.0.0.{n}", counter).start() for n in range(1, 7)]
    try:
        urls = [s.url(f"/slow?{i}") for s in servers for i in range(4)]
        results = Checker(allow_private=True).check_all(urls)
    finally:
        for server in servers:
            server.stop()
    assert [r.outcome for r in results] == [OK] * 24
    assert max(counter.most.values()) == 2  # never three requests to one host at once
    assert 2 < counter.total_most <= 8  # in parallel, within the overall bound


def test_results_come_back_in_the_order_asked_and_duplicates_are_fetched_once(link_server):
    urls = [link_server.url(p) for p in ("/gone", "/ok", "/gone", "/moved")]
    results = Checker(allow_private=True).check_all(urls)
    assert [r.url for r in results] == urls
    assert [r.outcome for r in results] == [BROKEN, OK, BROKEN, REDIRECTED]
    assert link_server.requests.count(("HEAD", "/gone")) == 1
