"""The promise: nothing is lost in a round trip (xlsx, xlsx re-saved by LibreOffice, CSV).

Golden input: tests/golden/tricky_records.json (raw API-shape records plus the
columns they export under). tests/golden/tricky.xlsx and tricky_libreoffice.xlsx
are checked in, so a reader change that can no longer read old workbooks fails
here. After an intended writer change regenerate them with
``BULKTOOL_REGEN_GOLDEN=1 pytest tests/test_roundtrip_golden.py``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from bulktool.schema.model import Column
from bulktool.vendors.blikk.connector import strip_type_tags
from bulktool.workbook import ExportMeta, ReadBook, SheetData, flatten, read_table, write_csv, write_xlsx

GOLDEN = Path(__file__).parent / "golden"
SPEC = json.loads((GOLDEN / "tricky_records.json").read_text(encoding="utf-8"))
COLUMNS = [Column(**{**c, "enum": tuple(c["enum"]) if "enum" in c else None}) for c in SPEC["columns"]]
# As the connector hands them over: Blikk's reader drops its objectName type tags (from_wire).
RECORDS: list[dict[str, Any]] = [strip_type_tags(r) for r in SPEC["records"]]
META = ExportMeta(system="blikk", host="sandbox.example", exported_at="2024-05-01 10:00:00 +00:00",
                  bulktool_version="golden")
EXPECTED = [flatten(r, COLUMNS) for r in RECORDS]


def _sheet() -> SheetData:
    return SheetData("contacts", COLUMNS, iter(EXPECTED), "id")


def _assert_lossless(book: ReadBook) -> None:
    sheet = book.sheets["contacts"]
    assert book.warnings == []
    assert [r.errors for r in sheet.rows] == [{}] * len(EXPECTED)
    got = [r.values for r in sheet.rows]
    for want, have in zip(EXPECTED, got, strict=True):
        for name, value in want.items():
            # Exact type too: 3.0 must not come back as 3, nor True as 1.
            assert (have[name], type(have[name])) == (value, type(value)), f"id {want['id']} {name}"
    assert got == EXPECTED


def _soffice_resave(soffice: str, src: Path, out_dir: Path, profile: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "xlsx",
         "--outdir", str(out_dir), str(src)],
        check=True, timeout=180, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    out = out_dir / src.name
    assert out.is_file(), "LibreOffice produced no file"
    return out


def test_expected_values_are_canonical_api_form() -> None:
    """The comparison target itself: spot-check that flatten gave the documented API forms."""
    first, second, third, fourth = EXPECTED
    assert first["customerNumber"] == "0012" and first["cellPhoneNumber"] == "0707788994"
    assert first["organizationalOrSocialSecurityNumber"] == "556898-6787"
    assert first["externalRef"] == "12345678901234567" and first["bigNumber"] == 12345678901234567
    assert fourth["id"] == 12345678901234567
    assert first["email"] == "" and first["invoiceEmail"] is None
    assert first["lastUpdated"] == "2024-03-31T21:30:00Z"  # +02:00 converted to UTC
    assert second["created"] == "2024-02-29T12:00:00Z"  # fraction rounded, Z form
    assert third["lastUpdated"] == "2024-01-01T05:00:00Z"
    assert third["created"] == "0001-01-01T00:00:00Z"  # before 1900: kept as text
    assert first["tags.id"] == [10, 16] and second["tags.id"] == [] and third["tags.id"] is None
    assert first["labels"] == ["VIP", "Nord, Syd"] and second["labels"] == []
    assert first["rows"] == [{"article": "A-1", "qty": 2, "price": 1.5}]  # objectName dropped
    assert first["quantity"] == 3.0 and isinstance(first["quantity"], float)
    assert first["startTime"] == "07:30" and second["startTime"] == "23:59:59"
    assert first["isActive"] is True and first["isSupplier"] is False and first["isPartner"] is None
    assert second["visitingAddress.city"] is None
    assert len(third["importantInformation"]) > 32_767  # longer than a cell can hold


def test_xlsx_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "tricky.xlsx"
    assert write_xlsx(path, [_sheet()], META) == len(EXPECTED)
    _assert_lossless(read_table(path))


def test_xlsx_holds_no_formulas_and_keeps_text_as_text(tmp_path: Path) -> None:
    path = tmp_path / "tricky.xlsx"
    write_xlsx(path, [_sheet()], META)
    with zipfile.ZipFile(path) as zf:
        xml = zf.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in xml and "<f " not in xml
    grid = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("contacts").to_python()
    header = grid[0]
    col = {name: header.index(name) for name in ("customerNumber", "externalRef", "id", "note")}
    assert grid[1][col["customerNumber"]] == "0012"  # text, not the number 12
    assert grid[1][col["note"]] == "=SUM(A1)"
    assert grid[4][col["id"]] == "12345678901234567"  # > 15 digits: text, not 1.2345678901234568e16


def test_csv_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "tricky.csv"
    assert write_csv(path, _sheet(), META) == len(EXPECTED)
    _assert_lossless(read_table(path))


def test_libreoffice_resave_round_trip(soffice: str, tmp_path: Path) -> None:
    src = tmp_path / "tricky.xlsx"
    write_xlsx(src, [_sheet()], META)
    out = _soffice_resave(soffice, src, tmp_path / "lo", tmp_path / "lo-profile")
    book = read_table(out)
    assert book.meta is not None and book.meta.host == "sandbox.example"
    _assert_lossless(book)
    assert openpyxl.load_workbook(out, read_only=False)["_bulktool"].sheet_state == "hidden"


def test_checked_in_workbook_still_reads_back() -> None:
    _assert_lossless(read_table(GOLDEN / "tricky.xlsx"))


def test_format_1_export_record_still_reads_back() -> None:
    """Workbooks exported before the batched record (format 2) keep their three-way diff."""
    book = read_table(GOLDEN / "tricky_record_v1.xlsx")
    assert json.loads(CalamineWorkbook.from_path(str(GOLDEN / "tricky_record_v1.xlsx"))
                      .get_sheet_by_name("_bulktool").to_python()[0][0])["format"] == 1
    _assert_lossless(book)


def test_checked_in_libreoffice_workbook_still_reads_back() -> None:
    _assert_lossless(read_table(GOLDEN / "tricky_libreoffice.xlsx"))


def test_writer_output_matches_checked_in_workbook(tmp_path: Path) -> None:
    """Cell for cell; a deliberate change to what the writer produces means regenerating the golden files."""
    path = tmp_path / "tricky.xlsx"
    write_xlsx(path, [_sheet()], META)

    def grids(p: Path) -> dict[str, list[list[Any]]]:
        wb = CalamineWorkbook.from_path(str(p))
        return {n: wb.get_sheet_by_name(n).to_python(skip_empty_area=False) for n in wb.sheet_names}

    assert grids(path) == grids(GOLDEN / "tricky.xlsx"), (
        "writer output changed; if intended, regenerate with BULKTOOL_REGEN_GOLDEN=1"
    )


@pytest.mark.skipif(not os.environ.get("BULKTOOL_REGEN_GOLDEN"), reason="BULKTOOL_REGEN_GOLDEN=1 regenerates")
def test_regenerate_golden_files(soffice: str, tmp_path: Path) -> None:
    write_xlsx(GOLDEN / "tricky.xlsx", [_sheet()], META)
    out = _soffice_resave(soffice, GOLDEN / "tricky.xlsx", tmp_path / "lo", tmp_path / "lo-profile")
    shutil.copyfile(out, GOLDEN / "tricky_libreoffice.xlsx")
