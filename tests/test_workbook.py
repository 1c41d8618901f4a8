"""Workbook I/O: cell render/clean, flatten, the xlsx/CSV writers and readers, the export record."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from bulktool.errors import OutputError, WorkbookError
from bulktool.schema.model import Column
from bulktool.vendors.blikk.connector import strip_type_tags
from bulktool.workbook import (
    CellValueError,
    ExportMeta,
    SheetData,
    SheetMeta,
    clean,
    flatten,
    infer_columns,
    read_csv,
    read_table,
    read_xlsx,
    render,
    sidecar_path,
    unflatten,
    write_csv,
    write_xlsx,
)
from bulktool.workbook.record_sheet import split_text

CEST = timezone(timedelta(hours=2))
META = ExportMeta(system="blikk", host="sandbox.example", exported_at="2024-05-01 10:00:00 +00:00",
                  bulktool_version="test")
COLS = [
    Column("id", "integer", read_only=True),
    Column("name", "string", write="name"),
    Column("customerNumber", "string", write="customerNumber"),
    Column("amount", "decimal", write="amount"),
    Column("isActive", "boolean", write="isActive"),
    Column("contactType", "string", write="contactType", enum=("person", "company")),
    Column("created", "datetime", read_only=True),
    Column("lastUpdated", "datetime", read_only=True),
]


def _rows() -> list[dict[str, Any]]:
    return [
        {"id": 1, "name": "Åsa", "customerNumber": "0012", "amount": 8.5, "isActive": True,
         "contactType": "person", "created": "2024-01-02T03:04:05Z", "lastUpdated": None},
        {"id": 2, "name": "", "customerNumber": "=SUM(A1)", "amount": None, "isActive": None,
         "contactType": "company", "created": None, "lastUpdated": "2024-02-03T04:05:06Z"},
    ]


def _write(tmp_path: Path, rows: list[dict[str, Any]] | None = None, name: str = "out.xlsx") -> Path:
    path = tmp_path / name
    write_xlsx(path, [SheetData("contacts", COLS, rows if rows is not None else _rows(), "id")], META)
    return path


# ---------------------------------------------------------------- cells: clean


@pytest.mark.parametrize(("col_type", "cell", "expected"), [
    ("string", "0012", "0012"),
    ("string", " padded ", " padded "),
    ("string", "", ""),
    ("string", 12.0, "12"),
    ("string", 12.5, "12.5"),
    ("string", True, "TRUE"),
    ("integer", 12, 12),
    ("integer", 12.0, 12),
    ("integer", "12", 12),
    ("integer", " 0012 ", 12),
    ("integer", "1 234", 1234),
    ("integer", "12345678901234567", 12345678901234567),
    ("integer", "12,0", 12),
    ("integer", "", None),
    ("integer", "   ", None),
    ("decimal", "8,5", 8.5),
    ("decimal", "8.5", 8.5),
    ("decimal", "1 234,50", 1234.5),
    ("decimal", "1.234,5", 1234.5),
    ("decimal", "1,234.5", 1234.5),
    ("decimal", 3, 3.0),
    ("decimal", "-0,25", -0.25),
    ("boolean", True, True),
    ("boolean", "TRUE", True),
    ("boolean", "false", False),
    ("boolean", "ja", True),
    ("boolean", "Nej", False),
    ("boolean", "sant", True),
    ("boolean", 1, True),
    ("boolean", 0.0, False),
    ("date", date(2024, 2, 29), "2024-02-29"),
    ("date", datetime(2024, 2, 29), "2024-02-29"),
    ("date", "2024-02-29", "2024-02-29"),
    ("date", "2024-02-29T00:00:00+02:00", "2024-02-29"),
    ("date", 45351.0, "2024-02-29"),
    ("datetime", "2024-05-06 07:08:09 +00:00", "2024-05-06T07:08:09Z"),
    ("datetime", "2024-05-06 09:08:09 +02:00", "2024-05-06T07:08:09Z"),
    ("datetime", "2024-05-06T07:08:09Z", "2024-05-06T07:08:09Z"),
    ("datetime", "2024-05-06T07:08:09.5+0000", "2024-05-06T07:08:10Z"),
    ("datetime", "2024-05-06 07:08", "2024-05-06T07:08:00Z"),
    ("datetime", "2024-05-06", "2024-05-06T00:00:00Z"),
    ("datetime", datetime(2024, 5, 6, 7, 8, 8, 999_990), "2024-05-06T07:08:09Z"),  # LibreOffice noise
    ("datetime", datetime(1999, 12, 31, 23, 59, 59, 600_000), "2000-01-01T00:00:00Z"),
    ("datetime", datetime(2024, 5, 6, 9, 0, tzinfo=CEST), "2024-05-06T07:00:00Z"),
    ("datetime", 45418.297326388889, "2024-05-06T07:08:09Z"),
    ("time", "8:30", "08:30"),
    ("time", "08:30:00", "08:30"),
    ("time", "08:30:15", "08:30:15"),
    ("time", time(8, 30), "08:30"),
    ("time", timedelta(hours=8, minutes=30), "08:30"),
    ("time", 0.3541666666666667, "08:30"),
    ("int_list", "10, 16", [10, 16]),
    ("int_list", "10;16", [10, 16]),
    ("int_list", "[10, 16]", [10, 16]),
    ("int_list", 10.0, [10]),
    ("int_list", [1, 2.0], [1, 2]),
    ("string_list", "a, b", ["a", "b"]),
    ("string_list", '["a, b", " c"]', ["a, b", " c"]),
    ("string_list", "[draft], x", ["[draft]", "x"]),
    ("json", '{"b": 1, "a": [true]}', {"b": 1, "a": [True]}),
    ("json", "[]", []),
    ("json", 5.0, 5),
])
def test_clean_accepts_api_and_human_input(col_type: str, cell: Any, expected: Any) -> None:
    got = clean(col_type, cell)
    assert (got, type(got)) == (expected, type(expected))


def test_clean_keeps_json_key_order() -> None:
    assert list(clean("json", '{"z": 1, "a": 2}')) == ["z", "a"]


@pytest.mark.parametrize(("col_type", "cell", "message"), [
    ("integer", "abc", "expected a whole number, got 'abc'"),
    ("integer", 12.5, "expected a whole number, got 12.5"),
    ("integer", "12,5", "expected a whole number, got '12,5'"),
    ("integer", True, "expected a whole number, got TRUE"),
    ("integer", 1.2345678901234568e16, "expected a whole number, got 1.23456789012346e+16: a spreadsheet"),
    ("decimal", "abc", "expected a number, got 'abc'"),
    ("decimal", "nan", "expected a number, got 'nan'"),
    ("boolean", "kanske", "expected TRUE or FALSE, got 'kanske'"),
    ("boolean", 2, "expected TRUE or FALSE, got 2"),
    ("date", "2024-13-01", "expected a date (YYYY-MM-DD), got '2024-13-01'"),
    ("date", datetime(2024, 1, 2, 10, 0), "expected a date (YYYY-MM-DD), got 2024-01-02 10:00:00"),
    ("datetime", "yesterday", "expected a date and time (YYYY-MM-DD HH:MM:SS), got 'yesterday'"),
    ("time", "25:00", "expected a time (HH:MM), got '25:00'"),
    ("int_list", "1, x", "expected whole numbers separated by commas, got '1, x'"),
    ("json", "{oops", "expected JSON, got '{oops'"),
])
def test_clean_rejects_with_a_plain_message(col_type: str, cell: Any, message: str) -> None:
    with pytest.raises(CellValueError) as info:
        clean(col_type, cell)
    assert str(info.value).startswith(message)
    assert isinstance(info.value, ValueError)


# ---------------------------------------------------------------- cells: render


@pytest.mark.parametrize(("col_type", "value", "cell"), [
    ("string", "0012", "0012"),
    ("integer", 123456789012345, 123456789012345),
    ("integer", 1234567890123456, "1234567890123456"),  # > 15 digits: text
    ("decimal", 0.1, 0.1),
    ("boolean", False, False),
    ("date", "2024-02-29", date(2024, 2, 29)),
    ("date", "1899-12-31", "1899-12-31"),  # before 1900-03-01: serials are ambiguous
    ("datetime", "2024-05-06 09:08:09 +02:00", datetime(2024, 5, 6, 7, 8, 9)),
    ("datetime", "0001-01-01 00:00:00 +00:00", "0001-01-01T00:00:00Z"),
    ("time", "07:30", "07:30"),
    ("int_list", [10, 16], "10, 16"),
    ("int_list", [], ""),
    ("string_list", ["a", "b"], "a, b"),
    ("string_list", ["a, b", "c"], '["a, b", "c"]'),
    ("string_list", [" a"], '[" a"]'),
    ("string_list", ["[x]"], '["[x]"]'),
    ("json", {"z": 1, "a": "å"}, '{"z":1,"a":"å"}'),
    ("string", None, None),
    ("integer", "N/A", "N/A"),  # odd server data is shown as text, never dropped
])
def test_render(col_type: str, value: Any, cell: Any) -> None:
    got = render(col_type, value)
    assert (got, type(got)) == (cell, type(cell))


@pytest.mark.parametrize(("col_type", "value"), [
    ("string", "=SUM(A1)"), ("integer", 12345678901234567), ("decimal", 1234.5), ("boolean", True),
    ("date", "2024-02-29"), ("datetime", "2024-05-06T07:08:09Z"), ("time", "23:59:59"),
    ("int_list", [3, 1]), ("string_list", ["a, b", "", "c"]), ("json", [{"a": None}, "x", 1.5]),
])
def test_render_then_clean_is_identity(col_type: str, value: Any) -> None:
    assert clean(col_type, render(col_type, value)) == value
    assert clean(col_type, value) == value  # clean is idempotent on API form


# ---------------------------------------------------------------- flatten


def test_flatten_dotted_paths_lists_and_missing() -> None:
    record = strip_type_tags({  # as Blikk's connector hands records over
        "objectName": "contact.detail", "id": 5,
        "visitingAddress": {"objectName": "generic.address", "city": "Piteå"},
        "tags": [{"objectName": "x", "id": 1}, {"id": 2}], "company": None,
        "rows": [{"objectName": "r", "a": 1}], "lastUpdated": "2024-01-02T03:04:05+01:00", "count": 3,
    })
    cols = [Column("id", "integer"), Column("visitingAddress.city"), Column("tags.id", "int_list"),
            Column("company.id", "integer"), Column("missing"), Column("rows", "json"),
            Column("lastUpdated", "datetime"), Column("count", "decimal")]
    assert flatten(record, cols) == {
        "id": 5, "visitingAddress.city": "Piteå", "tags.id": [1, 2], "company.id": None, "missing": None,
        "rows": [{"a": 1}], "lastUpdated": "2024-01-02T02:04:05Z", "count": 3.0,
    }


def test_flatten_maps_nested_lists_to_one_list() -> None:
    record = {"groups": [{"members": [{"id": 1}, {"id": 2}]}, {"members": []}, {"members": [{"id": 3}]}]}
    assert flatten(record, [Column("groups.members.id", "int_list")]) == {"groups.members.id": [1, 2, 3]}


def test_flatten_keeps_odd_server_values_as_sent() -> None:
    assert flatten({"n": "N/A"}, [Column("n", "integer")]) == {"n": "N/A"}


def test_unflatten_builds_nested_write_bodies() -> None:
    flat = {"name": "A", "visitingAddress.city": "Piteå", "visitingAddress.postalCode": "94100"}
    assert unflatten(flat) == {"name": "A", "visitingAddress": {"city": "Piteå", "postalCode": "94100"}}
    with pytest.raises(ValueError, match="both a value and an object"):
        unflatten({"a": 1, "a.b": 2})


def test_infer_columns_types_and_order() -> None:
    records: list[dict[str, Any]] = [strip_type_tags(r) for r in [  # as Blikk's connector hands them over
        {"objectName": "x", "name": "A", "id": 1, "price": 1, "when": "2024-01-02 03:04:05 +00:00",
         "day": "2024-01-02", "active": True, "tagIds": [1, 2], "labels": ["a"], "rows": [{"a": 1}],
         "address": {"objectName": "a", "city": "Umeå", "zip": None}, "odd": {"k": 1}, "empty": []},
        {"name": None, "id": 2, "price": 1.5, "when": None, "day": "2024-02-03", "active": None, "tagIds": [],
         "labels": [], "rows": [], "address": None, "odd": "text", "extra": "only here"},
    ]]
    cols = infer_columns(records)
    assert [(c.name, c.type) for c in cols] == [
        ("id", "integer"), ("name", "string"), ("price", "decimal"), ("when", "datetime"), ("day", "date"),
        ("active", "boolean"), ("tagIds", "int_list"), ("labels", "string_list"), ("rows", "json"),
        ("address.city", "string"), ("address.zip", "string"), ("odd", "json"), ("empty", "json"),
        ("extra", "string"),
    ]
    assert all(c.read_only and not c.writable for c in cols)
    flat = flatten(records[1], cols)
    assert flat["odd"] == "text" and flat["tagIds"] == []


# ---------------------------------------------------------------- xlsx writer


def test_formula_like_strings_are_stored_as_strings(tmp_path: Path) -> None:
    tricky = ["=SUM(A1)", "+46701234567", "-rabatt", "@x", "\tx", "\rx", "\nx", "=1+1"]
    rows = [{**_rows()[0], "id": i, "name": s} for i, s in enumerate(tricky, start=1)]
    path = _write(tmp_path, rows)
    with zipfile.ZipFile(path) as zf:
        xml = zf.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in xml and "<f " not in xml
    ws = openpyxl.load_workbook(path)["contacts"]
    for r, text in enumerate(tricky, start=2):
        cell = ws.cell(r, 2)
        assert cell.data_type == "s" and cell.quotePrefix, text
    assert [r.values["name"] for r in read_xlsx(path).sheets["contacts"].rows] == tricky


def test_header_styles_comments_and_layout(tmp_path: Path) -> None:
    ws = openpyxl.load_workbook(_write(tmp_path))["contacts"]
    by_name = {c.value: c for c in ws[1]}
    ro, rw, when = by_name["id"], by_name["name"], by_name["created"]
    assert ro.font.i and not ro.font.b and ro.fill.fgColor.rgb == "FFD9D9D9"
    assert ro.comment is not None
    assert ro.comment.text == "Read-only: exported for reference; edits are ignored on import."
    assert rw.font.b and not rw.font.i and rw.fill.fgColor.rgb != ro.fill.fgColor.rgb and rw.comment is None
    assert when.comment is not None and "UTC" in when.comment.text
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:H3"
    assert ws["C2"].number_format == "@" and ws["C2"].value == "0012"
    assert ws["G2"].number_format == "yyyy-mm-dd hh:mm:ss" and ws["G2"].value == datetime(2024, 1, 2, 3, 4, 5)
    lists = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}
    assert lists == {"E2:E1048576": '"TRUE,FALSE"', "F2:F1048576": '"person,company"'}


def test_hidden_export_record_sheet(tmp_path: Path) -> None:
    path = _write(tmp_path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["contacts", "_bulktool"]
    assert wb["_bulktool"].sheet_state == "hidden"  # not "veryHidden": LibreOffice would drop it
    assert wb.active.title == "contacts"
    head = json.loads(wb["_bulktool"]["A1"].value)
    assert head["host"] == "sandbox.example" and head["sheets"]["contacts"]["id_column"] == "id"
    book = read_xlsx(path)
    assert book.meta is not None and book.meta.exported_at == META.exported_at
    sheet = book.sheets["contacts"]
    assert sheet.meta is not None and sheet.meta.column_types()["amount"] == "decimal"
    assert sheet.meta.last_updated == "lastUpdated"
    assert sheet.exported["2"]["name"] == "" and sheet.exported["1"]["customerNumber"] == "0012"
    assert sheet.last_updated == {"2": "2024-02-03T04:05:06Z"}


@pytest.mark.parametrize(("given", "kept"), [
    ("api.blikk.se", "api.blikk.se"),
    ("https://user:secret@api.blikk.se:8443/v1?token=abc", "api.blikk.se:8443/v1"),
    ("user:secret@127.0.0.1:8765", "127.0.0.1:8765"),
])
def test_export_record_keeps_no_credentials_in_host(given: str, kept: str) -> None:
    meta = ExportMeta(system="blikk", host=given, exported_at=META.exported_at, bulktool_version="t")
    assert meta.host == kept and "secret" not in meta.to_json()


def test_long_values_are_split_across_record_cells() -> None:
    text = "x" * 40_000 + "🙂" * 20_000
    parts = split_text(text)
    assert "".join(parts) == text
    assert all(len(p.encode("utf-16-le")) // 2 <= 32_000 for p in parts)


def test_damaged_record_batches_are_ignored_with_a_warning(tmp_path: Path) -> None:
    path = _write(tmp_path)
    wb = openpyxl.load_workbook(path)
    rec = wb["_bulktool"]
    assert rec.max_row == 2  # both records in one batch row
    cell = rec.cell(2, 5)
    assert ',"",' in cell.value  # row 2's empty-string name
    cell.value = cell.value.replace(',"",', ',"forged",', 1)
    wb.save(path)
    book = read_xlsx(path)
    assert book.sheets["contacts"].exported == {}  # the whole batch is void, nothing is trusted
    assert "2 entries of the export record in out.xlsx were altered and are ignored." in book.warnings
    assert book.sheets["contacts"].rows[1].values["name"] is None  # no record to vouch for ""


def test_record_batches_split_by_size_and_sheet(tmp_path: Path) -> None:
    from bulktool.workbook.meta import BATCH

    rows = [{"id": n, "name": f"namn {n}", "amount": 1.5} for n in range(1, BATCH * 2 + 8)]
    cols = [Column("id", "integer", read_only=True), Column("name"), Column("amount", "decimal")]
    path = tmp_path / "many.xlsx"
    write_xlsx(path, [SheetData("a", cols, rows, "id"), SheetData("b", cols, rows[:3], "id")], META)
    grid = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("_bulktool").to_python()
    assert [(r[0], r[1], r[3]) for r in grid[1:]] == [
        ("a", "1", str(BATCH)), ("a", str(BATCH + 1), str(BATCH)), ("a", str(2 * BATCH + 1), "7"), ("b", "1", "3")]
    book = read_xlsx(path)
    assert book.warnings == []
    assert book.sheets["a"].exported[str(BATCH + 1)] == {"id": BATCH + 1, "name": f"namn {BATCH + 1}", "amount": 1.5}
    assert len(book.sheets["a"].exported) == len(rows) and len(book.sheets["b"].exported) == 3


def test_sheet_names_are_sanitised_and_unique(tmp_path: Path) -> None:
    path = tmp_path / "s.xlsx"
    sheets = [SheetData(n, [Column("id", "integer")], [{"id": 1}], "id")
              for n in ("a/b:c*?", "x" * 40, "X" * 40, "_bulktool")]
    write_xlsx(path, sheets, META)
    names = openpyxl.load_workbook(path).sheetnames
    assert names == ["a_b_c__", "x" * 31, "X" * 29 + "_2", "_bulktool_", "_bulktool"]
    book = read_xlsx(path)
    assert book.meta is not None and set(book.meta.sheets) == set(names[:-1])


def test_progress_reports_rows_written(tmp_path: Path) -> None:
    seen: list[int] = []

    def rows() -> Iterator[dict[str, Any]]:
        for i in range(2500):
            yield {"id": i, "name": f"n{i}"}

    n = write_xlsx(tmp_path / "p.xlsx", [SheetData("s", COLS[:2], rows(), "id")], META, progress=seen.append)
    assert n == 2500 and sum(seen) == 2500 and seen == [1000, 1000, 500]


@pytest.mark.parametrize("target", ["missing-dir/out.xlsx", "a-directory", "/proc/out.xlsx"])
def test_unwritable_output_raises_output_error(tmp_path: Path, target: str) -> None:
    (tmp_path / "a-directory").mkdir()
    path = Path(target) if target.startswith("/") else tmp_path / target
    with pytest.raises(OutputError, match=r"^Cannot write .*"):
        write_xlsx(path, [SheetData("s", COLS, _rows(), "id")], META)
    csv_path = path if target == "a-directory" else path.with_suffix(".csv")
    with pytest.raises(OutputError, match=r"^Cannot write .*"):
        write_csv(csv_path, SheetData("s", COLS, _rows()), META)


def test_failed_write_leaves_an_existing_file_alone(tmp_path: Path) -> None:
    path = _write(tmp_path)
    before = path.read_bytes()

    def broken() -> Iterator[dict[str, Any]]:
        yield _rows()[0]
        raise RuntimeError("connection lost")

    with pytest.raises(RuntimeError):
        write_xlsx(path, [SheetData("contacts", COLS, broken(), "id")], META)
    assert path.read_bytes() == before


# ---------------------------------------------------------------- xlsx reader


def _foreign(tmp_path: Path, rows: list[list[Any]]) -> Path:
    """A workbook as a person makes it in Excel: no export record, typed cells."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "contacts"
    for row in rows:
        ws.append(row)
    path = tmp_path / "foreign.xlsx"
    wb.save(path)
    return path


def test_reader_cleans_human_typed_cells_and_keeps_errors(tmp_path: Path) -> None:
    path = _foreign(tmp_path, [
        ["id", "amount", "isActive", "created", "day", "note", "slot"],
        ["7", "8,5", "ja", datetime(2024, 1, 2, 10, 0), datetime(2024, 3, 1), 12, time(8, 30)],
        [None, None, None, None, None, None, None],
        [8.0, 3, "FALSE", "2024-01-02T10:00:00+01:00", "2024-03-02", "x", "9:05"],
        ["abc", 12.5, "kanske", "igår", "2024-02-30", None, "25:00"],
    ])
    cols = [Column("id", "integer"), Column("amount", "decimal"), Column("isActive", "boolean"),
            Column("created", "datetime"), Column("day", "date"), Column("note"), Column("slot", "time")]
    sheet = read_xlsx(path, columns=cols).sheets["contacts"]
    assert [r.row for r in sheet.rows] == [2, 4, 5]  # the empty row 3 is skipped
    assert sheet.meta is None and sheet.exported == {}
    assert sheet.rows[0].values == {
        "id": 7, "amount": 8.5, "isActive": True, "created": "2024-01-02T10:00:00Z",
        "day": "2024-03-01", "note": "12", "slot": "08:30",
    }
    assert sheet.rows[1].values == {
        "id": 8, "amount": 3.0, "isActive": False, "created": "2024-01-02T09:00:00Z",
        "day": "2024-03-02", "note": "x", "slot": "09:05",
    }
    bad = sheet.rows[2]
    assert bad.values["id"] == "abc" and bad.values["isActive"] == "kanske"  # raw value kept
    assert bad.errors == {
        "id": "expected a whole number, got 'abc'", "isActive": "expected TRUE or FALSE, got 'kanske'",
        "created": "expected a date and time (YYYY-MM-DD HH:MM:SS), got 'igår'",
        "day": "expected a date (YYYY-MM-DD), got '2024-02-30'",
        "slot": "expected a time (HH:MM), got '25:00'",
    }
    assert bad.values["amount"] == 12.5 and "amount" not in bad.errors


def test_reader_without_types_reads_text(tmp_path: Path) -> None:
    path = _foreign(tmp_path, [["id", "name"], [12, "Åsa"]])
    assert read_table(path).sheets["contacts"].rows[0].values == {"id": "12", "name": "Åsa"}


def test_empty_string_survives_only_with_the_export_record(tmp_path: Path) -> None:
    sheet = read_xlsx(_write(tmp_path)).sheets["contacts"]
    assert sheet.rows[1].values["name"] == ""  # exported "" (record id 2)
    assert sheet.rows[1].values["amount"] is None  # exported None
    assert sheet.rows[0].values == _rows()[0]


def test_a_users_edit_wins_over_the_export_record(tmp_path: Path) -> None:
    path = _write(tmp_path)
    wb = openpyxl.load_workbook(path)
    wb["contacts"]["B2"] = "Åsa Edited"
    wb["contacts"]["D2"] = 9.75
    wb["contacts"]["B3"] = "now filled"
    wb.save(path)
    rows = read_xlsx(path).sheets["contacts"].rows
    assert rows[0].values["name"] == "Åsa Edited" and rows[0].values["amount"] == 9.75
    assert rows[1].values["name"] == "now filled"


def test_reader_refuses_bad_files(tmp_path: Path) -> None:
    with pytest.raises(WorkbookError, match="does not exist"):
        read_table(tmp_path / "nope.xlsx")
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(WorkbookError, match=r"old\.xls: cannot read \.xls"):
        read_table(tmp_path / "old.xls")
    (tmp_path / "fake.xlsx").write_text("not a zip")
    with pytest.raises(WorkbookError, match="not a readable Excel workbook"):
        read_table(tmp_path / "fake.xlsx")
    dup = _foreign(tmp_path, [["id", "name", "name"], [1, "a", "b"]])
    with pytest.raises(WorkbookError, match="two columns named 'name'"):
        read_table(dup)
    with pytest.raises(WorkbookError, match="has no sheet 'other'"):
        read_xlsx(dup, sheet="other")


def test_explicit_columns_override_the_export_record(tmp_path: Path) -> None:
    path = _write(tmp_path)
    book = read_xlsx(path, sheet="contacts", columns=[Column("customerNumber", "integer")])
    sheet = book.sheets["contacts"]
    assert sheet.rows[0].values["customerNumber"] == 12
    assert sheet.rows[1].errors["customerNumber"] == "expected a whole number, got '=SUM(A1)'"


# ---------------------------------------------------------------- CSV


def test_csv_has_bom_escapes_formulas_and_writes_a_sidecar(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    rows = [*_rows(), {"id": 3, "name": "'=x", "customerNumber": "'", "amount": -5.0}]
    write_csv(path, SheetData("contacts", COLS, rows, "id"), META)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert text.splitlines()[0] == "id,name,customerNumber,amount,isActive,contactType,created,lastUpdated"
    assert ",'=SUM(A1)," in text and ",''=x,'," in text and ",-5.0," in text
    side = json.loads(sidecar_path(path).read_text(encoding="utf-8"))
    assert side["meta"]["host"] == "sandbox.example" and len(side["records"]) == 3
    sheet = read_csv(path)
    assert [r.values["name"] for r in sheet.rows] == ["Åsa", "", "'=x"]
    assert [r.values["customerNumber"] for r in sheet.rows] == ["0012", "=SUM(A1)", "'"]
    assert sheet.rows[2].values["amount"] == -5.0


def test_semicolon_csv_with_decimal_comma_and_no_bom(tmp_path: Path) -> None:
    path = tmp_path / "excel-sv.csv"
    path.write_bytes("id;amount;name;note\r\n1;8,5;Åsa;\"a;b\"\r\n2;1 234,50;Örjan;\r\n".encode())
    cols = [Column("id", "integer"), Column("amount", "decimal")]
    book = read_table(path, columns=cols)
    sheet = book.sheets["excel-sv"]
    assert book.meta is None and sheet.columns == ["id", "amount", "name", "note"]
    assert [r.values for r in sheet.rows] == [
        {"id": 1, "amount": 8.5, "name": "Åsa", "note": "a;b"},
        {"id": 2, "amount": 1234.5, "name": "Örjan", "note": None},
    ]


def test_cp1252_csv_from_windows_excel(tmp_path: Path) -> None:
    path = tmp_path / "win.csv"
    path.write_bytes("id;name\r\n1;Åsa Öberg\r\n".encode("cp1252"))
    assert read_csv(path).rows[0].values == {"id": "1", "name": "Åsa Öberg"}


def test_csv_sheet_meta_written_without_given_meta(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    write_csv(path, SheetData("contacts", COLS, _rows(), "id"), META)
    book = read_table(path)
    assert book.meta is not None and list(book.sheets) == ["contacts"]
    meta = book.sheets["contacts"].meta
    assert meta == SheetMeta(
        endpoint="contacts", id_column="id", last_updated="lastUpdated",
        columns=[{"name": c.name, "type": c.type, "read_only": not c.writable} for c in COLS],
    )


def test_clean_column_fast_paths_agree_with_clean() -> None:
    """The column-at-a-time reader takes shortcuts for common cells; each must give what ``clean`` gives."""
    from bulktool.workbook.table import clean_column

    cases = {
        "datetime": ["2024-01-02 03:04:05 +00:00", "2024-01-02T03:04:05Z", "2024-01-02 05:04:05 +02:00",
                     datetime(2024, 1, 2, 3, 4, 5), datetime(2024, 1, 2, 3, 4, 5, 600_000), 45293.5, None, ""],
        "integer": [1.0, 12, "0012", None, "", -3.0],
        "string": ["a", "", None, 12.0, True],
        "boolean": [True, False, "TRUE", "nej", 1.0, None],
        "decimal": [1.5, 2, "3,25", None],
    }
    for typ, cells in cases.items():
        values, errors = clean_column(typ, cells)
        assert errors == {}, typ
        assert values == [None if c is None or c == "" else clean(typ, c) for c in cells], typ
    values, errors = clean_column("datetime", ["2024-02-30 03:04:05 +00:00", "2024-02-28 03:04:05 +00:00"])
    assert errors == {0: "expected a date and time (YYYY-MM-DD HH:MM:SS), got '2024-02-30 03:04:05 +00:00'"}
    assert values[1] == "2024-02-28T03:04:05Z"
