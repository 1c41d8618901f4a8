"""Import acceptance, end to end: the real CLI against the sandbox over HTTP, editing workbooks as a user would."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from bulktool.cli import cli
from bulktool.sandbox import SandboxConfig, SandboxServer


@pytest.fixture()
def srv(sandbox_env: None) -> Iterator[SandboxServer]:
    with SandboxServer(SandboxConfig(contacts=300, port=0, rate_limit=1000)) as s:
        yield s


def run(srv: SandboxServer, *args: str) -> Any:
    result = CliRunner().invoke(cli, ["--base-url", srv.url, "--rate", "200", *args], catch_exceptions=False)
    return result


def export_contacts(srv: SandboxServer, path: Path, *extra: str) -> None:
    res = run(srv, "export", "contacts", "-o", str(path), "--quiet", *extra)
    assert res.exit_code == 0, res.output


class Sheet:
    """Edit an exported sheet by header name, the way a user edits in Excel."""

    def __init__(self, path: Path, name: str = "contacts") -> None:
        self.path = path
        self.wb = openpyxl.load_workbook(path)
        self.ws = self.wb[name]
        self.cols = {c.value: i + 1 for i, c in enumerate(self.ws[1])}

    def row_of(self, record_id: int) -> int:
        for r in range(2, self.ws.max_row + 1):
            if self.ws.cell(r, self.cols["id"]).value == record_id:
                return r
        raise KeyError(record_id)

    def get(self, row: int, col: str) -> Any:
        return self.ws.cell(row, self.cols[col]).value

    def set(self, row: int, col: str, value: Any) -> None:
        cell = self.ws.cell(row, self.cols[col])
        cell.value = value
        if isinstance(value, str):
            cell.data_type = "s"

    def append(self, values: dict[str, Any]) -> int:
        r = self.ws.max_row + 1
        for k, v in values.items():
            self.set(r, k, v)
        return r

    def save(self) -> None:
        self.wb.save(self.path)


def dry_run_json(srv: SandboxServer, path: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    res = run(srv, "import", str(path), "--json", "-", "--quiet", *extra)
    return res.exit_code, json.loads(res.stdout)


def test_untouched_round_trip_is_all_unchanged_and_only_gets(srv: SandboxServer, tmp_path: Path) -> None:
    wb = tmp_path / "contacts.xlsx"
    export_contacts(srv, wb)
    srv.reset_stats()
    code, report = dry_run_json(srv, wb)
    assert code == 0
    assert report["summary"] == {"create": 0, "update": 0, "delete": 0, "unchanged": 300, "conflict": 0,
                                 "invalid": 0, "applied": 0, "failed": 0}
    stats = srv.stats()
    # Every row has an id and the workbook has its export record, so one filtered list request
    # (filter.createdOrUpdatedSince) finds what changed since the export: nothing.
    assert stats["GET"] == stats["total"] == 1
    assert "createdOrUpdatedSince" in srv.request_log()[0][1]


def test_untouched_detail_export_is_all_unchanged(srv: SandboxServer, tmp_path: Path) -> None:
    wb = tmp_path / "contacts.xlsx"
    export_contacts(srv, wb, "--detail")
    srv.reset_stats()
    code, report = dry_run_json(srv, wb)
    assert code == 0, report["summary"]
    assert report["summary"]["unchanged"] == 300
    assert srv.stats()["total"] == srv.stats()["GET"]


def test_edit_apply_rerun(srv: SandboxServer, tmp_path: Path) -> None:
    wb = tmp_path / "contacts.xlsx"
    export_contacts(srv, wb)
    before = {c["id"]: c for c in srv.records("contacts")}
    sheet = Sheet(wb)
    ids = sorted(before)[10:17]
    edited = ids[:5]
    # 10 cells across 5 rows
    expected: dict[int, dict[str, Any]] = {}
    for n, rid in enumerate(edited):
        r = sheet.row_of(rid)
        sheet.set(r, "name", f"Ändrad {n}")
        sheet.set(r, "visitingAddress.city", f"Umeå {n}")
        expected[rid] = {"name": f"Ändrad {n}", "city": f"Umeå {n}"}
    # 3 new rows with new customer numbers. Blikk requires a responsible user on create, a detail-only
    # field, so the user adds that column (the error message for a missing one says so).
    sheet.ws.cell(1, sheet.ws.max_column + 1, "responsible.id")
    sheet.cols["responsible.id"] = sheet.ws.max_column
    for n in range(3):
        sheet.append({"name": f"Ny kund {n}", "customerNumber": f"09{n}77", "contactType": "company",
                      "responsible.id": 1})
    # 2 broken rows: an empty required name, an invalid contactType
    bad1, bad2 = sheet.row_of(ids[5]), sheet.row_of(ids[6])
    sheet.set(bad1, "name", None)
    sheet.set(bad2, "contactType", "persn")
    sheet.save()

    srv.reset_stats()
    code, report = dry_run_json(srv, wb)
    assert code == 1  # invalid rows present
    s = report["summary"]
    assert (s["update"], s["create"], s["invalid"], s["conflict"]) == (5, 3, 2, 0)
    assert srv.stats()["total"] == srv.stats()["GET"]
    updates = {r["id"]: r for r in report["rows"] if r["action"] == "update"}
    assert set(updates) == set(edited)
    for rid, want in expected.items():
        ch = updates[rid]["changes"]
        assert set(ch) == {"name", "visitingAddress.city"}
        assert ch["name"]["new"] == want["name"] and ch["visitingAddress.city"]["new"] == want["city"]
        assert ch["name"]["old"] == before[rid]["name"]
    invalid = {r["row"]: r["errors"] for r in report["rows"] if r["action"] == "invalid"}
    assert invalid[bad1][0]["column"] == "name"
    assert invalid[bad2][0]["column"] == "contactType"
    assert "persn" in invalid[bad2][0]["message"]

    # Apply without --skip-invalid writes nothing.
    srv.reset_stats()
    res = run(srv, "import", str(wb), "--apply", "--quiet")
    assert res.exit_code == 1
    assert srv.stats()["total"] == srv.stats()["GET"]

    srv.reset_stats()
    res = run(srv, "import", str(wb), "--apply", "--skip-invalid", "--quiet", "--json", str(tmp_path / "r.json"))
    assert res.exit_code == 0, res.output
    stats = srv.stats()
    assert stats.get("POST", 0) + stats.get("PUT", 0) + stats.get("DELETE", 0) == 8
    after = {c["id"]: c for c in srv.records("contacts")}
    for rid, want in expected.items():
        a, b = after[rid], before[rid]
        assert a["name"] == want["name"] and a["visitingAddress"]["city"] == want["city"]
        # untouched fields keep their server values, including detail-only ones
        for f in ("email", "phoneNumber", "cellPhoneNumber", "isActive", "customerNumber", "importantInformation"):
            if f == "customerNumber" and not b[f]:
                continue  # "If not provided, the API will assign a customer number" (issue 7, point 7)
            assert a[f] == b[f], f
        assert [t["id"] for t in a["tags"]] == [t["id"] for t in b["tags"]]
        assert a["responsible"] == b["responsible"]
    created = [c for c in after.values() if c["customerNumber"] in ("09077", "09177", "09277")]
    assert len(created) == 3
    applied = json.loads((tmp_path / "r.json").read_text())
    assert applied["summary"]["applied"] == 8

    # Re-running the dry run on the same file: nothing to create or update.
    code, again = dry_run_json(srv, wb)
    assert (again["summary"]["create"], again["summary"]["update"]) == (0, 0)
    assert again["summary"]["invalid"] == 2


def test_conflicts_are_not_written_and_server_changes_are_kept(srv: SandboxServer, tmp_path: Path) -> None:
    wb = tmp_path / "contacts.xlsx"
    export_contacts(srv, wb)
    ids = sorted(c["id"] for c in srv.records("contacts"))
    same_field, other_field = ids[20], ids[21]
    sheet = Sheet(wb)
    sheet.set(sheet.row_of(same_field), "name", "Mitt namn")
    sheet.set(sheet.row_of(other_field), "name", "Också mitt namn")
    sheet.save()
    # Someone else edits on the server after the export.
    srv.edit("contacts", same_field, {"name": "Deras namn"})
    srv.edit("contacts", other_field, {"email": "deras@example.se", "visitingAddress": {"city": "Kiruna"}})

    code, report = dry_run_json(srv, wb)
    assert code == 1
    rows = {r["id"]: r for r in report["rows"] if r["action"] != "unchanged"}
    assert rows[same_field]["action"] == "conflict"
    assert rows[same_field]["changes"]["name"] == {"old": "Deras namn", "new": "Mitt namn"}
    assert rows[other_field]["action"] == "update"
    assert set(rows[other_field]["changes"]) == {"name"}

    srv.reset_stats()
    res = run(srv, "import", str(wb), "--apply", "--skip-invalid", "--quiet")
    assert res.exit_code == 0, res.output
    assert srv.stats().get("PUT", 0) == 1
    after = {c["id"]: c for c in srv.records("contacts")}
    assert after[same_field]["name"] == "Deras namn"  # the conflict was not written
    assert after[other_field]["name"] == "Också mitt namn"
    assert after[other_field]["email"] == "deras@example.se"  # the server's change is kept
    assert after[other_field]["visitingAddress"]["city"] == "Kiruna"


def test_undo_workbook_restores_the_old_values(srv: SandboxServer, tmp_path: Path) -> None:
    wb = tmp_path / "contacts.xlsx"
    export_contacts(srv, wb)
    rid = sorted(c["id"] for c in srv.records("contacts"))[30]
    original = next(c for c in srv.records("contacts") if c["id"] == rid)
    sheet = Sheet(wb)
    sheet.set(sheet.row_of(rid), "name", "Tillfälligt")
    sheet.save()
    res = run(srv, "import", str(wb), "--apply", "--quiet")
    assert res.exit_code == 0, res.output
    undo = next(tmp_path.glob("contacts.undo-*.xlsx"))
    res = run(srv, "import", str(undo), "--apply", "--quiet", "--sheet", "contacts")
    assert res.exit_code == 0, res.output
    now = next(c for c in srv.records("contacts") if c["id"] == rid)
    assert now["name"] == original["name"]


@pytest.mark.parametrize("detail", [False, True])
def test_request_budget(srv: SandboxServer, tmp_path: Path, detail: bool) -> None:
    """N rows with k changed: at most 2k + ceil(N/100) + 5 requests, or k + ... with a --detail export."""
    wb = tmp_path / "contacts.xlsx"
    export_contacts(srv, wb, *(["--detail"] if detail else []))
    sheet = Sheet(wb)
    k = 12
    for r in range(2, 2 + k):
        sheet.set(r, "name", f"{sheet.get(r, 'name')} (ändrad)")
    sheet.save()
    srv.edit("contacts", max(c["id"] for c in srv.records("contacts")), {"email": "annan@example.se"})
    srv.reset_stats()
    res = run(srv, "import", str(wb), "--apply", "--quiet")
    assert res.exit_code == 0, res.output
    total = srv.stats()["total"] + 1  # the token request is not counted by the sandbox
    budget = (k if detail else 2 * k) + 3 + 5
    assert srv.stats()["PUT"] == k
    assert total <= budget


def test_server_values_the_template_rejects_do_not_block_an_untouched_round_trip(
        srv: SandboxServer, tmp_path: Path) -> None:
    """Only rows the user changed are validated: the server's own odd data is not the user's mistake."""
    odd = sorted(c["id"] for c in srv.records("contacts"))[:2]
    for rid in odd:
        # A value outside the documented enum, as a newer or older server may hold. The sandbox's edit API
        # refuses it, so it goes into the store directly.
        rec = srv._store.get("contacts", rid)
        assert rec is not None
        srv._store.replace("contacts", {**rec, "contactType": "partner"})
    wb = tmp_path / "contacts.xlsx"
    export_contacts(srv, wb)
    code, report = dry_run_json(srv, wb)
    assert code == 0, report["summary"]
    assert report["summary"]["unchanged"] == 300 and report["summary"]["invalid"] == 0

    sheet = Sheet(wb)
    row = sheet.row_of(odd[0])
    sheet.set(row, "name", "Ändrad AB")
    sheet.save()
    code, report = dry_run_json(srv, wb)
    assert code == 1
    assert report["summary"]["invalid"] == 1 and report["summary"]["unchanged"] == 299
    bad = next(r for r in report["rows"] if r["action"] == "invalid")
    assert bad["row"] == row and [e["column"] for e in bad["errors"]] == ["contactType"]
