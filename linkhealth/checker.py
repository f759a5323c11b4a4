"""Checking URLs over HTTP: bounded, and never towards the server's own network.

Bounds: a pool of ``MAX_CONCURRENT`` threads, and at most ``MAX_PER_HOST`` requests to one host
name at a time, so a curriculum with fifty links to one site never hammers it. Each request has
a connect timeout, a read timeout (per read: only the status line and headers are read, never a
body), and a total deadline for the connection, the TLS handshake, the request and the answer
together: a server that sends one byte just within each read timeout is cut at the deadline.
The deadline starts once the request may go, so waiting for a busy host does not use it up.

Safety: a curator chooses the URLs, so a URL must not become a probe of what the server can
reach. Every host name is resolved here, every address it resolves to must be public (not
loopback, private, link-local, multicast, reserved or a cloud metadata address), and the
connection then goes to exactly the address that was checked, so a second DNS answer cannot
swap in another one (DNS rebinding). TLS still verifies the certificate against the host name.
Redirects are followed by hand, up to ``MAX_REDIRECTS``, and every hop is checked the same way.

HEAD first; when it answers with an error status, GET (without reading the body) is the answer
that counts: many servers refuse or mishandle HEAD (405, 501, 403, even 404) but serve GET.
"""

import http.client
import io
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from urllib.parse import quote, urljoin, urlsplit

from linkhealth.models import LinkCheck

MAX_CONCURRENT = 8
MAX_PER_HOST = 2
MAX_REDIRECTS = 5
USER_AGENT = "LLM-Roadmap-link-check/1.0 (checks that curated links still work)"
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
PERMANENT_REDIRECTS = {301, 308}

Outcome = LinkCheck.Outcome

# Cloud metadata services. Both are non-public already (link-local, unique local); named here so
# that no change to the rules below can ever let them through.
METADATA_ADDRESSES = {
    ipaddress.ip_address("169.254.169.254"),
    ipaddress.ip_address("fd00:ec2::254"),
    ipaddress.ip_address("100.100.100.200"),
}
NAT64 = ipaddress.ip_network("64:ff9b::/96")
# IPv4-compatible addresses (::a.b.c.d), deprecated by RFC 4291: no site is reached through one,
# and a stack that still honours them sends the packet to the IPv4 address inside.
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
# IPv4-translated addresses (::ffff:0:a.b.c.d, RFC 2765), which a translator sends to the IPv4
# address inside; Python counts them as global.
IPV4_TRANSLATED = ipaddress.ip_network("::ffff:0:0:0/96")


@dataclass(frozen=True)
class Result:
    url: str
    outcome: str
    http_status: int | None = None
    final_url: str = ""
    error: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


class Refused(Exception):
    """The URL leads somewhere the checker must not go."""


def is_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if ip in METADATA_ADDRESSES or ip.is_multicast or not ip.is_global:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in IPV4_COMPATIBLE:
            return False
        # IPv6 forms that carry an IPv4 address reach that address.
        embedded = [ip.ipv4_mapped, ip.sixtofour, ip.teredo[1] if ip.teredo else None]
        if ip in NAT64 or ip in IPV4_TRANSLATED:
            embedded.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
        return all(e is None or is_public(e) for e in embedded)
    return True


def resolve(host: str, port: int, *, allow_private: bool) -> list[tuple]:
    """Every address ``host`` resolves to, or Refused if any of them is not public."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = []
    for family, _, _, _, sockaddr in infos:
        ip = ipaddress.ip_address(sockaddr[0].split("%", 1)[0])
        if not allow_private and not is_public(ip):
            raise Refused(f"{host} resolves to a non-public address ({ip}); not fetched")
        addresses.append((family, sockaddr))
    return addresses


class _Deadline:
    """The time left for one fetch, as the timeout of the next socket operation."""

    def __init__(self, seconds: float) -> None:
        self._end = time.monotonic() + seconds

    def timeout(self, at_most: float) -> float:
        left = self._end - time.monotonic()
        if left <= 0:
            raise TimeoutError("timed out")
        return min(at_most, left)


class _DeadlineSocket:
    """A connected socket whose every send and read waits at most the fetch's time left.

    http.client only sends with ``sendall`` and reads through ``makefile``; Python's TLS socket
    also bounds each call by its timeout, so this covers plain and TLS connections alike.
    """

    def __init__(self, sock: socket.socket, deadline: _Deadline, read_timeout: float) -> None:
        self._sock, self._deadline, self._read_timeout = sock, deadline, read_timeout

    def arm(self) -> None:
        self._sock.settimeout(self._deadline.timeout(self._read_timeout))

    def sendall(self, data: bytes) -> None:
        self.arm()
        self._sock.sendall(data)

    def makefile(self, mode: str = "rb", *args, **kwargs) -> io.BufferedReader:
        return io.BufferedReader(_DeadlineReader(self, self._sock))

    def close(self) -> None:
        self._sock.close()

    def __getattr__(self, name: str):
        return getattr(self._sock, name)


class _DeadlineReader(io.RawIOBase):
    def __init__(self, owner: _DeadlineSocket, sock: socket.socket) -> None:
        self._owner, self._sock = owner, sock

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        self._owner.arm()
        return self._sock.recv_into(buffer)


def _connect(addresses: list[tuple], connect_timeout: float, deadline: _Deadline) -> socket.socket:
    error: OSError = OSError("no address to connect to")
    for family, sockaddr in addresses:
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.settimeout(deadline.timeout(connect_timeout))
            sock.connect(sockaddr)
            return sock
        except OSError as exc:
            sock.close()
            error = exc
            if isinstance(exc, TimeoutError):
                break  # the deadline has passed, or will before another address answers
    raise error


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to addresses resolved and checked beforehand, within a deadline."""

    def __init__(self, host, port, addresses, connect_timeout, read_timeout, deadline) -> None:
        super().__init__(host, port, timeout=connect_timeout)
        self._addresses, self._read_timeout, self._deadline = addresses, read_timeout, deadline

    def connect(self) -> None:
        sock = _connect(self._addresses, self.timeout, self._deadline)
        self.sock = _DeadlineSocket(sock, self._deadline, self._read_timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host, port, addresses, connect_timeout, read_timeout, deadline) -> None:
        super().__init__(host, port, timeout=connect_timeout, context=_tls_context())
        self._addresses, self._read_timeout, self._deadline = addresses, read_timeout, deadline

    def connect(self) -> None:
        sock = _connect(self._addresses, self.timeout, self._deadline)
        # The handshake is one call, bounded by the timeout it starts with.
        sock.settimeout(self._deadline.timeout(self._read_timeout))
        # SNI and certificate verification use the host name, not the pinned address.
        tls = self._context.wrap_socket(sock, server_hostname=self.host)
        self.sock = _DeadlineSocket(tls, self._deadline, self._read_timeout)


_tls = threading.local()


def _tls_context() -> ssl.SSLContext:
    if not hasattr(_tls, "context"):
        _tls.context = ssl.create_default_context()
    return _tls.context


class HostLimiter:
    """At most ``per_host`` requests in flight to one host name, across threads."""

    def __init__(self, per_host: int) -> None:
        self.per_host = per_host
        self._lock = threading.Lock()
        self._semaphores: dict[str, threading.BoundedSemaphore] = {}

    @contextmanager
    def hold(self, host: str) -> Iterator[None]:
        with self._lock:
            semaphore = self._semaphores.setdefault(host, threading.BoundedSemaphore(self.per_host))
        with semaphore:
            yield


@dataclass(frozen=True)
class Checker:
    connect_timeout: float = 5
    read_timeout: float = 10
    total_timeout: float = 15
    allow_private: bool = False
    max_concurrent: int = MAX_CONCURRENT
    per_host: int = MAX_PER_HOST

    def check_all(
        self,
        urls: Sequence[str],
        *,
        keep_alive: Callable[[], object] | None = None,
        every: float = 10,
    ) -> list[Result]:
        """Check each URL once, in parallel within the bounds; results in the order given.

        ``keep_alive`` is called from this thread every ``every`` seconds until the last
        result: the run's sign of life, however long some links take.
        """
        unique = list(dict.fromkeys(urls))
        limiter = HostLimiter(self.per_host)
        order = _interleaved_by_host(unique)
        with ThreadPoolExecutor(self.max_concurrent, thread_name_prefix="linkcheck") as pool:
            futures = [pool.submit(self.check, url, limiter) for url in order]
            pending = set(futures)
            while pending:
                _, pending = wait(pending, timeout=every)
                if pending and keep_alive:
                    keep_alive()
            found = {url: future.result() for url, future in zip(order, futures, strict=True)}
        return [found[url] for url in urls]

    def check(self, url: str, limiter: HostLimiter | None = None) -> Result:
        limiter = limiter or HostLimiter(self.per_host)
        current, permanent, status = url, False, None
        for _ in range(MAX_REDIRECTS + 1):
            moved = current if current != url else ""
            try:
                status, location = self._fetch("HEAD", current, limiter)
                if status >= 400:
                    status, location = self._fetch("GET", current, limiter)
            except Refused as exc:
                return Result(url, Outcome.UNREACHABLE, final_url=moved, error=str(exc))
            except socket.gaierror:
                host = urlsplit(current).hostname
                error = f"DNS lookup failed: no address found for {host}"
                return Result(url, Outcome.UNREACHABLE, final_url=moved, error=error)
            except TimeoutError:
                return Result(url, Outcome.UNREACHABLE, final_url=moved, error="timed out")
            except ssl.SSLError as exc:
                error = f"TLS error: {exc.reason or exc}"
                return Result(url, Outcome.UNREACHABLE, final_url=moved, error=error)
            except ConnectionRefusedError:
                return Result(url, Outcome.UNREACHABLE, final_url=moved, error="connection refused")
            except (OSError, http.client.HTTPException, ValueError) as exc:
                error = f"connection failed: {exc or type(exc).__name__}"
                return Result(url, Outcome.UNREACHABLE, final_url=moved, error=error[:300])
            if status in REDIRECT_STATUSES and location:
                permanent = permanent or status in PERMANENT_REDIRECTS
                current = urljoin(current, location)
                continue
            if status == 429:
                # The site limits how often it is asked: says nothing about the link itself.
                error = "the site asked to be asked less often (HTTP 429)"
                return Result(url, Outcome.UNREACHABLE, status, final_url=moved, error=error)
            if status >= 400:
                return Result(url, Outcome.BROKEN, status, final_url=moved)
            # Only a permanent move is worth updating the link for; temporary redirects (to a
            # sign-in page, a localised copy) are how the site wants to be reached.
            if moved and permanent:
                return Result(url, Outcome.REDIRECTED, status, final_url=moved)
            return Result(url, Outcome.OK, status, final_url=moved)
        error = f"more than {MAX_REDIRECTS} redirects"
        return Result(url, Outcome.BROKEN, status, final_url=current, error=error)

    def _fetch(self, method: str, url: str, limiter: HostLimiter) -> tuple[int, str | None]:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise Refused(f"not an http(s) URL: {url[:100]}")
        host = parts.hostname.encode("idna").decode("ascii")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        addresses = resolve(host, port, allow_private=self.allow_private)
        # Keep what is already escaped; escape what a browser would (spaces, non-ASCII).
        target = quote(parts.path or "/", safe="/%:@!$&'()*+,;=~")
        if parts.query:
            target += "?" + quote(parts.query, safe="/%:@!$&'()*+,;=?~")
        connection_class = (
            _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
        )
        with limiter.hold(host):
            deadline = _Deadline(self.total_timeout)
            conn = connection_class(
                host, port, addresses, self.connect_timeout, self.read_timeout, deadline
            )
            try:
                conn.request(
                    method,
                    target,
                    headers={"User-Agent": USER_AGENT, "Accept": "*/*", "Connection": "close"},
                )
                response = conn.getresponse()
                return response.status, response.getheader("Location")
            finally:
                conn.close()


def _interleaved_by_host(urls: list[str]) -> list[str]:
    """Round-robin over hosts, so that threads rarely wait on a busy host while others idle."""
    by_host: dict[str, list[str]] = {}
    for url in urls:
        by_host.setdefault((urlsplit(url).hostname or "").lower(), []).append(url)
    queues = list(by_host.values())
    ordered = []
    while queues:
        for queue in queues:
            ordered.append(queue.pop(0))
        queues = [q for q in queues if q]
    return ordered
