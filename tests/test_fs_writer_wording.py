"""The dry run names a cleared cell "will clear" on every API, never "-> None": a Blikk clear (its
full-replacement PUT leaves the field out) and a Tripletex one (its partial PUT sends the empty
value) are clears as much as Finsit's null (tests/test_fs_writer.py)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner, Result
from tt_fixtures import tt_base_url

from bulktool.cli import cli
from bulktool.plan.model import FieldChange, RowResult
from bulktool.reports.html_report import _change_table
from bulktool.reports.terminal import row_line
from bulktool.sandbox import SandboxServer


def run(system: str, base_url: str, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--system", system, "--base-url", base_url, *args], catch_exceptions=False)


def clear_first(path: Path, sheet: str, column: str) -> tuple[str, object]:
    """Empty one filled cell of ``column``; returns (row id, the value it held)."""
    book = openpyxl.load_workbook(path)
    ws = book[sheet]
    header = [c.value for c in ws[1]]
    col = header.index(column) + 1
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(row=r, column=col).value not in (None, ""))
    was = ws.cell(row=row, column=col).value
    ws.cell(row=row, column=col).value = None
    book.save(path)
    return str(ws.cell(row=row, column=1).value), was


@pytest.mark.usefixtures("sandbox_env")
def test_a_blikk_clear_says_will_clear(fast_sandbox: SandboxServer, tmp_path: Path) -> None:
    wb = tmp_path / "contacts.xlsx"
    assert run("blikk", fast_sandbox.url, "export", "contacts", "-o", str(wb), "--quiet").exit_code == 0
    rid, was = clear_first(wb, "contacts", "visitingAddress.city")
    dry = run("blikk", fast_sandbox.url, "import", str(wb))
    assert dry.exit_code == 0, dry.output
    assert f"update  id {rid}" in dry.output and f"visitingAddress.city {was!r} -> will clear" in dry.output
    assert "-> None" not in dry.output


@pytest.mark.usefixtures("tt_env")
def test_a_tripletex_clear_says_will_clear(tt_sandbox: SandboxServer, tmp_path: Path) -> None:
    wb = tmp_path / "customers.xlsx"
    url = tt_base_url(tt_sandbox)
    assert run("tripletex", url, "export", "customers", "-o", str(wb), "--quiet").exit_code == 0
    rid, was = clear_first(wb, "customers", "email")
    dry = run("tripletex", url, "import", str(wb))
    assert dry.exit_code == 0, dry.output
    assert f"update  id {rid}" in dry.output and f"email {was!r} -> will clear" in dry.output
    assert "-> None" not in dry.output and "-> ''" not in dry.output


def test_the_reports_tell_a_clear_from_a_new_value() -> None:
    r = RowResult("s", 7, "update", "12", changes={
        "email": FieldChange("a@x.se", None), "note": FieldChange("n", ""), "phone": FieldChange(None, "070")})
    assert row_line(r, applied=False) == ("  row 7  update  id 12: email 'a@x.se' -> will clear; "
                                          "note 'n' -> will clear; phone None -> '070'")
    html = _change_table(r.changes, {}, create=False)
    assert html.count('<span class="null">will clear</span>') == 2 and "070" in html
