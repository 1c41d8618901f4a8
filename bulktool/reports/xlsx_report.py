"""The xlsx report: the user's sheet as read, marked up, ready to fix and import again.

Cells keep their types (see ``_xlsx.write_value``) so the corrected report imports like the original;
the ``Result``/``Message`` columns are not template columns and the ``Summary`` sheet is skipped on import.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from pathlib import Path
from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ..plan.model import ImportResult, RowResult
from ..workbook.xlsx_writer import sheet_title
from ._common import (
    NameIndex,
    action_of,
    atomic_write,
    clears,
    duration,
    list_text,
    name_of,
    plain,
    record_name,
    reference_names,
    result_label,
    skip_reason,
)
from ._xlsx import column_widths, comment, new_workbook, write_id, write_value
from .companies import company_lines

CHANGED_FILL = "#FFFF00"
CONFLICT_FILL = "#FFC000"
INVALID_FILL = "#FF8080"
NEW_ID_FILL = "#C6EFCE"
HEADER_FILL = "#D9E1F2"
REPORT_COLUMNS = ("Result", "Message")
EXCEL_MAX_ROWS = 1_048_576
MAX_COMMENTS = 20_000  # beyond this Excel gets sluggish; fills still mark every cell
_RESULT_FILLS = {"applied": NEW_ID_FILL, "failed": INVALID_FILL, "unknown": INVALID_FILL,
                 "invalid": INVALID_FILL, "conflict": CONFLICT_FILL}


class _Marks:
    """Formats and a comment budget for one workbook."""

    def __init__(self, wb: Workbook) -> None:
        def fill(color: str) -> Format:
            return wb.add_format({"bg_color": color, "pattern": 1})

        self.changed, self.conflict = fill(CHANGED_FILL), fill(CONFLICT_FILL)
        self.invalid, self.new_id = fill(INVALID_FILL), fill(NEW_ID_FILL)
        self.result = {k: fill(v) for k, v in _RESULT_FILLS.items()}
        self.header = wb.add_format({"bold": True, "bg_color": HEADER_FILL, "pattern": 1, "bottom": 1})
        self.comments = 0
        self.dropped = 0

    def comment(self, ws: Worksheet, row: int, col: int, text: str) -> None:
        if self.comments < MAX_COMMENTS:
            comment(ws, row, col, text)
            self.comments += 1
        else:
            self.dropped += 1


def write_xlsx_report(result: ImportResult, path: str | Path) -> None:
    atomic_write(path, lambda tmp: _write(result, str(tmp)))


def _write(result: ImportResult, path: str) -> None:
    wb = new_workbook(path)
    marks = _Marks(wb)
    data_name = sheet_title(result.sheet, set())  # the one sanitiser Excel names go through
    ws = wb.add_worksheet(data_name)
    columns = [c for c in result.columns if c not in REPORT_COLUMNS]  # a report imported again
    header = [*columns, *REPORT_COLUMNS]
    for i, name in enumerate(header):
        ws.write_string(0, i, name, marks.header)
    index = {c: i for i, c in enumerate(columns)}
    lower = {c.lower(): i for i, c in reversed(list(enumerate(columns)))}
    id_col = index.get("id")
    positions = _positions(result.rows)
    names = reference_names(result)
    for n, r in zip(positions, result.rows, strict=True):
        _write_row(ws, n, r, columns, index, lower, id_col, result.applied, marks, names)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(positions[-1] if positions else 1, 1), len(header) - 1)
    sample = [[r.values.get(c) for c in columns] + [None, None] for r in result.rows[:500]]
    for i, width in enumerate(column_widths(header, sample)):
        ws.set_column(i, i, 60 if header[i] == "Message" and i >= len(columns) else width)
    summary = "Summary" if data_name.lower() != "summary" else "Import summary"
    _write_summary(wb, wb.add_worksheet(summary), result, marks.dropped > 0)
    wb.close()


def _positions(rows: Sequence[RowResult]) -> list[int]:
    """Keep each row at its original row number, so 'row 7' in any report is row 7 here too.

    Falls back to consecutive rows when the numbers cannot be positions (unsorted, duplicated, or
    CSV line numbers past Excel's last row).
    """
    numbers = [r.row for r in rows]
    ok = all(b > a for a, b in pairwise(numbers))
    if numbers and ok and numbers[0] >= 2 and numbers[-1] <= EXCEL_MAX_ROWS:
        return [n - 1 for n in numbers]
    return list(range(1, len(rows) + 1))


def _write_row(
    ws: Worksheet, n: int, r: RowResult, columns: Sequence[str], index: dict[str, int], lower: dict[str, int],
    id_col: int | None, applied: bool, marks: _Marks, names: NameIndex,
) -> None:
    fmts: dict[int, Format] = {}
    notes: dict[int, list[str]] = {}
    action = action_of(r)
    for name, ch in r.changes.items():
        col = index.get(name)
        if col is None:
            continue
        if ch.conflict:
            fmts[col] = marks.conflict
            note = f"server now: {plain(ch.server)}, exported: {plain(ch.exported)}"
            notes.setdefault(col, []).append(note)
        elif action != "create":  # a create's every cell is new: the Result column says so
            fmts[col] = marks.changed
            was, now = name_of(names, name, ch.old), name_of(names, name, ch.new)
            notes.setdefault(col, []).append(f"was: {plain(ch.old)}{was}" + (f"\nnow: {plain(ch.new)}{now}"
                                                                             if was or now else "")
                                                    + ("\nwill clear" if clears(ch.old, ch.new) else ""))
    for e in r.errors:
        col = index.get(e.column) if e.column else None
        if col is None and e.column:
            col = lower.get(e.column.lower())
        if col is not None:
            fmts[col] = marks.invalid
            notes.setdefault(col, []).append(e.message)
    values = r.values
    for i, c in enumerate(columns):
        write_value(ws, n, i, _cell(values.get(c)), fmts.get(i))
    if id_col is not None and r.created_id is not None and values.get(columns[id_col]) in (None, ""):
        # Fill in the new id so importing this report again updates instead of creating twice.
        write_id(ws, n, id_col, r.created_id, marks.new_id)
        notes.setdefault(id_col, []).append("new id from the server")
    for col, texts in notes.items():
        marks.comment(ws, n, col, "\n".join(texts))
    label = result_label(r, applied)
    ws.write_string(n, len(columns), label, marks.result.get(label))
    message = row_message(r)
    deleted = record_name(r) if action == "delete" and r.id is not None else None
    if deleted:
        message = "; ".join(m for m in (f"deletes id {r.id} ({deleted})", message) if m)
    if message:
        ws.write_string(n, len(columns) + 1, message)


def _cell(value: Any) -> Any:
    """A list as the export writes it ('1, 2'; an empty list is an empty cell), never the repr '[1, 2]'."""
    if isinstance(value, list):
        return list_text(value) if value else None
    return value


def row_message(r: RowResult) -> str:
    """Errors, conflict details, the API's answer and warnings, in that order."""
    parts = [f"{e.column}: {e.message}" if e.column else e.message for e in r.errors]
    conflicts = [(k, ch) for k, ch in r.changes.items() if ch.conflict]
    parts += [f"{k}: you {plain(ch.new)}, server now {plain(ch.server)}, exported {plain(ch.exported)}"
              for k, ch in conflicts]
    # The planner's conflict message only repeats the field list; an API answer is always kept.
    if r.message and not (conflicts and r.status in ("planned", "skipped")):
        parts.append(r.message)
    elif r.action == "skip":
        parts.append(skip_reason(r))
    if r.created_id is not None and str(r.created_id) not in r.message:
        parts.append(f"created id {r.created_id}")
    parts += r.warnings
    return "; ".join(parts)


def _write_summary(wb: Workbook, ws: Worksheet, result: ImportResult, comments_capped: bool) -> None:
    bold = wb.add_format({"bold": True})
    s = result.summary.to_json()
    rows: list[tuple[str, Any]] = [
        ("Mode", "Applied" if result.applied else "Dry run"),
        ("System", result.system), ("Endpoint", result.endpoint), ("File", result.source),
        ("Sheet", result.sheet), ("Rows", len(result.rows)), ("", None),
    ]
    rows += [(k, s[k]) for k in ("create", "update", "delete", "unchanged", "conflict", "invalid")]
    if result.applied:
        rows += [("applied", s["applied"]), ("failed", s["failed"])]
    by_company = company_lines(result)
    if by_company:
        rows += [("", None), *(("Company", line) for line in by_company)]
    rows += [("", None), ("Write requests", result.write_requests)]
    if not result.applied:
        rate = f"{result.rate_per_second:.3g} requests/s"
        rows += [("Estimated time", f"{duration(result.estimated_seconds)} at {rate}")]
    rows += [("Warning", w) for w in result.warnings]
    rows += [("", None), ("Legend", "yellow: changed (comment shows the old value); orange: conflict; "
                                    "red: invalid (comment shows the error)")]
    if comments_capped:
        rows.append(("Note", f"Comments were added to the first {MAX_COMMENTS:,} marked cells only"))
    for i, (label, value) in enumerate(rows):
        ws.write_string(i, 0, label, bold)
        write_value(ws, i, 1, value)
    ws.set_column(0, 0, 18)
    ws.set_column(1, 1, 80)
