"""Issue 10, point 5, across parts: a Tripletex run of customers and the contacts that work at them (one
workbook, two sheets), and the wave order of rows that refer to rows of another part."""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

import openpyxl
from helpers.related_tt_run import connect as tt_connect
from helpers.related_tt_run import parts, workbook
from tt_fixtures import credentials, tt_base_url, tt_server

from bulktool.importer import ImportOptions
from bulktool.migrate.run import run_parts
from bulktool.plan.pending import Pending
from bulktool.plan.source import load_source
from bulktool.plan.waves import order_waves
from bulktool.sandbox import SandboxServer
from bulktool.vendors.tripletex.connector import TripletexConnector


def connect(srv: SandboxServer) -> TripletexConnector:
    return tt_connect(tt_base_url(srv), *credentials(srv))


def writes(srv: SandboxServer) -> int:
    stats = srv.stats()
    return sum(stats.get(m, 0) for m in ("POST", "PUT", "DELETE"))


def customer_of(contact: dict[str, Any]) -> Any:
    return (contact.get("customer") or {}).get("id")


def test_customers_and_their_contacts_in_one_run_link_and_a_rerun_writes_nothing(tmp_path: Path) -> None:
    with tt_server() as srv:
        path = workbook(tmp_path / "hubspot.xlsx", companies=4, people=10)
        conn = connect(srv)
        srv.reset_stats()
        dry = run_parts(conn, path, parts(conn, path), ImportOptions())
        assert dry.exit_code == 0 and writes(srv) == 0
        people = {r.row: r for r in dry.parts[1].result.rows}
        assert people[2].changes["customer.id"].new == "(new id of Companies row 2)"
        assert "creates after Companies row 3" in people[3].warnings
        assert [o.result.summary.create for o in dry.parts] == [4, 10]

        srv.reset_stats()
        done = run_parts(conn, path, parts(conn, path), ImportOptions(apply=True))
        assert done.exit_code == 0, [r.message for o in done.parts for r in o.result.rows]
        # The customers this run created are not read again one by one to check that they exist.
        assert not [p for m, p, _ in srv.request_log() if m == "GET" and re.search(r"/customer/\d", p)]
        assert [o.result.summary.applied for o in done.parts] == [4, 10]
        ids = {c["customerNumber"]: c["id"] for c in srv.records("customer")}
        made = {c["email"]: c for c in srv.records("contact")}
        for p in range(10):
            assert customer_of(made[f"kari{p}@fjord.no"]) == ids[90000 + p % 4]
        assert done.parts[0].journal_path == done.parts[1].journal_path  # one journal for the run

        srv.reset_stats()
        again = run_parts(conn, path, parts(conn, path), ImportOptions(apply=True))
        assert again.exit_code == 0 and writes(srv) == 0
        assert [o.result.summary.unchanged for o in again.parts] == [4, 10]


def test_a_contact_whose_customer_is_invalid_is_invalid_and_names_the_other_sheet(tmp_path: Path) -> None:
    with tt_server() as srv:
        path = workbook(tmp_path / "hubspot.xlsx", companies=2, people=4)
        wb = openpyxl.load_workbook(path)
        wb["Companies"]["A3"] = None  # a customer without a name (row 3) is refused
        wb.save(path)
        conn = connect(srv)
        dry = run_parts(conn, path, parts(conn, path), ImportOptions())
        people = {r.row: r for r in dry.parts[1].result.rows}
        assert dry.exit_code == 1
        assert [(e.column, e.message) for e in people[3].errors] == [
            ("customer.id", "its parent Companies row 3 is invalid")]
        assert people[2].action == "create"


def _csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["name", "customerNumber", "contactType", "responsible.id"])
        w.writerows(rows)
    return path


def test_waves_across_parts_and_a_cycle_through_two_parts(tmp_path: Path) -> None:
    a = load_source(_csv(tmp_path / "a.csv", [["A1", "A1", "company", "1"], ["A2", "A2", "company", "1"]]),
                    "blikk", "http://localhost", endpoint="contacts")
    b = load_source(_csv(tmp_path / "b.csv", [["B1", "B1", "person", "1"], ["B2", "B2", "person", "1"]]),
                    "blikk", "http://localhost", endpoint="contacts")
    b.pending = {2: {"company.id": Pending("a", 2, "contacts")}}
    a.pending = {3: {"parentCompany.id": Pending("b", 2, "contacts")}}  # a row 3 waits for b row 2
    waves = order_waves([a, b])
    assert (waves.count, waves.wave_of("a", 2), waves.wave_of("b", 2), waves.wave_of("a", 3)) == (3, 0, 1, 2)
    a.pending[2] = {"parentCompany.id": Pending("b", 3, "contacts")}  # a 2 -> b 3 -> a 2
    b.pending[3] = {"company.id": Pending("a", 2, "contacts")}
    b.pending[2] = {"company.id": Pending("a", 9, "contacts")}  # a 3 -> b 2 -> a row that does not exist
    waves = order_waves([a, b])
    assert waves.invalid[("a", 2)] == ("parentCompany.id", "refers to row 3 (b), which refers back to this row")
    assert waves.invalid[("b", 3)] == ("company.id", "refers to row 2 (a), which refers back to this row")
    assert waves.invalid[("b", 2)] == ("company.id", "refers to row 9 (a), which is not in this run")
    # a row 3 waits for b row 2, which is invalid: it learns that when planned ("its parent ... is invalid")
    assert ("a", 3) not in waves.invalid and waves.wave_of("a", 3) == 1
