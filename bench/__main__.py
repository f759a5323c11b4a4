"""Load and size benchmark of LLM Roadmap in production mode, on this machine.

Run as ``make bench`` or ``.venv/bin/python -m bench [--duration 10] [--connections 16]``.

In one run it:

1. recreates the PostgreSQL database ``--database`` (``BENCH_DATABASE``, else
   ``llm_roadmap_bench``) on 127.0.0.1:5432 (user postgres), migrates it, collects static files,
   applies the curriculum, and adds ``bench-10x``: the real roadmap copied ``--scale`` times,
   and a learner with progress on 40% and notes on 10% of it (``bench.database``, ``bench.data``);
2. measures in-process, with Django's test client, every module in ``bench/pages/``: the
   roadmap page's SQL queries at 1x and 10x and its server render time at 10x for the signed-in
   learner, and each feature's own budgets (``bench.inprocess``, ``bench.pages``);
3. starts gunicorn with the production config (``config.gunicorn_conf``) on a free loopback
   port and runs wrk against a bare Django view (``/bench/ok/``, the framework's ceiling through
   the same middleware), ``/healthz``, the roadmap pages anonymously and signed in, and the
   htmx check-off POST; then the bare view and the signed-in roadmap again, back to back, until
   each has ``--rounds`` runs (the throughput budget is the median of those pairs' ratios)
   (``bench.load``);
4. sums the compressed bytes a first visit to ``/`` transfers (``bench.transfer``);
5. prints one table, the performance budgets and the feature budgets, PASS or FAIL
   (``bench.report``).

It is a report: it exits 0 even when a budget fails, and non-zero only when it cannot measure.
gunicorn is stopped, the database dropped and the temporary folder removed on every exit.

Inside Django, the in-process phase runs as ``python -m bench --internal TASK OUT`` with the
bench settings; its output goes to the file OUT, never stdout, which Django's logging shares.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import secrets
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

from bench import BIG_SLUG, HOST, BenchError, run, step
from bench.database import PG_PORT, bench_env, database_name, drop_database, recreate_database
from bench.load import Endpoint, Gunicorn, WrkResult, distinct_learners, preflight, run_wrk
from bench.report import budgets, feature_budgets, report, report_sizes
from bench.transfer import first_visit


def internal(task: str, out: str, scale: int, learners: int) -> int:
    if task == "gunicorn-conf":
        from bench.load import gunicorn_conf

        result = gunicorn_conf()
    else:
        from bench.inprocess import prepare

        result = prepare(scale, learners)
    Path(out).write_text(json.dumps(result))
    return 0


def internal_task(
    task: str, env: dict[str, str], tmp: Path, args: argparse.Namespace, timeout: float
) -> dict:
    out = tmp / f"{task}.json"
    command = [sys.executable, "-m", "bench", "--internal", task, str(out)]
    command += ["--scale", str(args.scale), "--learners", str(args.learners)]
    run(command, env, timeout, f"the {task} step")
    return json.loads(out.read_text())


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run (10)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (16)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (2)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument(
        "--worker-class", default=None, help="gunicorn worker class (default: the gunicorn conf's)"
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="runs of the bare view and the signed-in page, in alternation, for the budget (3)",
    )
    parser.add_argument("--scale", type=int, default=10, help="copies of the curriculum (10)")
    parser.add_argument(
        "--learners",
        type=int,
        default=1000,
        help="signed-in learners taking turns on the 1x roadmap, one per request (1000)",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=None,
        help="the loopback port gunicorn listens on (default: a free one)",
    )
    parser.add_argument(
        "--database",
        metavar="NAME",
        default=None,
        help="the PostgreSQL database to recreate and drop "
        "(default: $BENCH_DATABASE, else llm_roadmap_bench)",
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument(
        "--profile", action="store_true", help="also print the 10x page's top functions (cProfile)"
    )
    parser.add_argument("--internal", nargs=2, metavar=("TASK", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.threads > args.connections:
        parser.error("--threads cannot exceed --connections (wrk needs a connection per thread)")
    for name in ("duration", "connections", "threads", "workers", "rounds", "scale", "learners"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    try:
        args.database = database_name(args.database)
    except BenchError as exc:
        parser.error(str(exc))
    return args


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if args.internal:
        return internal(*args.internal, scale=args.scale, learners=args.learners)

    wrk = shutil.which("wrk")
    if wrk is None:
        print(
            "wrk is not installed. Install it with:  apt-get install wrk  (Debian/Ubuntu; "
            "brew install wrk on macOS), then run the benchmark again.",
            file=sys.stderr,
        )
        return 2

    def interrupted(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupted)
    tmp = Path(tempfile.mkdtemp(prefix="llm-roadmap-bench-"))
    env = bench_env(tmp, secrets.token_urlsafe(50), args.database)
    server: Gunicorn | None = None
    created = False
    started = time.monotonic()
    load_before = os.getloadavg()
    try:
        step(f"Recreating the database {args.database} on {HOST}:{PG_PORT}")
        created = True
        pg_version = recreate_database(args.database)
        python = sys.executable
        step("migrate, collectstatic, sync_curriculum (DEBUG=0)")
        run([python, "manage.py", "migrate", "--no-input"], env, 180, "migrate")
        run([python, "manage.py", "collectstatic", "--no-input"], env, 180, "collectstatic")
        run([python, "manage.py", "sync_curriculum"], env, 120, "sync_curriculum")

        step(f"Building {BIG_SLUG} (×{args.scale}) and a learner; measuring in-process")
        data = internal_task("prepare", env, tmp, args, timeout=600)
        conf = internal_task("gunicorn-conf", env, tmp, args, timeout=30)
        worker_class = args.worker_class or conf["worker_class"]

        step(f"Starting gunicorn: {args.workers} × {worker_class}")
        server = Gunicorn(env, args.workers, worker_class, tmp / "gunicorn.log", args.port)
        server.wait_healthy()
        port = server.port

        cookie = f"{data['session_cookie']}; {data['csrf_cookie']}"
        rid = data["post_resource_id"]
        big = f"/roadmaps/{BIG_SLUG}/"
        bare = Endpoint("bare view", "/bench/ok/", expect="ok")
        # The throughput budgets are for the roadmap learners read (the real one, 1x); the 10x
        # copy shows how the page scales, and has its own render budget.
        page = Endpoint("learner / (1x)", "/", headers={"Cookie": cookie}, expect="Log out")
        learners = data["learner_cookies"]
        many = Endpoint(
            f"{len(learners):,} learners / (1x)",
            "/",
            headers={"Cookie": learners[0]},
            expect="Log out",
            rotate_cookies=learners,
        )
        endpoints = [
            bare,
            page,  # right after the bare view: the budget compares the two
            many,  # and the one learner's page with many learners' in turn
            Endpoint("/healthz", "/healthz", expect='"ok"'),
            Endpoint(f"anon {big} (10x)", big, expect="/accounts/signup/", refuse="Log out"),
            Endpoint("anon / (1x)", "/", expect="/accounts/signup/", refuse="Log out"),
            Endpoint(f"learner {big} (10x)", big, headers={"Cookie": cookie}, expect="Log out"),
            Endpoint(
                f"learner POST /resources/{rid}/progress/",
                f"/resources/{rid}/progress/",
                "POST",
                {
                    "Cookie": cookie,
                    "X-CSRFToken": data["csrf_token"],
                    "HX-Request": "true",
                    "HX-Current-URL": f"http://{HOST}:{port}{big}",
                    "HX-Target": f"pt{rid}",
                    "Content-Type": "application/x-www-form-urlencoded",
                },
                body="done=on",
                expect='hx-swap-oob="true"',
            ),
        ]
        problems: list[str] = []
        sizes: dict[str, int] = {}
        results: dict[str, WrkResult] = {}
        runs: dict[str, list[WrkResult]] = {}
        # A short run first warms up the workers (imports, connections, caches) and lets the
        # machine settle after setup; the bare view is the yardstick, so it must not pay that.
        step("wrk warm-up (2 s, not reported)")
        run_wrk(wrk, port, endpoints[0], argparse.Namespace(**{**vars(args), "duration": 2}), tmp)

        def measure(endpoint: Endpoint, what: str = "") -> WrkResult:
            # wrk opens its connections at once and keeps them: now and then one worker accepts
            # nearly all of them, and the run measures one process instead of two (the bare view
            # then halves). Such a run is taken again, up to three times, and reported.
            for _ in range(3):
                step(f"wrk {endpoint.method} {endpoint.path} ({endpoint.label}){what}")
                before = server.worker_cpu()
                result = run_wrk(wrk, port, endpoint, args, tmp)
                used = [b - a for a, b in zip(before, server.worker_cpu(), strict=False)]
                balanced = len(used) < 2 or min(used) >= 0.5 * sum(used) / len(used)
                if balanced:
                    break
                shares = "/".join(f"{100 * u / (sum(used) or 1):.0f}%" for u in used)
                step(f"  one worker did most of the work ({shares} of the CPU): run again")
            if not balanced:
                problems.append(
                    f"{endpoint.label}: the workers' connections stayed unbalanced ({shares})"
                )
            if result.non_2xx_3xx:
                problems.append(
                    f"{endpoint.label}: {result.non_2xx_3xx} of {result.requests} responses "
                    "were not 2xx/3xx"
                )
            if result.socket_errors:
                problems.append(f"{endpoint.label}: socket errors: {result.socket_errors}")
            runs.setdefault(endpoint.label, []).append(result)
            return result

        problems += distinct_learners(port, learners)
        for endpoint in endpoints:
            response, found = preflight(port, endpoint, rounds=2 * args.workers)
            problems += found
            if endpoint is many:
                # Every learner's page rendered once by some worker, as for learners who came
                # back: the run measures the steady state, not the first visits.
                step(f"wrk warm-up of {many.label} ({args.duration} s, not reported)")
                run_wrk(wrk, port, many, args, tmp)
            sizes[endpoint.label] = (
                len(response.body),
                len(gzip.compress(response.body, compresslevel=6)),
            )
            results[endpoint.label] = measure(endpoint)

        # The throughput budgets are ratios of two runs, and this machine's speed drifts from
        # one run to the next: the bare view, the signed-in page and the many learners are
        # measured back to back, --rounds times, and each budget takes the median of its
        # pairs' ratios.
        for n in range(2, args.rounds + 1):
            measure(bare, f", round {n} of {args.rounds}")
            measure(page, f", round {n} of {args.rounds}")
            measure(many, f", round {n} of {args.rounds}")
        for endpoint in (bare, page, many):
            by_rps = sorted(runs[endpoint.label], key=lambda r: r.rps)
            results[endpoint.label] = by_rps[(len(by_rps) - 1) // 2]
        pairs = list(zip(runs[bare.label], runs[page.label], strict=True))
        many_pairs = list(zip(runs[page.label], runs[many.label], strict=True))

        step("First visit to / (Accept-Encoding: br, gzip)")
        transfers, estimates = first_visit(port)
        for t in transfers:
            if t.status != 200:
                problems.append(f"first visit: {t.path} answered {t.status}")
        errors_in_log = [
            line
            for line in server.tail(100_000).splitlines()
            if re.search(r"\b(ERROR|CRITICAL|Traceback)\b|WORKER TIMEOUT", line)
        ]
        if errors_in_log:
            problems.append(f"gunicorn log: {len(errors_in_log)} error lines, first: ")
            problems[-1] += errors_in_log[0][:200]
    except BenchError as exc:
        print(f"\nbench: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nbench: interrupted; cleaning up", file=sys.stderr)
        return 130
    finally:
        if server is not None:
            step("Stopping gunicorn")
            server.stop()
        if created:
            step(f"Dropping {args.database}")
            try:
                drop_database(args.database)
            except Exception as exc:  # report it, but keep cleaning up
                print(f"bench: could not drop {args.database}: {exc}", file=sys.stderr)
        shutil.rmtree(tmp, ignore_errors=True)

    if load_before[0] > 0.5 * len(os.sched_getaffinity(0)):
        problems.insert(
            0,
            f"the machine was busy before the bench started (load {load_before[0]:.1f} on "
            f"{len(os.sched_getaffinity(0))} CPUs): other processes share the CPUs, so every "
            "figure is lower and noisier than on an idle machine",
        )
    report(args, data, conf, worker_class, pg_version, load_before, endpoints, results, sizes)
    report_sizes(transfers, estimates)
    budgets(args, data, pairs, many_pairs, transfers)
    feature_budgets(data)
    if problems:
        print("\nOdd things seen during the run (figures above may not mean what they say):")
        for p in problems:
            print(f"  ! {p}")
    print(f"\nBench finished in {time.monotonic() - started:.0f}s.")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "wrk": {k: {**vars(v), "raw": None} for k, v in results.items()},
                    "budget_pairs": [
                        {"bare_rps": b.rps, "page_rps": p.rps, "page_p99_ms": p.p99_ms}
                        for b, p in pairs
                    ],
                    "many_learner_pairs": [
                        {"one_learner_rps": one.rps, "many_learners_rps": m.rps}
                        for one, m in many_pairs
                    ],
                    "queries": {
                        k: len(v)
                        for k, v in data["details"].get("roadmap", {}).get("queries", {}).items()
                    },
                    "render_ms": data["details"].get("roadmap", {}).get("render_ms", {}),
                    "feature_budgets": data["pages"],
                    "details": {k: v for k, v in data["details"].items() if k != "roadmap"},
                    "first_visit": [
                        {k: v for k, v in vars(t).items() if k != "body"} for t in transfers
                    ],
                    "problems": problems,
                },
                indent=2,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
