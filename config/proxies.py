"""Which proxies we trust, and the visitor's address as seen through them.

One list, ``FORWARDED_ALLOW_IPS``, serves both gunicorn (which trusts ``X-Forwarded-Proto``
only from these addresses, config/gunicorn_conf.py) and Django (which trusts
``X-Forwarded-For`` only from them, ``client_ip``), so the two can never disagree about who
the proxy is.

Behind a proxy every request reaches gunicorn from the proxy's address. Without reading
``X-Forwarded-For``, allauth's per-IP limits (failed logins, sign-ups, password resets) would
count every visitor as one: a single client could then lock everyone out of signing in. Read
naively, the header is the client's to write: anyone could claim any address and never be
limited. So the header is read only when the request comes from a trusted proxy, from the
right (where each proxy appends the address it saw), skipping our own proxies: the first
address that is not one of them is the visitor.
"""

import ipaddress
import os
import socket
import struct
from functools import cache

from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def container_gateway(route_table: str = "/proc/net/route") -> str | None:
    """The default IPv4 gateway, read from the kernel's routing table, or None.

    Inside a container it is the bridge's address: where Docker's published port (the proxy
    on the host connecting to 127.0.0.1:8000) connects from.
    """
    try:
        with open(route_table) as table:
            rows = [line.split() for line in table.readlines()[1:]]
    except OSError:
        return None
    for row in rows:
        # Destination 0.0.0.0 with the RTF_GATEWAY flag; addresses are little-endian hex.
        if len(row) > 3 and row[1] == "00000000" and int(row[3], 16) & 0x2:
            return socket.inet_ntoa(struct.pack("<L", int(row[2], 16)))
    return None


def trusted_proxies() -> str:
    """FORWARDED_ALLOW_IPS, or the loopback (plus, in a container, its gateway)."""
    if configured := os.environ.get("FORWARDED_ALLOW_IPS", "").strip():
        return configured
    trusted = ["127.0.0.1", "::1"]
    in_container = any(os.path.exists(p) for p in ("/.dockerenv", "/run/.containerenv"))
    if in_container and (gateway := container_gateway()):
        trusted.append(gateway)
    return ",".join(trusted)


def parse_networks(value: str) -> tuple[Network, ...]:
    """``"10.0.0.0/8, 127.0.0.1, *"`` as networks; ``*`` (gunicorn's "anyone") is every address.

    A bad entry raises ValueError naming it, so a typo stops the server at start-up instead of
    silently trusting nobody (or everybody).
    """
    networks: list[Network] = []
    for entry in (part.strip() for part in value.split(",")):
        if not entry:
            continue
        if entry == "*":
            networks += [ipaddress.ip_network("0.0.0.0/0"), ipaddress.ip_network("::/0")]
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(
                f"FORWARDED_ALLOW_IPS: {entry!r} is not an IP address or network."
            ) from None
    return tuple(networks)


@cache
def trusted_networks() -> tuple[Network, ...]:
    return parse_networks(trusted_proxies())


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443"
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # "203.0.113.7:51234"
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None
    # An IPv4 client seen on a dual-stack socket is the same client.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _is_trusted(address, networks: tuple[Network, ...]) -> bool:
    return any(address.version == net.version and address in net for net in networks)


def client_ip(request: HttpRequest, networks: tuple[Network, ...] | None = None) -> str | None:
    """The visitor's address: the peer's, or through trusted proxies the one they saw."""
    networks = trusted_networks() if networks is None else networks
    peer = _address(request.META.get("REMOTE_ADDR", ""))
    if peer is None:
        return None
    if not _is_trusted(peer, networks):
        return str(peer)  # not from our proxy: its X-Forwarded-For is the client's own words
    forwarded = request.headers.get("X-Forwarded-For", "")
    client = peer
    for hop in reversed(forwarded.split(",")):
        address = _address(hop)
        if address is None:
            break  # what lies left of garbage was never checked by a proxy of ours
        client = address
        if not _is_trusted(address, networks):
            break
    return str(client)
