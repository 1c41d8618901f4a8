"""Import acceptance, bad files: one clear stderr line, the right exit code, and not one write request.

Each file is imported through the real CLI against the sandbox, as a dry run
and with --apply; the sandbox's request counts prove nothing was written.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner, Result
from openpyxl.utils import get_column_letter
from test_guards import CONTENT_TYPES, RELS, WORKBOOK, plain, write_zip, zeros_entry
from test_import_e2e import Sheet, export_contacts

from bulktool.cli import cli
from bulktool.sandbox import SandboxConfig, SandboxServer

INVALID_TAIL = "; fix them, or apply the other rows with --skip-invalid"


@pytest.fixture()
def srv(sandbox_env: None) -> Iterator[SandboxServer]:
    with SandboxServer(SandboxConfig(contacts=30, port=0, rate_limit=1000)) as s:
        yield s


@pytest.fixture()
def exported(srv: SandboxServer, tmp_path: Path) -> Path:
    path = tmp_path / "export" / "contacts.xlsx"
    path.parent.mkdir()
    export_contacts(srv, path)
    return path


def run(srv: SandboxServer, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--base-url", srv.url, "--rate", "200", *args])


def assert_refused(srv: SandboxServer, path: Path, code: int, message: str, *extra: str) -> None:
    """Dry run and --apply both: exit ``code``, exactly the line ``message`` on stderr, zero writes."""
    for apply in ([], ["--apply"]):
        srv.reset_stats()
        res = run(srv, "import", str(path), "--quiet", *apply, *extra)
        assert res.exit_code == code, (apply, res.output)
        assert "Traceback" not in res.output
        assert res.stderr.splitlines() == [message], (apply, res.stderr)
        stats = srv.stats()
        assert stats["POST"] == stats["PUT"] == stats["DELETE"] == 0, (apply, stats)
        if code == 2:  # refused before planning: no report, not even a read
            assert res.stdout == ""
            assert stats["total"] == 0, (apply, stats)


def plain_book(path: Path, rows: list[list[Any]], title: str = "contacts") -> Path:
    """A workbook another tool wrote: one sheet of plain cells, no export record."""
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = title
    for row in rows:
        ws.append(row)
    book.save(path)
    return path


def edited(exported: Path, tmp_path: Path, name: str, edit: Callable[[Sheet], None]) -> Path:
    path = tmp_path / name
    shutil.copy(exported, path)
    sheet = Sheet(path)
    edit(sheet)
    sheet.save()
    return path


# ---------------------------------------------------------------- not a workbook at all


@pytest.mark.parametrize(("content", "what"), [
    (b"id,name,contactType\n1,Acme AB,company\n", "it looks like CSV/text; if it is CSV, rename it to .csv"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", "it is a PDF document"),
])
def test_non_xlsx_file_named_xlsx(srv: SandboxServer, tmp_path: Path, content: bytes, what: str) -> None:
    path = tmp_path / "contacts.xlsx"
    path.write_bytes(content)
    assert_refused(srv, path, 2, f"Error: contacts.xlsx is not an Excel workbook (.xlsx): {what}")


def test_zip_bomb(srv: SandboxServer, tmp_path: Path) -> None:
    path = tmp_path / "contacts.xlsx"
    write_zip(path, [plain("[Content_Types].xml", CONTENT_TYPES), plain("xl/workbook.xml", WORKBOOK),
                     plain("xl/_rels/workbook.xml.rels", RELS), zeros_entry("xl/worksheets/sheet1.xml", 50)])
    assert path.stat().st_size < 2**20  # small on disk, claims 50 MB
    for apply in ([], ["--apply"]):
        srv.reset_stats()
        res = run(srv, "import", str(path), "--quiet", *apply)
        assert res.exit_code == 2
        assert re.fullmatch(r"Error: contacts\.xlsx looks like a zip bomb: 'xl/worksheets/sheet1\.xml' expands "
                            r"[\d,]+x to 50\.0 MB \(limit 200x\); refused\n", res.stderr), res.stderr
        assert srv.stats()["total"] == 0


# ---------------------------------------------------------------- empty


def test_workbook_with_headers_only(srv: SandboxServer, tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    plain_book(path, [["id", "name", "customerNumber", "contactType"]])
    assert_refused(srv, path, 2, "Error: Sheet 'contacts' in empty.xlsx has no data rows")


@pytest.mark.parametrize("title", ["contacts", "Sheet"])
def test_workbook_without_cells(srv: SandboxServer, tmp_path: Path, title: str) -> None:
    # A blank default workbook ("Sheet") is reported as empty, not as an unknown endpoint "Sheet".
    path = tmp_path / "blank.xlsx"
    plain_book(path, [], title)
    assert_refused(srv, path, 2, f"Error: Sheet {title!r} in blank.xlsx has no data rows")


# ---------------------------------------------------------------- structure


def test_no_id_and_no_customer_number_column(srv: SandboxServer, exported: Path, tmp_path: Path) -> None:
    def drop(sheet: Sheet) -> None:
        for col in sorted((sheet.cols["id"], sheet.cols["customerNumber"]), reverse=True):
            sheet.ws.delete_cols(col)

    path = edited(exported, tmp_path, "contacts.xlsx", drop)
    assert_refused(srv, path, 2, "Error: Sheet 'contacts' has no id or customerNumber column, so rows cannot be "
                                 "matched to existing records (use --mode create-only to create every row as new)")


def test_duplicate_ids(srv: SandboxServer, exported: Path, tmp_path: Path) -> None:
    def dup(sheet: Sheet) -> None:
        sheet.set(5, "id", sheet.get(2, "id"))
        sheet.set(9, "id", sheet.get(7, "id"))

    path = edited(exported, tmp_path, "contacts.xlsx", dup)
    first, second = Sheet(path).get(2, "id"), Sheet(path).get(7, "id")
    assert_refused(srv, path, 2, f"Error: Duplicate id values in 'contacts': id '{first}' in rows 2, 5; "
                                 f"id '{second}' in rows 7, 9")


def test_duplicate_customer_number_on_a_row_without_id(srv: SandboxServer, exported: Path, tmp_path: Path) -> None:
    """A row without an id is matched by customer number, so it must not share one with another row."""
    srv.edit("contacts", 3, {"customerNumber": "K-77"})
    export_contacts(srv, exported, "--overwrite")  # re-export over the fixture's file, on purpose

    def add(sheet: Sheet) -> None:
        sheet.append({"name": "Ny kund", "customerNumber": "K-77", "contactType": "company"})

    path = edited(exported, tmp_path, "contacts.xlsx", add)
    row = Sheet(path).ws.max_row
    assert_refused(srv, path, 2,
                   f"Error: Duplicate customerNumber values in 'contacts': customerNumber 'K-77' in rows 4, {row}")


def test_shared_customer_numbers_on_rows_with_ids_are_fine(srv: SandboxServer, exported: Path) -> None:
    """Blikk allows non-unique customer numbers; an untouched export of such data re-imports cleanly."""
    srv.edit("contacts", 5, {"customerNumber": "K-88"})
    srv.edit("contacts", 6, {"customerNumber": "K-88"})
    export_contacts(srv, exported, "--overwrite")  # re-export over the fixture's file, on purpose
    srv.reset_stats()
    res = run(srv, "import", str(exported), "--quiet", "--apply")
    assert res.exit_code == 0, res.output
    assert res.stderr == ""
    assert srv.stats()["total"] == srv.stats()["GET"]


@pytest.mark.parametrize("verbose", [False, True])
def test_unknown_sheet_lists_the_real_ones(srv: SandboxServer, exported: Path, tmp_path: Path,
                                           verbose: bool) -> None:
    path = tmp_path / "contacts.xlsx"
    book = openpyxl.load_workbook(exported)
    book.create_sheet("notes").append(["just", "notes"])
    book.save(path)
    line = "Error: contacts.xlsx has no sheet 'nope'; its sheets are: contacts, notes"
    if not verbose:
        assert_refused(srv, path, 2, line, "--sheet", "nope")
        return
    srv.reset_stats()
    res = CliRunner().invoke(cli, ["-v", "--base-url", srv.url, "import", str(path), "--sheet", "nope", "--apply"])
    assert res.exit_code == 2
    assert res.stderr.startswith("Traceback (most recent call last):"), res.stderr
    assert "WorkbookError" in res.stderr
    assert res.stderr.splitlines()[-1] == line
    assert srv.stats()["total"] == 0


def test_several_sheets_need_sheet(srv: SandboxServer, exported: Path, tmp_path: Path) -> None:
    path = tmp_path / "contacts.xlsx"
    book = openpyxl.load_workbook(exported)
    book.create_sheet("notes").append(["just", "notes"])
    book.save(path)
    assert_refused(srv, path, 2, "Error: contacts.xlsx has several sheets (contacts, notes); choose one with --sheet")


# ---------------------------------------------------------------- bad cells: the row is invalid (exit 1)


def invalid_line(row: int, column: str, message: str, rows: int = 1) -> str:
    counted = f"{rows} invalid row{'' if rows == 1 else 's'}"
    return (f"Error: {counted} in sheet 'contacts', nothing was written (first: row {row}, column {column}: "
            f"{message}){INVALID_TAIL}")


def test_text_in_an_added_number_column(srv: SandboxServer, exported: Path, tmp_path: Path) -> None:
    def bad(sheet: Sheet) -> None:
        sheet.ws.cell(1, sheet.ws.max_column + 1, "responsible.id")
        sheet.cols["responsible.id"] = sheet.ws.max_column
        sheet.set(6, "responsible.id", "abc")

    path = edited(exported, tmp_path, "contacts.xlsx", bad)
    assert_refused(srv, path, 1, invalid_line(6, "responsible.id", "expected a whole number, got 'abc'"))


def test_text_in_an_exported_number_column(srv: SandboxServer, exported: Path, tmp_path: Path) -> None:
    def bad(sheet: Sheet) -> None:
        sheet.set(4, "visitingAddress.countryId", "x")
        sheet.set(11, "visitingAddress.countryId", "Sverige")

    path = edited(exported, tmp_path, "contacts.xlsx", bad)
    assert_refused(srv, path, 1, invalid_line(4, "visitingAddress.countryId", "expected a whole number, got 'x'",
                                              rows=2))


def test_text_in_a_number_column_of_a_foreign_workbook(srv: SandboxServer, tmp_path: Path) -> None:
    """A workbook bulktool never exported is typed by the template: same message."""
    path = tmp_path / "mine.xlsx"
    plain_book(path, [["customerNumber", "name", "contactType", "responsible.id", "visitingAddress.countryId"],
                      ["N-1", "Ett AB", "company", 1, 1],
                      ["N-2", "Två AB", "company", 1, "x"]])
    assert_refused(srv, path, 1, invalid_line(3, "visitingAddress.countryId", "expected a whole number, got 'x'"))


def test_formula_cell_flags_its_row(srv: SandboxServer, exported: Path, tmp_path: Path) -> None:
    def formula(sheet: Sheet) -> None:
        sheet.ws.cell(7, sheet.cols["name"]).value = '=UPPER("acme")'  # a real formula, no cached value

    path = edited(exported, tmp_path, "contacts.xlsx", formula)
    ref = f"{get_column_letter(Sheet(path).cols['name'])}7"
    assert_refused(srv, path, 1, invalid_line(7, "name", f"cell {ref} holds a formula; replace it with its value"))


def test_too_many_formula_cells_refuse_the_file(srv: SandboxServer, tmp_path: Path) -> None:
    """Past the scan limit no row may slip through unflagged: the whole file is refused."""
    path = tmp_path / "many.xlsx"
    plain_book(path, [["customerNumber", "name", "contactType", "responsible.id"],
                      *([f"F-{n}", f'=UPPER("kund {n}")', "company", 1] for n in range(1001))])
    assert_refused(srv, path, 2, "Error: Sheet 'contacts' in many.xlsx has more than 1,000 formula cells (first: "
                                 "B2, B3, B4); replace the formulas with their values (Paste Special > Values) "
                                 "and retry")
