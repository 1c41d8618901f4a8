"""Import benchmarks: request budget, apply throughput, and local planning of a large workbook.

Run: python bench/bench_import.py [--part requests|apply|plan|all]

requests  N rows with k changed: total requests vs the budget 2k + ceil(N/100) + 5 (list export) and
          k + ceil(N/100) + 5 (an export with --detail, so no detail read per row is needed).
apply     writes per second at 300 ms server latency, as a ratio of Blikk's 4 requests/second, and the
          number of 429 answers the server sent.
plan      read + validate + diff of a 100,000-row workbook with the live records already fetched (no HTTP),
          in seconds and peak memory, measured in a child process.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing as mp
import os
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

import openpyxl
from click.testing import CliRunner

from bulktool.cli import cli
from bulktool.sandbox import SandboxConfig, SandboxServer

CEILING = 4.0


def _run(srv: SandboxServer, *args: str, rate: str = "4") -> Any:
    env = {"BLIKK_APP_ID": srv.app_id, "BLIKK_APP_SECRET": srv.app_secret}
    return CliRunner(env=env).invoke(cli, ["--base-url", srv.url, "--rate", rate, *args])


def _edit(path: Path, k: int) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb["contacts"]
    col = next(i + 1 for i, c in enumerate(ws[1]) if c.value == "name")
    for r in range(2, 2 + k):
        ws.cell(r, col).value = f"{ws.cell(r, col).value} (ändrad)"
    wb.save(path)


def bench_requests(n: int = 500, k: int = 20) -> None:
    for detail in (False, True):
        with SandboxServer(SandboxConfig(contacts=n, port=0, rate_limit=1000)) as srv, \
                tempfile.TemporaryDirectory() as tmp:
            wb = Path(tmp) / "contacts.xlsx"
            extra = ["--detail"] if detail else []
            assert _run(srv, "export", "contacts", "-o", str(wb), "-q", *extra, rate="200").exit_code == 0
            _edit(wb, k)
            srv.edit("contacts", srv.records("contacts")[-1]["id"], {"email": "someone@else.se"})
            srv.reset_stats()
            res = _run(srv, "import", str(wb), "--apply", "-q", rate="200")
            assert res.exit_code == 0, res.output
            total = srv.stats()["total"] + 1  # + the token request, which the sandbox does not count
            budget = (k if detail else 2 * k) + math.ceil(n / 100) + 5
            label = "export --detail" if detail else "list export"
            print(f"requests ({label}): N={n} k={k}: {total} requests, budget {budget} "
                  f"-> {total / budget:.2f} of budget")


def bench_apply(k: int = 120, latency: float = 0.3) -> None:
    with SandboxServer(SandboxConfig(contacts=k, port=0)) as srv, tempfile.TemporaryDirectory() as tmp:
        wb = Path(tmp) / "contacts.xlsx"
        assert _run(srv, "export", "contacts", "-o", str(wb), "-q", "--detail").exit_code == 0
        _edit(wb, k)
        srv.set_faults(latency=latency)
        srv.reset_stats()
        t0 = time.monotonic()
        res = _run(srv, "import", str(wb), "--apply", "-q")
        elapsed = time.monotonic() - t0
        assert res.exit_code == 0, res.output
        stats = srv.stats()
        writes = stats.get("PUT", 0)
    rate = stats["total"] / elapsed
    print(f"apply: {writes} updates ({stats['total']} requests incl. reads) in {elapsed:.1f} s at "
          f"{latency * 1000:.0f} ms latency: {rate:.2f} req/s = {rate / CEILING:.1%} of 4 req/s; "
          f"429 answers: {stats.get('429', 0)}")


def _plan_child(path: str, use_record: bool, q: Any) -> None:
    import pandera.pandas  # noqa: F401  (a one-off import, not per-row work: the CLI pays it at start-up)
    from bench_support import HOST, PrefetchedConnector  # type: ignore[import-not-found]
    from python_calamine import CalamineWorkbook

    from bulktool.plan.planner import PlanOptions, make_plan
    from bulktool.plan.source import load_source

    # The real order: the sheet is read first, then the live records arrive (here from a file, untimed,
    # standing in for the list GETs), then the plan is made.
    book = Path(path) if use_record else Path(path).with_name("foreign.xlsx")
    t0 = time.perf_counter()
    src = load_source(book, "blikk", HOST, sheet="contacts")
    assert src.use_export_record is use_record
    t1 = time.perf_counter()
    conn = PrefetchedConnector.from_workbook(Path(path))
    t2 = time.perf_counter()
    plan = make_plan(conn, src, PlanOptions())
    t3 = time.perf_counter()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    summary = plan.result.summary
    del plan, src, conn
    # The peer, in the same process right after: python-calamine parsing the same sheet into Python lists,
    # untyped, without the record, validation or diff. Machine noise moves both alike.
    t4 = time.perf_counter()
    CalamineWorkbook.from_path(str(book)).get_sheet_by_name("contacts").to_python()
    peer = time.perf_counter() - t4
    q.put((t1 - t0, t3 - t2, summary.unchanged, summary.update, peak_mb, peer))


def bench_plan(n: int = 100_000, runs: int = 5) -> None:
    """Each pass in a fresh process; the median of ``runs`` (this 2-core machine's timings vary by 20-30%)."""
    from bench_support import make_big_workbook  # type: ignore[import-not-found]

    results: dict[bool, list[tuple[float, float, int, int, float, float]]] = {True: [], False: []}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.xlsx"
        t0 = time.perf_counter()
        make_big_workbook(path, n, changed=1000)
        print(f"plan: wrote a {n:,}-row x 20-column workbook in {time.perf_counter() - t0:.1f} s")
        ctx = mp.get_context("spawn")
        for _ in range(runs):
            for use_record in (True, False):
                q = ctx.Queue()
                p = ctx.Process(target=_plan_child, args=(str(path), use_record, q))
                p.start()
                p.join()  # the answer is a small tuple: the queue holds it until read
                if p.exitcode != 0:
                    raise SystemExit(f"plan pass failed (exit code {p.exitcode}); see the traceback above")
                results[use_record].append(q.get())
    for use_record, got in results.items():
        totals = sorted(r + d for r, d, *_ in got)
        read_s, plan_s, unchanged, updates, _, peer = sorted(got, key=lambda g: g[0] + g[1])[len(got) // 2]
        total = read_s + plan_s
        ratios = sorted((g[0] + g[1]) / g[5] for g in got)
        peak = max(g[4] for g in got)
        how = "of an export (with its record)" if use_record else "of a foreign workbook (every row vs live)"
        print(f"plan {how}: {n:,} rows, median of {len(got)}: read {read_s:.2f} s + validate/diff {plan_s:.2f} s "
              f"= {total:.2f} s ({total / 5:.0%} of the 5 s budget; range {totals[0]:.2f}-{totals[-1]:.2f} s); "
              f"{updates:,} updates, {unchanged:,} unchanged")
        print(f"    = {ratios[len(ratios) // 2]:.2f}x the peer (raw calamine parse of the sheet, {peer:.2f} s in the "
              f"median run; ratio range {ratios[0]:.2f}-{ratios[-1]:.2f}); peak memory {peak:.0f} MB "
              f"({peak / 1024:.0%} of 1 GB)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--part", choices=["requests", "apply", "plan", "all"], default="all")
    args = ap.parse_args()
    os.environ.setdefault("PYTHONPATH", str(Path(__file__).parent))
    if args.part in ("requests", "all"):
        bench_requests()
    if args.part in ("apply", "all"):
        bench_apply()
    if args.part in ("plan", "all"):
        bench_plan()


if __name__ == "__main__":
    main()
