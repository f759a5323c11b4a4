"""``make test-dates``'s clock: every Python process of the run starts at ROADMAP_TEST_NOW."""

import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import time_machine

ROOT = Path(__file__).resolve().parent.parent
REPORT = (
    "import datetime, time; now = lambda: datetime.datetime.now(datetime.UTC).isoformat(); "
    "first = now(); t0 = time.monotonic(); time.sleep(0.2); "
    "print(first, now(), time.monotonic() - t0)"
)


def run_python(**env: str) -> list[str]:
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("ROADMAP_TEST_NOW")
    }
    out = subprocess.run(
        [sys.executable, "-c", REPORT],
        env={**environment, **env},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return out.stdout.split()


def test_a_process_started_on_the_clock_path_starts_at_the_instant_and_ticks():
    first, later, slept = run_python(
        ROADMAP_TEST_NOW="2028-02-29T00:02:00Z", PYTHONPATH=str(ROOT / "tests" / "clock")
    )
    instant = datetime(2028, 2, 29, 0, 2, tzinfo=UTC)
    assert instant <= datetime.fromisoformat(first) < instant + timedelta(seconds=30)
    ticked = datetime.fromisoformat(later) - datetime.fromisoformat(first)
    assert timedelta(seconds=0.2) <= ticked < timedelta(seconds=30)
    assert float(slept) >= 0.2  # sleeps and monotonic time stay real


def test_without_the_variable_the_clock_path_leaves_the_clock_alone():
    first, _, _ = run_python(PYTHONPATH=str(ROOT / "tests" / "clock"))
    hatch = time_machine.escape_hatch  # the real clock, inside ``make test-dates`` too
    real_now = datetime.fromtimestamp(
        hatch.time.time() if hatch.is_travelling() else time.time(), UTC
    )
    assert abs(datetime.fromisoformat(first) - real_now) < timedelta(minutes=5)
