"""Input file guards: refuse garbage and hostile files before any parser reads them."""

from __future__ import annotations

import struct
import time
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path

import pytest
import xlsxwriter

from bulktool.errors import WorkbookError
from bulktool.workbook.guards import OLE_MAGIC, Limits, check_input_file, find_formula_cells

CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    b'content-types"><Default Extension="xml" ContentType="application/xml"/></Types>'
)
WORKBOOK = (
    b'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
    b'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b'<sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
    b'2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)


# ---------------------------------------------------------------- a hand-rolled zip writer


class Entry:
    def __init__(self, name: str, chunks: Iterable[bytes], *, size: int, crc: int, method: int = 8,
                 flags: int = 0) -> None:
        self.name, self.chunks, self.size, self.crc, self.method, self.flags = (
            name.encode(), chunks, size, crc, method, flags)


def plain(name: str, data: bytes, *, flags: int = 0) -> Entry:
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return Entry(name, [c.compress(data) + c.flush()], size=len(data), crc=zlib.crc32(data), flags=flags)


def write_zip(path: Path, entries: list[Entry]) -> None:
    """Writes local headers with the sizes patched in after streaming each entry's data."""
    central = b""
    with path.open("wb") as fh:
        for e in entries:
            offset = fh.tell()
            header = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, e.flags, e.method, 0, 0x21, e.crc, 0,
                                 e.size, len(e.name), 0)
            fh.write(header + e.name)
            compressed = 0
            for chunk in e.chunks:
                fh.write(chunk)
                compressed += len(chunk)
            end = fh.tell()
            fh.seek(offset + 18)
            fh.write(struct.pack("<I", compressed))
            fh.seek(end)
            central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, e.flags, e.method, 0, 0x21,
                                   e.crc, compressed, e.size, len(e.name), 0, 0, 0, 0, 0, offset) + e.name
        cd_offset = fh.tell()
        fh.write(central)
        fh.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central),
                             cd_offset, 0))


def zeros_entry(name: str, total_mib: int) -> Entry:
    """``total_mib`` MiB of zeros as raw deflate, built from one repeated full-flush block (fast, tiny)."""
    block = bytes(2**20)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    again = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    assert c.compress(block) + c.flush(zlib.Z_FULL_FLUSH) == again  # state resets at each full flush
    tail = c.flush(zlib.Z_FINISH)
    crc = 0
    for _ in range(total_mib):
        crc = zlib.crc32(block, crc)

    def chunks() -> Iterable[bytes]:
        yield first
        for _ in range(total_mib - 1):
            yield again
        yield tail

    return Entry(name, chunks(), size=total_mib * 2**20, crc=crc)


def test_zero_stream_builder_is_real_deflate(tmp_path: Path) -> None:
    path = tmp_path / "small.zip"
    write_zip(path, [zeros_entry("z.bin", 3)])
    with zipfile.ZipFile(path) as zf:
        assert zf.read("z.bin") == bytes(3 * 2**20)  # also verifies the CRC


@pytest.fixture(scope="module")
def bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bomb") / "bomb.xlsx"
    write_zip(path, [plain("[Content_Types].xml", CONTENT_TYPES), plain("xl/workbook.xml", WORKBOOK),
                     plain("xl/_rels/workbook.xml.rels", RELS), zeros_entry("xl/worksheets/sheet1.xml", 500)])
    return path


def test_zip_bomb_refused_by_ratio_from_central_directory(bomb: Path) -> None:
    assert bomb.stat().st_size < 2 * 2**20
    started = time.perf_counter()
    with pytest.raises(WorkbookError, match=r"bomb\.xlsx looks like a zip bomb: 'xl/worksheets/sheet1\.xml'"):
        check_input_file(bomb)
    assert time.perf_counter() - started < 1.0  # nothing was decompressed


def test_zip_bomb_refused_by_total_size(bomb: Path) -> None:
    limits = Limits(max_ratio=10**6, max_uncompressed_bytes=100 * 2**20)
    with pytest.raises(WorkbookError, match=r"bomb\.xlsx expands to 500\.\d MB \(limit 100\.0 MB\)"):
        check_input_file(bomb, limits)


def test_too_many_entries_and_unsafe_paths_and_encrypted_entries(tmp_path: Path) -> None:
    base = [plain("[Content_Types].xml", CONTENT_TYPES), plain("xl/workbook.xml", WORKBOOK)]
    many = tmp_path / "many.xlsx"
    write_zip(many, base + [plain(f"xl/media/{i}.xml", b"<a/>") for i in range(5)])
    with pytest.raises(WorkbookError, match=r"many\.xlsx has 7 zip entries \(limit 3\)"):
        check_input_file(many, Limits(max_entries=3))
    assert check_input_file(many) == "xlsx"
    evil = tmp_path / "evil.xlsx"
    write_zip(evil, [*base, plain("xl/../../etc/passwd", b"x")])
    with pytest.raises(WorkbookError, match=r"evil\.xlsx contains an unsafe path"):
        check_input_file(evil)
    locked = tmp_path / "locked.xlsx"
    write_zip(locked, [*base, plain("xl/worksheets/sheet1.xml", b"<x/>", flags=0x1)])
    with pytest.raises(WorkbookError, match=r"locked\.xlsx is password-protected"):
        check_input_file(locked)


# ---------------------------------------------------------------- wrong kinds of file


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("report.xlsx", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj",
         r"report\.xlsx is not an Excel workbook \(\.xlsx\): it is a PDF document"),
        ("data.xlsx", b"id;name\n1;Acme\n",
         r"data\.xlsx is not an Excel workbook \(\.xlsx\): .*rename it to \.csv"),
        ("old.xlsx", OLE_MAGIC + bytes(504), r"old\.xlsx is in the old \.xls format; save as \.xlsx"),
        ("old.xls", OLE_MAGIC + bytes(504), r"old\.xls is in the old \.xls format; save as \.xlsx"),
        ("secret.xlsx", OLE_MAGIC + bytes(1000) + "EncryptedPackage".encode("utf-16-le") + bytes(100),
         r"secret\.xlsx is password-protected"),
        # Windows-1252, ISO-8859-1 and UTF-16 are read (tests/test_i10_text_import.py).
        ("nul.csv", b"a,b\n1,\x002\n", r"nul\.csv contains NUL bytes: it is not a text file"),
        ("book.csv", b"PK\x03\x04" + bytes(100), r"book\.csv is an Excel workbook, not CSV text; rename it"),
        ("scan.pdf", b"%PDF-1.7", r"scan\.pdf: unsupported file type '\.pdf'"),
        ("empty.xlsx", b"", r"empty\.xlsx is empty \(0 bytes\)"),
    ],
)
def test_refused_files(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(WorkbookError, match=message):
        check_input_file(path)


def test_missing_file_folder_and_size_limit(tmp_path: Path) -> None:
    with pytest.raises(WorkbookError, match=r"Input file not found: .*nope\.xlsx"):
        check_input_file(tmp_path / "nope.xlsx")
    folder = tmp_path / "folder.xlsx"
    folder.mkdir()
    with pytest.raises(WorkbookError, match=r"folder\.xlsx is a folder, not a file"):
        check_input_file(folder)
    big = tmp_path / "big.csv"
    big.write_bytes(b"a,b\n" * 100)
    with pytest.raises(WorkbookError, match=r"big\.csv is 0\.0 MB, over the 0\.0 MB input limit"):
        check_input_file(big, Limits(max_file_bytes=100))


def test_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "letter.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("word/document.xml", b"<w:document/>")
    msg = r"letter\.xlsx is not an Excel workbook \(\.xlsx\): it is a Word document"
    with pytest.raises(WorkbookError, match=msg):
        check_input_file(path)


def test_good_csv_files(tmp_path: Path) -> None:
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbfnamn\n\xc3\x85sa\n")
    assert check_input_file(bom) == "csv"
    # A multi-byte character cut by the 64 KiB sniff window is not mistaken for bad UTF-8.
    edge = tmp_path / "edge.txt"
    edge.write_bytes(b"a" * (64 * 1024 - 1) + "Å".encode() + b"\n")
    assert check_input_file(edge) == "csv"


def test_csv_row_limit(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_bytes(b"id\n" + b"1\n" * 10)
    assert check_input_file(path, Limits(max_rows=10)) == "csv"
    with pytest.raises(WorkbookError, match=r"rows\.csv has more than 9 rows; split the file"):
        check_input_file(path, Limits(max_rows=9))


# ---------------------------------------------------------------- real workbooks and formulas


def make_book(path: Path, *, formulas: bool, rows: int = 10) -> Path:
    with xlsxwriter.Workbook(str(path)) as book:
        sheet = book.add_worksheet("Contacts")
        sheet.write_row(0, 0, ["id", "name", "hours"])
        for r in range(1, rows + 1):
            sheet.write_row(r, 0, [r, f"name {r}", 1.5])
        other = book.add_worksheet("Other Sheet")
        other.write(0, 0, "x")
        if formulas:
            sheet.write_formula("B7", "=UPPER(\"a\")", None, "A")
            sheet.write_formula("C9", "=SUM(C2:C3)", None, 3)
            other.write_formula("D4", "=1+1", None, 2)
    return path


def test_real_xlsx_with_formulas(tmp_path: Path) -> None:
    path = make_book(tmp_path / "contacts.xlsx", formulas=True)
    assert check_input_file(path) == "xlsx"
    assert find_formula_cells(path, "Contacts") == ["B7", "C9"]
    assert find_formula_cells(path, "Contacts", limit=1) == ["B7"]
    assert find_formula_cells(path, "other sheet") == ["D4"]  # sheet names match case-insensitively
    msg = r"contacts\.xlsx has no sheet 'Missing'; its sheets are: Contacts, Other Sheet"
    with pytest.raises(WorkbookError, match=msg):
        find_formula_cells(path, "Missing")


def test_real_xlsx_without_formulas(tmp_path: Path) -> None:
    path = make_book(tmp_path / "plain.xlsx", formulas=False)
    assert check_input_file(path) == "xlsx"
    assert find_formula_cells(path, "Contacts") == []


def test_sheet_row_limit_from_dimension(tmp_path: Path) -> None:
    path = make_book(tmp_path / "tall.xlsx", formulas=False, rows=20)
    assert check_input_file(path, Limits(max_rows=20)) == "xlsx"
    with pytest.raises(WorkbookError, match=r"tall\.xlsx: sheet part xl/worksheets/sheet1\.xml has 21 rows "
                                            r"\(limit 19\)"):
        check_input_file(path, Limits(max_rows=19))


def test_formula_cells_without_cell_references(tmp_path: Path) -> None:
    """OOXML allows <c> and <row> without r=; positions then follow document order."""
    sheet = (
        b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main"><sheetData><row><c><v>1</v></c><c><f>1+1</f><v>2</v></c></row>'
        b'<row r="5"><c r="C5"><v>1</v></c><c><f>A1</f><v>1</v></c></row></sheetData></worksheet>'
    )
    path = tmp_path / "bare.xlsx"
    write_zip(path, [plain("[Content_Types].xml", CONTENT_TYPES), plain("xl/workbook.xml", WORKBOOK),
                     plain("xl/_rels/workbook.xml.rels", RELS), plain("xl/worksheets/sheet1.xml", sheet)])
    assert check_input_file(path) == "xlsx"
    assert find_formula_cells(path, "Data") == ["B1", "D5"]


def test_formula_scan_refuses_entity_expansion(tmp_path: Path) -> None:
    sheet = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        b'<worksheet><sheetData><row r="1"><c r="A1"><v>&b;</v></c></row></sheetData></worksheet>'
    )
    path = tmp_path / "lol.xlsx"
    write_zip(path, [plain("[Content_Types].xml", CONTENT_TYPES), plain("xl/workbook.xml", WORKBOOK),
                     plain("xl/_rels/workbook.xml.rels", RELS), plain("xl/worksheets/sheet1.xml", sheet)])
    with pytest.raises(WorkbookError, match=r"lol\.xlsx: sheet 'Data' is not safe, well-formed XML"):
        find_formula_cells(path, "Data")


def test_libreoffice_boolean_formulas_are_plain_values(tmp_path: Path) -> None:
    """LibreOffice saves booleans as <f>TRUE()</f> with a cached value; those are not user formulas."""
    import zipfile

    path = tmp_path / "lo.xlsx"
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="b"><f>TRUE()</f><v>1</v></c>'
        '<c r="B1" t="b"><f>FALSE()</f><v>0</v></c><c r="C1"><f>SUM(1,2)</f><v>3</v></c></row></sheetData>'
        "</worksheet>"
    )
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
                   ' xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
                   '<sheet name="s" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/package/'
                   '2006/relationships"><Relationship Id="rId1" Target="worksheets/sheet1.xml" Type="x"/>'
                   "</Relationships>")
        z.writestr("xl/worksheets/sheet1.xml", sheet)
    assert find_formula_cells(path, "s") == ["C1"]


@pytest.mark.parametrize(("xml", "maybe"), [
    (b'<sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData>', False),
    (b'<x:sheetData><x:row><x:c t="b"><x:f>TRUE()</x:f><x:v>1</x:v></x:c><x:c><x:f>false</x:f></x:c></x:row>', False),
    (b'<row><c r="A1"><f>SUM(1,2)</f><v>3</v></c></row>', True),
    (b'<row><c r="A1"><x:f t="shared" si="0"/><v>3</v></c></row>', True),
    (b'<row><c r="A1"><f>TRUE()</f></c><c r="B1"><f>TRUE()+1</f></c></row>', True),
    (b'<row><c r="A1"><is><t><![CDATA[<f>1</f>]]></t></is></c></row>', True),
    (b'<!DOCTYPE x><row><c r="A1"><v>1</v></c></row>', True),
])
def test_formula_prescan_never_misses_one(xml: bytes, maybe: bool) -> None:
    """The byte pre-scan may say "maybe" wrongly, never "no" wrongly, however the stream is cut."""
    import io

    from bulktool.workbook.formulas import _may_hold_formulas

    for chunk in (1, 2, 3, 5, 7, 11, 64, 1 << 20):
        assert _may_hold_formulas(io.BytesIO(xml), chunk=chunk) is maybe, chunk
