"""The visitor's address behind a proxy: read from X-Forwarded-For only when our proxy sent it.

Behind a proxy every request arrives from the proxy's address. allauth limits failed logins
per IP, so without this one visitor could lock everyone out; read naively, the header would
let anyone dodge every per-IP limit by writing a new address each time.
"""

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from config.proxies import client_ip, parse_networks

pytestmark = pytest.mark.django_db

PROXY = parse_networks("127.0.0.1,::1,10.0.0.0/8")


def request(peer: str, forwarded: str | None = None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=peer, **headers)


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        ("203.0.113.7", None, "203.0.113.7"),  # no proxy
        ("203.0.113.7", "198.51.100.1", "203.0.113.7"),  # not our proxy: its header is ignored
        ("127.0.0.1", None, "127.0.0.1"),  # the proxy itself, e.g. a health check
        ("127.0.0.1", "198.51.100.1", "198.51.100.1"),
        # The client wrote the left part; our proxy appended the address it saw.
        ("127.0.0.1", "6.6.6.6, 198.51.100.1", "198.51.100.1"),
        ("127.0.0.1", "garbage, 198.51.100.1", "198.51.100.1"),
        # Two proxies of ours (a load balancer in 10/8, then the local one).
        ("127.0.0.1", "6.6.6.6, 198.51.100.1, 10.1.2.3", "198.51.100.1"),
        ("127.0.0.1", "198.51.100.1:51234", "198.51.100.1"),
        ("127.0.0.1", "[2001:db8::5]:443", "2001:db8::5"),
        ("::1", "2001:db8::5", "2001:db8::5"),
        ("::ffff:127.0.0.1", "198.51.100.1", "198.51.100.1"),
        # Nothing usable from the proxy: the proxy's own address, never the client's words.
        ("127.0.0.1", "not-an-address", "127.0.0.1"),
        ("127.0.0.1", "10.9.9.9", "10.9.9.9"),  # only proxies of ours: the leftmost of them
    ],
)
def test_it_finds_the_visitor_only_through_trusted_proxies(peer, forwarded, expected):
    assert client_ip(request(peer, forwarded), PROXY) == expected


def test_a_star_trusts_every_proxy_as_gunicorn_does():
    networks = parse_networks("*")
    assert client_ip(request("203.0.113.7", "198.51.100.1"), networks) == "198.51.100.1"
    assert client_ip(request("2001:db8::1", "198.51.100.1"), networks) == "198.51.100.1"


def test_a_typo_in_the_proxy_list_is_refused_by_name():
    with pytest.raises(ValueError, match=r"'10\.0\.0\.300'"):
        parse_networks("127.0.0.1, 10.0.0.300")


@pytest.fixture
def fresh_limits():
    cache.clear()
    yield
    cache.clear()


def fail_login(client, n: int, **headers):
    # A new address each time, so that only the per-IP limit (10 a minute) can refuse it.
    return client.post(
        "/accounts/login/", {"login": f"nobody{n}@example.com", "password": "wrong"}, **headers
    )


def test_one_visitor_behind_the_proxy_cannot_lock_the_others_out(fresh_limits, client):
    # The default trusted proxies are the loopback, which is where the test client comes from.
    attacker = {"HTTP_X_FORWARDED_FOR": "198.51.100.66"}
    for n in range(10):
        assert fail_login(client, n, **attacker).status_code == 200
    assert fail_login(client, 10, **attacker).status_code == 429
    someone_else = {"HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    response = fail_login(client, 11, **someone_else)
    assert response.status_code == 200
    assert "not correct" in response.content.decode()


def test_a_client_reaching_the_port_directly_cannot_dodge_the_limit_with_the_header(
    fresh_limits, client
):
    outsider = {"REMOTE_ADDR": "203.0.113.9"}
    for n in range(10):
        spoofed = {"HTTP_X_FORWARDED_FOR": f"198.51.100.{n}"}
        assert fail_login(client, n, **outsider, **spoofed).status_code == 200
    spoofed = {"HTTP_X_FORWARDED_FOR": "198.51.100.200"}
    assert fail_login(client, 10, **outsider, **spoofed).status_code == 429
