"""Read .xlsx sheets (python-calamine: fast, formula results not formulas) plus the export record."""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from python_calamine import CalamineSheet, CalamineWorkbook

from ..errors import WorkbookError
from ..gcutil import gc_paused
from ..schema.model import Column
from .column_read import MAX_CELL_CHARS
from .limits import ZIP_MAGIC
from .meta import RECORD_SHEET
from .record_sheet import ExportRecord
from .render import render
from .table import ReadBook, ReadSheet, build_sheet
from .zip_guards import damaged

XLSX_SUFFIXES = (".xlsx", ".xlsm")
CSV_SUFFIXES = (".csv", ".txt")


def _zip_damaged(path: Path) -> bool:
    """Whether a zip (not some other file) lacks its directory or fails a CRC: asked only after a read
    failed, to name the real cause."""
    try:
        with path.open("rb") as fh:
            if fh.read(4) != ZIP_MAGIC:
                return False
        with zipfile.ZipFile(path) as zf:
            return zf.testzip() is not None
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError):
        return True


def _read_error(path: Path, what: str, exc: Exception) -> WorkbookError:
    return WorkbookError(damaged(path.name) if _zip_damaged(path) else f"{what} ({exc})")


def _open(path: Path) -> CalamineWorkbook:
    if not path.is_file():
        raise WorkbookError(f"{path} does not exist" if not path.exists() else f"{path} is not a file")
    try:
        return CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for every kind of damage
        raise _read_error(path, f"{path.name} is not a readable Excel workbook", exc) from None


def _load(wb: CalamineWorkbook, name: str, path: Path) -> CalamineSheet:
    """Parse one sheet; calamine releases the GIL meanwhile, so a worker thread can do this."""
    try:
        return wb.get_sheet_by_name(name)
    except Exception as exc:  # calamine's own error types
        raise _read_error(path, f"Sheet {name!r} in {path.name} cannot be read", exc) from None


def _load_alone(path: Path, name: str) -> CalamineSheet:
    """``_load`` with a workbook handle of its own: calamine handles are not shared across threads."""
    return _load(_open(path), name, path)


def _rows(sheet: CalamineSheet, name: str, path: Path) -> list[list[Any]]:
    """Rows from A1, padded to full width.

    One ``to_python`` call: measured faster than ``iter_rows`` (1.4 s against
    1.7 s for 100k x 20), and the caller keeps every row anyway. A list, so the
    caller can drop calamine's own copy of the cells before building rows.
    """
    try:
        if sheet.start is None or sheet.end is None:
            return []
        rows: list[list[Any]] = sheet.to_python(skip_empty_area=False)
        return rows
    except Exception as exc:  # calamine's own error types
        raise _read_error(path, f"Sheet {name!r} in {path.name} cannot be read", exc) from None


def _record(wb: CalamineWorkbook, path: Path, warnings: list[str]) -> ExportRecord | None:
    names = [n for n in wb.sheet_names if n.lower() == RECORD_SHEET]
    if not names:
        return None
    try:
        rec = ExportRecord.from_rows(_rows(_load(wb, names[0], path), names[0], path))
    except WorkbookError as exc:
        warnings.append(f"{exc}; rows are compared with live data only.")
        return None
    if rec is not None and rec.damaged:
        warnings.append(
            f"{rec.damaged} entries of the export record in {path.name} were altered and are ignored."
        )
    return rec


def read_xlsx(
    path: Path | str, sheet: str | None = None, columns: Sequence[Column] | None = None
) -> ReadBook:
    """One sheet (or every data sheet), typed by ``columns``, else the export record, else as text."""
    path = Path(path)
    wb = _open(path)
    warnings: list[str] = []
    data_names = [n for n in wb.sheet_names if n.lower() != RECORD_SHEET]
    if sheet is not None:
        if sheet not in data_names:
            listed = ", ".join(data_names) or "none"
            raise WorkbookError(f"{path.name} has no sheet {sheet!r}; its sheets are: {listed}")
        data_names = [sheet]
    sheets: dict[str, ReadSheet] = {}
    # The next data sheet is parsed in a worker thread while this thread reads the export record
    # (or builds the previous sheet): on a 100k-row export that hides most of calamine's time.
    with ThreadPoolExecutor(max_workers=1) as pool, gc_paused(keep=True):
        pending = [pool.submit(_load_alone, path, name) for name in data_names[:1]]
        rec = _record(wb, path, warnings)
        for n, name in enumerate(data_names):
            loaded = pending.pop().result()
            pending += [pool.submit(_load_alone, path, later) for later in data_names[n + 1 : n + 2]]
            meta = rec.meta.sheets.get(name) if rec else None
            entries = rec.entries.get(name, {}) if rec else {}
            grid = _rows(loaded, name, path)
            del loaded  # calamine's cells: freed before the rows are built (15% off the peak, bench_memory.py)
            sheets[name] = build_sheet(
                name, grid, columns=columns, meta=meta, entries=entries, renderer=render,
                cell_limit=MAX_CELL_CHARS,
            )
            del grid
    return ReadBook(path, rec.meta if rec else None, sheets, warnings)


def read_table(
    path: Path | str, sheet: str | None = None, columns: Sequence[Column] | None = None
) -> ReadBook:
    """Read an .xlsx/.xlsm workbook or a .csv/.txt file by its suffix."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in XLSX_SUFFIXES:
        return read_xlsx(path, sheet, columns)
    if suffix in CSV_SUFFIXES:
        from .csv_io import read_csv_book

        return read_csv_book(path, columns)
    raise WorkbookError(
        f"{path.name}: cannot read {suffix or 'files without an extension'}; use .xlsx, .xlsm or .csv"
    )
