"""Foreign text files in: encodings detected (never assumed), separators detected from the first
records, quoting, headers made usable, ragged records flagged. Every file is written here as bytes."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from bulktool.errors import WorkbookError
from bulktool.migrate.readers import read_raw, read_raw_book, sniff_separator
from bulktool.migrate.textcodec import decode_bytes
from bulktool.workbook.csv_io import read_csv_book

NBSP = "\u00a0"


def write(tmp: Path, name: str, data: bytes) -> Path:
    path = tmp / name
    path.write_bytes(data)
    return path


def test_nordic_excel_csv_cp1252_semicolon(tmp_path: Path) -> None:
    """Swedish Excel's "CSV (semikolonavgränsad)": Windows-1252, ';', CRLF, decimal commas, NBSP thousands."""
    text = (f"Kundnr;Namn;Belopp;Datum;Aktiv\r\n1;Åsa Öberg;1 234,50;01.02.2024;SANT\r\n"
            f"2;Ærø Ål;12{NBSP}345,00;31.12.2023;FALSKT\r\n3;Bär € AB;-0,5;;SANT\r\n")
    path = write(tmp_path, "kunder.csv", text.encode("cp1252"))
    table = read_raw(path)
    assert (table.name, table.encoding, table.separator) == ("kunder", "cp1252", ";")
    assert table.headers == ["Kundnr", "Namn", "Belopp", "Datum", "Aktiv"]
    assert [r.cells for r in table.rows] == [
        ["1", "Åsa Öberg", "1 234,50", "01.02.2024", "SANT"],
        ["2", "Ærø Ål", f"12{NBSP}345,00", "31.12.2023", "FALSKT"],
        ["3", "Bär € AB", "-0,5", None, "SANT"],
    ]
    assert [(r.row, r.line, r.error) for r in table.rows] == [(2, 2, None), (3, 3, None), (4, 4, None)]
    assert len(table.warnings) == 1 and "read as Windows-1252" in table.warnings[0]
    assert table.warnings[0].startswith("kunder.csv is not UTF-8 (byte 0xC5 at offset 34)")


@pytest.mark.parametrize(
    ("data", "encoding", "warned"),
    [
        ("Namn,Ort\nÅsa,Göteborg\n".encode(), "utf-8", False),
        (codecs.BOM_UTF8 + "Namn,Ort\nÅsa,Göteborg\n".encode(), "utf-8", False),
        (codecs.BOM_UTF16_LE + "Namn\tOrt\r\nÅsa\tGöteborg\r\n".encode("utf-16-le"), "utf-16-le", True),
        (codecs.BOM_UTF16_BE + "Namn\tOrt\r\nÅsa\tGöteborg\r\n".encode("utf-16-be"), "utf-16-be", True),
        ("Namn\tOrt\r\nÅsa\tGöteborg\r\n".encode("utf-16-le"), "utf-16-le", True),  # no BOM: NUL bytes tell
        ("Namn;Ort\nÅsa;Göteborg\x81\n".encode("latin-1"), "latin-1", True),  # 0x81: not cp1252
    ],
    ids=["utf8", "utf8-bom", "utf16le-bom", "utf16be-bom", "utf16le-nobom", "latin1"],
)
def test_encodings_detected(tmp_path: Path, data: bytes, encoding: str, warned: bool) -> None:
    table = read_raw(write(tmp_path, "people.txt", data))
    assert table.encoding == encoding
    assert table.headers == ["Namn", "Ort"]
    latin = encoding == "latin-1"
    assert table.rows[0].cells == ["Åsa", "Göteborg\x81" if latin else "Göteborg"]
    assert bool(table.warnings) is warned
    if latin:
        assert "ISO-8859-1, as it holds bytes Windows-1252 does not define" in table.warnings[0]


def test_c1_bytes_defined_in_cp1252_mean_cp1252() -> None:
    decoded = decode_bytes("x.csv", b"Pris\n\x80 5 \x96 10\n")
    assert (decoded.encoding, decoded.text) == ("cp1252", "Pris\n€ 5 – 10\n")


def test_encoding_option_overrides_detection(tmp_path: Path) -> None:
    path = write(tmp_path, "x.csv", "Namn\nÅsa\n".encode("cp1252"))
    table = read_raw(path, encoding="ISO-8859-1")
    assert (table.encoding, table.rows[0].cells, table.warnings) == ("latin-1", ["Åsa"], [])
    utf8 = write(tmp_path, "y.csv", "Namn\nÅs\n".encode())
    with pytest.raises(WorkbookError, match=r"^y\.csv is not UTF-16 text \(byte 0x0A at offset 8\); give its"):
        read_raw(utf8, encoding="utf-16-le")  # 9 bytes: the last one is half a UTF-16 unit
    with pytest.raises(WorkbookError, match=r"^y\.csv: unknown encoding 'klingon'"):
        read_raw(utf8, encoding="klingon")


def test_refused_text(tmp_path: Path) -> None:
    with pytest.raises(WorkbookError, match=r"^bin\.csv contains NUL bytes: it is not a text file"):
        read_raw(write(tmp_path, "bin.csv", b"a,b\n\x00\x01\x02\x03\x00\x00\x00\x07\n"))
    broken = "Namn\nÖrjan\n".encode() + b"\xd6\n"
    with pytest.raises(WorkbookError, match=r"^cut\.csv is UTF-8 text up to byte 0xD6 at offset 12, which is not"):
        read_raw(write(tmp_path, "cut.csv", broken))


def test_quoted_newlines_and_doubled_quotes_keep_rows_and_lines_apart(tmp_path: Path) -> None:
    data = b'Name,Notes,Phone\r\nAda,"said ""hi""\r\nthen left\r\n",123\r\nBo,,456\r\n'
    table = read_raw(write(tmp_path, "google.csv", data))
    assert [r.cells for r in table.rows] == [["Ada", 'said "hi"\r\nthen left\r\n', "123"], ["Bo", None, "456"]]
    assert [(r.row, r.line) for r in table.rows] == [(2, 2), (3, 5)]


def test_separator_from_consistent_records_not_the_header_alone(tmp_path: Path) -> None:
    # The header splits into 2 on ',' too, but the records then disagree; ';' splits every line into 3.
    text = "Namn;Adress, ort;Belopp\nAB;Gatan 1, Sthlm;1,5\nCD;Vägen 2, Lund;2,25\nEF;Torget, Ystad;3\n"
    assert sniff_separator(text) == ";"
    table = read_raw(write(tmp_path, "a.csv", text.encode()))
    assert table.separator == ";" and table.headers == ["Namn", "Adress, ort", "Belopp"]
    assert sniff_separator("a\tb\tc\n1\t2,5\t3\n") == "\t"
    assert sniff_separator("only\none\n") == ","  # one column: nothing to split


def test_excel_sep_line_and_separator_option(tmp_path: Path) -> None:
    path = write(tmp_path, "s.csv", codecs.BOM_UTF8 + b"sep=,\r\nA;1,B\r\nx;2,y\r\n")
    table = read_raw(path)
    assert (table.separator, table.headers, table.rows[0].cells) == (",", ["A;1", "B"], ["x;2", "y"])
    assert (table.rows[0].row, table.rows[0].line) == (2, 3)  # the sep line is no spreadsheet row
    pipes = write(tmp_path, "p.txt", b"a|b\n1|2\n")
    assert read_raw(pipes, separator="|").rows[0].cells == ["1", "2"]
    assert read_raw(write(tmp_path, "t.txt", b"a\tb;c\n1\t2;3\n"), separator="tab").headers == ["a", "b;c"]
    with pytest.raises(WorkbookError, match=r"^p\.txt: separator ';;' must be one character"):
        read_raw(pipes, separator=";;")


def test_ragged_record_is_flagged_and_others_read(tmp_path: Path) -> None:
    data = b"Nr;Namn;Ort\n1;Ada;Lund\n2;Bo\n3;Cy;Ume\xc3\xa5;extra\n4;Di;Kiruna\n"
    table = read_raw(write(tmp_path, "r.csv", data))
    errors = [(r.row, r.error) for r in table.rows]
    assert errors == [
        (2, None),
        (3, "CSV line 3 has 2 fields, the header 3: no value for Ort"),
        (4, "CSV line 4 has 4 fields, the header 3: quote values that contain ';'"),
        (5, None),
    ]
    assert [r.cells for r in table.rows][1:3] == [["2", "Bo", None], ["3", "Cy", "Umeå"]]


def test_headers_cleaned_unique_and_empty_edges_dropped(tmp_path: Path) -> None:
    # Excel's trailing ';;', a BOM, spaces around headers, an unnamed column with data, a repeated header.
    data = codecs.BOM_UTF8 + (b" E-post ;Namn;;e-post;;\r\na@x.se;Ada;7;b@x.se;;\r\n;;;;;\r\n"
                              b"c@x.se;Cy;;;;\r\n;;;;;\r\n\r\n")
    table = read_raw(write(tmp_path, "h.csv", data))
    assert table.headers == ["E-post", "Namn", "column C", "e-post (2)"]
    assert [r.cells for r in table.rows] == [["a@x.se", "Ada", "7", "b@x.se"], ["c@x.se", "Cy", None, None]]
    assert [r.row for r in table.rows] == [2, 4]  # the empty record 3 is skipped, numbering kept
    assert table.warnings == ["h.csv: columns A and D are both named 'e-post'; column D is read as 'e-post (2)'"]
    assert [t.headers for t in read_raw_book(write(tmp_path, "h2.csv", data))] == [table.headers]


def test_header_only_and_blank_files(tmp_path: Path) -> None:
    table = read_raw(write(tmp_path, "head.csv", b"a,b\r\n"))
    assert (table.headers, table.rows) == (["a", "b"], [])
    with pytest.raises(WorkbookError, match=r"^blank\.csv has no data: not even a header row$"):
        read_raw(write(tmp_path, "blank.csv", b"\r\n  \r\n\r\n"))


def test_round_trip_csv_reader_shares_the_detection(tmp_path: Path) -> None:
    """csv_io.decode_text uses textcodec: a bulktool CSV saved by Excel as "Unicode text" reads (tab, UTF-16)."""
    text = "id\tname\r\n7\tÅsa\r\n"
    path = write(tmp_path, "contacts.txt", codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    book = read_csv_book(path)
    sheet = book.sheets["contacts"]
    assert [(r.row, r.values) for r in sheet.rows] == [(2, {"id": "7", "name": "Åsa"})]
    assert book.warnings == ["contacts.txt is UTF-16 text (Excel's 'Unicode text'); read as such"]


def test_unclosed_quote_refused_instead_of_swallowing_the_rest(tmp_path: Path) -> None:
    path = write(tmp_path, "q.csv", b'a,b\n1,"open\n2,3\n4,5\n')
    with pytest.raises(WorkbookError, match=r"^q\.csv, line 2: a quote opened on this line is never closed"):
        read_raw(path)
    # A quote inside an unquoted value is just a character, as Excel reads it.
    assert read_raw(write(tmp_path, "ok.csv", b'a,b\n1,5" disk\n')).rows[0].cells == ["1", '5" disk']
