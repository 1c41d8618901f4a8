"""Many companies, when things go wrong: one company answering 403 fails alone (exit 3), and a kill -9
mid-apply followed by ``--resume`` leaves every new customer exactly once in its own company.

The 403 comes from the sandbox over HTTP: the office's company list is made to name 1200002 as well (as
if access to it had been withdrawn since ``>withLoginAccess`` was read), and the sandbox refuses that
company with 403/9000, as Tripletex does for a client the token cannot reach.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from test_multico_tt_e2e import ACCOUNT, Book, customers, export_all, writes
from tt_fixtures import CLIENT_A, CLIENT_B, OTHER_COMPANY, credentials, tt_base_url, tt_server

from bulktool.cli import cli
from bulktool.cli.importing import exit_line
from bulktool.connectors.companies import Company
from bulktool.importer import ImportOptions
from bulktool.multico import run_multi_import
from bulktool.progress import NullProgress
from bulktool.sandbox import SandboxServer
from bulktool.vendors.tripletex.connector import TripletexConnector

pytest_plugins = ["tt_fixtures"]
REFUSED = "GET /v2/customer: no access (HTTP 403, code 9000: You do not have permission"


@pytest.fixture
def tt(tt_env: None) -> Iterator[SandboxServer]:
    with tt_server(contacts=6) as srv:
        yield srv


class WithdrawnAccess(TripletexConnector):
    """The office as the sandbox serves it, whose company list still names a company it lost access to."""

    def visible_companies(self) -> list[Company]:
        return [*super().visible_companies(), Company(str(OTHER_COMPANY), "Havbris Handel AS")]


def office(srv: SandboxServer, cls: type[TripletexConnector] = TripletexConnector) -> TripletexConnector:
    consumer, employee = credentials(srv)
    return cls(tt_base_url(srv), cls.credentials(consumer_token=consumer, employee_token=employee))


def test_one_company_answering_403_fails_alone_and_the_others_are_applied(tt: SandboxServer, tmp_path: Path) -> None:
    path = tmp_path / "customers.xlsx"
    export_all(tt, path)
    before = {c: customers(tt, c) for c in (CLIENT_A, CLIENT_B)}
    others_before = [r["name"] for r in tt.records("customer", account=2)]
    book = Book(path, "customers")
    row_a = book.append({"companyId": str(CLIENT_A), "name": "Ny kunde A AS"})
    row_x = book.append({"companyId": str(OTHER_COMPANY), "name": "Utenfor AS"})
    row_b = book.append({"companyId": str(CLIENT_B), "name": "Ny kunde B AS"})
    book.save()

    outcome = run_multi_import(office(tt, WithdrawnAccess), path, ImportOptions(apply=True))
    assert outcome.exit_code == 3
    result = outcome.result
    by_row = {r.row: r for r in result.rows}
    assert (by_row[row_a].status, by_row[row_b].status) == ("applied", "applied")
    failed = by_row[row_x]
    assert failed.status == "failed" and failed.company == str(OTHER_COMPANY) and failed.permanent
    assert failed.message.startswith(f"company {OTHER_COMPANY}: {REFUSED}")
    summaries = {c: s.to_json() for c, s in result.company_summaries().items()}
    assert summaries[str(OTHER_COMPANY)]["failed"] == 1 and summaries[str(CLIENT_B)]["applied"] == 1
    for company, name in ((CLIENT_A, "Ny kunde A AS"), (CLIENT_B, "Ny kunde B AS")):
        added = [c["name"] for i, c in customers(tt, company).items() if i not in before[company]]
        assert added == [name]
    assert [r["name"] for r in tt.records("customer", account=2)] == others_before
    line = exit_line(result, 3)
    assert line is not None and line.startswith(f"Error: 1 row not applied (first: row {row_x}: company "
                                                f"{OTHER_COMPANY}: {REFUSED}")
    assert line.endswith("; the server refused it: fix that row (see the report) and run the same import again "
                         "(what was applied is skipped)")


# A new customer's row as a user fills it in, with the values the server would give it anyway: on --resume the
# rows created before the kill are matched by customerNumber, and an empty cell there would be a change
# (clearing what the server filled in; see the report of this stream).
FULL_ROW: dict[str, Any] = {
    "isPrivateIndividual": False, "isInactive": False, "language": "NO", "invoiceSendMethod": "EMAIL",
    "invoicesDueIn": 14, "invoicesDueInType": "DAYS", "currency.id": 1, "postalAddress.country.id": 161,
    "physicalAddress.country.id": 161,
}


def _settle(srv: SandboxServer) -> None:
    deadline = time.monotonic() + 10
    while any(status == 0 for _, _, status in srv.request_log()):
        assert time.monotonic() < deadline, "the sandbox never finished the in-flight requests"
        time.sleep(0.01)


def run(srv: SandboxServer, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--system", "tripletex", "--base-url", tt_base_url(srv), "--rate", "200", *args],
                              catch_exceptions=False)


def test_kill_9_mid_apply_then_resume_creates_each_row_exactly_once(tt: SandboxServer, tmp_path: Path) -> None:
    path = tmp_path / "customers.xlsx"
    export_all(tt, path)
    before = {c: customers(tt, c) for c in (CLIENT_A, CLIENT_B)}
    book = Book(path, "customers")
    new: dict[int, list[str]] = {c: [f"Ny {c} nr {i} AS" for i in range(6)] for c in (CLIENT_A, CLIENT_B)}
    for company, names in new.items():
        for i, name in enumerate(names):  # a customerNumber: the key a create of unknown outcome is found by
            book.append({"companyId": str(company), "name": name, "customerNumber": 90000 + i, **FULL_ROW})
    book.save()
    tt.set_faults(latency=0.15)
    tt.reset_stats()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BLIKK_")}
    cmd = [sys.executable, "-m", "bulktool", "--system", "tripletex", "--base-url", tt_base_url(tt), "--rate", "50",
           "import", str(path), "--apply", "--quiet", "--batch-size", "1", "--company", "all"]
    proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while len(writes(tt)) < 3:
            assert proc.poll() is None, f"the apply ended before the kill: {proc.stderr.read()!r}"  # type: ignore[union-attr]
            assert time.monotonic() < deadline, "the apply never reached the write phase"
            time.sleep(0.005)
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=10) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
        if proc.stderr is not None:
            proc.stderr.close()
    _settle(tt)
    made = sum(len(customers(tt, c)) - len(before[c]) for c in new)
    assert 0 < made < 12  # killed mid-apply: some created, not all
    journals = sorted(p.name for p in tmp_path.glob("*.bulktool-journal.sqlite"))
    assert journals == [f"customers.xlsx.company-{CLIENT_A}.bulktool-journal.sqlite"]
    tt.set_faults(latency=0.0)

    res = run(tt, "import", str(path), "--apply", "--yes", "--quiet")
    assert res.exit_code == 2 and "--resume" in res.stderr  # an interrupted journal stops every company
    res = run(tt, "import", str(path), "--apply", "--resume", "--yes", "--quiet", "--json", "-")
    assert res.exit_code == 0, res.output
    report: dict[str, Any] = json.loads(res.stdout)
    assert report["summary"]["failed"] == 0
    for company, names in new.items():
        added = sorted(c["name"] for i, c in customers(tt, company).items() if i not in before[company])
        assert added == sorted(names)  # each exactly once, and only in its own company
    tt.reset_stats()
    res = run(tt, "import", str(path), "--apply", "--resume", "--yes", "--quiet")
    assert res.exit_code == 0 and writes(tt) == []


class EditBeforeCompany(NullProgress):
    """Someone else saves a record of one company after the plan, right before that company's writes."""

    def __init__(self, srv: SandboxServer, company: int, rid: int) -> None:
        self.srv, self.company, self.rid, self.done = srv, company, rid, False

    def task(self, title: str, total: int | None = None, unit: str = "") -> None:
        if title.startswith(f"Applying to company {self.company}") and not self.done:
            self.srv.edit("customer", self.rid, {"name": "Lagret av en kollega AS"}, account=ACCOUNT[self.company])
            self.done = True


def test_a_write_refused_in_one_company_never_stops_the_next(tt: SandboxServer, tmp_path: Path) -> None:
    """Company A's update is refused at write time (its record changed after the plan: the sandbox's version check);
    company B, applied after it, still gets its writes; the exit code is 3."""
    path = tmp_path / "customers.xlsx"
    export_all(tt, path)
    rid = sorted(set(customers(tt, CLIENT_A)) & set(customers(tt, CLIENT_B)))[0]
    book = Book(path, "customers")
    for company in (CLIENT_A, CLIENT_B):
        book.set(book.row_of_company(company, rid), "name", f"Mitt navn {company} AS")
    book.save()
    progress = EditBeforeCompany(tt, CLIENT_A, rid)
    outcome = run_multi_import(office(tt), path, ImportOptions(apply=True), progress)
    assert progress.done and outcome.exit_code == 3
    rows = {r.company: r for r in outcome.result.rows if r.action != "unchanged"}
    assert (rows[str(CLIENT_A)].status, rows[str(CLIENT_A)].action) == ("failed", "conflict")
    assert rows[str(CLIENT_B)].status == "applied"
    assert rows[str(CLIENT_A)].message.startswith("conflict: changed on the server since the plan by someone else: "
                                                  "name is now 'Lagret av en kollega AS' on the server")
    assert customers(tt, CLIENT_A)[rid]["name"] == "Lagret av en kollega AS"
    assert customers(tt, CLIENT_B)[rid]["name"] == f"Mitt navn {CLIENT_B} AS"
