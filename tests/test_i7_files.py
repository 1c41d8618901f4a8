"""Issue 7, reading and writing the files themselves: ragged CSV rows, Excel's CSV habits, damaged zips,
title rows, private CSV exports, the memory guard, and text cut at Excel's cell limit.

End to end through the real CLI against the sandbox over HTTP; the sandbox's request counts prove
that a refused file writes nothing.
"""

from __future__ import annotations

import json
import stat
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter
from helpers.cli import run

from bulktool.sandbox import SandboxServer
from bulktool.workbook import read_table
from bulktool.workbook.guards import Limits, check_input_file

TAIL = "; fix them, or apply the other rows with --skip-invalid"


@pytest.fixture()
def srv(fast_sandbox: SandboxServer, sandbox_env: None) -> Iterator[SandboxServer]:
    yield fast_sandbox



def writes(srv: SandboxServer) -> int:
    s = srv.stats()
    return int(s["POST"] + s["PUT"] + s["DELETE"])


def assert_refused(srv: SandboxServer, path: Path, code: int, line: str, *extra: str) -> None:
    """Dry run and --apply: exit ``code``, exactly ``line`` on stderr, not one write request."""
    for apply in ([], ["--apply"]):
        srv.reset_stats()
        res = run(srv, "import", str(path), "--quiet", *apply, *extra)
        assert res.exit_code == code, (apply, res.output)
        assert res.stderr.splitlines() == [line], (apply, res.stderr)
        assert writes(srv) == 0, srv.stats()


def report(srv: SandboxServer, path: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    res = run(srv, "import", str(path), "--quiet", "--json", "-", *extra)
    return res.exit_code, json.loads(res.stdout)


def live_comment(srv: SandboxServer, rid: int) -> str:
    return str(next(r for r in srv.records("time-reports") if r["id"] == rid)["comment"] or "")


# ---------------------------------------------------------------- point 9: ragged CSV rows


def test_ragged_csv_rows_are_invalid_and_named_by_line(srv: SandboxServer, tmp_path: Path) -> None:
    """``2,7,5,Kommentar`` under ``id,hours,comment`` (a decimal comma) and a row missing its comment field.

    A quoted value spanning two lines makes the CSV line differ from the row; ``4,2,`` ends in a real,
    empty field and is fine.
    """
    path = tmp_path / "time-reports.csv"
    first = live_comment(srv, 1).replace("\r\n", "\n")
    assert "\n" in first  # the seeded comment has a line break, so row 2 spans two lines
    text = (f'id,hours,comment\n1,4,"{first}"\n2,7,5,Kommentar\n3,8\n4,2,\n')
    path.write_text(text, encoding="utf-8")
    line = ("Error: 2 invalid rows in sheet 'time-reports', nothing was written (first: row 3: CSV line 4 has "
            f"4 fields, the header 3: quote values that contain ','){TAIL}")
    assert_refused(srv, path, 1, line)
    _, rep = report(srv, path)
    bad = {r["row"]: r["errors"] for r in rep["rows"] if r["action"] == "invalid"}
    assert bad == {3: [{"column": "", "message": "CSV line 4 has 4 fields, the header 3: quote values that "
                                                 "contain ','"}],
                   4: [{"column": "", "message": "CSV line 5 has 2 fields, the header 3: no value for comment"}]}


def test_ragged_rows_stay_out_of_skip_invalid_applies(srv: SandboxServer, tmp_path: Path) -> None:
    """With --skip-invalid the short row is not written: its missing comment would have cleared the server's."""
    path = tmp_path / "time-reports.csv"
    rid = next(r["id"] for r in srv.records("time-reports") if r["comment"])
    before = live_comment(srv, rid)
    path.write_text(f"id,hours,comment\n{rid},9\n", encoding="utf-8")
    srv.reset_stats()
    res = run(srv, "import", str(path), "--quiet", "--apply", "--skip-invalid")
    assert writes(srv) == 0, (res.output, srv.stats())
    assert live_comment(srv, rid) == before


def test_csv_reader_keeps_line_endings_inside_quotes(tmp_path: Path) -> None:
    """CRLF and LF inside quoted values come back as written (normalising them is the diff's business)."""
    path = tmp_path / "notes.csv"
    path.write_bytes(b'id,comment\r\n1,"a\r\nb"\r\n2,"c\nd"\r\n3,"e\rf"\r\n')
    rows = read_table(path).sheets["notes"].rows
    assert [(r.row, r.values["comment"], r.errors) for r in rows] == [
        (2, "a\r\nb", {}), (3, "c\nd", {}), (4, "e\rf", {})]


# ---------------------------------------------------------------- point 19: title row, sep=, damaged zip


def test_title_row_above_the_header_in_a_workbook(srv: SandboxServer, tmp_path: Path) -> None:
    path = tmp_path / "contacts.xlsx"
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "contacts"
    for row in (["Kundlista 2026"], [], ["id", "name", "customerNumber", "contactType"], [1, "Ett AB", "1", "company"]):
        ws.append(row)
    book.save(path)
    assert_refused(srv, path, 2, "Error: Sheet 'contacts' has 'Kundlista 2026' in row 1, not column names; row 3 "
                                 "looks like the header (id, name, customerNumber, contactType): delete the rows "
                                 "above it so that the column names are in row 1")


def test_title_row_inserted_above_an_exported_sheet(srv: SandboxServer, tmp_path: Path) -> None:
    path = tmp_path / "contacts.xlsx"
    assert run(srv, "export", "contacts", "-o", str(path), "--quiet").exit_code == 0
    book = openpyxl.load_workbook(path)
    ws = book["contacts"]
    ws.insert_rows(1)
    ws.cell(1, 1).value = "Kundlista 2026"
    book.save(path)
    assert_refused(srv, path, 2, "Error: Sheet 'contacts' has 'Kundlista 2026' in row 1, not column names; row 2 "
                                 "looks like the header (id, name, customerNumber, contactType, ...): delete the "
                                 "rows above it so that the column names are in row 1")


def test_title_row_above_the_header_in_a_csv(srv: SandboxServer, tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text("Kundlista 2026\nid,name\n1,Ett AB\n", encoding="utf-8")
    assert_refused(srv, path, 2, "Error: Sheet 'contacts' has 'Kundlista 2026' in row 1, not column names; row 2 "
                                 "looks like the header (id, name): delete the rows above it so that the column "
                                 "names are in row 1")


def test_excel_sep_line_cp1252_decimal_comma_crlf(srv: SandboxServer, tmp_path: Path) -> None:
    """Swedish Excel's "CSV (semikolonavgränsad)": sep=; first, Windows-1252, decimal commas, CRLF. It is read."""
    path = tmp_path / "time-reports.csv"
    comment = live_comment(srv, 2)
    path.write_bytes('sep=;\r\nid;hours;comment\r\n2;7,5;"Åtgärd på plats"\r\n'.encode("cp1252"))
    assert comment != "Åtgärd på plats"
    code, rep = report(srv, path)
    assert code == 0, rep
    (row,) = rep["rows"]
    assert (row["row"], row["action"], row["changes"]["hours"]["new"], row["changes"]["comment"]["new"]) == (
        2, "update", 7.5, "Åtgärd på plats")
    res = run(srv, "import", str(path), "--quiet")
    offset = len("sep=;\r\nid;hours;comment\r\n2;7,5;\"")
    warning = (f"Warning: time-reports.csv is not UTF-8 (byte 0xC5 at offset {offset}), so it was read as "
               "Windows-1252, the encoding of Excel's 'CSV (semikolonavgränsad)'; if letters such as åäö look "
               "wrong, save it as CSV UTF-8")
    assert warning in res.stdout.splitlines(), res.stdout
    srv.reset_stats()
    res = run(srv, "import", str(path), "--quiet", "--apply", "-y")
    assert res.exit_code == 0, res.output
    assert live_comment(srv, 2) == "Åtgärd på plats"
    assert next(r for r in srv.records("time-reports") if r["id"] == 2)["hours"] == 7.5


def test_csv_that_breaks_off_from_utf8_is_refused(srv: SandboxServer, tmp_path: Path) -> None:
    """UTF-8 text with one Windows-1252 byte later: decoding it all as Windows-1252 would garble the rest."""
    path = tmp_path / "contacts.csv"
    head = "id,name\n1,Åsa\n2,".encode()
    path.write_bytes(head + "Örjan\n".encode("cp1252"))
    assert_refused(srv, path, 2, f"Error: contacts.csv is UTF-8 text up to byte 0xD6 at offset {len(head)}, which "
                                 "is not UTF-8; save it again as CSV UTF-8")


def test_truncated_xlsx_is_called_damaged(srv: SandboxServer, tmp_path: Path) -> None:
    full = tmp_path / "full.xlsx"
    assert run(srv, "export", "contacts", "-o", str(full), "--quiet").exit_code == 0
    path = tmp_path / "x.xlsx"
    data = full.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    assert_refused(srv, path, 2, "Error: x.xlsx is a damaged xlsx file (the zip is truncated or corrupt); save or "
                                 "export it again")


def test_xlsx_with_a_corrupt_entry_is_called_damaged(srv: SandboxServer, tmp_path: Path) -> None:
    """The zip directory is intact but the sheet's bytes are not (its CRC fails): still "damaged", not an XML error."""
    path = tmp_path / "x.xlsx"
    assert run(srv, "export", "contacts", "-o", str(path), "--quiet").exit_code == 0
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
    data = bytearray(path.read_bytes())
    middle = info.header_offset + 30 + len(info.filename) + info.compress_size // 2
    data[middle : middle + 64] = bytes(b ^ 0x55 for b in data[middle : middle + 64])
    path.write_bytes(bytes(data))
    assert_refused(srv, path, 2, "Error: x.xlsx is a damaged xlsx file (the zip is truncated or corrupt); save or "
                                 "export it again")


# ---------------------------------------------------------------- point 20: 0600 CSV, memory guard


def test_csv_export_and_sidecar_are_private(srv: SandboxServer, tmp_path: Path) -> None:
    out = tmp_path / "contacts.csv"
    out.write_text("old", encoding="utf-8")
    out.chmod(0o644)  # an existing, readable file becomes private too
    assert run(srv, "export", "contacts", "-o", str(out), "--quiet", "--overwrite").exit_code == 0
    side = tmp_path / "contacts.csv.bulktool.json"
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert stat.S_IMODE(side.stat().st_mode) == 0o600
    assert "organizationalOrSocialSecurityNumber" in out.read_text(encoding="utf-8-sig")


def test_a_sheet_over_the_cell_limit_is_refused_before_parsing(srv: SandboxServer, tmp_path: Path) -> None:
    """Memory follows cells (bench/bench_memory.py); the sheet's declared range is checked before calamine runs."""
    path = tmp_path / "contacts.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("contacts")
    ws.write_row(0, 0, ["id", "name", *(f"c{i}" for i in range(18))])
    ws.write_number(200_001, 19, 1)  # A1:T200002: 4,000,040 cells, which calamine would all materialise
    wb.close()
    assert path.stat().st_size < 10_000
    assert_refused(srv, path, 2, "Error: contacts.xlsx: sheet part xl/worksheets/sheet1.xml has 4,000,040 cells "
                                 "(limit 4,000,000: an import needs about 300 bytes of memory a cell); split the "
                                 "file or remove columns you don't import")


def test_cells_are_counted_when_a_sheet_declares_no_range(tmp_path: Path) -> None:
    path = tmp_path / "bare.xlsx"
    cells = "".join(f"<row r=\"{r}\">" + "<c><v>1</v></c>" * 10 + "</row>" for r in range(1, 31))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", f"<worksheet><sheetData>{cells}</sheetData></worksheet>")
    assert check_input_file(path, Limits(max_cells=300)) == "xlsx"
    with pytest.raises(Exception, match=r"sheet part xl/worksheets/sheet1\.xml has 300 cells \(limit 299:"):
        check_input_file(path, Limits(max_cells=299))


def test_csv_cell_limit(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_text("a;b;c\n" + "1;2;3\n" * 9, encoding="utf-8")
    assert check_input_file(path, Limits(max_cells=30)) == "csv"
    with pytest.raises(Exception, match=r"wide\.csv: 10 lines of 3 fields are 30 cells \(limit 29: "):
        check_input_file(path, Limits(max_cells=29))


# ---------------------------------------------------------------- point 16: text over Excel's cell limit


@pytest.fixture()
def long_comment(srv: SandboxServer) -> str:
    text = "Lång text. " * 4000  # 44,000 characters
    srv.edit("time-reports", 7, {"comment": text})
    return text


def test_long_text_is_marked_on_export_and_untouched_means_unchanged(
    srv: SandboxServer, tmp_path: Path, long_comment: str
) -> None:
    path = tmp_path / "time-reports.xlsx"
    res = run(srv, "export", "time-reports", "-o", str(path), "--quiet")
    assert res.exit_code == 0, res.output
    ws = openpyxl.load_workbook(path)["time-reports"]
    cols = {c.value: c.column for c in ws[1]}
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, cols["id"]).value == 7)
    assert res.stderr.splitlines() == [
        f"Warning: Sheet 'time-reports': 1 cell in 1 row holds more than the 32,767 characters an Excel cell holds "
        f"(first: row {row}, column comment); the workbook shows them cut and marked with a comment, the export "
        "record keeps the full text, and an edit of such a cell is refused on import"]
    cell = ws.cell(row, cols["comment"])
    assert cell.value == long_comment[:32_767]
    assert cell.comment is not None and cell.comment.text.startswith("Cut: this text is longer than the 32,767")
    srv.reset_stats()
    code, rep = report(srv, path, "--apply")
    assert code == 0 and rep["summary"]["unchanged"] == len(srv.records("time-reports")), rep["summary"]
    assert writes(srv) == 0


def test_an_edit_of_a_cut_cell_is_refused(srv: SandboxServer, tmp_path: Path, long_comment: str) -> None:
    path = tmp_path / "time-reports.xlsx"
    assert run(srv, "export", "time-reports", "-o", str(path), "--quiet").exit_code == 0
    book = openpyxl.load_workbook(path)
    ws = book["time-reports"]
    cols = {c.value: c.column for c in ws[1]}
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, cols["id"]).value == 7)
    ws.cell(row, cols["comment"]).value = long_comment[:32_000] + " (rättad)"
    book.save(path)
    assert_refused(srv, path, 1, f"Error: 1 invalid row in sheet 'time-reports', nothing was written (first: row "
                                 f"{row}, column comment: cut on export (32,767 of 44,000 characters): editing it "
                                 f"would save the cut text){TAIL}")
    assert next(r for r in srv.records("time-reports") if r["id"] == 7)["comment"] == long_comment


def test_a_full_cell_without_the_export_record_is_refused(
    srv: SandboxServer, tmp_path: Path, long_comment: str
) -> None:
    """Hidden sheet deleted: a cell of exactly 32,767 characters was cut, and must not be written back."""
    path = tmp_path / "time-reports.xlsx"
    assert run(srv, "export", "time-reports", "-o", str(path), "--quiet").exit_code == 0
    book = openpyxl.load_workbook(path)
    del book["_bulktool"]
    ws = book["time-reports"]
    cols = {c.value: c.column for c in ws[1]}
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, cols["id"]).value == 7)
    assert len(ws.cell(row, cols["comment"]).value) == 32_767
    book.save(path)
    srv.reset_stats()
    _, rep = report(srv, path, "--apply", "--skip-invalid")
    (bad,) = [r for r in rep["rows"] if r["action"] == "invalid"]
    assert bad["row"] == row and bad["errors"] == [
        {"column": "comment", "message": "exactly 32,767 characters, the most a cell holds: probably cut, so "
                                         "importing it would save the cut text"}]
    assert next(r for r in srv.records("time-reports") if r["id"] == 7)["comment"] == long_comment
