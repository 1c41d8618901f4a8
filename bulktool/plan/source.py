"""Open the input file, pick the sheet and endpoint, and refuse what cannot be imported safely."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UnknownEndpoint, UsageError, WorkbookError
from ..schema import get_endpoint
from ..schema.model import Column, Endpoint
from ..workbook import CellValueError, ReadSheet, clean, read_table
from ..workbook.guards import check_input_file, find_formula_cells
from ..workbook.meta import RECORD_SHEET
from .live import key_of

META_SHEETS = {"_bulktool", "summary"}


@dataclass
class Source:
    path: Path
    sheet: ReadSheet
    endpoint: Endpoint
    exported_from: str | None  # host in the export record
    use_export_record: bool
    exported_at: str | None = None
    warnings: list[str] = field(default_factory=list)
    formula_cells: dict[int, dict[str, str]] = field(default_factory=dict)  # row -> column -> message

    @property
    def columns(self) -> list[str]:
        return self.sheet.columns


def _sheet_names(path: Path, fmt: str) -> list[str]:
    if fmt == "csv":
        return [path.stem]
    from python_calamine import CalamineWorkbook

    try:
        return list(CalamineWorkbook.from_path(str(path)).sheet_names)
    except Exception as exc:
        raise WorkbookError(f"{path.name} is not a readable Excel workbook ({exc})") from None


def load_source(
    path: Path, system: str, host: str, *, sheet: str | None = None, endpoint: str | None = None,
    mode: str = "upsert",
) -> Source:
    fmt = check_input_file(path)
    names = _sheet_names(path, fmt)
    data_sheets = [n for n in names if n.lower() not in META_SHEETS]
    if sheet is not None and fmt != "csv":
        match = [n for n in names if n.lower() == sheet.lower()]
        if not match:
            raise WorkbookError(f"{path.name} has no sheet {sheet!r}; its sheets are: {', '.join(data_sheets)}")
        sheet = match[0]
    elif fmt != "csv":
        if not data_sheets:
            raise WorkbookError(f"{path.name} has no data sheet")
        if len(data_sheets) > 1:
            raise UsageError(
                f"{path.name} has several sheets ({', '.join(data_sheets)}); choose one with --sheet"
            )
        sheet = data_sheets[0]
    # The formula scan reads the sheet's XML itself: it runs beside the main read (zlib frees the GIL).
    with ThreadPoolExecutor(max_workers=1) as pool:
        scan = pool.submit(find_formula_cells, path, sheet, MAX_FORMULA_CELLS + 1) \
            if fmt != "csv" and sheet is not None else None
        src = _load(path, fmt, names, system, host, sheet, endpoint, mode)
        if scan is not None and sheet is not None:
            src.formula_cells = _formulas(path, sheet, src.sheet.columns, scan.result())
    return src


def _load(
    path: Path, fmt: str, names: list[str], system: str, host: str, sheet: str | None, endpoint: str | None,
    mode: str,
) -> Source:
    # A workbook without an export record is typed by its template: resolve it first, read once.
    # (A CSV's record is a sidecar file, found by the reader, so CSV is not guessed.)
    may_have_record = fmt == "csv" or any(n.lower() == RECORD_SHEET for n in names)
    guessed = None if may_have_record else _endpoint_or_none(system, endpoint or sheet or path.stem)
    book = read_table(path, sheet=sheet, columns=list(guessed.columns) if guessed else None)
    read = book.sheets[sheet] if sheet in book.sheets else next(iter(book.sheets.values()))
    if not read.rows:  # before the endpoint: an empty sheet named "Sheet1" is empty, not an unknown endpoint
        raise WorkbookError(f"Sheet {read.name!r} in {path.name} has no data rows")
    meta = book.meta
    sheet_meta = read.meta
    ep_name = endpoint or (sheet_meta.endpoint if sheet_meta else None) or read.name
    ep = get_endpoint(system, ep_name)
    warnings: list[str] = list(book.warnings)  # the reader's: encoding assumed, damaged export record
    use_record = sheet_meta is not None and bool(read.exported)
    exported_from = meta.host if meta else None
    if meta is not None and meta.host and meta.host != host:
        warnings.append(
            f"This workbook was exported from {meta.host}, not {host}: its export record is ignored and rows "
            "are compared with live data only."
        )
        use_record = False
    if meta is not None and meta.system and meta.system != system and meta.system not in ep.systems:
        warnings.append(f"This workbook was exported from {meta.system}; importing into {system}.")
    # Re-read with the template's column types (foreign files have no record of them).
    if sheet_meta is not None:
        _type_added_columns(read, ep, {c["name"] for c in sheet_meta.columns})
    elif guessed is None or guessed.name != ep.name:
        book = read_table(path, sheet=sheet, columns=list(ep.columns))
        read = book.sheets[sheet] if sheet in book.sheets else next(iter(book.sheets.values()))
    src = Source(path, read, ep, exported_from, use_record, meta.exported_at if meta else None, warnings)
    _check_structure(src, require_match=mode != "create-only")
    return src


def _endpoint_or_none(system: str, name: str) -> Endpoint | None:
    try:
        return get_endpoint(system, name)
    except UnknownEndpoint:
        return None  # reported after the sheet is read, so an empty sheet is called empty


def _type_added_columns(read: ReadSheet, ep: Endpoint, exported_columns: set[str]) -> None:
    """Columns the user added to an exported sheet were read as text; give them the template's type."""
    added = [c for c in ep.columns if c.name in read.columns and c.name not in exported_columns
             and c.type != "string"]
    for c in added:
        for r in read.rows:
            v = r.values.get(c.name)
            if v is None or c.name in r.errors:
                continue
            try:
                r.values[c.name] = clean(c.type, v)
            except CellValueError as exc:
                r.errors[c.name] = str(exc)


def _check_structure(src: Source, *, require_match: bool) -> None:
    ep, read = src.endpoint, src.sheet
    if not read.rows:
        raise WorkbookError(f"Sheet {read.name!r} in {src.path.name} has no data rows")
    cols = set(read.columns)
    known = {c.name for c in ep.columns} | {"action"}
    unknown = [c for c in read.columns if c not in known and c.lower() != "action"]
    if unknown:
        src.warnings.append(f"Columns not in the {ep.name} template are ignored: {', '.join(unknown)}")
    has_id = ep.id_field in cols
    key_cols = [k for k in ep.natural_key if k in cols]
    if require_match and not has_id and not key_cols:
        keys = " or ".join([ep.id_field, *ep.natural_key])
        raise WorkbookError(
            f"Sheet {read.name!r} has no {keys} column, so rows cannot be matched to existing records "
            "(use --mode create-only to create every row as new)"
        )
    _check_duplicates(src, ep.id_field)
    for k in key_cols:
        # Blikk allows non-unique customer numbers: rows matched by id may share one, rows matched by key may not.
        _check_duplicates(src, k, id_column=ep.id_field if has_id else None)


def _check_duplicates(src: Source, column: str, *, id_column: str | None = None) -> None:
    """Refuse values of ``column`` shared by several rows (with ``id_column``: unless every such row has an id)."""
    rows = src.sheet.rows
    keys = [key_of(r.values.get(column)) for r in rows]
    counts = Counter(keys)
    counts.pop(None, None)
    shared = {k for k, n in counts.items() if n > 1}
    if not shared:  # the usual case, settled in one pass
        return
    seen: dict[str, list[int]] = defaultdict(list)
    without_id: set[str] = set()
    for r, k in zip(rows, keys, strict=True):
        if k is None or k not in shared:
            continue
        seen[k].append(r.row)
        if id_column is None or key_of(r.values.get(id_column)) is None:
            without_id.add(k)
    dups = {k: rs for k, rs in seen.items() if k in without_id}
    if dups:
        first = list(dups.items())[:3]
        listed = "; ".join(f"{column} {k!r} in rows {', '.join(map(str, rs))}" for k, rs in first)
        more = f" and {len(dups) - 3} more" if len(dups) > 3 else ""
        raise WorkbookError(f"Duplicate {column} values in {src.sheet.name!r}: {listed}{more}")


MAX_FORMULA_CELLS = 1000


def _formulas(path: Path, sheet: str, columns: list[str], refs: list[str]) -> dict[int, dict[str, str]]:
    """Formula cells by row; past the limit the whole file is refused, lest later rows slip through unflagged."""
    if len(refs) > MAX_FORMULA_CELLS:
        raise WorkbookError(
            f"Sheet {sheet!r} in {path.name} has more than {MAX_FORMULA_CELLS:,} formula cells (first: "
            f"{', '.join(refs[:3])}); replace the formulas with their values (Paste Special > Values) and retry"
        )
    out: dict[int, dict[str, str]] = defaultdict(dict)
    for ref in refs:
        m = re.fullmatch(r"([A-Z]+)(\d+)", ref)
        if not m:
            continue
        col_idx = 0
        for ch in m.group(1):
            col_idx = col_idx * 26 + (ord(ch) - 64)
        row = int(m.group(2))
        name = columns[col_idx - 1] if 0 < col_idx <= len(columns) else m.group(1)
        out[row][name] = f"cell {ref} holds a formula; replace it with its value"
    return dict(out)


def writable_columns(ep: Endpoint, sheet_columns: list[str]) -> list[Column]:
    present = set(sheet_columns)
    return [c for c in ep.columns if c.name in present]
