"""Tripletex reads paced by the announced rate limit, as a ratio of that limit.

Run: python bench/bench_tripletex_rate.py [--limit 20] [--period 5] [--latency 0.3] [--customers 3000]

The sandbox counts requests in fixed periods (``--limit`` per ``--period`` seconds), answers 429
past the limit until the period ends, and announces ``X-Rate-Limit-Limit/-Remaining/-Reset`` on
every answer. The client knows none of the figures beforehand: it paces by the headers. The read
uses small pages (``--page-size``, default 25) so that a few thousand customers make a long run of
requests; then it exports, renames ``--edits`` customers and applies them in bulk PUTs of
``--batch-size``. The ratio is requests per second over the announced rate, the 429 count shows
whether it stayed under the limit.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from openpyxl import load_workbook

from bulktool.export import export
from bulktool.importer import ImportOptions, run_import
from bulktool.sandbox import SandboxConfig, SandboxServer
from bulktool.schema.loader import load_templates
from bulktool.vendors.tripletex import TripletexConnector


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--limit", type=int, default=20)
    ap.add_argument("--period", type=float, default=5.0)
    ap.add_argument("--latency", type=float, default=0.3)
    ap.add_argument("--customers", type=int, default=3000)
    ap.add_argument("--page-size", type=int, default=25)
    ap.add_argument("--edits", type=int, default=1000)
    ap.add_argument("--batch-size", type=int, default=10)
    args = ap.parse_args()
    cfg = SandboxConfig(system="tripletex", contacts=args.customers, latency=args.latency, port=0,
                        rate_limit=args.limit, rate_period=args.period)
    ep = load_templates("tripletex")["customers"]
    with SandboxServer(cfg) as srv:
        consumer, employee = srv.credentials(1)
        conn = TripletexConnector(srv.url + "/v2", TripletexConnector.credentials(
            consumer_token=consumer, employee_token=employee), page_size=args.page_size)
        srv.reset_stats()
        t0 = time.monotonic()
        records = conn.list_endpoint(ep)
        elapsed = time.monotonic() - t0
        stats = srv.stats()
        report("list customers (two passes, fields, pages of "
               f"{args.page_size}): {len(records)} records", stats, elapsed, args)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "customers.xlsx"
            export(conn, "tripletex", ["customers"], path)
            edited = edit_names(path, args.edits)
            srv.reset_stats()
            t0 = time.monotonic()
            out = run_import(conn, path, ImportOptions(apply=True, batch_size=args.batch_size))
            elapsed = time.monotonic() - t0
            stats = srv.stats()
        assert out.result.summary.applied == edited, out.result.summary
        report(f"import --apply: {edited} updates in batches of {args.batch_size}", stats, elapsed, args)


def edit_names(path: Path, count: int) -> int:
    wb = load_workbook(path)
    ws = wb["customers"]
    header = [c.value for c in ws[1]]
    col = header.index("name") + 1
    done = 0
    for row in range(2, min(ws.max_row, count + 1) + 1):
        ws.cell(row, col).value = f"{ws.cell(row, col).value} (endret)"
        done += 1
    wb.save(path)
    return done


def report(what: str, stats: dict[str, int], elapsed: float, args: argparse.Namespace) -> None:
    announced = args.limit / args.period
    rate = stats["total"] / elapsed
    print(f"{what}: {stats['total']} requests in {elapsed:.1f} s at {args.latency * 1000:.0f} ms latency; "
          f"{rate:.2f}/s = {rate / announced:.2f} of the announced {args.limit} per {args.period:g} s; "
          f"429 answers: {stats['429']}")


if __name__ == "__main__":
    main()
