"""Tripletex reads paced by the announced rate limit, as a ratio of that limit.

Run: python bench/bench_tripletex_rate.py [--limit 20] [--period 5] [--latency 0.3] [--customers 3000]

The sandbox counts requests in fixed periods (``--limit`` per ``--period`` seconds), answers 429
past the limit until the period ends, and announces ``X-Rate-Limit-Limit/-Remaining/-Reset`` on
every answer. The client knows none of the figures beforehand: it paces by the headers. The read
uses small pages (``--page-size``, default 25) so that a few thousand customers make a long run of
requests; the ratio is requests per second over the announced rate, the 429 count shows whether it
stayed under the limit.
"""

from __future__ import annotations

import argparse
import time

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
    announced = args.limit / args.period
    rate = stats["total"] / elapsed
    print(f"list customers (two passes, fields, pages of {args.page_size}): {len(records)} records, "
          f"{stats['total']} requests in {elapsed:.1f} s at {args.latency * 1000:.0f} ms latency")
    print(f"announced {args.limit} per {args.period:g} s = {announced:.2f}/s; achieved {rate:.2f}/s "
          f"= {rate / announced:.2f} of the announced rate; 429 answers: {stats['429']}")


if __name__ == "__main__":
    main()
