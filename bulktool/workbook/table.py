"""Sheet data going out and coming back, and the cell-by-cell read shared by xlsx and CSV."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import WorkbookError
from ..schema.model import Column
from .cells import CellValueError, clean
from .meta import ExportMeta, RecordEntry, SheetMeta, record_id

MAX_CELL_CHARS = 32_767


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


def _same_cell(rendered: Any, raw: Any) -> bool:
    """Would writing ``rendered`` have produced ``raw`` after a spreadsheet re-save?

    Covers what Excel and LibreOffice can't keep: "" and [] become empty cells,
    LibreOffice turns CRLF into LF and keeps 15 significant digits, and a cell
    holds at most 32,767 characters.
    """
    if rendered in (None, "") or raw in (None, ""):
        return rendered in (None, "") and raw in (None, "")
    if isinstance(rendered, str) and isinstance(raw, str):
        for form in (rendered, rendered.replace("\r\n", "\n")):
            if raw in (form, form[:MAX_CELL_CHARS]):
                return True
        return False
    numeric = (int, float)
    if isinstance(rendered, numeric) and isinstance(raw, numeric):
        if isinstance(rendered, bool) or isinstance(raw, bool):
            return rendered is raw
        return math.isclose(rendered, raw, rel_tol=1e-14)
    return bool(rendered == raw)


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


def build_sheet(
    name: str,
    grid: Iterable[Sequence[Any]],
    *,
    columns: Sequence[Column] | None,
    meta: SheetMeta | None,
    entries: Mapping[str, RecordEntry],
    renderer: Renderer,
    unescape: Callable[[str], str] | None = None,
) -> ReadSheet:
    """Raw cell grid (row 1 = header) -> typed rows; cells the export record vouches for come back exact."""
    it = iter(grid)
    header = _header(next(it, []), name, unescape)
    exported_types = meta.column_types() if meta else {}
    types = dict(exported_types)
    if columns:
        types.update({c.name: c.type for c in columns})
    col_types = [(i, n, types.get(n, "string")) for i, n in header]
    # The record vouches for a cell only when it was exported as the type it is read as.
    vouched = [t for t in col_types if exported_types.get(t[1]) == t[2]]
    id_col = meta.id_column if meta else None
    out = ReadSheet(name, [n for _, n in header], [], meta)
    for e in entries.values():
        out.exported[e.id] = e.values
        if e.last_updated is not None:
            out.last_updated[e.id] = e.last_updated
    for number, cells in enumerate(it, start=2):
        if not any(c is not None and c != "" for c in cells):
            continue
        if not header:
            raise WorkbookError(
                f"Sheet {name!r} has data in row {number} but no column names in row 1; "
                "row 1 must hold the column names"
            )
        row = ReadRow(number, {})
        raws: dict[str, Any] = {}
        for i, col, typ in col_types:
            raw = cells[i] if i < len(cells) else None
            if raw == "":
                raw = None
            if unescape is not None and isinstance(raw, str):
                raw = unescape(raw)
            raws[col] = raw
            try:
                row.values[col] = clean(typ, raw)
            except CellValueError as exc:
                row.values[col] = raw
                row.errors[col] = str(exc)
        rid = record_id(row.values.get(id_col)) if id_col and id_col not in row.errors else None
        entry = entries.get(rid) if rid is not None else None
        if entry is not None:
            _restore(row, entry.values, raws, vouched, renderer)
        out.rows.append(row)
    return out


def _restore(
    row: ReadRow, exported: Mapping[str, Any], raws: Mapping[str, Any],
    col_types: Sequence[tuple[int, str, str]], renderer: Renderer,
) -> None:
    for _, col, typ in col_types:
        if col not in exported:
            continue
        want = exported[col]
        got = row.values[col]
        if col not in row.errors and type(got) is type(want) and got == want:
            row.values[col] = want  # one object for both: halves memory on big sheets
            continue
        if _same_cell(renderer(typ, want), raws[col]):
            row.values[col] = want
            row.errors.pop(col, None)
