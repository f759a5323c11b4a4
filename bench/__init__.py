"""The benchmark of LLM Roadmap in production mode: ``python -m bench`` (see ``__main__.py``).

What the modules share lives here; nothing in this module imports Django.
"""

# ruff: noqa: S603  -- runs fixed local commands (manage.py) by design.

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
HOST = "127.0.0.1"  # everything stays on loopback
BIG_SLUG = "bench-10x"
LEARNER_EMAIL = "learner@bench.invalid"


class BenchError(Exception):
    """Something prevented a measurement; the message says what."""


def step(message: str) -> None:
    print(f"==> {message}", flush=True)


def run(
    args: list[str], env: dict[str, str], timeout: float, what: str
) -> subprocess.CompletedProcess:
    try:
        result = subprocess.run(
            args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise BenchError(f"{what} took longer than {timeout:.0f}s") from exc
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-30:])
        raise BenchError(f"{what} failed (exit {result.returncode}):\n{tail}")
    return result
