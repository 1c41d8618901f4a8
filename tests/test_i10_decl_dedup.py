"""Natural-key dedup with normalisation (issue 10, point 7), end to end against the Tripletex sandbox.

A foreign file spells keys its own way: an org number with a dash or spaces, an email in capitals. In
upsert mode such a row must find the live record (an update, not a second customer), a key matching two
records is refused naming both, and two rows spelling one key differently are duplicates. The value
written is the row's own spelling: only matching folds it.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_import_e2e import Sheet
from tt_fixtures import tt_connector as connect
from tt_fixtures import tt_server

from bulktool.errors import WorkbookError
from bulktool.export import export
from bulktool.importer import ImportOptions, plan_file, run_import
from bulktool.sandbox import SandboxServer


@pytest.fixture
def tt() -> Iterator[SandboxServer]:
    with tt_server(contacts=30) as srv:
        yield srv


def write_csv(path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def customer(srv: SandboxServer, rid: int) -> dict[str, Any]:
    return next(r for r in srv.records("customer") if r["id"] == rid)


def with_org_numbers(srv: SandboxServer) -> list[dict[str, Any]]:
    return [r for r in srv.records("customer") if r["organizationNumber"]]


def test_an_org_number_with_a_dash_or_spaces_updates_the_live_customer_and_a_rerun_creates_nothing(
        tt: SandboxServer, tmp_path: Path) -> None:
    first, second = with_org_numbers(tt)[:2]
    tt.edit("customer", first["id"], {"organizationNumber": "5568986787"})  # a Swedish-style number
    org2 = second["organizationNumber"]
    spaced = f"{org2[:3]} {org2[3:6]} {org2[6:]}"  # "891 884 174", as Norwegians print it
    path = write_csv(tmp_path / "foreign.csv", ["organizationNumber", "name"], [
        ["556898-6787", "Björk & Söner AB"],
        [spaced, second["name"] + " (ny)"],
        ["559000-0001", "Helt Ny Kund AB"],
    ])
    before = len(tt.records("customer"))
    dry = plan_file(connect(tt), path, ImportOptions(endpoint="customers"))
    rows = dry.result.rows
    assert [r.action for r in rows] == ["update", "update", "create"]
    assert rows[0].message == f"matched existing id {first['id']} by organizationNumber"
    assert rows[1].message == f"matched existing id {second['id']} by organizationNumber"
    out = run_import(connect(tt), path, ImportOptions(endpoint="customers", apply=True))
    assert out.exit_code == 0, [(r.row, r.status, r.message) for r in out.result.rows]
    assert len(tt.records("customer")) == before + 1
    # The file's spelling is what is written; the normal form is only for matching.
    assert customer(tt, first["id"])["organizationNumber"] == "556898-6787"
    assert customer(tt, first["id"])["name"] == "Björk & Söner AB"
    assert customer(tt, second["id"])["organizationNumber"] == spaced
    again = run_import(connect(tt), path, ImportOptions(endpoint="customers", apply=True))
    assert again.exit_code == 0
    assert again.result.summary.create == 0 and again.result.summary.update == 0
    assert len(tt.records("customer")) == before + 1


def test_an_email_key_in_other_capitals_matches_the_live_contact(tt: SandboxServer, tmp_path: Path) -> None:
    live = tt.records("contact")[0]
    shouted = live["email"].upper()
    path = write_csv(tmp_path / "contacts.csv", ["email", "firstName", "lastName"], [
        [shouted, live["firstName"], live["lastName"] + "-Berg"],
    ])
    before = len(tt.records("contact"))
    dry = plan_file(connect(tt), path, ImportOptions(endpoint="contacts"))
    (row,) = dry.result.rows
    assert (row.action, row.message) == ("update", f"matched existing id {live['id']} by email")
    out = run_import(connect(tt), path, ImportOptions(endpoint="contacts", apply=True))
    assert out.exit_code == 0, [(r.row, r.status, r.message) for r in out.result.rows]
    assert len(tt.records("contact")) == before
    got = next(r for r in tt.records("contact") if r["id"] == live["id"])
    assert got["lastName"] == live["lastName"] + "-Berg"


def test_a_key_matching_two_live_records_makes_the_row_invalid_naming_both(
        tt: SandboxServer, tmp_path: Path) -> None:
    a, b = with_org_numbers(tt)[:2]
    tt.edit("customer", a["id"], {"organizationNumber": "5568986787"})
    tt.edit("customer", b["id"], {"organizationNumber": "556898-6787"})
    path = write_csv(tmp_path / "foreign.csv", ["organizationNumber", "name"], [
        ["556898 6787", "Vilken AB?"],
        ["559000-0002", "Ny AB"],
    ])
    dry = plan_file(connect(tt), path, ImportOptions(endpoint="customers"))
    bad, new = dry.result.rows
    assert new.action == "create"
    assert bad.action == "invalid"
    (err,) = bad.errors
    assert err.column == "organizationNumber"
    assert err.message == (f"organizationNumber '556898 6787' matches 2 records (ids {a['id']}, {b['id']}); "
                           "add the id column")
    before = len(tt.records("customer"))
    out = run_import(connect(tt), path, ImportOptions(endpoint="customers", apply=True, skip_invalid=True))
    assert len(tt.records("customer")) == before + 1  # the ambiguous row was not guessed
    assert [r.status for r in out.result.rows][1] == "applied"


def test_two_rows_spelling_one_org_number_differently_are_duplicates(tt: SandboxServer, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "foreign.csv", ["organizationNumber", "name"], [
        ["556898-6787", "Björk & Söner AB"],
        ["559000-0003", "Annan AB"],
        ["5568986787", "Björk och Söner"],
    ])
    with pytest.raises(WorkbookError) as exc:
        plan_file(connect(tt), path, ImportOptions(endpoint="customers"))
    assert str(exc.value) == ("Duplicate organizationNumber values in 'foreign': "
                              "organizationNumber '556898-6787' in rows 2, 4")


def test_emails_differing_only_in_case_are_duplicate_keys(tt: SandboxServer, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "contacts.csv", ["email", "firstName", "lastName"], [
        ["Anna.Svensson@Example.se", "Anna", "Svensson"],
        ["anna.svensson@example.se", "Anna", "Svensson"],
    ])
    with pytest.raises(WorkbookError, match="Duplicate email values"):
        plan_file(connect(tt), path, ImportOptions(endpoint="contacts"))


def test_an_edited_export_giving_two_records_one_org_number_in_two_spellings_is_refused(
        tt: SandboxServer, tmp_path: Path) -> None:
    path = tmp_path / "customers.xlsx"
    export(connect(tt), "tripletex", ["customers"], path)
    sheet = Sheet(path, "customers")
    a, b = (r["id"] for r in with_org_numbers(tt)[:2])
    sheet.set(sheet.row_of(a), "organizationNumber", "556898-6787")
    sheet.set(sheet.row_of(b), "organizationNumber", "5568986787")
    sheet.save()
    rows = {r.id: r for r in plan_file(connect(tt), path, ImportOptions()).result.rows}
    assert rows[a].action == rows[b].action == "invalid"
    assert [e.message for e in rows[a].errors] == [
        f"organizationNumber '556898-6787' is also in row {sheet.row_of(b)}: two records would share it; "
        "give each row its own"]
    assert [e.message for e in rows[b].errors] == [
        f"organizationNumber '5568986787' is also in row {sheet.row_of(a)}: two records would share it; "
        "give each row its own"]
