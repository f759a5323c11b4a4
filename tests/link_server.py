"""A small HTTP server on the loopback for the link checker's tests.

Each path answers the way some real site does: /ok, /moved (301 to /ok), /temporary (302 to
/ok), /missing (404), /gone (410), /error (500), /busy (429), /hang (answers only after the
test's timeout), /no-head (405 to HEAD, 200 to GET), /loop (redirects to itself), /slow (200
after a moment, for counting simultaneous requests), /toggle (404 or 200, as the test sets
``toggle_ok``), /trickle (sends its status line and headers one byte every ``trickle_every``
seconds, each byte well within any read timeout, until the test ends), /gate (200 once the
test sets ``gate_open``; until then the request waits, as on a very slow site).
``redirect_to`` sends /elsewhere to any URL.
"""

import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Counter:
    """How many requests are in flight, overall and per server address, and the most seen."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.now: dict[str, int] = {}
        self.most: dict[str, int] = {}
        self.total_now = 0
        self.total_most = 0

    def enter(self, host: str) -> None:
        with self._lock:
            self.now[host] = self.now.get(host, 0) + 1
            self.most[host] = max(self.most.get(host, 0), self.now[host])
            self.total_now += 1
            self.total_most = max(self.total_most, self.total_now)

    def leave(self, host: str) -> None:
        with self._lock:
            self.now[host] -= 1
            self.total_now -= 1


class LinkServer:
    def __init__(
        self,
        host: str = "127.0.0.1",
        counter: Counter | None = None,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.requests: list[tuple[str, str]] = []
        self.host_headers: list[str] = []
        self.counter = counter or Counter()
        self.toggle_ok = False
        self.redirect_to = ""
        self.trickle_every = 2.0
        self.gate_open = threading.Event()
        self.release = threading.Event()
        self.httpd = ThreadingHTTPServer((host, 0), self._handler())
        self.httpd.daemon_threads = True
        self.host, self.port = self.httpd.server_address[:2]
        self.scheme = "http"
        self.server_names: list[str | None] = []  # what TLS clients asked for (SNI)
        if tls is not None:
            self.scheme = "https"
            tls.sni_callback = lambda sock, name, context: self.server_names.append(name)
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
        self._thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    def url(self, path: str) -> str:
        return f"{self.scheme}://{self.host}:{self.port}{path}"

    def start(self) -> "LinkServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.release.set()
        self.gate_open.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_HEAD(self) -> None:
                self._answer(body=False)

            def do_GET(self) -> None:
                self._answer(body=True)

            def _answer(self, body: bool) -> None:
                server.requests.append((self.command, self.path))
                if self.path == "/trickle":
                    self._trickle()
                    return
                server.host_headers.append(self.headers.get("Host", ""))
                server.counter.enter(server.host)
                try:
                    status, headers = self._route()
                finally:
                    server.counter.leave(server.host)
                if status is None:
                    return
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "2" if body else "0")
                self.end_headers()
                if body:
                    self.wfile.write(b"ok")

            def _trickle(self) -> None:
                answer = b"HTTP/1.1 200 OK\r\n" + b"X-Padding: " + b"." * 1000
                for byte in answer:
                    if server.release.wait(timeout=server.trickle_every):
                        return
                    try:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                    except OSError:
                        return  # the client gave up, as it should

            def _route(self) -> tuple[int | None, dict]:
                path = self.path.split("?", 1)[0]
                if path == "/ok":
                    return 200, {}
                if path == "/moved":
                    return 301, {"Location": "/ok"}
                if path == "/temporary":
                    return 302, {"Location": "/ok"}
                if path == "/moved-twice":
                    return 308, {"Location": "/moved"}
                if path == "/loop":
                    return 301, {"Location": "/loop"}
                if path == "/elsewhere":
                    return 301, {"Location": server.redirect_to}
                if path == "/missing":
                    return 404, {}
                if path == "/gone":
                    return 410, {}
                if path == "/error":
                    return 500, {}
                if path == "/busy":
                    return 429, {"Retry-After": "60"}
                if path == "/no-head":
                    return (405, {"Allow": "GET"}) if self.command == "HEAD" else (200, {})
                if path == "/toggle":
                    return (200 if server.toggle_ok else 404), {}
                if path == "/slow":
                    time.sleep(0.3)
                    return 200, {}
                if path == "/gate":
                    server.gate_open.wait(timeout=60)
                    return 200, {}
                if path == "/hang":
                    server.release.wait(timeout=10)
                    return None, {}
                return 404, {}

        return Handler
