"""Requests to update 1,000 of 5,000 Tripletex customers (issue 8, acceptance 3: at most 20, reads included).

Run: python bench/bench_tripletex_requests.py [--customers 5000] [--edits 1000] [--batch-size 100]

Exports the customers from a Tripletex sandbox, renames ``--edits`` of them, and applies the import
through the CLI (plan, journal, writer, connector, HTTP), in process, so the count includes everything
a user's run sends: the session token (the sandbox counts it apart from its stats), whoAmI (the
tenant, checked against the export record), every page of every list pass (active and inactive
customers), and the bulk PUTs. Then it does the same through the single-record path (``--batch-size
1``: one PUT per record) on a fresh export. It prints both counts, the ratio to the fewest possible
(the session, whoAmI, a list page per 1,000 rows and pass with the short page that ends each pass,
one PUT per ``--batch-size`` records) and the ratio of the bulk path to the single-record path.
"""

from __future__ import annotations

import argparse
import json
import math
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench_tripletex_rate import edit_names  # type: ignore[import-not-found]
from click.testing import CliRunner

from bulktool.cli import cli
from bulktool.export import export
from bulktool.sandbox import SandboxConfig, SandboxServer
from bulktool.schema.loader import load_templates
from bulktool.vendors.tripletex import TripletexConnector

BUDGET = 20


@dataclass
class Count:
    total: int  # every request, the session token included
    by_kind: dict[str, int]
    applied: int


def connect(srv: SandboxServer) -> TripletexConnector:
    consumer, employee = srv.credentials(1)
    return TripletexConnector(srv.url + "/v2", TripletexConnector.credentials(
        consumer_token=consumer, employee_token=employee))


def update_run(srv: SandboxServer, tmp: Path, edits: int, batch_size: int, tag: str) -> Count:
    """Export, edit ``edits`` rows, then count every request of one ``import --apply``."""
    path = tmp / f"customers-{tag}.xlsx"
    export(connect(srv), "tripletex", ["customers"], path)
    edited = edit_names(path, edits)
    srv.reset_stats()
    sessions = srv.token_requests()  # the sandbox counts session creates apart from its stats and log
    consumer, employee = srv.credentials(1)
    res = CliRunner().invoke(cli, [
        "--system", "tripletex", "--base-url", srv.url + "/v2", "import", str(path), "--apply", "--yes", "--quiet",
        "--batch-size", str(batch_size), "--json", str(tmp / f"report-{tag}.json")],
        env={"TRIPLETEX_CONSUMER_TOKEN": consumer, "TRIPLETEX_EMPLOYEE_TOKEN": employee,
             "BULKTOOL_CONFIG": str(tmp / "config.toml")})
    applied = json.loads((tmp / f"report-{tag}.json").read_text(encoding="utf-8"))["summary"]["applied"]
    assert res.exit_code == 0 and applied == edited, res.output
    return count(srv, srv.token_requests() - sessions, edited)


def count(srv: SandboxServer, sessions: int, applied: int) -> Count:
    """Every request the sandbox saw, by kind: the session creates, then its log."""
    kinds: dict[str, int] = {"session": sessions}
    for method, path, _ in srv.request_log():
        bare = path.split("?")[0].removeprefix("/v2")
        kind = ("whoAmI" if "whoAmI" in bare else f"{method} {bare}" if method != "PUT" or bare.endswith("/list")
                else f"{method} /customer/{{id}}")
        kinds[kind] = kinds.get(kind, 0) + 1
    assert sum(kinds.values()) == srv.stats()["total"] + sessions
    return Count(sum(kinds.values()), kinds, applied)


def fewest(per_pass: list[int], edits: int, batch_size: int) -> int:
    """The session, whoAmI, the pages of 1,000 of each list pass (each ended by a short page), the bulk PUTs."""
    return 2 + sum(n // 1000 + 1 for n in per_pass) + math.ceil(edits / batch_size)


def pass_sizes(srv: SandboxServer) -> list[int]:
    """How many customers each list pass returns (the template's passes: active, then inactive)."""
    passes = load_templates("tripletex")["customers"].list_passes or ({},)
    recs = srv.records("customer")
    return [sum(1 for r in recs if all(str(r.get(k)).lower() == v for k, v in p.items())) for p in passes]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--customers", type=int, default=5000)
    ap.add_argument("--edits", type=int, default=1000)
    ap.add_argument("--batch-size", type=int, default=100)
    args = ap.parse_args()
    cfg = SandboxConfig(system="tripletex", contacts=args.customers, port=0, rate_limit=100000, rate_period=60.0)
    with SandboxServer(cfg) as srv, tempfile.TemporaryDirectory() as tmp:
        sizes = pass_sizes(srv)
        bulk = update_run(srv, Path(tmp), args.edits, args.batch_size, "bulk")
        single = update_run(srv, Path(tmp), args.edits, 1, "single")
    floor = fewest(sizes, args.edits, args.batch_size)
    print(f"{args.customers} customers ({' + '.join(map(str, sizes))} per list pass), {args.edits} renamed, "
          f"import --apply (bulk PUTs of {args.batch_size}):")
    print(f"  {bulk.total} requests in total (budget {BUDGET}: {'within' if bulk.total <= BUDGET else 'OVER'}); "
          f"{bulk.total / floor:.2f}x the fewest possible ({floor})")
    print("  " + ", ".join(f"{k} {v}" for k, v in bulk.by_kind.items()))
    print(f"single-record path (--batch-size 1): {single.total} requests")
    print("  " + ", ".join(f"{k} {v}" for k, v in single.by_kind.items()))
    print(f"bulk / single-record: {bulk.total}/{single.total} = {bulk.total / single.total:.4f} "
          f"({single.total / bulk.total:.0f}x fewer requests)")


if __name__ == "__main__":
    main()
