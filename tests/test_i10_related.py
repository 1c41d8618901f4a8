"""Issue 10, point 5: rows of one sheet that point at other rows of it (a person whose company is a row of
the same file), over HTTP against the Blikk sandbox: parents first, ids filled in, cycles and invalid or
failed parents refused with a clear message, and a re-run creates nothing."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from helpers.related_run import connect, run

from bulktool.importer import ImportOptions
from bulktool.migrate.run import RunOutcome, run_parts
from bulktool.plan.pending import Pending
from bulktool.plan.source import Source, load_source
from bulktool.reports.json_report import dumps
from bulktool.reports.terminal import render_summary
from bulktool.sandbox import SandboxConfig, SandboxServer
from bulktool.schema.model import Lookup
from bulktool.writer import default_journal_path

HEADER = ["name", "customerNumber", "contactType", "responsible.id", "parentCompany.id", "belongs to"]


@pytest.fixture()
def srv() -> Iterator[SandboxServer]:
    with SandboxServer(SandboxConfig(contacts=20, port=0, rate_limit=1000)) as server:
        yield server


def write_sheet(path: Path, rows: list[list[Any]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        w.writerows(rows)
    return path


def people_and_companies(path: Path, persons: int = 6, companies: int = 3) -> Path:
    """Persons first (rows 2..), then the companies they belong to: the file order is not the write order."""
    rows: list[list[Any]] = [[f"Person {i}", f"P-{i}", "person", 1, "", f"C-{i % companies}"]
                             for i in range(persons)]
    rows += [[f"Company {c}", f"C-{c}", "company", 1, "", ""] for c in range(companies)]
    return write_sheet(path, rows)


def by_number(srv: SandboxServer) -> dict[str, dict[str, Any]]:
    return {c["customerNumber"]: c for c in srv.records("contacts")}


def company_of(record: dict[str, Any]) -> Any:
    company = record.get("company")
    return company.get("id") if isinstance(company, dict) else company


def posts(srv: SandboxServer) -> int:
    return srv.stats().get("POST", 0)


def test_dry_run_shows_the_dependency_apply_links_each_person_and_a_rerun_creates_nothing(
        srv: SandboxServer, tmp_path: Path) -> None:
    sheet = people_and_companies(tmp_path / "contacts.csv")
    conn = connect(srv.url, srv.app_id, srv.app_secret)
    srv.reset_stats()
    dry = run(conn, sheet)
    assert dry.exit_code == 0 and posts(srv) == 0
    rows = {r.row: r for r in dry.parts[0].result.rows}
    assert [rows[r].action for r in sorted(rows)] == ["create"] * 9
    assert rows[2].changes["company.id"].new == "(new id of row 8)"  # Person 0 -> C-0, row 8
    assert "creates after row 8" in rows[2].warnings and "creates after row 9" in rows[3].warnings
    assert "company.id" not in rows[8].changes and not rows[8].warnings
    as_json = dumps(dry.parts[0].result)
    assert '"(new id of row 10)"' in as_json and "creates after row 10" in as_json
    assert "note: creates after row 8" in render_summary(dry.parts[0].result)

    done = run(conn, sheet, apply=True)
    assert done.exit_code == 0, [r.message for r in done.parts[0].result.rows]
    result = done.parts[0].result
    assert result.summary.create == 9 and result.summary.applied == 9
    live = by_number(srv)
    for i in range(6):
        assert company_of(live[f"P-{i}"]) == live[f"C-{i % 3}"]["id"], live[f"P-{i}"]
    assert done.parts[0].journal_path == default_journal_path(sheet)
    assert done.parts[0].undo_path is None  # creates only: nothing to restore

    srv.reset_stats()
    assert run(conn, sheet).parts[0].result.summary.unchanged == 9
    dry_reads = srv.stats()["GET"]
    srv.reset_stats()
    again = run(conn, sheet, apply=True)
    assert again.exit_code == 0 and posts(srv) == 0 and srv.stats().get("PUT", 0) == 0
    assert again.parts[0].result.summary.unchanged == 9
    assert srv.stats()["GET"] == dry_reads  # every parent known up front: no wave is planned twice
    assert len([c for c in srv.records("contacts") if (c["customerNumber"] or "").startswith(("P-", "C-"))]) == 9


def test_a_cycle_makes_each_row_in_it_invalid_and_its_dependents_too(srv: SandboxServer, tmp_path: Path) -> None:
    sheet = write_sheet(tmp_path / "contacts.csv", [
        ["A", "C-A", "company", 1, "", "C-B"],   # row 2 -> row 3
        ["B", "C-B", "company", 1, "", "C-A"],   # row 3 -> row 2
        ["Self", "C-S", "company", 1, "", "C-S"],  # row 4 -> itself
        ["Pat", "P-1", "person", 1, "", "C-A"],  # row 5 -> row 2, in the cycle
        ["Fine", "C-F", "company", 1, "", ""],   # row 6
        ["Kim", "P-2", "person", 1, "", "C-F"],  # row 7 -> row 6
    ])
    conn = connect(srv.url, srv.app_id, srv.app_secret)
    dry = run(conn, sheet)
    rows = {r.row: r for r in dry.parts[0].result.rows}
    assert dry.exit_code == 1
    assert [(e.column, e.message) for e in rows[2].errors] == [
        ("company.id", "refers to row 3 (contacts), which refers back to this row")]
    assert rows[3].errors[0].message == "refers to row 2 (contacts), which refers back to this row"
    assert rows[4].errors[0].message == "refers to itself (row 4)"
    assert [(e.column, e.message) for e in rows[5].errors] == [("company.id", "its parent row 2 is invalid")]
    assert rows[6].action == rows[7].action == "create" and "creates after row 6" in rows[7].warnings

    srv.reset_stats()
    blocked = run(conn, sheet, apply=True)
    assert blocked.exit_code == 1 and posts(srv) == 0
    assert "Nothing was written" in blocked.parts[0].result.warnings[-1]
    some = run(conn, sheet, apply=True, skip_invalid=True)
    assert some.exit_code == 1 and posts(srv) == 2
    live = by_number(srv)
    assert company_of(live["P-2"]) == live["C-F"]["id"] and "C-A" not in live and "P-1" not in live


def test_a_person_whose_company_row_is_invalid_is_invalid(srv: SandboxServer, tmp_path: Path) -> None:
    sheet = write_sheet(tmp_path / "contacts.csv", [
        ["Broken", "C-X", "firma", 1, "", ""],   # row 2: not a contact type
        ["Pat", "P-1", "person", 1, "", "C-X"],  # row 3
    ])
    dry = run(connect(srv.url, srv.app_id, srv.app_secret), sheet)
    rows = {r.row: r for r in dry.parts[0].result.rows}
    assert rows[2].action == "invalid" and rows[3].action == "invalid"
    assert [(e.column, e.message) for e in rows[3].errors] == [("company.id", "its parent row 2 is invalid")]


def test_a_company_the_api_refuses_holds_back_its_persons(srv: SandboxServer, tmp_path: Path) -> None:
    person = next(c for c in srv.records("contacts") if c["contactType"].lower() == "person")
    sheet = write_sheet(tmp_path / "contacts.csv", [
        ["Refused", "C-R", "company", 1, person["id"], ""],  # row 2: a parent company that is a person: 400
        ["Good", "C-G", "company", 1, "", ""],               # row 3
        ["Pat", "P-1", "person", 1, "", "C-R"],              # row 4
        ["Kim", "P-2", "person", 1, "", "C-G"],              # row 5
    ])
    conn = connect(srv.url, srv.app_id, srv.app_secret)
    assert run(conn, sheet).exit_code == 0  # nothing in the sheet says the server will refuse it
    done = run(conn, sheet, apply=True)
    rows = {r.row: r for r in done.parts[0].result.rows}
    assert done.exit_code == 3
    assert rows[2].status == "failed" and "is not a company" in rows[2].message
    assert rows[4].status == "skipped" and rows[4].message == "not sent: its parent row 2 failed"
    live = by_number(srv)
    assert "P-1" not in live and company_of(live["P-2"]) == live["C-G"]["id"]


def test_without_natural_keys_the_journal_keeps_a_rerun_from_creating_parents_or_children_again(
        srv: SandboxServer, tmp_path: Path) -> None:
    # No customer numbers: the server assigns them, so only the journal knows these rows were created.
    sheet = write_sheet(tmp_path / "contacts.csv", [
        ["Kim Ek", "", "person", 1, "", "Ek AB"],   # row 2 -> row 4
        ["Ola Ås", "", "person", 1, "", "Ås AB"],   # row 3 -> row 5
        ["Ek AB", "", "company", 1, "", ""],
        ["Ås AB", "", "company", 1, "", ""],
    ])
    conn = connect(srv.url, srv.app_id, srv.app_secret)

    def parts_by_name() -> RunOutcome:
        src = load_source(sheet, conn.system, conn.host, tenant=conn.tenant())
        rows = {r.values["name"]: r.row for r in src.sheet.rows}
        src.pending = {r.row: {"company.id": Pending("contacts", rows[r.values["belongs to"]], "contacts")}
                       for r in src.sheet.rows if r.values.get("belongs to")}
        return run_parts(conn, sheet, [src], ImportOptions(apply=True))

    first = parts_by_name()
    assert first.exit_code == 0 and first.parts[0].result.summary.applied == 4
    live = {c["name"]: c for c in srv.records("contacts")}
    assert company_of(live["Kim Ek"]) == live["Ek AB"]["id"] and company_of(live["Ola Ås"]) == live["Ås AB"]["id"]
    srv.reset_stats()
    again = parts_by_name()
    assert again.exit_code == 0 and posts(srv) == 0
    ids = [live[n]["id"] for n in ("Kim Ek", "Ola Ås", "Ek AB", "Ås AB")]
    assert sorted(r.message for r in again.parts[0].result.rows) == sorted(
        f"already applied in an earlier run (id {i})" for i in ids)


def test_one_undo_workbook_per_part_holds_the_updates_of_every_wave(srv: SandboxServer, tmp_path: Path) -> None:
    sheet = people_and_companies(tmp_path / "contacts.csv", persons=2, companies=2)
    conn = connect(srv.url, srv.app_id, srv.app_secret)
    assert run(conn, sheet, apply=True).exit_code == 0
    text = sheet.read_text(encoding="utf-8")
    sheet.write_text(text.replace("Company 1,", "Company One,").replace("Person 0,", "Person Zero,"),
                     encoding="utf-8")  # a company (wave 0) and a person (wave 1) renamed
    done = run(conn, sheet, apply=True)
    assert done.exit_code == 0 and done.parts[0].result.summary.update == 2
    undo = done.parts[0].undo_path
    assert undo is not None and [p.name for p in tmp_path.glob("*.undo-*.xlsx")] == [undo.name]
    ws = openpyxl.load_workbook(undo)["contacts"]
    names = [ws.cell(r, [c.value for c in ws[1]].index("name") + 1).value for r in range(2, ws.max_row + 1)]
    assert sorted(names) == ["Company 1", "Person 0"]  # what each was before this run


def test_an_existing_person_linked_to_a_company_of_this_run_is_an_update_after_it(
        srv: SandboxServer, tmp_path: Path) -> None:
    conn = connect(srv.url, srv.app_id, srv.app_secret)
    alone = write_sheet(tmp_path / "contacts.csv", [["Pat", "P-1", "person", 1, "", ""]])
    assert run(conn, alone, apply=True).exit_code == 0
    sheet = write_sheet(tmp_path / "contacts.csv", [
        ["Pat", "P-1", "person", 1, "", "C-N"],  # row 2: exists, now at a company created by row 3
        ["New AB", "C-N", "company", 1, "", ""],
    ])
    dry = run(conn, sheet)
    pat = dry.parts[0].result.rows[0]
    assert (pat.action, pat.changes["company.id"].new, pat.warnings) == ("update", "(new id of row 3)",
                                                                         ["updates after row 3"])
    assert (dry.parts[0].result.summary.update, dry.parts[0].result.summary.create) == (1, 1)
    done = run(conn, sheet, apply=True)
    assert (done.parts[0].result.summary.update, done.parts[0].result.summary.create) == (1, 1)
    live = by_number(srv)
    assert company_of(live["P-1"]) == live["C-N"]["id"]


def test_a_lookup_value_naming_a_row_of_the_run_links_to_it_and_one_naming_a_live_record_to_that(
        srv: SandboxServer, tmp_path: Path) -> None:
    # The lead's resolver (plan.lookups) turns "belongs to" into company.id, or a Pending on a row of the run.
    live_company = next(c for c in srv.records("contacts") if c["contactType"].lower() == "company")
    sheet = write_sheet(tmp_path / "contacts.csv", [
        ["Pat", "P-1", "person", 1, "", "C-N"],                          # row 2: a company of this file
        ["Kim", "P-2", "person", 1, "", live_company["customerNumber"]],  # row 3: a company already there
        ["New AB", "C-N", "company", 1, "", ""],                         # row 4
    ])
    conn = connect(srv.url, srv.app_id, srv.app_secret)

    def declared() -> Source:
        src = load_source(sheet, conn.system, conn.host, tenant=conn.tenant())
        col = src.endpoint.column("company.id")
        looked_up = replace(col, lookup=Lookup("belongs to", "contacts", ("customerNumber",)))
        src.endpoint = replace(src.endpoint, columns=tuple(looked_up if c is col else c for c in src.endpoint.columns))
        return src

    dry = run_parts(conn, sheet, [declared()], ImportOptions())
    rows = {r.row: r for r in dry.parts[0].result.rows}
    assert rows[2].changes["company.id"].new == "(new id of row 4)" and rows[2].warnings == ["creates after row 4"]
    assert rows[3].changes["company.id"].new == live_company["id"] and not rows[3].warnings
    assert run_parts(conn, sheet, [declared()], ImportOptions(apply=True)).exit_code == 0
    live = by_number(srv)
    assert company_of(live["P-1"]) == live["C-N"]["id"] and company_of(live["P-2"]) == live_company["id"]
    srv.reset_stats()
    again = run_parts(conn, sheet, [declared()], ImportOptions(apply=True))  # now every company is live
    assert again.exit_code == 0 and posts(srv) == 0 and again.parts[0].result.summary.unchanged == 3
