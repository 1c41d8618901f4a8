"""Many companies in one run, end to end over HTTP: a Tripletex accounting office and its two clients.

The accountant's tokens see its own company (1200001) and the clients 1200003 and 1200004
(``GET /company/>withLoginAccess``); each company holds its own customers with the same ids and other
values. ``export customers --company all`` writes them to one sheet with ``companyId``; an import routes
each row to its company, plans, applies and reports per company.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner, Result
from test_import_e2e import Sheet
from tt_fixtures import CLIENT_A, CLIENT_B, credentials, tt_base_url, tt_server

from bulktool.cli import cli
from bulktool.sandbox import SandboxServer
from bulktool.vendors.tripletex.auth import TripletexSessionAuth
from bulktool.vendors.tripletex.connector import TripletexConnector

pytest_plugins = ["tt_fixtures"]
OFFICE = 1200001
ACCOUNT = {OFFICE: 1, CLIENT_A: 3, CLIENT_B: 4}


@pytest.fixture
def tt(tt_env: None) -> Iterator[SandboxServer]:
    with tt_server(contacts=6) as srv:
        yield srv


def run(srv: SandboxServer, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--system", "tripletex", "--base-url", tt_base_url(srv), "--rate", "200", *args],
                              catch_exceptions=False)


def customers(srv: SandboxServer, company: int) -> dict[int, dict[str, Any]]:
    return {int(r["id"]): r for r in srv.records("customer", account=ACCOUNT[company])}


def writes(srv: SandboxServer) -> list[tuple[str, str, int]]:
    return [(m, p.split("?")[0], s) for m, p, s in srv.request_log() if m in ("POST", "PUT", "DELETE")
            and "/token/session" not in p]


class Book(Sheet):
    """The exported sheet, found by company and id (ids repeat across companies)."""

    def row_of_company(self, company: int, record_id: int) -> int:
        for r in range(2, self.ws.max_row + 1):
            if self.get(r, "companyId") == str(company) and self.get(r, "id") == record_id:
                return r
        raise KeyError((company, record_id))


def export_all(srv: SandboxServer, path: Path, *extra: str) -> Result:
    res = run(srv, "export", "customers", "--company", "all", "-o", str(path), "--quiet", *extra)
    assert res.exit_code == 0, res.output
    return res


def edit_both_clients(srv: SandboxServer, path: Path) -> dict[int, tuple[int, str, str]]:
    """Rename one customer and add one new customer in each client company: company -> (id, new name, new)."""
    book = Book(path, "customers")
    done = {}
    for company in (CLIENT_A, CLIENT_B):
        rid = sorted(customers(srv, company))[0]
        renamed, new = f"Endret {company} AS", f"Ny kunde {company} AS"
        book.set(book.row_of_company(company, rid), "name", renamed)
        book.append({"companyId": str(company), "name": new})
        done[company] = (rid, renamed, new)
    book.save()
    return done


def test_company_all_exports_every_visible_company_into_one_sheet(tt: SandboxServer, tmp_path: Path) -> None:
    path = tmp_path / "customers.xlsx"
    export_all(tt, path)
    ws = openpyxl.load_workbook(path)["customers"]
    header = [c.value for c in ws[1]]
    assert header[:3] == ["companyId", "companyName", "id"]
    rows = [dict(zip(header, (c.value for c in r), strict=True)) for r in ws.iter_rows(min_row=2)]
    for company in (OFFICE, CLIENT_A, CLIENT_B):
        mine = [r for r in rows if r["companyId"] == str(company)]
        assert {r["id"]: r["name"] for r in mine} == {i: c["name"] for i, c in customers(tt, company).items()}
    names = {r["companyId"]: r["companyName"] for r in rows}
    assert names == {"1200001": "Fjellregnskap AS", "1200003": "Nordlys Bygg og Anlegg AS",
                     "1200004": "Østfold Rør og Varme AS"}
    # The same id in two companies is two records: the sheet holds both, each with its own values.
    shared = set(customers(tt, CLIENT_A)) & set(customers(tt, CLIENT_B))
    assert shared


def test_one_session_serves_every_company(tt: SandboxServer) -> None:
    """A client company is the Basic user on the office's own session: no second sign-in, one rate window."""
    consumer, employee = credentials(tt)
    office = TripletexConnector(tt_base_url(tt), TripletexConnector.credentials(
        consumer_token=consumer, employee_token=employee))
    assert [c.id for c in office.visible_companies()] == ["1200001", "1200003", "1200004"]
    client = office.for_company(str(CLIENT_A))
    assert isinstance(client, TripletexConnector)
    got = client.get("/token/session/>whoAmI", {"fields": "companyId"})
    assert got["companyId"] == CLIENT_A
    assert client.tenant() != office.tenant() and client.client.limiter is office.client.limiter
    assert isinstance(office.session, TripletexSessionAuth) and office.session.sessions == 1


def test_companies_file_and_the_global_company_option(tt: SandboxServer, tmp_path: Path) -> None:
    listed = tmp_path / "clients.txt"
    listed.write_text(f"{CLIENT_B}\n", encoding="utf-8")
    path = tmp_path / "b.xlsx"
    res = run(tt, "export", "customers", "--companies", str(listed), "-o", str(path), "--json")
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    assert summary["rows"] == {"customers": len(customers(tt, CLIENT_B))}
    assert summary["companies"] == {str(CLIENT_B): len(customers(tt, CLIENT_B))}
    ws = openpyxl.load_workbook(path)["customers"]
    assert {r[0].value for r in ws.iter_rows(min_row=2)} == {str(CLIENT_B)}
    again = tmp_path / "all.xlsx"
    res = run(tt, "--company", "all", "export", "customers", "-o", str(again))
    assert res.exit_code == 0, res.output
    assert res.stdout.startswith(f"Wrote {again} (customers: 18 rows) from 3 companies with ")
    assert res.stderr.splitlines() == ["[1/3] company 1200001 (Fjellregnskap AS): 6 rows",
                                       "[2/3] company 1200003 (Nordlys Bygg og Anlegg AS): 6 rows",
                                       "[3/3] company 1200004 (Østfold Rør og Varme AS): 6 rows"]
    res = run(tt, "import", str(again))
    assert res.exit_code == 0 and res.stderr.splitlines() == [
        "[1/3] planning company 1200001 (Fjellregnskap AS)", "[2/3] planning company 1200003 (Nordlys Bygg og "
        "Anlegg AS)", "[3/3] planning company 1200004 (Østfold Rør og Varme AS)"]
    assert run(tt, "import", str(again), "--quiet").stderr == ""
    ws = openpyxl.load_workbook(again)["customers"]
    assert {r[0].value for r in ws.iter_rows(min_row=2)} == {str(OFFICE), str(CLIENT_A), str(CLIENT_B)}
    res = run(tt, "export", "customers", "--companies", "1200002", "-o", str(tmp_path / "x.xlsx"))
    assert res.exit_code == 2
    assert res.stderr.strip() == ("Error: Company 1200002 is not visible to these credentials; the companies they "
                                  "can work in: 1200001 (Fjellregnskap AS), 1200003 (Nordlys Bygg og Anlegg AS), "
                                  "1200004 (Østfold Rør og Varme AS)")


def test_edit_and_add_per_company_dry_run_apply_rerun(tt: SandboxServer, tmp_path: Path) -> None:
    path = tmp_path / "customers.xlsx"
    export_all(tt, path)
    before = {c: customers(tt, c) for c in (OFFICE, CLIENT_A, CLIENT_B)}
    done = edit_both_clients(tt, path)
    tt.reset_stats()

    res = run(tt, "import", str(path), "--json", "-", "--quiet")
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout)
    assert report["summary"]["update"] == 2 and report["summary"]["create"] == 2
    by_company = {c: v["summary"] for c, v in report["companies"].items()}
    assert list(by_company) == ["1200001", "1200003", "1200004"]
    assert by_company["1200001"]["unchanged"] == len(before[OFFICE])
    for company in (CLIENT_A, CLIENT_B):
        s = by_company[str(company)]
        assert (s["update"], s["create"], s["unchanged"]) == (1, 1, len(before[company]) - 1)
    changed = {(r["company"], r["action"]) for r in report["rows"] if r["action"] != "unchanged"}
    assert changed == {("1200003", "update"), ("1200003", "create"), ("1200004", "update"), ("1200004", "create")}
    assert writes(tt) == []

    text = run(tt, "import", str(path), "--quiet", "--report", str(tmp_path / "r.xlsx"),
               "--html", str(tmp_path / "r.html"))
    assert text.exit_code == 0
    line_a = "company 1200003 (Nordlys Bygg og Anlegg AS): create 1, update 1, unchanged 5"
    assert "By company:\n  company 1200001 (Fjellregnskap AS): unchanged 6\n  " + line_a in text.stdout
    assert line_a in (tmp_path / "r.html").read_text(encoding="utf-8")
    report_book = openpyxl.load_workbook(tmp_path / "r.xlsx")
    assert ("Company", line_a) in [(r[0].value, r[1].value) for r in report_book["Summary"].iter_rows()]
    data = report_book["customers"]
    head = [c.value for c in data[1]]
    companies = [r[head.index("companyId")].value for r in data.iter_rows(min_row=2)]
    assert companies == [Book(path, "customers").get(n, "companyId") for n in range(2, data.max_row + 1)]

    res = run(tt, "import", str(path), "--apply", "--yes", "--quiet", "--json", "-")
    assert res.exit_code == 0, res.output
    head, _, tail = res.stderr.partition(" (import each")
    assert tail == " with --company ID --apply to restore the old values)\n"
    undo = [Path(p) for p in head.removeprefix("Undo workbooks: ").split(", ")]
    assert len(undo) == 2 and all(p.is_file() and p.parent == tmp_path for p in undo)  # one per client company
    applied = json.loads(res.stdout)
    assert applied["summary"]["applied"] == 4 and applied["summary"]["failed"] == 0
    assert applied["companies"]["1200004"]["summary"]["applied"] == 2
    for company, (rid, renamed, new) in done.items():
        now = customers(tt, company)
        assert now[rid]["name"] == renamed
        added = [c for i, c in now.items() if i not in before[company]]
        assert [c["name"] for c in added] == [new]
        # Exactly its own rows: nothing else changed in this company, and the other's rows are not here.
        assert {i: c["name"] for i, c in now.items() if i != rid and i in before[company]} == \
            {i: c["name"] for i, c in before[company].items() if i != rid}
        other = CLIENT_B if company == CLIENT_A else CLIENT_A
        assert done[other][2] not in {c["name"] for c in now.values()}
        assert before[other][done[other][0]]["name"] != renamed
    assert customers(tt, OFFICE) == before[OFFICE]

    tt.reset_stats()
    res = run(tt, "import", str(path), "--apply", "--yes", "--quiet", "--json", "-")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["summary"]["applied"] == 0
    assert writes(tt) == []

    # Each undo workbook is one company's (in the order they were applied) and goes back into that company.
    rid_a = done[CLIENT_A][0]
    res = run(tt, "--company", str(CLIENT_A), "import", str(undo[0]), "--apply", "--yes", "--quiet")
    assert res.exit_code == 0, res.output
    assert customers(tt, CLIENT_A)[rid_a]["name"] == before[CLIENT_A][rid_a]["name"]
    assert customers(tt, CLIENT_B)[done[CLIENT_B][0]]["name"] == done[CLIENT_B][1]


def test_a_row_for_an_invisible_company_is_refused_in_one_line(tt: SandboxServer, tmp_path: Path) -> None:
    path = tmp_path / "customers.xlsx"
    export_all(tt, path)
    book = Book(path, "customers")
    book.set(book.row_of_company(CLIENT_A, sorted(customers(tt, CLIENT_A))[0]), "name", "Endret AS")
    row = book.append({"companyId": "1200002", "name": "Feil selskap AS"})
    book.save()
    tt.reset_stats()
    res = run(tt, "import", str(path), "--apply", "--yes", "--quiet")
    assert res.exit_code == 1
    errors = [line for line in res.stderr.splitlines() if line.startswith("Error:")]
    assert errors == [f"Error: 1 invalid row in sheet 'customers', nothing was written (first: row {row}, column "
                      "companyId: company 1200002 is not visible to these credentials; visible: 1200001, 1200003, "
                      "1200004); fix them, or apply the other rows with --skip-invalid"]
    assert writes(tt) == []


def test_a_row_cannot_move_to_another_company(tt: SandboxServer, tmp_path: Path) -> None:
    """Ids repeat across companies: a row exported from one company, relabelled to another, is refused."""
    shared = sorted(set(customers(tt, CLIENT_A)) & set(customers(tt, CLIENT_B)))
    only_a = shared[0]
    tt.delete("customer", only_a, account=ACCOUNT[CLIENT_B])  # now only company A has this id
    path = tmp_path / "customers.xlsx"
    export_all(tt, path)
    book = Book(path, "customers")
    row = book.row_of_company(CLIENT_A, only_a)
    book.set(row, "companyId", str(CLIENT_B))
    book.save()
    before = customers(tt, CLIENT_B)
    tt.reset_stats()
    res = run(tt, "import", str(path), "--apply", "--yes", "--quiet")
    assert res.exit_code == 1, res.stderr
    assert res.stderr.strip() == (
        f"Error: 1 invalid row in sheet 'customers', nothing was written (first: row {row}, column companyId: id "
        f"{only_a} was exported from company {OFFICE}, {CLIENT_A}, not {CLIENT_B}: a row cannot move between "
        "companies); fix them, or apply the other rows with --skip-invalid")
    assert writes(tt) == []
    # An id both companies hold: the moved row is a second row for that id in the other company.
    book = Book(path, "customers")
    book.set(row, "companyId", str(CLIENT_A))
    row_b, first = book.row_of_company(CLIENT_A, shared[1]), book.row_of_company(CLIENT_B, shared[1])
    book.set(row_b, "companyId", str(CLIENT_B))
    book.save()
    res = run(tt, "import", str(path), "--apply", "--yes", "--quiet")
    assert res.exit_code == 2
    assert res.stderr.strip() == (f"Error: Company {CLIENT_B}: Duplicate id values in 'customers': id "
                                  f"'{shared[1]}' in rows {', '.join(map(str, sorted((first, row_b))))}")
    assert customers(tt, CLIENT_B) == before and writes(tt) == []


def test_the_same_new_row_in_two_companies_is_no_duplicate(tt: SandboxServer, tmp_path: Path) -> None:
    """One company applied first (--companies), the other later: the same values there are its own new record."""
    path = tmp_path / "customers.xlsx"
    export_all(tt, path)
    book = Book(path, "customers")
    for company in (CLIENT_A, CLIENT_B):
        book.append({"companyId": str(company), "name": "Samme navn AS"})
    book.save()
    res = run(tt, "import", str(path), "--apply", "--yes", "--quiet", "--companies", str(CLIENT_A))
    assert res.exit_code == 0, res.output
    res = run(tt, "import", str(path), "--json", "-", "--quiet")
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout)
    assert [w for w in report["warnings"] if "already created" in w] == []
    created = [(r["company"], r["action"]) for r in report["rows"] if r["action"] == "create"]
    assert created == [(str(CLIENT_B), "create")]
    res = run(tt, "import", str(path), "--apply", "--yes", "--quiet")
    assert res.exit_code == 0, res.output
    for company in (CLIENT_A, CLIENT_B):
        assert [c["name"] for c in customers(tt, company).values()].count("Samme navn AS") == 1


def test_each_row_is_diffed_against_its_own_company(tt: SandboxServer, tmp_path: Path) -> None:
    """The same id edited on the server in one company is a conflict there only; the other company's row is
    an update (its export record is its own), and a CSV round trip keeps the records apart as well."""
    path = tmp_path / "customers.csv"
    export_all(tt, path)
    rid = sorted(set(customers(tt, CLIENT_A)) & set(customers(tt, CLIENT_B)))[0]
    tt.edit("customer", rid, {"name": "Endret på serveren AS"}, account=ACCOUNT[CLIENT_A])
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    header = rows[0]
    col_company, col_id, col_name = header.index("companyId"), header.index("id"), header.index("name")
    edited = []
    for cells in rows[1:]:
        if cells[col_id] == str(rid) and cells[col_company] in (str(CLIENT_A), str(CLIENT_B)):
            cells[col_name] = f"Mitt navn {cells[col_company]}"
            edited.append(cells[col_company])
    assert sorted(edited) == [str(CLIENT_A), str(CLIENT_B)]
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh, lineterminator="\r\n").writerows(rows)
    res = run(tt, "import", str(path), "--json", "-", "--quiet")
    assert res.exit_code == 1, res.output
    report = json.loads(res.stdout)
    changed = {r["company"]: r["action"] for r in report["rows"] if r["action"] != "unchanged"}
    assert changed == {str(CLIENT_A): "conflict", str(CLIENT_B): "update"}
    assert report["companies"][str(OFFICE)]["summary"]["unchanged"] == 6
