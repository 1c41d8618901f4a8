"""Export throughput against a slow sandbox, as a ratio of Blikk's 4 requests/second ceiling.

Run: python bench/bench_export_rate.py [--latency 0.3] [--contacts 300]
The sandbox enforces the real limit (any 1-second window > 4 requests -> 429),
so the ratio shows how close the client runs to the physical limit, and the 429
count shows whether it stays under it.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from bulktool.export import export
from bulktool.sandbox import SandboxConfig, SandboxServer
from bulktool.vendors.blikk import BlikkConnector, blikk_credentials

CEILING = 4.0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--latency", type=float, default=0.3)
    ap.add_argument("--contacts", type=int, default=300)
    args = ap.parse_args()
    cfg = SandboxConfig(contacts=args.contacts, latency=args.latency, port=0)
    with SandboxServer(cfg) as srv, tempfile.TemporaryDirectory() as tmp:
        conn = BlikkConnector(srv.url, blikk_credentials(srv.app_id, srv.app_secret))
        # Warm up: the token and the first page (not part of the steady state).
        conn.list_all("/v1/Admin/Countries")
        srv.reset_stats()
        t0 = time.monotonic()
        res = export(conn, "blikk", ["contacts"], Path(tmp) / "c.xlsx", detail=True)
        elapsed = time.monotonic() - t0
        stats = srv.stats()
    rate = res.requests / elapsed
    print(f"export contacts --detail: {res.rows['contacts']} rows, {res.requests} requests in {elapsed:.1f} s "
          f"at {args.latency * 1000:.0f} ms latency")
    print(f"throughput: {rate:.2f} req/s = {rate / CEILING:.1%} of the 4 req/s ceiling; "
          f"429 answers seen by the server: {stats.get('429', 0)}")


if __name__ == "__main__":
    main()
