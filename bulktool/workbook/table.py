"""Sheet data going out and coming back, and the cell-by-cell read shared by xlsx and CSV."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from operator import itemgetter
from pathlib import Path
from typing import Any

from ..errors import WorkbookError
from ..schema.model import Column
from .cells import CellValueError, clean
from .column_read import clean_column, same_cell
from .meta import ExportMeta, RecordEntry, SheetMeta, record_id, scoped_id
from .shape import TITLE_SCAN_ROWS, flag_full_cells, refuse_title_rows, truncated_edit_message

ROW_ERROR = ""  # ReadRow.errors key of a problem with the whole row, not one cell (reported as "row N: ...")
_CORE_SHAPE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z").fullmatch


@dataclass
class SheetData:
    """One sheet to write; ``rows`` may be a generator so large exports stream."""

    name: str
    columns: list[Column]
    rows: Iterable[dict[str, Any]]
    id_column: str | None = None
    # Column with the server's change stamp, kept per record in the export record;
    # None: "lastUpdated" when the sheet has that column.
    last_updated_column: str | None = None
    scope_column: str | None = None  # a sheet of many accounts: the column naming each row's (SheetMeta)

    def record_key(self, row: dict[str, Any]) -> str | None:
        """The row's key in the export record: its id, scoped by account in a sheet of many."""
        rid = record_id(row.get(self.id_column)) if self.id_column else None
        return scoped_id(row.get(self.scope_column), rid) if self.scope_column else rid

    def change_stamp_column(self) -> str | None:
        if self.last_updated_column is not None:
            return self.last_updated_column
        return "lastUpdated" if any(c.name == "lastUpdated" for c in self.columns) else None


@dataclass
class ReadRow:
    row: int  # spreadsheet row number; the header is row 1
    values: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)


@dataclass
class ReadSheet:
    name: str
    columns: list[str]
    rows: list[ReadRow]
    meta: SheetMeta | None = None
    exported: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> exported flat values
    last_updated: dict[str, Any] = field(default_factory=dict)  # id -> exported change stamp


@dataclass
class ReadBook:
    path: Path
    meta: ExportMeta | None
    sheets: dict[str, ReadSheet]
    warnings: list[str] = field(default_factory=list)


Renderer = Callable[[str, Any], Any]


def _header(
    cells: Sequence[Any], sheet: str, unescape: Callable[[str], str] | None
) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    seen: set[str] = set()
    for i, cell in enumerate(cells):
        if cell is None or cell == "":
            continue
        name = record_id(cell) if isinstance(cell, float) else str(cell).strip()
        if name and unescape is not None:
            name = unescape(name)
        if not name:
            continue
        if name in seen:
            raise WorkbookError(f"Sheet {sheet!r} has two columns named {name!r}; rename or remove one")
        seen.add(name)
        out.append((i, name))
    return out


_MISSING: Any = object()  # the export record has no value for this cell
_CHECK: Any = object()  # the cell differs from the export record: ask same_cell
_EMPTY: dict[str, Any] = {}


def build_sheet(
    name: str,
    grid: Iterable[Sequence[Any]],
    *,
    columns: Sequence[Column] | None,
    meta: SheetMeta | None,
    entries: Mapping[str, RecordEntry],
    renderer: Renderer,
    unescape: Callable[[str], str] | None = None,
    cell_limit: int | None = None,
) -> ReadSheet:
    """Raw cell grid (row 1 = header) -> typed rows; cells the export record vouches for come back exact.

    Works column by column (list comprehensions, not a call per cell): 100k rows x 20 columns in well
    under a second. ``cell_limit``: the file format cut exported text at that length, so an
    edit of such a cut cell is an error (an untouched one restores the full exported text).
    """
    it = iter(grid)
    header = _header(next(it, []), name, unescape)
    exported_types = meta.column_types() if meta else {}
    types = dict(exported_types)
    if columns:
        types.update({c.name: c.type for c in columns})
    col_types = [(i, n, types.get(n, "string")) for i, n in header]
    id_col = meta.id_column if meta else None
    out = ReadSheet(name, [n for _, n in header], [], meta)
    _datetimes_in_core_form(entries, exported_types, meta.last_updated if meta else None)
    for e in entries.values():
        out.exported[e.id] = e.values
        if e.last_updated is not None:
            out.last_updated[e.id] = e.last_updated
    rows, numbers = _data_rows(it, name, header)
    if types:
        refuse_title_rows(name, header, rows[:TITLE_SCAN_ROWS], numbers, types)
    values: dict[str, list[Any]] = {}
    errors: dict[str, dict[int, str]] = {}
    raws: dict[str, list[Any]] = {}
    for i, col, typ in col_types:
        raw = list(map(itemgetter(i), rows))
        if unescape is not None:
            raw = [unescape(c) if isinstance(c, str) and c else None if c == "" else c for c in raw]
        raws[col] = raw
        values[col], errors[col] = clean_column(typ, raw)
    if entries and id_col in values:
        by_id: dict[str | None, dict[str, Any]] = {k: e.values for k, e in entries.items()}
        ids = values[id_col]
        bad = errors[id_col]
        keys = [str(v) if v.__class__ is int else record_id(v) for v in ids]
        scope = meta.scope_column if meta else None
        if scope:
            scopes = values.get(scope) or [None] * len(keys)
            keys = [scoped_id(s, k) for s, k in zip(scopes, keys, strict=True)]
        evs = [_EMPTY if k in bad else by_id.get(key, _EMPTY) for k, key in enumerate(keys)]
        # The record vouches for a cell only when it was exported as the type it is read as.
        vouched = [(col, typ) for _, col, typ in col_types if exported_types.get(col) == typ]
        wanted = _wanted(evs, [col for col, _ in vouched])
        for (col, typ), wants in zip(vouched, wanted, strict=True):
            values[col] = _restore(typ, values[col], errors[col], raws[col], wants, renderer, cell_limit)
    if cell_limit is not None:
        for _, col, typ in col_types:
            if typ == "string":
                flag_full_cells(values[col], errors[col], cell_limit)
    names = out.columns
    out.rows = [ReadRow(n, dict(zip(names, v, strict=True)))
                for n, v in zip(numbers, zip(*(values[c] for c in names), strict=True), strict=True)]
    for col in names:
        for k, msg in errors[col].items():
            out.rows[k].errors[col] = msg
    return out


def _datetimes_in_core_form(
    entries: Mapping[str, RecordEntry], types: Mapping[str, str], stamp: str | None
) -> None:
    """Records written before the core held datetimes as ISO 8601 (a space before the clock, an explicit
    offset) read back in today's form, so an old untouched workbook still compares equal cell for cell."""
    cols = [n for n, t in types.items() if t == "datetime"]
    if not cols:
        return

    def core(v: Any) -> Any:
        # The core's shape is kept as it is, a real date or not (a 2024-02-30 would not clean either).
        if v.__class__ is not str or _CORE_SHAPE(v):
            return v
        try:
            return clean("datetime", v)
        except CellValueError:
            return v

    for e in entries.values():
        values = e.values
        for n in cols:
            v = values.get(n)
            if v.__class__ is str and not _CORE_SHAPE(v):  # a record in the old form: respelt
                values[n] = core(v)
        if stamp in cols:
            e.last_updated = core(e.last_updated)


def _data_rows(
    it: Iterator[Sequence[Any]], sheet: str, header: list[tuple[int, str]]
) -> tuple[list[Sequence[Any]], list[int]]:
    """The non-blank rows, padded to the header's width, and their row numbers."""
    rows = list(it)
    width = max((i for i, _ in header), default=-1) + 1
    if header and all(map(any, rows)) and min(map(len, rows), default=width) >= width:
        return rows, list(range(2, len(rows) + 2))  # the usual sheet: no gaps, no short rows
    kept: list[Sequence[Any]] = []
    numbers: list[int] = []
    for number, cells in enumerate(rows, start=2):
        if not any(cells) and not any(c is not None and c != "" for c in cells):
            continue  # blank (a truthy cell is never blank)
        if not header:
            raise WorkbookError(
                f"Sheet {sheet!r} has data in row {number} but no column names in row 1; "
                "row 1 must hold the column names"
            )
        if len(cells) < width:
            cells = [*cells, *([None] * (width - len(cells)))]
        numbers.append(number)
        kept.append(cells)
    return kept, numbers


def _wanted(evs: Sequence[dict[str, Any]], cols: Sequence[str]) -> list[list[Any]]:
    """Per column, each row's exported value (``_MISSING`` if none), fetched a row at a time in C."""
    if len(cols) > 1:
        get = itemgetter(*cols)
        blank = (_MISSING,) * len(cols)
        try:
            rows = [blank if ev is _EMPTY else get(ev) for ev in evs]
        except KeyError:  # an entry without some column
            pass
        else:
            return [list(c) for c in zip(*rows, strict=True)] if rows else [[] for _ in cols]
    return [list(map(dict.get, evs, repeat(col), repeat(_MISSING))) for col in cols]


def _restore(
    typ: str, got: list[Any], errors: dict[int, str], raws: Sequence[Any], wants: list[Any],
    renderer: Renderer, cell_limit: int | None = None,
) -> list[Any]:
    """The exported value wherever the cell still shows it; it also clears the cell's error.

    A changed cell whose exported text was longer than ``cell_limit`` (so the sheet only ever
    showed its start) is an error: the edit would write the cut text back.
    """
    # Equal and of one type: take the exported object (one object for both halves memory on big
    # sheets). The whole column at once in C when it is untouched, else cell by cell.
    if not errors and wants == got and list(map(type, wants)) == list(map(type, got)):
        merged = wants
    else:
        merged = [w if w.__class__ is g.__class__ and w == g else g if w is _MISSING else _CHECK
                  for g, w in zip(got, wants, strict=True)]
    for k in list(errors):
        merged[k] = got[k] if wants[k] is _MISSING else _CHECK
    if _CHECK in merged:
        for k, v in enumerate(merged):
            if v is _CHECK:
                want = wants[k]
                shown = renderer(typ, want)
                if same_cell(shown, raws[k]):
                    # The record's JSON holds an exact decimal (NaN, 28 digits) as its text: read it back as one.
                    merged[k] = clean(typ, want) if typ == "decimal" and want.__class__ is str else want
                    errors.pop(k, None)
                else:
                    merged[k] = got[k]
                    if cell_limit is not None and isinstance(shown, str) and len(shown) > cell_limit:
                        errors[k] = truncated_edit_message(len(shown), cell_limit)
    return merged
