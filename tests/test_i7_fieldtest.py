"""Issue 7, found by the second field test of the merged fixes: each case lost or misplaced data silently.

- a value typed into a column the user added to an export was ignored ("every row matches the server");
- a delete of a record already gone was planned as a delete and then failed at the API;
- a retyped id wrote the row onto another record, giving two records one customer number;
- the same server, spelled localhost instead of 127.0.0.1, was "another account".
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from helpers.cli import run
from test_import_e2e import Sheet

from bulktool.cli import cli
from bulktool.sandbox import SandboxServer


@pytest.fixture()
def srv(fast_sandbox: SandboxServer, sandbox_env: None) -> Iterator[SandboxServer]:
    yield fast_sandbox


def export(srv: SandboxServer, path: Path, *extra: str) -> None:
    res = run(srv, "export", "contacts", "-o", str(path), "--quiet", *extra)
    assert res.exit_code == 0, res.output


def plan(srv: SandboxServer, path: Path, *extra: str) -> tuple[int, list[dict[str, Any]]]:
    res = run(srv, "import", str(path), "--json", "-", "--quiet", *extra)
    return res.exit_code, json.loads(res.stdout)["rows"]


def record(srv: SandboxServer, rid: int) -> dict[str, Any]:
    return next(c for c in srv.records("contacts") if c["id"] == rid)


def add_column(sheet: Sheet, name: str) -> None:
    col = sheet.ws.max_column + 1
    sheet.ws.cell(1, col).value = name
    sheet.cols[name] = col


def test_a_value_in_a_column_added_to_an_export_is_an_edit(srv: SandboxServer, tmp_path: Path) -> None:
    wb = tmp_path / "contacts.xlsx"
    export(srv, wb)  # a list export: email is a detail-only field, not in the sheet
    ids = sorted(c["id"] for c in srv.records("contacts"))
    edited, blank = ids[9], ids[10]
    before_blank = record(srv, blank)
    sheet = Sheet(wb)
    add_column(sheet, "email")
    sheet.set(sheet.row_of(edited), "email", "ny10@example.com")
    sheet.save()
    code, rows = plan(srv, wb)
    assert code == 0
    changed = [r for r in rows if r["action"] != "unchanged"]
    assert [(r["id"], r["action"]) for r in changed] == [(edited, "update")]
    assert changed[0]["changes"]["email"]["new"] == "ny10@example.com"
    res = run(srv, "import", str(wb), "--apply", "--yes", "--quiet")
    assert res.exit_code == 0, res.output
    assert record(srv, edited)["email"] == "ny10@example.com"
    assert record(srv, blank)["email"] == before_blank["email"]  # a blank cell there: no opinion
    code, rows = plan(srv, wb)
    assert code == 0 and all(r["action"] == "unchanged" for r in rows)


def test_deleting_a_record_that_is_already_gone_writes_nothing(srv: SandboxServer, tmp_path: Path) -> None:
    wb = tmp_path / "contacts.xlsx"
    export(srv, wb)
    rid = sorted(c["id"] for c in srv.records("contacts"))[-1]
    sheet = Sheet(wb)
    add_column(sheet, "action")
    sheet.set(sheet.row_of(rid), "action", "delete")
    sheet.save()
    srv.delete("contacts", rid)
    code, rows = plan(srv, wb, "--allow-delete")
    assert code == 0
    row = next(r for r in rows if r["id"] == rid)
    assert (row["action"], row["status"]) == ("unchanged", "skipped")
    assert row["message"] == f"id {rid} no longer exists on the server: nothing to delete"
    srv.reset_stats()
    res = run(srv, "import", str(wb), "--allow-delete", "--apply", "--yes", "--quiet")
    assert res.exit_code == 0, res.output
    assert srv.stats().get("DELETE", 0) == 0


def test_a_retyped_id_that_would_give_two_records_one_customer_number_is_invalid(
        srv: SandboxServer, tmp_path: Path) -> None:
    wb = tmp_path / "companies.xlsx"
    export(srv, wb, "--filter", "contactType=company")
    people = [c for c in srv.records("contacts") if c["contactType"].lower() == "person" and c["customerNumber"]]
    company = next(c for c in srv.records("contacts")
                   if c["contactType"].lower() == "company" and c["customerNumber"])
    person = people[0]
    sheet = Sheet(wb)
    row = sheet.row_of(company["id"])
    sheet.set(row, "id", person["id"])  # a slip of the finger: the row now points at a person
    sheet.save()
    before = srv.records("contacts")
    code, rows = plan(srv, wb)
    assert code == 1
    got = next(r for r in rows if r["row"] == row)
    assert got["action"] == "invalid"
    assert got["errors"] == [{
        "column": "customerNumber",
        "message": f"customerNumber {company['customerNumber']!r} already belongs to id {company['id']} on the "
                   f"server: two records would share it; id {person['id']} is not in this workbook's export "
                   "record: was the id retyped?",
    }]
    res = run(srv, "import", str(wb), "--apply", "--yes", "--quiet", "--skip-invalid")
    assert res.exit_code == 0, res.output
    assert srv.records("contacts") == before


def _at(url: str, srv: SandboxServer, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--base-url", url, "--rate", "200", *args], catch_exceptions=False)


def test_the_same_server_spelled_another_way_is_the_same_account(srv: SandboxServer, tmp_path: Path) -> None:
    wb = tmp_path / "contacts.xlsx"
    port = srv.url.rsplit(":", 1)[1]
    res = _at(f"http://127.0.0.1:{port}", srv, "export", "contacts", "-o", str(wb), "--quiet")
    assert res.exit_code == 0, res.output
    res = _at(f"http://LOCALHOST:{port}/", srv, "import", str(wb), "--quiet")
    assert res.exit_code == 0, res.output
    assert "Nothing to change: every row matches the server." in res.output


def test_a_delete_names_the_records_that_point_at_it(srv: SandboxServer, tmp_path: Path) -> None:
    contacts = srv.records("contacts")
    members = {}
    for c in contacts:
        company = (c.get("company") or {}).get("id")
        if company is not None:
            members.setdefault(company, []).append(c["id"])
    company, people = max(members.items(), key=lambda kv: len(kv[1]))
    wb = tmp_path / "contacts.xlsx"
    export(srv, wb)
    sheet = Sheet(wb)
    add_column(sheet, "action")
    sheet.set(sheet.row_of(company), "action", "delete")
    sheet.save()
    code, rows = plan(srv, wb, "--allow-delete")
    assert code == 0
    row = next(r for r in rows if r["id"] == company)
    ids = ", ".join(str(i) for i in sorted(people)[:5]) + (f" and {len(people) - 5:,} more" if len(people) > 5 else "")
    n = len(people)
    assert (f"{n} {'contact points' if n == 1 else 'contacts point'} at it and will lose the link "
            f"(company.id of {'id' if n == 1 else 'ids'} {ids}); the undo workbook can't restore it") in row["warnings"]
