"""Reports rendered from hand-built ImportResults: exact terminal text, JSON shape, xlsx/HTML read back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from bulktool.errors import OutputError
from bulktool.plan.model import CellError, FieldChange, ImportResult, RowResult
from bulktool.reports import (
    dumps,
    render_html,
    render_summary,
    write_html_report,
    write_json,
    write_xlsx_report,
)
from bulktool.reports.xlsx_report import CHANGED_FILL, CONFLICT_FILL, INVALID_FILL, NEW_ID_FILL

COLUMNS = ["id", "name", "email", "phoneNumber", "code", "active", "hours"]
XSS = "<script>alert(1)</script>"
LONG_ID = 12345678901234567890


def _values(id_: Any, name: Any, email: Any = None, phone: Any = None, code: Any = None) -> dict[str, Any]:
    return {"id": id_, "name": name, "email": email, "phoneNumber": phone, "code": code, "active": True,
            "hours": 7.5}


def mixed_result() -> ImportResult:
    rows = [
        RowResult("Contacts", 2, "unchanged", id=1, values=_values(1, "Anna", "anna@x.se", code="00123")),
        RowResult("Contacts", 3, "create", key="NEW-1",
                  changes={"name": FieldChange(None, "Åsa AB"), "email": FieldChange(None, "asa@x.se")},
                  values=_values(None, "Åsa AB", "asa@x.se", code="=x")),
        RowResult("Contacts", 4, "conflict", id=3,
                  changes={"email": FieldChange("y@x.se", "x@x.se", exported="z@x.se", server="y@x.se",
                                                conflict=True)},
                  message="changed on the server since the export: email",
                  values=_values(3, "Bo", "x@x.se")),
        RowResult("Contacts", 7, "update", id=12,
                  changes={"email": FieldChange("a@x.se", "b@x.se"),
                           "phoneNumber": FieldChange(None, "0701234567")},
                  values=_values(12, XSS, "b@x.se", "0701234567")),
        RowResult("Contacts", 8, "delete", id=13, values=_values(13, "Old Co")),
        RowResult("Contacts", 9, "invalid", errors=[CellError("name", "required on create")],
                  values=_values(None, None, "q@x.se", code="+46")),
        RowResult("Contacts", 10, "skip", id=LONG_ID, values=_values(LONG_ID, "Big Id")),
    ]
    return ImportResult("blikk", "contacts", "contacts.xlsx", "Contacts", list(COLUMNS), rows,
                        write_requests=3,
                        warnings=["Columns not in the contacts template are ignored: notes"])


def applied_result() -> ImportResult:
    res = mixed_result()
    res.applied = True
    by_row = {r.row: r for r in res.rows}
    by_row[3].status, by_row[3].created_id = "applied", 101
    by_row[4].status = "skipped"
    by_row[7].status, by_row[7].message = "failed", "HTTP 400: phoneNumber is not a valid phone number"
    by_row[8].status = "applied"
    by_row[9].status = "skipped"
    return res


# --- terminal -------------------------------------------------------------------------------------------

def test_terminal_dry_run_exact_text() -> None:
    assert render_summary(mixed_result()) == (
        "Dry run: contacts (blikk) from contacts.xlsx, sheet Contacts\n"
        "7 rows: create 1, update 1, delete 1, unchanged 2, conflict 1, invalid 1\n"
        "3 write requests, estimated apply time about 1 s at 4 requests/s\n"
        "Skipped 1 row: action column says skip\n"
        "Warning: Columns not in the contacts template are ignored: notes\n"
        "\n"
        "Details (problems first):\n"
        "  row 4  conflict  id 3: email: you 'x@x.se' / server 'y@x.se' (exported 'z@x.se')\n"
        "  row 9  invalid: name: required on create\n"
        "  row 3  create  key 'NEW-1': name = 'Åsa AB'; email = 'asa@x.se'\n"
        "  row 7  update  id 12: email 'a@x.se' -> 'b@x.se'; phoneNumber None -> '0701234567'\n"
        "  row 8  delete  id 13 (Old Co)\n"
    )


def test_terminal_applied_exact_text() -> None:
    assert render_summary(applied_result(), verbose_rows=4) == (
        "Applied: contacts (blikk) from contacts.xlsx, sheet Contacts\n"
        "7 rows: create 1, update 1, delete 1, unchanged 2, conflict 1, invalid 1\n"
        "Applied 2, failed 1\n"
        "3 write requests sent\n"
        "Skipped 1 row: action column says skip\n"
        "Warning: Columns not in the contacts template are ignored: notes\n"
        "\n"
        "Details (problems first):\n"
        "  row 7  update  id 12: email 'a@x.se' -> 'b@x.se'; phoneNumber None -> '0701234567'"
        "  [failed: HTTP 400: phoneNumber is not a valid phone number]\n"
        "  row 4  conflict  id 3: email: you 'x@x.se' / server 'y@x.se' (exported 'z@x.se')  [skipped]\n"
        "  row 9  invalid: name: required on create  [skipped]\n"
        "  row 3  create  new id 101: name = 'Åsa AB'; email = 'asa@x.se'  [applied]\n"
        "  ... and 1 more\n"
    )


def _updates(n: int, *, rate: float = 4.0) -> ImportResult:
    rows = [RowResult("S", i + 2, "update", id=i + 1, changes={"note": FieldChange("a", "x" * 100)})
            for i in range(n)]
    return ImportResult("blikk", "projects", "p.csv", "p", ["id", "note"], rows, write_requests=n,
                        rate_per_second=rate)


def test_terminal_truncates_long_values_and_counts_the_rest() -> None:
    text = render_summary(_updates(500), verbose_rows=2)
    assert "500 write requests, estimated apply time about 2 min 5 s at 4 requests/s\n" in text
    assert f"  row 2  update  id 1: note 'a' -> '{'x' * 57}...'\n" in text
    assert text.endswith(f"  row 3  update  id 2: note 'a' -> '{'x' * 57}...'\n  ... and 498 more\n")
    assert "about 1 h 23 min at 2 requests/s" in render_summary(_updates(10_000, rate=2), verbose_rows=0)


def test_terminal_summarises_many_invalid_rows_by_column() -> None:
    rows = [RowResult("S", i + 2, "invalid", errors=[CellError("name", "required on create")])
            for i in range(1204)]
    rows += [RowResult("S", 2000 + i, "invalid", errors=[CellError("email", f"not an email: {i}")])
             for i in range(4)]
    rows.append(RowResult("S", 3000, "update", id=5, changes={"name": FieldChange("a", "b")}))
    res = ImportResult("blikk", "contacts", "c.xlsx", "S", ["name", "email"], rows, write_requests=1)
    text = render_summary(res)
    assert "\nInvalid rows by column:\n  name: 1,204 rows (required on create)\n" in text
    assert "  email: 4 rows (not an email: 0; not an email: 1; not an email: 2; ...)\n" in text
    assert text.endswith("Details (problems first):\n  row 3000  update  id 5: name 'a' -> 'b'\n")
    assert "1,209 rows: create 0, update 1, delete 0, unchanged 0, conflict 0, invalid 1,208" in text


def test_terminal_all_unchanged_and_skipped() -> None:
    rows = [RowResult("S", 2, "unchanged", id=1),
            RowResult("S", 3, "unchanged", status="skipped", message="no matching record (update-only mode)"),
            RowResult("S", 4, "unchanged", status="skipped", message="no matching record (update-only mode)")]
    text = render_summary(ImportResult("blikk", "contacts", "c.xlsx", "S", ["id"], rows))
    assert text == (
        "Dry run: contacts (blikk) from c.xlsx, sheet S\n"
        "3 rows: create 0, update 0, delete 0, unchanged 3, conflict 0, invalid 0\n"
        "No write requests\n"
        "Skipped 2 rows: no matching record (update-only mode)\n"
        "\n"
        "Nothing to change: every row matches the server.\n"
    )
    assert "\x1b" not in text


# --- JSON -----------------------------------------------------------------------------------------------

def test_json_shape_and_values(tmp_path: Path) -> None:
    res = applied_result()
    path = tmp_path / "report.json"
    write_json(res, path)
    raw = path.read_text(encoding="utf-8")
    assert "Åsa AB" in raw  # ensure_ascii=False
    data = json.loads(raw)
    assert data == json.loads(dumps(res))
    assert set(data) == {"summary", "mode", "file", "sheet", "endpoint", "system", "host", "account", "journal",
                         "undo", "exit_code", "interrupted", "requests", "warnings", "rows"}
    assert data["summary"] == {"create": 1, "update": 1, "delete": 1, "unchanged": 2, "conflict": 1,
                               "invalid": 1, "applied": 2, "failed": 1}
    for row in data["rows"]:
        assert set(row) == {"sheet", "row", "id", "key", "action", "changes", "errors", "status", "message",
                            "warnings", "would_clear"}
    by_row = {r["row"]: r for r in data["rows"]}
    assert by_row[3]["id"] == 101 and by_row[3]["key"] == "NEW-1" and by_row[3]["status"] == "applied"
    assert by_row[7]["changes"] == {"email": {"old": "a@x.se", "new": "b@x.se"},
                                    "phoneNumber": {"old": None, "new": "0701234567"}}
    assert by_row[7]["status"] == "failed" and by_row[7]["message"].startswith("HTTP 400")
    assert by_row[9]["errors"] == [{"column": "name", "message": "required on create"}]
    assert by_row[10]["action"] == "unchanged" and by_row[10]["id"] == LONG_ID
    assert dumps(res).startswith('{\n  "summary": {\n    "create": 1,')


# --- xlsx -----------------------------------------------------------------------------------------------

def _rgb(cell: Any) -> str | None:
    return str(cell.fill.fgColor.rgb)[-6:] if cell.fill.fill_type == "solid" else None


def test_xlsx_report_marks_cells_and_keeps_types(tmp_path: Path) -> None:
    path = tmp_path / "report.xlsx"
    write_xlsx_report(applied_result(), path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Contacts", "Summary"]
    ws = wb["Contacts"]
    header = [c.value for c in ws[1]]
    assert header == [*COLUMNS, "Result", "Message"]
    col = {name: i for i, name in enumerate(header)}
    rows = {r[0].row: r for r in ws.iter_rows(min_row=2) if any(c.value is not None for c in r)}
    assert sorted(rows) == [2, 3, 4, 7, 8, 9, 10]  # each row at its own row number, as the messages say
    assert ws.freeze_panes == "A2"

    unchanged = rows[2]
    assert unchanged[col["code"]].value == "00123" and unchanged[col["code"]].data_type == "s"
    assert unchanged[col["id"]].value == 1 and unchanged[col["hours"]].value == 7.5
    assert unchanged[col["active"]].value is True
    assert unchanged[col["Result"]].value == "unchanged" and unchanged[col["Message"]].value is None

    created = rows[3]  # '=x' is text, not a formula; the new id is filled in so a re-import won't duplicate
    assert created[col["code"]].value == "=x" and created[col["code"]].data_type == "s"
    assert created[col["id"]].value == 101 and _rgb(created[col["id"]]) == NEW_ID_FILL[1:]
    assert created[col["Result"]].value == "applied" and created[col["Message"]].value == "created id 101"
    assert _rgb(created[col["name"]]) is None and created[col["name"]].value == "Åsa AB"

    conflict = rows[4]
    cell = conflict[col["email"]]
    assert _rgb(cell) == CONFLICT_FILL[1:] and cell.comment.text == "server now: y@x.se, exported: z@x.se"
    assert conflict[col["Result"]].value == "conflict"
    assert conflict[col["Message"]].value == "email: you x@x.se, server now y@x.se, exported z@x.se"

    updated = rows[7]
    assert _rgb(updated[col["email"]]) == CHANGED_FILL[1:]
    assert updated[col["email"]].comment.text == "was: a@x.se"
    assert updated[col["phoneNumber"]].comment.text == "was: (empty)"
    assert updated[col["phoneNumber"]].value == "0701234567" and updated[col["phoneNumber"]].data_type == "s"
    assert _rgb(updated[col["name"]]) is None and updated[col["name"]].value == XSS
    assert updated[col["Result"]].value == "failed"
    assert updated[col["Message"]].value == "HTTP 400: phoneNumber is not a valid phone number"

    invalid = rows[9]
    assert _rgb(invalid[col["name"]]) == INVALID_FILL[1:]
    assert invalid[col["name"]].comment.text == "required on create"
    assert invalid[col["code"]].value == "+46" and invalid[col["code"]].data_type == "s"
    assert invalid[col["Message"]].value == "name: required on create"

    skipped = rows[10]
    assert skipped[col["id"]].value == str(LONG_ID) and skipped[col["id"]].data_type == "s"
    assert skipped[col["Result"]].value == "skipped"

    summary = {r[0]: r[1] for r in wb["Summary"].iter_rows(values_only=True) if r[0]}
    assert summary["Mode"] == "Applied" and summary["Endpoint"] == "contacts"
    assert (summary["create"], summary["update"], summary["unchanged"], summary["invalid"]) == (1, 1, 2, 1)
    assert (summary["applied"], summary["failed"], summary["Write requests"]) == (2, 1, 3)


def test_xlsx_report_dry_run_labels_and_no_formulas(tmp_path: Path) -> None:
    path = tmp_path / "dry.xlsx"
    write_xlsx_report(mixed_result(), path)
    ws = openpyxl.load_workbook(path)["Contacts"]
    results = [r[len(COLUMNS)] for r in ws.iter_rows(min_row=2, values_only=True) if any(r)]
    assert results == ["unchanged", "create", "conflict", "update", "delete", "invalid", "skipped"]
    assert ws.cell(10, len(COLUMNS) + 2).value == "action column says skip"
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    summary_sheet = openpyxl.load_workbook(path)["Summary"]
    summary = {r[0]: r[1] for r in summary_sheet.iter_rows(values_only=True) if r[0]}
    assert summary["Mode"] == "Dry run" and summary["Estimated time"] == "about 1 s at 4 requests/s"
    assert "applied" not in summary


def test_xlsx_report_of_a_report_does_not_duplicate_result_columns(tmp_path: Path) -> None:
    res = mixed_result()
    res.columns = [*COLUMNS, "Result", "Message"]  # the user re-imported a corrected report
    write_xlsx_report(res, tmp_path / "again.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "again.xlsx")["Contacts"]
    assert [c.value for c in ws[1]] == [*COLUMNS, "Result", "Message"]


def test_xlsx_report_rows_out_of_order_are_written_consecutively(tmp_path: Path) -> None:
    res = mixed_result()
    res.rows.reverse()
    write_xlsx_report(res, tmp_path / "rev.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "rev.xlsx")["Contacts"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert [r[len(COLUMNS)] for r in rows] == ["skipped", "invalid", "delete", "update", "conflict", "create",
                                               "unchanged"]


def test_reports_refuse_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="does not exist"):
        write_xlsx_report(mixed_result(), tmp_path / "nope" / "r.xlsx")
    with pytest.raises(OutputError, match="does not exist"):
        write_json(mixed_result(), tmp_path / "nope" / "r.json")
    assert list(tmp_path.iterdir()) == []


# --- HTML -----------------------------------------------------------------------------------------------

def test_html_escapes_and_shows_changes_conflicts_errors(tmp_path: Path) -> None:
    res = applied_result()
    res.rows[3].changes["name"] = FieldChange("Old <b>name</b>", XSS)
    res.rows[5].values["name"] = XSS
    res.source = 'contacts "<evil>".xlsx'
    path = tmp_path / "r.html"
    write_html_report(res, path)
    html = path.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    assert XSS not in html and "Old <b>name</b>" not in html and '"<evil>"' not in html
    assert html.count("<script") == 1  # only the inline filter script
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "contacts &quot;&lt;evil&gt;&quot;.xlsx" in html
    assert "<td>email</td><td>a@x.se</td><td>&rarr;</td><td>b@x.se</td>" in html
    assert "<td>Old &lt;b&gt;name&lt;/b&gt;</td>" in html
    assert "<th>Exported</th><th>Server now</th><th>Yours</th>" in html
    assert "<td>email</td><td>z@x.se</td><td>y@x.se</td><td>x@x.se</td>" in html
    assert "<b>name</b>: required on create" in html
    assert "HTTP 400: phoneNumber is not a valid phone number" in html
    assert '<span class="badge failed">failed</span>' in html and "new id 101, key NEW-1" in html
    assert "<summary>2 unchanged rows</summary>" in html and "http://" not in html and "https://" not in html
    # problems first: the failed update precedes the created row
    assert html.index("<td>7</td>") < html.index("<td>4</td>") < html.index("<td>3</td>")


def test_html_caps_detailed_rows() -> None:
    html = render_html(_updates(10), max_rows=3)
    assert html.count('<tr class="r ') == 3
    assert "... and 7 more changed or failed rows" in html


# --- scale ----------------------------------------------------------------------------------------------

def test_100k_rows_render_to_html_and_xlsx(tmp_path: Path) -> None:
    rows = []
    for i in range(100_000):
        vals = {"id": i + 1, "name": f"Name {i}", "email": f"u{i}@x.se", "active": i % 2 == 0}
        if i % 50 == 0:
            rows.append(RowResult("Big", i + 2, "update", id=i + 1,
                                  changes={"email": FieldChange(f"old{i}@x.se", vals["email"])}, values=vals))
        else:
            rows.append(RowResult("Big", i + 2, "unchanged", id=i + 1, values=vals))
    res = ImportResult("blikk", "contacts", "big.xlsx", "Big", ["id", "name", "email", "active"], rows,
                       write_requests=2000)
    write_html_report(res, tmp_path / "big.html")
    html = (tmp_path / "big.html").read_text(encoding="utf-8")
    assert html.count('<tr class="r ') == 2000 and "<summary>98,000 unchanged rows</summary>" in html
    assert len(html) < 2_000_000
    write_xlsx_report(res, tmp_path / "big.xlsx")
    sheet = CalamineWorkbook.from_path(str(tmp_path / "big.xlsx")).get_sheet_by_name("Big").to_python()
    assert len(sheet) == 100_001 and sheet[-1][:3] == [100_000, "Name 99999", "u99999@x.se"]
    assert render_summary(res).endswith("  ... and 1,980 more\n")
