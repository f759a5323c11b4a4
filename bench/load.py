"""The load phase: gunicorn with the production config on a free loopback port, and wrk.

Nothing here imports Django; ``gunicorn_conf`` runs in the bench environment as an internal task.
"""

# ruff: noqa: S603  -- runs fixed local commands (gunicorn, wrk) by design.

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench import HOST, ROOT, VENV_BIN, BenchError


def gunicorn_conf() -> dict:
    """The production gunicorn config's settings, as the report states them."""
    import config.gunicorn_conf as conf

    return {
        "worker_class": getattr(conf, "worker_class", "sync"),
        "threads": getattr(conf, "threads", 1),
        "workers": getattr(conf, "workers", 1),
        "timeout": getattr(conf, "timeout", 30),
        "keepalive": getattr(conf, "keepalive", 2),
        "accesslog": getattr(conf, "accesslog", None),
    }


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes


def request(
    port: int,
    path: str,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    body: str | None = None,
    timeout: float = 10,
) -> Response:
    # http.client rather than urllib: no proxy from the environment, no decompression.
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        return Response(r.status, {k.lower(): v for k, v in r.getheaders()}, r.read())
    finally:
        conn.close()


class Gunicorn:
    def __init__(
        self,
        env: dict[str, str],
        workers: int,
        worker_class: str,
        log: Path,
        port: int | None = None,
    ) -> None:
        self.port = port or free_port()
        self.log = log
        env = env | {"WEB_CONCURRENCY": str(workers), "PORT": str(self.port)}
        env["GUNICORN_WORKER_CLASS"] = worker_class
        # The config binds 0.0.0.0; the command line wins, and keeps the bench on loopback.
        args = [
            str(VENV_BIN / "gunicorn"),
            "-c",
            "python:config.gunicorn_conf",
            "--bind",
            f"{HOST}:{self.port}",
            "--worker-class",
            worker_class,
            "config.wsgi",
        ]
        self._log_file = log.open("wb")
        self.proc = subprocess.Popen(
            args,
            cwd=ROOT,
            env=env,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches the bench, which then stops gunicorn itself
        )

    def wait_healthy(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        last = "no answer"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(f"gunicorn exited with {self.proc.returncode}:\n{self.tail()}")
            try:
                r = request(self.port, "/healthz", timeout=2)
                if r.status == 200:
                    return
                last = f"HTTP {r.status}: {r.body[:200]!r}"
            except OSError as exc:
                last = str(exc)
            time.sleep(0.2)
        raise BenchError(f"/healthz was not 200 within {timeout:.0f}s ({last}):\n{self.tail()}")

    def worker_cpu(self) -> list[float]:
        """CPU seconds each worker has used so far; empty where /proc cannot tell (not Linux)."""
        ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, ValueError, IndexError):
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == self.proc.pid:  # its parent is the gunicorn master
                    found.append((int(fields[11]) + int(fields[12])) / ticks)
        return found

    def tail(self, lines: int = 30) -> str:
        self._log_file.flush()
        text = self.log.read_text(errors="replace").strip().splitlines()
        return "\n".join(text[-lines:])

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)  # its own group: only its workers
                self.proc.wait(timeout=10)
        self._log_file.close()


@dataclass
class Endpoint:
    label: str
    path: str
    method: str = "GET"
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None
    expect: str | None = None  # text the answer must contain
    refuse: str | None = None  # text it must not
    # Cookie headers taken in turn, one per request (each thread starts at its own place), in
    # place of the Cookie header: many signed-in learners instead of one.
    rotate_cookies: list[str] = field(default_factory=list)


@dataclass
class WrkResult:
    rps: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    requests: int = 0
    non_2xx_3xx: int = 0
    socket_errors: str = ""
    raw: str = ""


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def _ms(value: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", value)
    if match is None:
        raise BenchError(f"wrk printed a latency I cannot read: {value!r}")
    return float(match.group(1)) * _UNITS_MS[match.group(2)]


def parse_wrk(output: str) -> WrkResult:
    result = WrkResult(raw=output)
    if m := re.search(r"Requests/sec:\s+([\d.]+)", output):
        result.rps = float(m.group(1))
    else:
        raise BenchError(f"wrk printed no Requests/sec:\n{output}")
    if m := re.search(r"^\s+50%\s+(\S+)", output, re.M):
        result.p50_ms = _ms(m.group(1))
    if m := re.search(r"^\s+99%\s+(\S+)", output, re.M):
        result.p99_ms = _ms(m.group(1))
    if m := re.search(r"(\d+) requests in", output):
        result.requests = int(m.group(1))
    if m := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output):
        result.non_2xx_3xx = int(m.group(1))
    if m := re.search(r"Socket errors:\s+(.+)", output):
        result.socket_errors = m.group(1).strip()
    return result


def _lua_string(value: str) -> str:
    return json.dumps(value)  # a JSON string of ASCII is a valid Lua string literal


def rotating_cookies_script(endpoint: Endpoint, threads: int) -> str:
    """A wrk script whose every request carries the next of ``endpoint.rotate_cookies``; the
    threads start evenly spread over them, so no two send the same learner at once."""
    cookies = ",\n".join(f"  {_lua_string(c)}" for c in endpoint.rotate_cookies)
    headers = "\n".join(
        f"headers[{_lua_string(k)}] = {_lua_string(v)}"
        for k, v in endpoint.headers.items()
        if k.lower() != "cookie"
    )
    return f"""\
wrk.method = {_lua_string(endpoint.method)}
local cookies = {{
{cookies}
}}
local started = 0
function setup(thread)
  thread:set("first", math.floor(started * #cookies / {threads}))
  started = started + 1
end
local n = nil
headers = {{}}
{headers}
function request()
  n = ((n or first) % #cookies) + 1
  headers["Cookie"] = cookies[n]
  return wrk.format(nil, nil, headers)
end
"""


def run_wrk(
    wrk: str, port: int, endpoint: Endpoint, args: argparse.Namespace, tmp: Path
) -> WrkResult:
    cmd = [wrk, "-t", str(args.threads), "-c", str(args.connections), "-d", f"{args.duration}s"]
    cmd += ["--latency", "--timeout", "10s"]
    script = tmp / f"wrk-{re.sub(r'[^a-z0-9]+', '-', endpoint.label.lower())}.lua"
    if endpoint.rotate_cookies:
        script.write_text(rotating_cookies_script(endpoint, args.threads))
        cmd += ["-s", str(script)]
    elif endpoint.method != "GET" or endpoint.body is not None:
        lines = [
            f"wrk.method = {_lua_string(endpoint.method)}",
            f"wrk.body = {_lua_string(endpoint.body or '')}",
        ]
        lines += [
            f"wrk.headers[{_lua_string(k)}] = {_lua_string(v)}" for k, v in endpoint.headers.items()
        ]
        script.write_text("\n".join(lines) + "\n")
        cmd += ["-s", str(script)]
    else:
        for k, v in endpoint.headers.items():
            cmd += ["-H", f"{k}: {v}"]
    cmd.append(f"http://{HOST}:{port}{endpoint.path}")
    timeout = args.duration + 30
    try:
        out = subprocess.run(
            cmd, capture_output=True, text=True, timeout=timeout, check=False
        )  # fmt: skip
    except subprocess.TimeoutExpired as exc:
        raise BenchError(f"wrk on {endpoint.path} took longer than {timeout}s") from exc
    if out.returncode != 0:
        raise BenchError(f"wrk on {endpoint.path} failed:\n{out.stdout}{out.stderr}")
    return parse_wrk(out.stdout)


def preflight(port: int, endpoint: Endpoint, rounds: int) -> tuple[Response, list[str]]:
    """Warm every worker up and check the answer is the one meant, before measuring it."""
    problems: list[str] = []
    r = None
    for _ in range(rounds):
        r = request(port, endpoint.path, endpoint.method, endpoint.headers, endpoint.body)
    assert r is not None
    if not 200 <= r.status < 300:
        problems.append(f"{endpoint.label}: HTTP {r.status} before the run: {r.body[:200]!r}")
    text = r.body.decode(errors="replace")
    if endpoint.expect and endpoint.expect not in text:
        problems.append(f"{endpoint.label}: the answer lacks {endpoint.expect!r}")
    if endpoint.refuse and endpoint.refuse in text:
        problems.append(f"{endpoint.label}: the answer contains {endpoint.refuse!r}")
    return r, problems


_PER_REQUEST = re.compile(
    rb'name="csrfmiddlewaretoken" value="[^"]+"|"X-CSRFToken": "[^"]+"|nonce="[^"]+"'
)


def distinct_learners(port: int, cookies: list[str]) -> list[str]:
    """Problems, if any, with the many learners' sessions: two of them must be signed in as
    different learners, or the many-learner run would measure one page."""
    pages = []
    for cookie in (cookies[0], cookies[len(cookies) // 2]):
        r = request(port, "/", headers={"Cookie": cookie})
        if r.status != 200 or b"Log out" not in r.body:
            return [f"a many-learner session is not signed in: HTTP {r.status}"]
        # The CSRF token and CSP nonce differ on every request; what is left is the learner's.
        pages.append(re.sub(_PER_REQUEST, b"", r.body))
    return [] if pages[0] != pages[1] else ["two of the many learners see the same page"]
