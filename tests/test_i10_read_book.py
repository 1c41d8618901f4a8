"""Foreign workbooks in through python-calamine: .xlsx/.xlsm written here with openpyxl, old .xls and
.ods made once by LibreOffice (tests/data/i10/read). Cells keep their types; sheets are chosen by name."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path

import openpyxl
import pytest

from bulktool.errors import WorkbookError
from bulktool.migrate.readers import column_letter, read_raw, read_raw_book
from bulktool.workbook.guards import OLE_MAGIC, check_foreign_file

DATA = Path(__file__).parent / "data" / "i10" / "read"


def hubspot_like(path: Path) -> Path:
    """A hidden _bulktool record first, an empty sheet, then companies and contacts."""
    wb = openpyxl.Workbook()
    meta = wb.active
    assert meta is not None
    meta.title = "_bulktool"
    meta["A1"] = "not data"
    meta.sheet_state = "hidden"
    wb.create_sheet("Empty")
    companies = wb.create_sheet("Companies")
    companies.append(["Company name", "Org number", "Employees", "Customer", "Created", "Opens", None])
    companies.append(["Acme AB", "556677-8899", 12, True, datetime(2024, 3, 1, 9, 15), time(8, 30)])
    companies.append(["Öl & Bröd", 5566778800, 3.5, False, date(2023, 1, 31), None])
    contacts = wb.create_sheet("Contacts")
    contacts.append(["Email", "Company name"])
    contacts.append(["ada@acme.se", "Acme AB"])
    wb.save(path)
    return path


def test_xlsx_cells_typed_and_first_data_sheet_by_default(tmp_path: Path) -> None:
    table = read_raw(hubspot_like(tmp_path / "export.xlsx"))
    assert table.name == "Companies"
    assert table.headers == ["Company name", "Org number", "Employees", "Customer", "Created", "Opens"]
    assert [r.cells for r in table.rows] == [
        ["Acme AB", "556677-8899", 12.0, True, datetime(2024, 3, 1, 9, 15), "08:30:00"],
        ["Öl & Bröd", 5566778800.0, 3.5, False, date(2023, 1, 31), None],
    ]
    assert [(r.row, r.line, r.error) for r in table.rows] == [(2, 2, None), (3, 3, None)]
    assert (table.encoding, table.separator, table.warnings) == (None, None, [])


def test_sheet_by_name_case_insensitive_and_missing_sheet_lists_them(tmp_path: Path) -> None:
    path = hubspot_like(tmp_path / "export.xlsm")
    assert read_raw(path, sheet="contacts").rows[0].cells == ["ada@acme.se", "Acme AB"]
    with pytest.raises(WorkbookError, match=r"^export\.xlsm has no sheet 'Deals'; its sheets are: "
                                            r"Empty, Companies, Contacts$"):
        read_raw(path, sheet="Deals")
    assert [t.name for t in read_raw_book(path)] == ["Companies", "Contacts"]


def test_only_sheet_even_if_it_starts_late(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Blad1"
    ws["C4"], ws["D4"], ws["C5"], ws["D6"] = "Namn", "Namn", "Ada", 2
    wb.save(tmp_path / "late.xlsx")
    table = read_raw(tmp_path / "late.xlsx")
    assert table.headers == ["Namn", "Namn (2)"]
    assert [(r.row, r.cells) for r in table.rows] == [(5, ["Ada", None]), (6, [None, 2.0])]
    assert table.warnings == ["late.xlsx, sheet 'Blad1': columns C and D are both named 'Namn'; "
                              "column D is read as 'Namn (2)'"]


@pytest.mark.parametrize("name", ["nordic.xls", "nordic.ods"])
def test_old_xls_and_ods_from_libreoffice(name: str) -> None:
    tables = read_raw_book(DATA / name)
    assert [t.name for t in tables] == ["Kunder", "Kontakter"]  # the empty sheet Tom is left out
    kunder, kontakter = tables
    assert kunder.headers == ["Kundnr", "Namn", "Orgnr", "Belopp", "Datum", "Aktiv", "Registrerad"]
    assert [r.row for r in kunder.rows] == [2, 3, 5]
    first, second, third = (r.cells for r in kunder.rows)
    assert first == [1001, "Åkesson & Öberg AB", "556677-8899", 1234.5, date(2024, 2, 1),
                     True, datetime(2024, 2, 1, 8, 30)]
    assert second[1:3] == ["Fjällbacka Fisk", "5566778800"] and second[4] == date(2023, 12, 31)
    assert third[3] == -0.25 and third[2] is None and third[4] is None
    # LibreOffice writes booleans into .ods as the numbers 1 and 0 (a TRUE() formula); .xls keeps them typed.
    assert (second[5], third[5]) == ((False, True) if name.endswith(".xls") else (0.0, 1.0))
    assert type(first[5]) is (bool if name.endswith(".xls") else float)
    assert kontakter.headers == ["Namn", "E-post"]
    assert [(r.row, r.cells) for r in kontakter.rows] == [(4, ["Åsa Ek", "asa@example.se"])]
    assert read_raw(DATA / name).name == "Kunder"
    assert read_raw(DATA / name, sheet="KONTAKTER").rows[0].row == 4


def test_xls_named_files_that_are_not_xls(tmp_path: Path) -> None:
    tsv = tmp_path / "export.xls"
    tsv.write_bytes("Kund\tOrt\r\nÅsa\tLund\r\n".encode("cp1252"))
    table = read_raw(tsv)
    assert (table.separator, table.encoding, table.rows[0].cells) == ("\t", "cp1252", ["Åsa", "Lund"])
    assert table.warnings[-1] == "export.xls is text with an .xls name (as some systems export); read as CSV text"
    page = tmp_path / "report.xls"
    page.write_bytes(b"<html><body><table><tr><td>1</td></tr></table></body></html>")
    with pytest.raises(WorkbookError, match=r"^report\.xls is a web page \(HTML/XML\), not a spreadsheet"):
        read_raw(page)
    broken = tmp_path / "broken.xls"
    broken.write_bytes(OLE_MAGIC + bytes(600))
    with pytest.raises(WorkbookError, match=r"^broken\.xls cannot be read as an Excel 97-2003 workbook \(\.xls\)"):
        read_raw(broken)
    fake = tmp_path / "fake.ods"
    fake.write_bytes(b"Namn\nAda\n")
    with pytest.raises(WorkbookError, match=r"^fake\.ods is not an OpenDocument spreadsheet \(\.ods\)"):
        read_raw(fake)


def test_workbooks_read_by_content_whatever_their_extension(tmp_path: Path) -> None:
    """An .xls renamed .xlsx (or an .xlsx saved as .xls) is read for what it is."""
    renamed = tmp_path / "kunder.xlsx"
    renamed.write_bytes((DATA / "nordic.xls").read_bytes())
    assert check_foreign_file(renamed) == "xls"
    assert read_raw(renamed).rows[0].cells[1] == "Åkesson & Öberg AB"
    zipped = hubspot_like(tmp_path / "export.xlsx").rename(tmp_path / "export.xls")
    assert check_foreign_file(zipped) == "xlsx"
    assert read_raw(zipped, sheet="Contacts").rows[0].cells == ["ada@acme.se", "Acme AB"]


def test_foreign_guard_kinds_and_refusals(tmp_path: Path) -> None:
    assert check_foreign_file(DATA / "nordic.xls") == "xls"
    assert check_foreign_file(DATA / "nordic.ods") == "ods"
    wide = tmp_path / "wide.txt"
    wide.write_bytes("a\tb\n".encode("utf-16"))
    assert check_foreign_file(wide) == "csv"
    (tmp_path / "scan.pdf").write_bytes(b"%PDF-1.7")
    with pytest.raises(WorkbookError, match=r"^scan\.pdf: unsupported file type '\.pdf'; use \.xlsx, \.xls"):
        read_raw(tmp_path / "scan.pdf")
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(WorkbookError, match=r"^empty\.csv is empty \(0 bytes\)"):
        read_raw_book(tmp_path / "empty.csv")


def test_workbook_without_data(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.create_sheet("Blad2")
    wb.save(tmp_path / "tom.xlsx")
    with pytest.raises(WorkbookError, match=r"^tom\.xlsx has no sheet with data$"):
        read_raw(tmp_path / "tom.xlsx")
    with pytest.raises(WorkbookError, match=r"^tom\.xlsx has no sheet with data$"):
        read_raw_book(tmp_path / "tom.xlsx")


def test_column_letters() -> None:
    assert [column_letter(i) for i in (0, 25, 26, 51, 701, 702)] == ["A", "Z", "AA", "AZ", "ZZ", "AAA"]
