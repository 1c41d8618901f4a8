"""A row typed into an exported workbook and matched by its natural key: blank cells are no opinion.

The export record says what the user saw; a row it does not hold (a create the user typed, applied,
then planned again) holds only what the user typed. Its blank cells are not "clear what the server
has": the server filled them in on the create, and clearing them would never converge. This is the
planner's rule for every write policy; here on Blikk's full-replacement contacts (the Tripletex run
is tests/test_tt_accept_e2e.py). A sheet without any record (a CSV) is the whole truth: a blank
there still clears, as before.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from test_import_e2e import Sheet

from bulktool.cli import cli
from bulktool.sandbox import SandboxConfig, SandboxServer


@pytest.fixture()
def srv(sandbox_env: None) -> Iterator[SandboxServer]:
    with SandboxServer(SandboxConfig(contacts=20, port=0, rate_limit=1000)) as s:
        yield s


def run(srv: SandboxServer, *args: str) -> Any:
    return CliRunner().invoke(cli, ["--base-url", srv.url, "--rate", "200", *args], catch_exceptions=False)


def rows(srv: SandboxServer, path: Path, *extra: str) -> list[dict[str, Any]]:
    res = run(srv, "import", str(path), "--json", "-", "--quiet", *extra)
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)["rows"]  # type: ignore[no-any-return]


def test_a_created_row_planned_again_is_unchanged_and_a_csv_blank_still_clears(srv: SandboxServer,
                                                                              tmp_path: Path) -> None:
    path = tmp_path / "contacts.xlsx"
    assert run(srv, "export", "contacts", "--detail", "-o", str(path), "--quiet").exit_code == 0
    sheet = Sheet(path)
    sheet.append({"name": "Ny Kund Åsa AB", "customerNumber": "K-9001", "contactType": "company",
                  "responsible.id": 5, "visitingAddress.city": "Umeå"})
    sheet.save()
    assert [r["action"] for r in rows(srv, path) if r["action"] != "unchanged"] == ["create"]
    assert run(srv, "import", str(path), "--apply", "--yes", "--quiet").exit_code == 0
    [created] = [r for r in srv.records("contacts") if r.get("customerNumber") == "K-9001"]
    filled = {k for k, v in created.items() if v not in (None, "", [], {}) and k not in
              ("id", "name", "customerNumber", "contactType", "responsible", "visitingAddress")}
    assert filled  # the server filled in fields the row leaves blank
    again = rows(srv, path)
    assert {r["action"] for r in again} == {"unchanged"}, [r for r in again if r["action"] != "unchanged"]

    # The same row as a CSV (no export record): its blank city leaves the city as it is (nothing says the cell
    # was emptied), and the dry run says so; an export's emptied cell clears it.
    csv_path = tmp_path / "contacts.csv"
    with csv_path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["customerNumber", "name", "visitingAddress.city"])
        w.writerow(["K-9001", "Ny Kund Åsa AB", ""])
    res = run(srv, "import", str(csv_path), "--endpoint", "contacts", "--json", "-", "--quiet")
    report = json.loads(res.stdout)
    assert [r["action"] for r in report["rows"]] == ["unchanged"]
    assert ("1 row of existing records has empty cells: this sheet has no export record, so an empty cell leaves "
            "its field as it is. To clear a field, export, empty the cell and import that export"
            ) in report["warnings"]
    fresh = tmp_path / "again.xlsx"
    assert run(srv, "export", "contacts", "--detail", "-o", str(fresh), "--quiet").exit_code == 0
    sheet = Sheet(fresh)
    sheet.set(sheet.row_of(created["id"]), "visitingAddress.city", None)
    sheet.save()
    [row] = [r for r in rows(srv, fresh) if r["action"] != "unchanged"]
    assert row["action"] == "update" and row["changes"] == {"visitingAddress.city": {"old": "Umeå", "new": None}}
