"""What a first visit to ``/`` transfers: the page and the stylesheets, scripts and icons it
references, compressed as the server sends them to a browser that accepts br and gzip."""

from __future__ import annotations

import contextlib
import gzip
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

from bench import HOST
from bench.load import request


class AssetParser(HTMLParser):
    """The stylesheets, scripts and icons a page references."""

    RELS = {"stylesheet", "icon", "shortcut", "apple-touch-icon", "preload", "modulepreload"}

    def __init__(self) -> None:
        super().__init__()
        self.assets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "link" and a.get("href"):
            if set((a.get("rel") or "").lower().split()) & self.RELS:
                self.assets.append(a["href"])
        elif tag == "script" and a.get("src"):
            self.assets.append(a["src"])


@dataclass
class Transfer:
    path: str
    status: int
    content_type: str
    encoding: str
    transferred: int
    decoded: int
    body: bytes = field(repr=False, default=b"")


def _decompress(body: bytes, encoding: str) -> bytes:
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "br":
        import brotli  # whitenoise[brotli] installs it

        return brotli.decompress(body)
    return body


def fetch(port: int, path: str) -> Transfer:
    r = request(port, path, headers={"Accept-Encoding": "br, gzip"})
    encoding = r.headers.get("content-encoding", "identity")
    return Transfer(
        path,
        r.status,
        r.headers.get("content-type", ""),
        encoding,
        len(r.body),
        len(_decompress(r.body, encoding)),
        r.body,
    )


def first_visit(port: int) -> tuple[list[Transfer], dict[str, int]]:
    """What a browser with an empty cache downloads for ``/``: bodies as transferred."""
    page = fetch(port, "/")
    html = _decompress(page.body, page.encoding)
    parser = AssetParser()
    parser.feed(html.decode(errors="replace"))
    transfers, seen = [page], {"/"}
    for href in parser.assets:
        parts = urlsplit(href)
        if parts.netloc and parts.netloc != f"{HOST}:{port}":
            continue  # another origin: not ours to size (and the CSP allows none)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path not in seen:
            seen.add(path)
            transfers.append(fetch(port, path))
    # What the HTML would weigh if a proxy compressed it (gunicorn and Django do not).
    estimates = {"gzip": len(gzip.compress(html, compresslevel=6))}
    with contextlib.suppress(ImportError):
        import brotli

        estimates["br"] = len(brotli.compress(html))
    return transfers, estimates
