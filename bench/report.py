"""The report: the machine, the throughput table, in-process figures, first-visit sizes, the
app's budgets and the feature budgets (``bench.pages``), each PASS or FAIL.

Nothing here imports Django at module level (``bench.pages.roadmap`` uses ``percentile``).
"""

# ruff: noqa: S607  -- runs fixed local commands (wrk -v, git describe) by design.

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import re
import statistics
import subprocess
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

from bench import BIG_SLUG, ROOT

if TYPE_CHECKING:
    from bench.load import WrkResult
    from bench.transfer import Transfer

# Budgets of the whole app: the signed-in roadmap page (1x) under load, and the first visit.
# The roadmap page's render and query budgets are in bench/pages/roadmap.py.
BUDGET_SHARE_OF_BARE = 20.0  # % of the bare view's requests per second
AIM_SHARE_OF_BARE = 25.0
BUDGET_P99_MS = 100.0  # at 16 connections
# Many signed-in learners taking turns, against one learner repeating the same request.
BUDGET_MANY_LEARNERS_SHARE = 70.0  # % of the one learner's requests per second
BUDGET_FIRST_VISIT_BYTES = 150_000  # 150 kB, compressed, HTML + its CSS, JS and icons
# The page module whose lines are printed among the app's budgets, not the features'.
CORE_PAGE = "roadmap"


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]  # nearest rank


def machine_context(
    conf: dict, args: argparse.Namespace, worker_class: str, pg: str, load: tuple
) -> list:
    import django
    import gunicorn

    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    wrk_version = subprocess.run(
        ["wrk", "-v"], capture_output=True, text=True, timeout=10, check=False
    ).stdout.splitlines()[:1]
    commit = subprocess.run(
        ["git", "describe", "--always", "--dirty"],
        cwd=ROOT, capture_output=True, text=True, timeout=10, check=False,
    ).stdout.strip()  # fmt: skip
    threads = conf["threads"] if worker_class == "gthread" else "n/a"
    access = {None: "off", "-": "on (stdout, here a file)"}.get(
        conf["accesslog"], conf["accesslog"]
    )
    return [
        ("nproc", f"{len(os.sched_getaffinity(0))} ({cpu})"),
        ("Python", platform.python_version()),
        ("Django", django.get_version()),
        (
            "gunicorn",
            f"{gunicorn.__version__}: {args.workers} × {worker_class}, threads {threads}"
            f", keepalive {conf['keepalive']}s, access log {access}",
        ),
        ("PostgreSQL", pg.split(" on ")[0]),
        ("wrk", (wrk_version[0].split(" Copyright")[0] if wrk_version else "?")),
        (
            "load",
            f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s, on the same "
            f"machine as gunicorn and PostgreSQL",
        ),
        ("load avg", f"{load[0]:.2f} before the run, {os.getloadavg()[0]:.2f} after (1 min)"),
        ("app", commit or "?"),
    ]


def fmt_ms(value: float) -> str:
    return f"{value:.2f}" if value < 10 else f"{value:.1f}"


def table(headers: list[str], rows: list[list[str]], align: str) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        return "  ".join(
            c.ljust(w) if a == "l" else c.rjust(w)
            for c, w, a in zip(cells, widths, align, strict=True)
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])


def report(args, data, conf, worker_class, pg_version, load, endpoints, results, sizes) -> None:
    print("\nMachine")
    for k, v in machine_context(conf, args, worker_class, pg_version, load):
        print(f"  {k:<11} {v}")
    print(
        f"\nData: 1x = {data['roadmap_1x']} ({data['resources_1x']} resources); "
        f"10x = {BIG_SLUG}, the 1x copied {args.scale} times "
        f"({data['resources_10x']} resources in {data['sections_10x']} "
        f"sections); learner: {data['progress_10x']} done, {data['notes_10x']} notes at 10x"
    )

    bare = results[endpoints[0].label].rps or 1
    rows = []
    for e in endpoints:
        r = results[e.label]
        flag = f"{r.non_2xx_3xx} non-2xx!" if r.non_2xx_3xx else ""
        if r.socket_errors and not r.socket_errors.startswith("connect 0, read 0, write 0"):
            flag = (flag + " sock-err!").strip()
        rows.append(
            [
                e.label,
                f"{r.rps:,.0f}",
                fmt_ms(r.p50_ms),
                fmt_ms(r.p99_ms),
                f"{100 * r.rps / bare:.0f}%",
                f"{sizes[e.label][0]:,}",
                f"{sizes[e.label][1]:,}",
                flag,
            ]
        )
    print(
        f"\nThroughput: wrk -t{args.threads} -c{args.connections} -d{args.duration}s "
        f"against {args.workers} × {worker_class}"
    )
    print(
        table(
            ["endpoint", "req/s", "p50 ms", "p99 ms", "% bare", "bytes", "gzip -6", "flags"],
            rows,
            "lrrrrrrl",
        )
    )
    if args.rounds > 1:
        print(
            f"  {endpoints[0].label}, {endpoints[1].label} and {endpoints[2].label}: the median "
            f"of {args.rounds} runs, taken in alternation (the budgets below use every pair)"
        )

    print("\nIn-process (Django test client, same settings and database)")
    details = data["details"].get(CORE_PAGE)
    if details is None:
        print(f"  the roadmap page could not be measured: see bench/pages/{CORE_PAGE}.py's line")
        return
    q = {k: len(v) for k, v in details["queries"].items()}
    render = details["render_ms"]
    big = render["learner_10x"]
    print(
        f"  queries, roadmap page, learner: {q['learner_1x']} at 1x, {q['learner_10x']} at 10x"
        f"   (visitor: {q['anon_1x']} / {q['anon_10x']})"
    )
    sql_ms = sum(x["ms"] for x in details["queries"]["learner_10x"])
    print(
        f"  render, learner, 10x (page not cached yet): median {statistics.median(big):.1f} ms, "
        f"p95 {percentile(big, 95):.1f} ms over {len(big)} requests"
        f" (of which SQL ≈ {sql_ms:.1f} ms; HTML {data['page_bytes_10x_signed_in']:,} bytes)"
    )
    print(
        f"  render, learner, 1x: median {statistics.median(render['learner_1x']):.1f} ms; "
        f"visitor, 10x: median {statistics.median(render['anon_10x']):.1f} ms"
    )
    print(
        f"  10x, nothing cached (after a curriculum edit): median "
        f"{statistics.median(render['learner_10x_cold']):.1f} ms; served from the page cache: "
        f"median {statistics.median(render['learner_10x_cached']):.1f} ms"
    )
    prof = details["profile_10x"]
    print(
        f"  where the 10x page's time goes (cProfile): template rendering "
        f"{100 * prof['template_render']:.0f}%, build_outline {100 * prof['build_outline']:.0f}%"
        ", the rest middleware, sessions and the response"
    )
    if args.profile:
        print(textwrap.indent(prof["top_tottime"].strip(), "    "))
    print("  queries at 10x, learner:")
    for x in details["queries"]["learner_10x"]:
        sql = re.sub(r"\s+", " ", x["sql"])
        print(f"    {x['ms']:6.2f} ms  {sql[:110]}{'…' if len(sql) > 110 else ''}")


def report_sizes(transfers: list[Transfer], estimates: dict[str, int]) -> None:
    total = sum(t.transferred for t in transfers)
    rows = [
        [t.path, str(t.status), t.encoding, f"{t.transferred:,}", f"{t.decoded:,}"]
        for t in transfers
    ]
    rows.append(["total", "", "", f"{total:,}", f"{sum(t.decoded for t in transfers):,}"])
    print("\nFirst visit to / (anonymous, Accept-Encoding: br, gzip; bodies, headers excluded)")
    print(table(["asset", "status", "encoding", "transferred", "decoded"], rows, "lrlrr"))
    html = transfers[0]
    if html.encoding == "identity":
        est = ", ".join(f"{k} {v:,}" for k, v in estimates.items())
        print(f"  The HTML goes uncompressed; compressed by a proxy it would be: {est} bytes.")


def budgets(
    args: argparse.Namespace,
    data: dict,
    pairs: list[tuple[WrkResult, WrkResult]],
    many_pairs: list[tuple[WrkResult, WrkResult]],
    transfers: list[Transfer],
) -> None:
    """The budgets, the throughput ones over runs taken in pairs: (bare view, signed-in page)
    and (one learner, many learners in turn)."""
    shares = [100 * page.rps / (bare.rps or 1) for bare, page in pairs]
    share = statistics.median(shares)
    p99 = statistics.median(page.p99_ms for _, page in pairs)
    page_rps = statistics.median(page.rps for _, page in pairs)
    bare_rps = statistics.median(bare.rps for bare, _ in pairs)
    each = ", ".join(f"{s:.1f}%" for s in shares)
    total = sum(t.transferred for t in transfers)
    at = f"at {args.connections} connections"
    if args.connections != 16:
        at += " (the budget is set at 16)"
    checks = [
        (
            share >= BUDGET_SHARE_OF_BARE,
            f"signed-in roadmap (1x) ≥ {BUDGET_SHARE_OF_BARE:.0f}% of the bare view's req/s: "
            f"{share:.1f}%, the median of {len(pairs)} back-to-back pairs ({each}; medians "
            f"{page_rps:,.0f} and {bare_rps:,.0f} req/s); aim {AIM_SHARE_OF_BARE:.0f}%: "
            + ("met" if share >= AIM_SHARE_OF_BARE else "not yet"),
        ),
        many_learners_check(many_pairs, len(data["learner_cookies"])),
        (
            p99 < BUDGET_P99_MS,
            f"signed-in roadmap (1x) p99 < {BUDGET_P99_MS:.0f} ms {at}: {fmt_ms(p99)} ms (median)",
        ),
        # The roadmap page's render and query budgets, from bench/pages/roadmap.py.
        *(
            (line["ok"], f"{line['name']} {line['budget']}: {line['figure']}")
            for line in data["pages"].get(CORE_PAGE, [])
        ),
        (
            total < BUDGET_FIRST_VISIT_BYTES,
            f"first visit < {BUDGET_FIRST_VISIT_BYTES // 1000} kB: {total / 1000:.1f} kB "
            f"({total:,} bytes)",
        ),
    ]
    print("\nBudgets")
    for ok, text in checks:
        print(f"  {'PASS' if ok else 'FAIL'}  {text}")
    failed = sum(not ok for ok, _ in checks)
    print(
        f"  => {len(checks) - failed} of {len(checks)} budgets met"
        + (f", {failed} FAILED" if failed else "")
    )


def many_learners_check(
    many_pairs: list[tuple[WrkResult, WrkResult]], learners: int
) -> tuple[bool, str]:
    shares = [100 * many.rps / (one.rps or 1) for one, many in many_pairs]
    share = statistics.median(shares)
    each = ", ".join(f"{s:.0f}%" for s in shares)
    one_rps = statistics.median(one.rps for one, _ in many_pairs)
    many_rps = statistics.median(many.rps for _, many in many_pairs)
    return (
        share >= BUDGET_MANY_LEARNERS_SHARE,
        f"{learners:,} signed-in learners in turn (1x) ≥ {BUDGET_MANY_LEARNERS_SHARE:.0f}% of "
        f"one learner repeating: {share:.0f}%, the median of {len(many_pairs)} back-to-back "
        f"pairs ({each}; medians {many_rps:,.0f} and {one_rps:,.0f} req/s)",
    )


def feature_budgets(data: dict) -> None:
    """Every other page module's lines (bench/pages/), in the order they ran."""
    rows, failed = [], 0
    for page, lines in data["pages"].items():
        if page == CORE_PAGE:
            continue
        for line in lines:
            failed += not line["ok"]
            rows.append(
                [
                    "PASS" if line["ok"] else "FAIL",
                    page,
                    line["name"],
                    line["budget"],
                    line["figure"],
                ]
            )
    print("\nFeature budgets (bench/pages/)")
    if not rows:
        print("  none yet: a module bench/pages/<name>.py with measure(ctx) adds its lines here")
        return
    print(textwrap.indent(table(["", "page", "measure", "budget", "figure"], rows, "lllll"), "  "))
    print(
        f"  => {len(rows) - failed} of {len(rows)} feature budgets met"
        + (f", {failed} FAILED" if failed else "")
    )
