"""Issue 7, point 12: the dry run consults the journal exactly as the apply does, and rows that can't be
matched on a re-run (no natural key value) say so."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from helpers.cli import run as cli_run
from test_import_e2e import Sheet

from bulktool.sandbox import SandboxConfig, SandboxServer

KEYLESS = "no customerNumber: importing this row again creates it again"


@pytest.fixture()
def srv(sandbox_env: None) -> Iterator[SandboxServer]:
    with SandboxServer(SandboxConfig(contacts=40, port=0, rate_limit=1000)) as s:
        yield s


def run(srv: SandboxServer, *args: str) -> Result:
    return cli_run(srv, *args, rate="500")


def dry(srv: SandboxServer, path: Path) -> dict[str, Any]:
    res = run(srv, "import", str(path), "--json", "-", "--quiet")
    assert res.exit_code == 0, res.output
    return dict(json.loads(res.stdout))


def workbook_with_keyless_create(srv: SandboxServer, wb: Path) -> int:
    assert run(srv, "export", "contacts", "-o", str(wb), "--quiet").exit_code == 0
    sheet = Sheet(wb)
    sheet.ws.cell(1, sheet.ws.max_column + 1, "responsible.id")
    sheet.cols["responsible.id"] = sheet.ws.max_column
    row = sheet.append({"name": "Utan Nummer AB", "contactType": "company", "responsible.id": 1})
    sheet.save()
    return row


def test_dry_run_after_an_apply_shows_the_journaled_create_as_already_applied(
        srv: SandboxServer, tmp_path: Path) -> None:
    wb = tmp_path / "contacts.xlsx"
    row = workbook_with_keyless_create(srv, wb)
    first = dry(srv, wb)
    assert first["summary"]["create"] == 1
    new = next(r for r in first["rows"] if r["row"] == row)
    assert KEYLESS in new["warnings"]
    assert any("1 row to create has no customerNumber (row " in w for w in first["warnings"]), first["warnings"]
    assert first["journal"] is None  # a dry run never creates a journal

    res = run(srv, "import", str(wb), "--apply", "--quiet")
    assert res.exit_code == 0, res.output
    count = len(srv.records("contacts"))
    created = next(c for c in srv.records("contacts") if c["name"] == "Utan Nummer AB")

    # The dry run now says what the apply will do: nothing, the journal already has this create.
    again = dry(srv, wb)
    assert again["summary"]["create"] == 0 and again["summary"]["unchanged"] == 41, again["summary"]
    done = next(r for r in again["rows"] if r["row"] == row)
    assert done["status"] == "skipped"
    assert done["message"] == f"already applied in an earlier run (id {created['id']})"
    assert again["journal"] == str(tmp_path / "contacts.xlsx.bulktool-journal.sqlite")
    assert again["requests"]["write"] == 0
    res = run(srv, "import", str(wb))
    assert f"Skipped 1 row: already applied in an earlier run (id {created['id']})" in res.output
    assert "Create 1" not in res.output and "create 0" in res.output
    srv.reset_stats()
    assert run(srv, "import", str(wb), "--apply", "--quiet").exit_code == 0
    assert srv.stats().get("POST", 0) == 0 and len(srv.records("contacts")) == count


def test_the_same_keyless_row_from_a_file_with_another_name_is_flagged(srv: SandboxServer, tmp_path: Path) -> None:
    wb = tmp_path / "contacts.xlsx"
    row = workbook_with_keyless_create(srv, wb)
    copy = tmp_path / "contacts-kopia.xlsx"
    shutil.copy(wb, copy)
    assert run(srv, "import", str(wb), "--apply", "--quiet").exit_code == 0
    created = next(c for c in srv.records("contacts") if c["name"] == "Utan Nummer AB")
    plan = dry(srv, copy)
    assert plan["summary"]["create"] == 1  # its own journal knows nothing: the apply would create it
    new = next(r for r in plan["rows"] if r["row"] == row)
    assert KEYLESS in new["warnings"]
    assert (f"a record with exactly these values was already created from contacts.xlsx (id {created['id']}); "
            "applying creates a second one") in new["warnings"]
    assert any(w.startswith("1 row to create was already created with exactly these values from another file")
               for w in plan["warnings"]), plan["warnings"]
