"""Feature budgets: each feature measures its own pages here, without editing a big file.

A module ``bench/pages/<name>.py`` defines ``measure(ctx: Context) -> list[Line]``. Modules are
found with pkgutil (no list to edit; names starting with ``_`` are skipped) and run in name
order in the in-process phase: Django set up with the bench settings (production settings,
``DEBUG=0``), against the migrated bench PostgreSQL database holding the real curriculum (1x),
``bench-10x`` and the learner. Their lines are printed under "Feature budgets", after the
budgets of the whole app. A module that raises, or returns anything but a list of ``Line``, is
reported as one failed line; the bench carries on.

``roadmap.py`` is the roadmap page's own: its lines are the render and query budgets printed
among the app's budgets, and its details feed the "In-process" section.
"""

from __future__ import annotations

import importlib
import pkgutil
import traceback
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bench import measure

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from django.test import Client

    from accounts.models import User
    from roadmap.models import Roadmap


@dataclass(frozen=True)
class Line:
    """One budget: ``name`` what is measured, ``figure`` the measurement as shown,
    ``budget`` the limit as shown (``"< 25 ms (median)"``), ``ok`` whether it is met."""

    name: str
    figure: str
    budget: str
    ok: bool


@dataclass
class Context:
    """What a page module measures with.

    ``client`` is signed in as ``learner`` and ``anon`` is anonymous; both send
    ``SERVER_NAME=127.0.0.1`` (the only allowed host). ``details`` takes JSON-serialisable
    figures a module wants kept in ``--json`` output, under the module's name.
    """

    learner: User
    client: Client
    anon: Client
    roadmap_1x: Roadmap
    roadmap_10x: Roadmap
    scale: int
    details: dict = field(default_factory=dict)

    def queries(self, client: Client, url: str) -> int:
        """The number of SQL queries of one warm GET of ``url`` (which must answer 200)."""
        return len(measure.capture(client, url))

    def capture(self, client: Client, url: str) -> list[dict]:
        """The SQL of one warm GET of ``url``: ``{"sql": ..., "ms": ...}`` per query."""
        return measure.capture(client, url)

    def render_ms(
        self,
        client: Client,
        url: str,
        samples: int = measure.RENDER_SAMPLES,
        forget: Iterable[Callable[[], object]] = (),
    ) -> list[float]:
        """Times of ``samples`` GETs after a warm-up, in ms; ``forget`` holds the cache
        clearers called before each request (``roadmap.pagecache.clear``, ...)."""
        return measure.timings(client, url, samples, tuple(forget))

    def profile(self, client: Client, url: str, requests: int = 5) -> dict:
        """Where a GET's time goes, by cProfile (see ``measure.profile``)."""
        return measure.profile(client, url, requests)


def discover() -> list[str]:
    """The page modules' names, in the order they run."""
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))


def measure_all(ctx: Context) -> dict[str, list[Line]]:
    """Every module's lines by module name; a module's failure becomes one failed line."""
    results: dict[str, list[Line]] = {}
    for name in discover():
        try:
            module = importlib.import_module(f"{__name__}.{name}")
            lines = module.measure(ctx)
            if not isinstance(lines, list) or not all(isinstance(x, Line) for x in lines):
                raise TypeError(f"measure() returned {type(lines).__name__}, not list[Line]")
        except Exception as exc:  # one feature's failure must not cost the others' figures
            frame = traceback.extract_tb(exc.__traceback__)[-1:]
            where = (
                f" (at {frame[0].filename.rsplit('/', 1)[-1]}:{frame[0].lineno})" if frame else ""
            )
            lines = [Line("could not measure", f"{type(exc).__name__}: {exc}{where}", "—", False)]
        results[name] = lines
    return results
