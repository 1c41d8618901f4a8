"""Issue 7, point 8 (first half): a record deleted on the server since the export is "no longer exists",
never a planned update, within the request budget, whichever way the planner reads the live records."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
import requests
from helpers.cli import run

from bulktool.sandbox import SandboxServer


@pytest.fixture()
def srv(fast_sandbox: SandboxServer, sandbox_env: None) -> Iterator[SandboxServer]:
    yield fast_sandbox



def export_and_edit(srv: SandboxServer, path: Path, ids: list[int], *extra: str) -> None:
    res = run(srv, "export", "contacts", "-o", str(path), "--quiet", *extra)
    assert res.exit_code == 0, res.output
    wb = openpyxl.load_workbook(path)
    ws = wb["contacts"]
    cols = {c.value: i + 1 for i, c in enumerate(ws[1])}
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, cols["id"]).value in ids:
            ws.cell(r, cols["name"]).value = f"{ws.cell(r, cols['name']).value} (ändrad)"
    wb.save(path)


@pytest.mark.parametrize(("detail", "edited", "reads"), [
    (True, 1, 2),  # changed-since feed, then one detail GET: the 404 settles it
    (True, 3, 1),  # more edits than list pages: the full list (one page of 60) instead of the feed
    (False, 1, 2),  # a list-only export needs the detail GET anyway
])
def test_a_record_deleted_since_the_export_no_longer_exists(
        srv: SandboxServer, tmp_path: Path, detail: bool, edited: int, reads: int) -> None:
    ids = sorted(c["id"] for c in srv.records("contacts"))[5:5 + edited]
    wb = tmp_path / "contacts.xlsx"
    export_and_edit(srv, wb, ids, *(["--detail"] if detail else []))
    gone = ids[0]
    srv.delete("contacts", gone)
    srv.reset_stats()
    res = run(srv, "import", str(wb), "--json", "-", "--quiet")
    assert res.exit_code == 1
    assert srv.stats()["total"] == srv.stats()["GET"] == reads
    rows = {r["id"]: r for r in json.loads(res.stdout)["rows"] if r["action"] != "unchanged"}
    assert rows[gone]["action"] == "conflict"
    assert rows[gone]["message"] == f"id {gone} no longer exists on the server"
    assert all(rows[i]["action"] == "update" for i in ids[1:])
    res = run(srv, "import", str(wb), "--apply", "--yes", "--quiet", "--skip-invalid")
    assert res.exit_code == 0, res.output
    assert srv.stats().get("PUT", 0) == edited - 1
    assert gone not in {c["id"] for c in srv.records("contacts")}


def test_sandbox_delete_control_over_http(srv: SandboxServer) -> None:
    rid = srv.records("tasks")[0]["id"]
    got = requests.post(f"{srv.url}/_sandbox/delete/tasks/{rid}", timeout=10)
    assert got.status_code == 200 and got.json()["id"] == rid
    assert rid not in {t["id"] for t in srv.records("tasks")}
    again = requests.post(f"{srv.url}/_sandbox/delete/tasks/{rid}", timeout=10)
    assert again.status_code == 404 and again.json() == {"message": f"tasks {rid} does not exist"}
    assert "/_sandbox/delete/contacts/12" in srv.banner()
    assert "POST /_sandbox/delete/<resource>/<id>" in requests.get(f"{srv.url}/_sandbox/", timeout=10).json()


@pytest.mark.parametrize("edited", [1, 3])  # the changed-since feed, or the full list
def test_a_deleted_record_whose_row_was_not_edited_blocks_nothing(
        srv: SandboxServer, tmp_path: Path, edited: int) -> None:
    ids = sorted(c["id"] for c in srv.records("contacts"))
    wb = tmp_path / "contacts.xlsx"
    export_and_edit(srv, wb, ids[5:5 + edited], "--detail")
    srv.delete("contacts", ids[20])
    res = run(srv, "import", str(wb), "--quiet")
    assert res.exit_code == 0, res.output
    if edited == 3:  # the full list shows it; the feed cannot see it without a GET per row
        assert ("Skipped 1 row: no longer exists on the server (the row was not edited: nothing to write)"
                in res.output.splitlines())
    res = run(srv, "import", str(wb), "--apply", "--yes", "--quiet")
    assert res.exit_code == 0, res.output
    assert srv.stats().get("PUT", 0) == edited
