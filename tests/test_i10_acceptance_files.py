"""Issue 10, acceptance 2 and 3: a blank template filled in imports, and a Nordic CSV (and its .xls) too.

The Nordic file is tests/data/i10/fix/nordic-projects.csv: an old ERP's projects as a Swedish Excel saves
them (Windows-1252, ``;``, dd.mm.yyyy, ``1 234,50`` with space or NBSP thousands, SANT/FALSKT), mapped onto
Tripletex projects, whose template has date, decimal and boolean writable columns. The .xls holds the same
rows as typed cells, saved as Excel 97-2003 by LibreOffice, and the -unicode.txt the same text as Excel's
"Unicode text" writes it (UTF-16 LE with BOM, tab). All must leave exactly the same values on the server.
The template half fills `bulktool template contacts` with openpyxl (and re-saved by LibreOffice), and
checks that a misspelled responsible user makes the row invalid, naming the closest users.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from helpers.cli import run
from openpyxl import load_workbook
from test_i10_acceptance_crm import DATA, tt_run

from bulktool.sandbox import SandboxServer

PROJECTS = {  # number -> (customer number, manager id, start, end, isFixedPrice, fixedprice, isClosed)
    "P-2401": (10001, 101, "2024-03-04", "2024-05-31", True, Decimal("1234.50"), False),
    "P-2402": (10002, 102, "2024-04-15", "2024-06-28", True, Decimal("12500.00"), False),
    "P-2403": (10003, 103, "2024-01-09", "2024-01-09", False, Decimal("0"), True),
    "P-2404": (10001, 101, "2024-09-02", None, True, Decimal("98765.25"), False),
    "P-2405": (10004, 104, "2024-11-18", "2025-02-14", False, Decimal("980.00"), False),
    "P-2406": (10002, 102, "2023-10-30", "2023-12-22", True, Decimal("1000000.00"), True),
}
NAMES = {"P-2401": "Takbyte Ålgårdsvägen 3", "P-2402": "Fasadmålning Strømsveien 12",
         "P-2404": "Badrumsrenovering Æbleveien 7", "P-2405": "Elinstallation Ängsvägen 21"}


@pytest.fixture()
def srv(fast_sandbox: SandboxServer, sandbox_env: None) -> Iterator[SandboxServer]:
    yield fast_sandbox


@pytest.mark.parametrize("name", ["nordic-projects.csv", "nordic-projects.xls", "nordic-projects-unicode.txt"])
def test_nordic_projects_import_with_exact_dates_amounts_and_booleans(
        tt_sandbox: SandboxServer, tt_env: None, tmp_path: Path, name: str) -> None:
    src = shutil.copy(DATA / name, tmp_path / name)
    res = tt_run(tt_sandbox, "import", str(src), "--map", str(DATA / "nordic-projects.toml"), "--apply", "--yes",
                 "--quiet")
    assert res.exit_code == 0, res.output
    customer_no = {c["id"]: c["customerNumber"] for c in tt_sandbox.records("customer")}
    got = {p["number"]: p for p in tt_sandbox.records("project") if p["number"] in PROJECTS}
    assert {k: (customer_no[p["customer"]["id"]], p["projectManager"]["id"], p["startDate"], p["endDate"] or None,
                p["isFixedPrice"], Decimal(str(p["fixedprice"])), p["isClosed"]) for k, p in got.items()} == PROJECTS
    assert {k: got[k]["name"] for k in NAMES} == NAMES
    assert got["P-2404"]["description"].splitlines() == ["Etapp 1: rivning", "Etapp 2: tätskikt"]
    assert got["P-2402"]["description"] == 'Kulör enligt "NCS S 1002-Y"'


def fill_template(path: Path, rows: list[dict[str, Any]]) -> None:
    """Type ``rows`` under the template's header row, by column name, as a user in Excel would."""
    wb = load_workbook(path)
    ws = next(s for s in wb.worksheets if s.sheet_state == "visible" and s.title != "Lookups")
    header = {str(c.value): c.column for c in ws[1] if c.value is not None}
    for n, row in enumerate(rows, start=2):
        for key, value in row.items():
            ws.cell(n, header[key]).value = value
    wb.save(path)


def blank_template(srv: SandboxServer, tmp: Path) -> Path:
    path = tmp / "nya-kontakter.xlsx"
    res = run(srv, "template", "contacts", "-o", str(path))
    assert res.exit_code == 0, res.output
    return path


NEW = [{"name": "Kvarnbyns Snickeri AB", "customerNumber": "T-001", "contactType": "company",
        "responsible": "Åsa Öberg", "organizationalOrSocialSecurityNumber": "556123-4567"},
       {"name": "Lena Kvarnström", "customerNumber": "T-002", "contactType": "person",
        "responsible": "per-erik nyström", "email": "lena@kvarnbyn.se"}]  # case folded


def test_a_blank_template_filled_in_with_openpyxl_imports_cleanly(srv: SandboxServer, tmp_path: Path) -> None:
    path = blank_template(srv, tmp_path)
    fill_template(path, NEW)
    res = run(srv, "import", str(path), "--apply", "--yes", "--quiet")
    assert res.exit_code == 0, res.output
    made = {c["customerNumber"]: c for c in srv.records("contacts") if str(c["customerNumber"]).startswith("T-")}
    assert {k: (c["name"], c["responsible"]["id"]) for k, c in made.items()} == {
        "T-001": ("Kvarnbyns Snickeri AB", 3), "T-002": ("Lena Kvarnström", 4)}
    assert made["T-001"]["organizationalOrSocialSecurityNumber"] == "556123-4567"


def test_a_filled_template_re_saved_by_libreoffice_imports_cleanly(
        srv: SandboxServer, tmp_path: Path, soffice: str) -> None:
    path = blank_template(srv, tmp_path)
    fill_template(path, NEW)
    out = tmp_path / "resaved"
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--convert-to",
                    "xlsx", "--outdir", str(out), str(path)], check=True, capture_output=True, timeout=240)
    res = run(srv, "import", str(out / path.name), "--apply", "--yes", "--quiet")
    assert res.exit_code == 0, res.output
    made = {c["customerNumber"]: c["responsible"]["id"] for c in srv.records("contacts")
            if str(c["customerNumber"]).startswith("T-")}
    assert made == {"T-001": 3, "T-002": 4}


def test_a_misspelled_responsible_user_makes_the_row_invalid_and_names_the_closest_users(
        srv: SandboxServer, tmp_path: Path) -> None:
    path = blank_template(srv, tmp_path)
    fill_template(path, [NEW[0], {**NEW[1], "responsible": "Per-Erik Nystrm"}])
    srv.reset_stats()
    res = run(srv, "import", str(path), "--apply", "--yes", "--quiet")
    assert res.exit_code == 1, res.output
    line = next(ln for ln in res.output.splitlines() if "row 3" in ln)
    assert "responsible" in line and "Per-Erik Nystrm" in line and "Per-Erik Nyström" in line
    assert srv.stats()["POST"] == 0  # nothing written while a row is invalid
