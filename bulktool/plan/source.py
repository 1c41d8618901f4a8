"""Open the input file, pick the sheet and endpoint, and refuse what cannot be imported safely."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..connectors.base import Tenant
from ..errors import UnknownEndpoint, UsageError, WorkbookError
from ..messages import capped, rows_text
from ..schema import get_endpoint
from ..schema.model import Column, Endpoint
from ..workbook import CellValueError, ReadSheet, clean, read_table
from ..workbook.guards import check_input_file, find_formula_cells
from ..workbook.meta import RECORD_SHEET, ExportMeta
from ..workbook.parsing import short
from .headers import likely_column
from .live import key_columns, key_forms, key_of
from .pending import Pending

META_SHEETS = {"_bulktool", "summary", "lookups"}  # lookups: a blank template's value lists


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
    # A sheet of many companies: the column naming each row's; its rows are checked per company
    # (``check_structure``) once split, since ids repeat across companies.
    scope_column: str | None = None
    scopes: dict[str, dict[str, str]] = field(default_factory=dict)  # the export record's, per company
    # A mapped (migration) sheet: each column -> how the file names it ("column 'E-mail 1 - Value'"), so a
    # message about the column names what the user sees in the file.
    origins: dict[str, str] = field(default_factory=dict)
    # Row -> id column -> the row of this run whose new record it refers to (see plan.pending).
    pending: dict[int, dict[str, Pending]] = field(default_factory=dict)
    left_empty: set[int] = field(default_factory=set)  # rows whose empty cells leave fields as they are
    lookup_requests: int = 0  # requests the lookups made before planning, not yet counted in a plan's reads
    lookups_resolved: bool = False  # plan.lookups has filled the id columns (a run resolves all its parts at once)
    # Template -> ids known to exist (records this run created or matched, a lookup list read): the
    # reference check does not read them again one by one (``plan.references``).
    known_ids: dict[str, set[str]] = field(default_factory=dict)

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
    mode: str = "upsert", tenant: Tenant | None = None, foreign: bool = False, scope_column: str | None = None,
) -> Source:
    """Read and check the sheet to import.

    ``tenant`` is the account being imported into: an export record from another
    account is refused unless ``foreign`` says to ignore the record (without a tenant
    only the host can be compared).
    """
    fmt = check_input_file(path)
    names = _sheet_names(path, fmt)
    data_sheets = [n for n in names if n.lower() not in META_SHEETS]
    if sheet is not None and fmt != "csv":
        match = [n for n in names if n.lower() == sheet.lower()]
        if not match:
            raise WorkbookError(f"{path.name} has no sheet {sheet!r}; its sheets are: {capped(data_sheets, 10)}")
        sheet = match[0]
    elif fmt != "csv":
        if not data_sheets:
            raise WorkbookError(f"{path.name} has no data sheet")
        if len(data_sheets) > 1:
            raise UsageError(
                f"{path.name} has several sheets ({capped(data_sheets, 10)}); choose one with --sheet"
            )
        sheet = data_sheets[0]
    # The formula scan reads the sheet's XML itself: it runs beside the main read (zlib frees the GIL).
    with ThreadPoolExecutor(max_workers=1) as pool:
        scan = pool.submit(find_formula_cells, path, sheet, MAX_FORMULA_CELLS + 1) \
            if fmt != "csv" and sheet is not None else None
        src = _load(path, fmt, names, system, _Target(host, tenant, foreign, scope_column), sheet, endpoint, mode)
        if scan is not None and sheet is not None:
            src.formula_cells = _formulas(path, sheet, src.sheet.columns, scan.result(), src.endpoint)
    return src


@dataclass(frozen=True)
class _Target:
    """Where the import goes: the host, the account (when known) and whether the file is declared foreign."""

    host: str
    tenant: Tenant | None
    foreign: bool
    scope_column: str | None = None  # a sheet of many companies may have this column (see Source)


def _load(
    path: Path, fmt: str, names: list[str], system: str, target: _Target, sheet: str | None, endpoint: str | None,
    mode: str,
) -> Source:
    # A workbook without an export record is typed by its template: resolve it first, read once.
    # (A CSV's record is a sidecar file, found by the reader, so CSV is not guessed.)
    may_have_record = fmt == "csv" or any(n.lower() == RECORD_SHEET for n in names)
    guessed = None if may_have_record else _endpoint_or_none(system, endpoint or sheet or path.stem)
    book = read_table(path, sheet=sheet, columns=list(guessed.columns) if guessed else None)
    read = book.sheets[sheet] if sheet in book.sheets else next(iter(book.sheets.values()))
    meta = book.meta
    sheet_meta = read.meta
    recorded = sheet_meta.endpoint if sheet_meta else None
    if recorded and recorded.startswith("/"):
        raise UsageError(
            f"Sheet {read.name!r} in {path.name} was exported from the raw path {recorded}: raw paths are "
            "export-only (import needs an endpoint template; 'bulktool endpoints' lists them)"
        )
    if not read.rows:  # before the endpoint: an empty sheet named "Sheet1" is empty, not an unknown endpoint
        raise WorkbookError(f"Sheet {read.name!r} in {path.name} has no data rows")
    ep_name = endpoint or recorded or read.name
    try:
        ep = get_endpoint(system, ep_name)
    except UnknownEndpoint as exc:
        raise UnknownEndpoint(exc.name, exc.suggestions, exc.system, importing=True) from None
    if endpoint and recorded and not _same_endpoint(system, ep, recorded):
        raise UsageError(
            f"--endpoint {endpoint} does not match sheet {read.name!r} in {path.name}: its export record says "
            f"it holds {recorded}. Leave out --endpoint, or export {ep.name} to a new workbook"
        )
    warnings: list[str] = list(book.warnings)  # the reader's: encoding assumed, damaged export record
    trusted = _trust_record(meta, target, warnings)  # before anything else reads the record's values
    use_record = sheet_meta is not None and bool(read.exported) and trusted
    exported_from = meta.host if meta else None
    if meta is not None and meta.system and meta.system != system and meta.system not in ep.systems:
        warnings.append(f"This workbook was exported from {meta.system}; importing into {system}.")
    # Re-read with the template's column types (foreign files have no record of them).
    if sheet_meta is not None:
        _type_added_columns(read, ep, {c["name"] for c in sheet_meta.columns})
    elif guessed is None or guessed.name != ep.name:
        book = read_table(path, sheet=sheet, columns=list(ep.columns))
        read = book.sheets[sheet] if sheet in book.sheets else next(iter(book.sheets.values()))
    # Only a server-stamped export time can say what changed on the server since (older records hold this
    # machine's clock, which may run ahead of the server's).
    exported_at = meta.exported_at if meta is not None and meta.time_source == "server" else None
    src = Source(path, read, ep, exported_from, use_record, exported_at, warnings)
    if meta is None:  # typed in or filled in (a blank template): nothing says an empty cell was emptied
        leave_empty_as_is(src)
    if target.scope_column and target.scope_column in read.columns:
        src.scope_column = target.scope_column  # checked per company, once split
        src.scopes = dict(meta.scopes) if meta is not None and trusted else {}
        return src
    check_structure(src, require_match=mode != "create-only")
    return src


def leave_empty_as_is(src: Source) -> None:
    """Empty cells of a sheet with no export record leave their fields as the server has them.

    Only an export record can tell a cell the user emptied from one that was never filled: without one (a
    filled-in template, a hand-made sheet, a file from another system) an empty cell clearing the field would
    undo the server's own values on every re-run (a new contact made active, then deactivated by the next
    import of the same sheet). To clear a field, export, empty the cell and import the export.
    """
    for r in src.sheet.rows:
        kept = {k: v for k, v in r.values.items() if v is not None or k in r.errors}
        if len(kept) != len(r.values):
            src.left_empty.add(r.row)
        r.values = kept


def _same_endpoint(system: str, ep: Endpoint, recorded: str) -> bool:
    other = _endpoint_or_none(system, recorded)
    return (other.name if other else recorded).lower() == ep.name.lower()


def _trust_record(meta: ExportMeta | None, target: _Target, warnings: list[str]) -> bool:
    """May the export record's values be diffed against? Only when they are this account's.

    Many customers may share one host: another account's record, diffed against
    this account's records, would write its values over fields the user never edited.
    A record that does not name its account (bulktool 0.2 and older) is refused too:
    it may be another account's, and treating it as foreign silently would turn
    colleagues' edits since the export into changes. ``--foreign`` is the explicit way out.
    """
    if meta is None:
        return False
    if target.foreign:
        warnings.append("--foreign: the export record is ignored; every value that differs from live data is "
                        "shown as a change.")
        return False
    here = target.tenant
    if here is None:  # a caller that does not say which account it is: only the host can be compared
        if meta.host and meta.host != target.host:
            warnings.append(f"This workbook was exported from {meta.host}, not {target.host}: its export record "
                            "is ignored and rows are compared with live data only.")
            return False
        return True
    if meta.tenant == here.id:
        return True
    hint = ("Export again from this account, or pass --foreign to compare every cell with live data (each value "
            "that differs is then shown as a change)")
    if meta.tenant:
        theirs = meta.tenant_label or f"account {meta.tenant[:8]} on {meta.host or 'an unknown host'}"
        raise WorkbookError(f"This workbook comes from another account ({theirs}) than the one you are signed in "
                            f"to ({here.label}). {hint}")
    raise WorkbookError(
        f"This workbook's export record (from {meta.host or 'an unknown host'}, bulktool "
        f"{meta.bulktool_version or '0.2 or older'}) does not say which account it came from, so it cannot be "
        f"trusted for {here.label}. {hint}"
    )


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


def check_structure(src: Source, *, require_match: bool) -> None:
    """Refuse a sheet whose rows cannot be matched or are ambiguous; warn of ignored columns."""
    ep, read = src.endpoint, src.sheet
    if not read.rows:
        raise WorkbookError(f"Sheet {read.name!r} in {src.path.name} has no data rows")
    cols = set(read.columns)
    known = {c.name for c in ep.columns} | set(ep.lookup_columns) | {"action"}
    unknown = [c for c in read.columns if c not in known and c.strip().lower() != "action"]
    hints = _check_renamed(src, unknown)
    if unknown:
        named = [f"{h} (did you mean {hints[h]}?)" if h in hints else h for h in unknown]
        src.warnings.append(f"Columns not in the {ep.name} template are ignored: {capped(named, 10)}")
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
        # APIs may allow non-unique keys: rows matched by id may share one, rows matched by key may not.
        _check_duplicates(src, k, id_column=ep.id_field if has_id else None)


def _check_renamed(src: Source, unknown: list[str]) -> dict[str, str]:
    """Refuse headers that look like an imported template column renamed: their edits would be dropped
    silently. Ones that look like a read-only column are only hinted at (header -> likely column)."""
    present = set(src.sheet.columns)
    missing = [c.name for c in src.endpoint.columns if c.name not in present]
    likely = {h: m for h in unknown if (m := likely_column(h, missing)) is not None}
    used = imported_columns(src.endpoint, missing)
    renamed = [(h, m) for h, m in likely.items() if m in used]
    if not renamed:
        return likely
    listed = "; ".join(f"column {h!r} is not in the {src.endpoint.name} template: did you mean {m}? "
                       f"(the sheet has no {m} column)" for h, m in renamed[:3])
    more = f"; and {len(renamed) - 3:,} more such columns" if len(renamed) > 3 else ""
    raise WorkbookError(f"Sheet {src.sheet.name!r}: {listed}{more}. Rename the header to the template's "
                        "name, or delete the column, so its cells are not silently ignored")


def _check_duplicates(src: Source, column: str, *, id_column: str | None = None) -> None:
    """Refuse values of ``column`` shared by several rows (with ``id_column``: unless every such row has an id).

    A natural key compares in its match form (live.key_forms), as it does against the live records: rows
    "556898-6787" and "5568986787" would both match, or both create, the same record.
    """
    rows = src.sheet.rows
    col = key_columns(src.endpoint).get(column) if column != src.endpoint.id_field else None
    keys = key_forms(col, [r.values.get(column) for r in rows])
    counts = Counter(keys)
    counts.pop(None, None)
    shared = {k for k, n in counts.items() if n > 1}
    if not shared:  # the usual case, settled in one pass
        return
    seen: dict[str, list[int]] = defaultdict(list)
    shown: dict[str, str] = {}
    without_id: set[str] = set()
    for r, k in zip(rows, keys, strict=True):
        if k is None or k not in shared:
            continue
        if not seen[k]:
            shown[k] = key_of(r.values.get(column)) or k  # the first row's spelling, not the match form
        seen[k].append(r.row)
        if id_column is None or key_of(r.values.get(id_column)) is None:
            without_id.add(k)
    dups = {k: rs for k, rs in seen.items() if k in without_id}
    if dups:
        first = list(dups.items())[:3]
        listed = "; ".join(f"{column} {short(shown[k])} in {rows_text(rs)}" for k, rs in first)
        more = f"; and {len(dups) - 3:,} more duplicated values" if len(dups) > 3 else ""
        raise WorkbookError(f"Duplicate {column} values in {src.sheet.name!r}: {listed}{more}")


MAX_FORMULA_CELLS = 1000


def imported_columns(ep: Endpoint, columns: list[str]) -> set[str]:
    """The sheet's columns whose cells the import reads: writable ones, the id, the natural key, action.

    Anything else (a notes column, ``responsible.name``, ``created``) is ignored, so a formula there is
    harmless.
    """
    used = {c.name for c in ep.columns if c.writable} | {ep.id_field, *ep.natural_key}
    used |= set(ep.lookup_columns)
    return {c for c in columns if c in used or c.strip().lower() == "action"}


def _formulas(
    path: Path, sheet: str, columns: list[str], refs: list[str], ep: Endpoint | None = None
) -> dict[int, dict[str, str]]:
    """Formula cells by row, in imported columns only (with ``ep``); past the limit the whole file is refused,
    lest later rows slip through unflagged."""
    if len(refs) > MAX_FORMULA_CELLS:
        raise WorkbookError(
            f"Sheet {sheet!r} in {path.name} has more than {MAX_FORMULA_CELLS:,} formula cells (first: "
            f"{', '.join(refs[:3])}); replace the formulas with their values (Paste Special > Values) and retry"
        )
    used = imported_columns(ep, columns) if ep is not None else set(columns)
    out: dict[int, dict[str, str]] = defaultdict(dict)
    for ref in refs:
        m = re.fullmatch(r"([A-Z]+)(\d+)", ref)
        if not m:
            continue
        col_idx = 0
        for ch in m.group(1):
            col_idx = col_idx * 26 + (ord(ch) - 64)
        row = int(m.group(2))
        if not 0 < col_idx <= len(columns) or columns[col_idx - 1] not in used:
            continue  # a column the import ignores (or one without a header)
        out[row][columns[col_idx - 1]] = f"cell {ref} holds a formula; replace it with its value"
    return dict(out)


def writable_columns(ep: Endpoint, sheet_columns: list[str]) -> list[Column]:
    present = set(sheet_columns)
    return [c for c in ep.columns if c.name in present]
