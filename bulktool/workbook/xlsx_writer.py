"""Write sheets plus the hidden export record to one .xlsx, streaming rows.

constant_memory keeps 100k-row exports flat in memory; every cell is written
with its typed method (never ``write()``), so text such as "=SUM(A1)" or
"0012" can't turn into a formula or a number.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.exceptions import XlsxWriterException
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from ..errors import OutputError
from ..schema.model import Column
from .column_read import MAX_CELL_CHARS
from .meta import BATCH, RECORD_SHEET, ExportMeta, RecordEntry, SheetMeta
from .record_sheet import batch_cells, split_text
from .render import render
from .table import SheetData

CUT_NOTE = ("Cut: this text is longer than the 32,767 characters an Excel cell holds. The export record "
            "keeps the full text; leave the cell as it is (an edit here is refused on import).")
READ_ONLY_NOTE = "Read-only: exported for reference; edits are ignored on import."
UTC_NOTE = "Date and time in UTC (Excel has no time zones)."
FORMULA_START = frozenset("=+-@\t\r\n")
MAX_ROWS = 1_048_576
PROGRESS_EVERY = 1000
_NUM_FORMATS = {
    "string": "@", "string_list": "@", "int_list": "@", "json": "@", "time": "@",
    "integer": "0", "date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm:ss",
}
_WIDTHS = {"date": 11, "datetime": 20, "time": 8, "boolean": 8}
Progress = Callable[[int], None]
Warn = Callable[[str], None]


def check_writable(path: Path) -> None:
    """Fail before any work when the file can't be created."""
    parent = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise OutputError(f"Cannot write {path}: it is a directory")
    if not parent.is_dir():
        raise OutputError(f"Cannot write {path}: folder {parent} does not exist")
    if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise OutputError(f"Cannot write {path}: permission denied")


def sheet_title(name: str, used: set[str]) -> str:
    """Excel's rules: <= 31 chars, none of []:*?/\\, not quoted, unique ignoring case."""
    base = re.sub(r"[\[\]:*?/\\]", "_", name).strip().strip("'")[:31] or "Sheet"
    if base.lower() in (RECORD_SHEET, "history"):
        base = f"{base}_"[:31]
    title, n = base, 1
    while title.lower() in used:
        n += 1
        title = f"{base[: 31 - len(str(n)) - 1]}_{n}"
    used.add(title.lower())
    return title


class _Styles:
    def __init__(self, wb: xlsxwriter.Workbook) -> None:
        self.wb = wb
        self.head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "bottom": 1})
        self.head_ro = wb.add_format(
            {"italic": True, "bg_color": "#D9D9D9", "font_color": "#595959", "bottom": 1}
        )
        self._cache: dict[tuple[str, bool], Format] = {}

    def cell(self, col_type: str, quoted: bool = False) -> Format:
        key = (col_type, quoted)
        if key not in self._cache:
            props: dict[str, Any] = {}
            if col_type in _NUM_FORMATS:
                props["num_format"] = _NUM_FORMATS[col_type]
            if quoted:
                props["quote_prefix"] = True
            self._cache[key] = self.wb.add_format(props)
        return self._cache[key]


CellWriter = Callable[[int, Any], None]


def _cell_writer(ws: Worksheet, c: int, col: Column, styles: _Styles, cut: list[tuple[int, str]]) -> CellWriter:
    """A per-column writer: the format lookups happen once, not per cell. Cut cells go to ``cut``."""
    typ, fmt, quoted = col.type, styles.cell(col.type), styles.cell("string", True)

    def text(r: int, cell: str) -> None:
        if cell:
            ws.write_string(r, c, cell, quoted if cell[0] in FORMULA_START else fmt)
            if len(cell) > MAX_CELL_CHARS:
                ws.write_comment(r, c, CUT_NOTE, {"author": "bulktool", "x_scale": 2, "y_scale": 1.5})
                cut.append((r, col.name))

    def put(r: int, value: Any) -> None:
        if value is None:
            return  # the column format covers it; "" and [] are kept in the export record
        if typ == "string" and type(value) is str:
            text(r, value)
            return
        cell = render(typ, value)
        if isinstance(cell, str):
            text(r, cell)
        elif isinstance(cell, bool):
            ws.write_boolean(r, c, cell, fmt)
        elif isinstance(cell, int | float):
            ws.write_number(r, c, cell, fmt)
        elif isinstance(cell, datetime | date):
            ws.write_datetime(r, c, cell, fmt)

    return put


def _width(col: Column, sample: Sequence[dict[str, Any]]) -> float:
    longest = len(col.name) + 2
    if col.type in _WIDTHS:
        return max(longest, _WIDTHS[col.type])
    for row in sample:
        cell = render(col.type, row.get(col.name))
        if cell is not None:
            longest = max(longest, max(len(line) for line in str(cell).split("\n")) + 1)
    return float(min(max(longest, 6), 60))


def _header(
    ws: Worksheet, columns: Sequence[Column], sample: Sequence[dict[str, Any]], styles: _Styles
) -> None:
    for c, col in enumerate(columns):
        ws.set_column(c, c, _width(col, sample), styles.cell(col.type))
        ws.write_string(0, c, col.name, styles.head if col.writable else styles.head_ro)
        notes = [] if col.writable else [READ_ONLY_NOTE]
        if col.type == "datetime":
            notes.append(UTC_NOTE)
        if col.description:
            notes.append(col.description[:500])
        if notes:
            ws.write_comment(0, c, "\n".join(notes), {"author": "bulktool", "x_scale": 2, "y_scale": 1.5})
    ws.freeze_panes(1, 0)


def _validations(ws: Worksheet, columns: Sequence[Column]) -> None:
    for c, col in enumerate(columns):
        if col.type == "boolean":
            values: list[str] = ["TRUE", "FALSE"]
        elif col.enum and col.type == "string":
            values = list(col.enum)
        else:
            continue
        if not values or sum(len(v) + 1 for v in values) > 255 or any("," in v for v in values):
            continue  # Excel's limit for an inline list
        message = f"Expected one of: {', '.join(values)}"
        if len(message) > 255:  # Excel's limit for the message too (xlsxwriter drops the whole validation)
            message = "Expected one of the values in the cell's list."
        ws.data_validation(1, c, MAX_ROWS - 1, c, {
            "validate": "list", "source": values, "error_type": "warning",
            "error_title": col.name, "error_message": message,
        })


def _records_head(ws: Worksheet, meta: ExportMeta) -> None:
    for c, part in enumerate(split_text(meta.to_json())):
        ws.write_string(0, c, part)


class _RecordWriter:
    """Collects entries into batches of one sheet and one column set (see ``meta``)."""

    def __init__(self, ws: Worksheet) -> None:
        self.ws = ws
        self.row = 1
        self.batch: list[RecordEntry] = []

    def add(self, entry: RecordEntry) -> None:
        if self.batch and (len(self.batch) >= BATCH or entry.sheet != self.batch[0].sheet
                           or entry.values.keys() != self.batch[0].values.keys()):
            self.flush()
        self.batch.append(entry)

    def flush(self) -> None:
        if not self.batch:
            return
        for c, text in enumerate(batch_cells(self.batch)):
            self.ws.write_string(self.row, c, text)
        self.row += 1
        self.batch = []


def _stream(
    ws: Worksheet, sheet: SheetData, title: str, styles: _Styles, records: _RecordWriter,
    progress: Progress | None, warn: Warn | None = None,
) -> int:
    rows: Iterator[dict[str, Any]] = iter(sheet.rows)
    sample = list(itertools.islice(rows, 200))
    _header(ws, sheet.columns, sample, styles)
    cut: list[tuple[int, str]] = []
    writers = [(col.name, _cell_writer(ws, c, col, styles, cut)) for c, col in enumerate(sheet.columns)]
    stamp = sheet.change_stamp_column()
    n = 0
    pending = 0
    for r, row in enumerate(itertools.chain(sample, rows), start=1):
        if r >= MAX_ROWS:
            raise OutputError(f"Sheet {title!r} has more than {MAX_ROWS - 1:,} rows, the most Excel allows")
        for name, put in writers:
            put(r, row.get(name))
        rid = sheet.record_key(row)
        if rid is not None:
            values = {col.name: row.get(col.name) for col in sheet.columns}
            records.add(RecordEntry(title, rid, values, row.get(stamp) if stamp else None))
        n += 1
        pending += 1
        if progress is not None and pending >= PROGRESS_EVERY:
            progress(pending)
            pending = 0
    if progress is not None and pending:
        progress(pending)
    if cut and warn is not None:
        warn(cut_warning(title, cut))
    ws.autofilter(0, 0, max(n, 1), max(len(sheet.columns) - 1, 0))
    ws.ignore_errors({"number_stored_as_text": "A1:XFD1048576"})  # "0012" is text on purpose
    _validations(ws, sheet.columns)
    return n


def cut_warning(sheet: str, cut: Sequence[tuple[int, str]]) -> str:
    """One line for the cells cut at Excel's limit; ``cut`` holds (0-based row, column) pairs."""
    rows = len({r for r, _ in cut})
    first_row, first_col = min(cut)
    cells = f"{len(cut):,} cell{'s' if len(cut) != 1 else ''} in {rows:,} row{'s' if rows != 1 else ''}"
    verb = "hold" if len(cut) != 1 else "holds"
    return (f"Sheet {sheet!r}: {cells} {verb} more than the {MAX_CELL_CHARS:,} characters an Excel cell holds "
            f"(first: row {first_row + 1}, column {first_col}); the workbook shows them cut and marked with a "
            "comment, the export record keeps the full text, and an edit of such a cell is refused on import")


def _sheet_meta(sheet: SheetData, given: SheetMeta | None) -> SheetMeta:
    base = given or SheetMeta(
        endpoint=sheet.name, id_column=sheet.id_column, scope_column=sheet.scope_column,
        columns=[{"name": c.name, "type": c.type, "read_only": not c.writable} for c in sheet.columns],
    )
    return replace(base, last_updated=base.last_updated or sheet.change_stamp_column())


def write_xlsx(
    path: Path | str, sheets: Sequence[SheetData], meta: ExportMeta, progress: Progress | None = None,
    warn: Warn | None = None,
) -> int:
    """Write every sheet and the export record; returns data rows written.

    ``progress`` is called with the number of rows written since its previous call; ``warn``
    with one line per sheet whose text had to be cut at Excel's cell limit.
    """
    path = Path(path)
    check_writable(path)
    if not sheets:
        raise ValueError("write_xlsx needs at least one sheet")
    used: set[str] = set()
    titles = [sheet_title(s.name, used) for s in sheets]
    meta = replace(meta, sheets={
        t: _sheet_meta(s, meta.sheets.get(s.name)) for t, s in zip(titles, sheets, strict=True)
    })
    wb = xlsxwriter.Workbook(str(path), {
        "constant_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
        "strings_to_urls": False,
    })
    total = 0
    try:
        styles = _Styles(wb)
        data = [wb.add_worksheet(t) for t in titles]
        rec_ws = wb.add_worksheet(RECORD_SHEET)
        rec_ws.hide()
        _records_head(rec_ws, meta)
        records = _RecordWriter(rec_ws)
        for ws, sheet, title in zip(data, sheets, titles, strict=True):
            total += _stream(ws, sheet, title, styles, records, progress, warn)
        records.flush()
        data[0].activate()
    except BaseException:
        _discard(wb)
        raise
    try:
        wb.close()
    except (XlsxWriterException, OSError) as exc:
        _discard(wb)
        raise OutputError(f"Cannot write {path}: {getattr(exc, 'strerror', None) or exc}") from None
    return total


def _discard(wb: xlsxwriter.Workbook) -> None:
    """On failure write nothing (an older file at the path stays) and drop constant_memory temp files."""
    for ws in wb.worksheets():
        fh, name = getattr(ws, "row_data_fh", None), getattr(ws, "row_data_filename", None)
        with contextlib.suppress(OSError):
            if fh is not None:
                fh.close()
            if name:
                os.unlink(name)
    wb.fileclosed = True
