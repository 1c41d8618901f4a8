"""Issue 8, acceptance 3, as a test (not timed): updating many Tripletex customers costs few requests.

The bench (bench/bench_tripletex_requests.py) does 5,000 customers and 1,000 updates; this is the same
run, smaller: 2,500 customers (three pages of the active pass, one of the inactive). The untouched
export imports as all unchanged from one changed-since read per list pass; then 500 are renamed and
the import applied through the CLI. Every request the sandbox saw is counted, the session included: at most
20, and exactly the fewest the paging rule allows, against 500 PUTs more on the single-record path.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from click.testing import CliRunner
from openpyxl import load_workbook
from tt_fixtures import CONSUMER, EMPLOYEE, tt_base_url, tt_server

from bulktool.cli import cli
from bulktool.sandbox import SandboxServer

CUSTOMERS, EDITS, BATCH = 2500, 500, 100


def apply_renames(srv: SandboxServer, tmp: Path, tag: str, batch_size: int) -> tuple[int, list[str]]:
    """Export, rename the first EDITS customers, apply; (requests the apply sent, their "METHOD path"s)."""
    env = {"TRIPLETEX_CONSUMER_TOKEN": CONSUMER, "TRIPLETEX_EMPLOYEE_TOKEN": EMPLOYEE,
           "BULKTOOL_CONFIG": str(tmp / "config.toml")}
    base = ["--system", "tripletex", "--base-url", tt_base_url(srv)]
    path, report = tmp / f"customers-{tag}.xlsx", tmp / f"report-{tag}.json"
    res = CliRunner().invoke(cli, [*base, "export", "customers", "-o", str(path), "--quiet"], env=env)
    assert res.exit_code == 0, res.output
    srv.reset_stats()  # the untouched export first: all unchanged, from list pages alone
    res = CliRunner().invoke(cli, [*base, "import", str(path), "--json", str(report), "--quiet"], env=env)
    summary = json.loads(report.read_text(encoding="utf-8"))["summary"]
    assert res.exit_code == 0 and summary["unchanged"] == CUSTOMERS == sum(summary.values()), summary
    lists = [p for _, p, _ in srv.request_log() if p.startswith("/v2/customer?")]
    # Nothing changed since the export: each list pass asks only for what changed since (one short page each),
    # fewer than the one read per 1,000 rows a full read would take; no other request but whoAmI.
    assert len(lists) == 2 and all("changedSince=" in p for p in lists)
    assert srv.stats()["GET"] == srv.stats()["total"] == len(lists) + 1
    wb = load_workbook(path)
    ws = wb["customers"]
    col = [c.value for c in ws[1]].index("name") + 1
    for row in range(2, EDITS + 2):
        ws.cell(row, col).value = f"{ws.cell(row, col).value} (endret)"
    wb.save(path)
    srv.reset_stats()
    sessions = srv.token_requests()  # made outside the stats and the log
    res = CliRunner().invoke(cli, [*base, "import", str(path), "--apply", "--yes", "--quiet", "--batch-size",
                                   str(batch_size), "--json", str(report)], env=env)
    assert res.exit_code == 0, res.output
    assert json.loads(report.read_text(encoding="utf-8"))["summary"]["applied"] == EDITS
    log = srv.request_log()
    assert len(log) == srv.stats()["total"]
    sent = [f"{m} {p.split('?')[0]}" for m, p, _ in log]
    return srv.token_requests() - sessions + len(sent), sent


def test_updating_500_of_2500_customers_takes_the_fewest_requests_and_at_most_20(tmp_path: Path) -> None:
    with tt_server(contacts=CUSTOMERS) as srv:
        inactive = sum(1 for r in srv.records("customer") if r["isInactive"])
        total, sent = apply_renames(srv, tmp_path, "bulk", BATCH)
        single, single_sent = apply_renames(srv, tmp_path, "single", 1)
    pages = (CUSTOMERS - inactive) // 1000 + 1 + inactive // 1000 + 1  # each pass ends on a short page
    puts = math.ceil(EDITS / BATCH)
    assert sorted(set(sent)) == ["GET /v2/customer", "GET /v2/token/session/%3EwhoAmI",
                                 "PUT /v2/customer/list"]  # no detail reads
    assert sent.count("GET /v2/customer") == pages == 4 and sent.count("PUT /v2/customer/list") == puts
    assert total == 2 + pages + puts <= 20  # the session, whoAmI, the list pages, the bulk PUTs
    assert single == total - puts + EDITS  # the single-record path: one PUT per record, the same reads
    assert sum(1 for s in single_sent if s.startswith("PUT /v2/customer/")) == EDITS
