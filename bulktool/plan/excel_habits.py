"""Checks across the sheet, against what was exported or is live: the habits of Excel and LibreOffice.

They need more than one cell, so pandera's per-column checks can't make them:

- a text cell that is its exported (or live) value with the leading zeros gone
  was turned into a number by a spreadsheet: writing it back would lose them;
- a natural key shared by several rows, where the import itself would create
  the duplicate;
- edits in columns the import never writes (read-only columns, or every column
  of a read-only endpoint), which would otherwise vanish without a word.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from itertools import repeat
from operator import attrgetter
from typing import Any, TypeGuard

from ..messages import capped, rows_text
from ..schema.model import Column, Endpoint
from ..workbook import ReadRow
from ..workbook.parsing import short
from .live import LiveIndex, key_forms, key_of
from .model import CellError
from .normalize import normalizer

ZEROS_LOST = "Excel or LibreOffice removed the leading zeros"
Errors = dict[int, list[CellError]]


def sheet_checks(
    ep: Endpoint, sheet_columns: Sequence[str], rows: Sequence[ReadRow], ids: Sequence[str | None],
    untouched: Sequence[bool], exported: Mapping[str, Mapping[str, Any]], live: LiveIndex, errors: Errors,
) -> tuple[Errors, list[str]]:
    """``errors`` plus the cross-row errors, and warnings for the result (edits that are ignored)."""
    out: Errors = {row: list(errs) for row, errs in errors.items()}
    refs = _References(ep, exported, live)
    columns = {c.name: c for c in ep.columns}
    sheet_cols = [columns[n] for n in sheet_columns if n in columns]
    found: list[tuple[int, CellError]] = []
    changed = [(r, rid) for r, rid, same in zip(rows, ids, untouched, strict=True) if not same]
    found += _leading_zeros(ep, sheet_cols, changed, refs)
    found += _shared_keys(ep, sheet_columns, rows, ids, refs)
    warnings: list[str] = []
    if ep.read_only:
        found += _read_only_endpoint(ep, sheet_cols, changed, refs)
    else:
        warnings += _ignored_edits(ep, sheet_cols, changed, refs)
    for row, err in found:
        errs = out.setdefault(row, [])
        if all(e.column != err.column for e in errs):
            errs.append(err)
    return out, warnings


class _References:
    """What a row's cells are compared with: the export record if it has the value, else the live record."""

    def __init__(self, ep: Endpoint, exported: Mapping[str, Mapping[str, Any]], live: LiveIndex) -> None:
        self.ep, self.exported, self.live = ep, exported, live
        self._flat: dict[str, dict[str, Any]] = {}

    def get(self, rid: str | None, column: str) -> tuple[bool, Any]:
        """(known, value) for one cell of record ``rid``."""
        source, value = self.which(rid, column)
        return source is not None, value

    def which(self, rid: str | None, column: str) -> tuple[str | None, Any]:
        """('exported' or 'live' or None, value) for one cell of record ``rid``."""
        if rid is None:
            return None, None
        exp = self.exported.get(rid)
        if exp is not None and column in exp:
            return "exported", exp[column]
        if rid not in self.live.records:
            return None, None
        flat = self._flat.get(rid)
        if flat is None:
            flat = self._flat[rid] = self.live.flat(self.ep, rid)
        return ("live" if column in flat else None), flat.get(column)


def _zero_padded(ref: Any) -> TypeGuard[str]:
    return isinstance(ref, str) and len(ref) > 1 and ref[0] == "0" and ref.isdigit()


def _stripped(text: str) -> str:
    return text.lstrip("0") or "0"


def _zeros_message(ref: str) -> str:
    return f"{ZEROS_LOST} (was {short(ref)}); format the column as Text and type them again"


def _leading_zeros(
    ep: Endpoint, columns: Sequence[Column], changed: Sequence[tuple[ReadRow, str | None]], refs: _References,
) -> list[tuple[int, CellError]]:
    """Text cells that equal their exported or live value without its leading zeros ('0012' -> 12 or '12')."""
    text_cols = [c for c in columns if c.type == "string" and (c.writable or c.name in ep.natural_key)]
    found: list[tuple[int, CellError]] = []
    padded_keys: dict[str, dict[str, list[str]]] = {}  # key field -> its live keys by their digits
    for r, rid in changed:
        values = r.values
        for c in text_cols:
            v = values.get(c.name)
            if v.__class__ is not str or not v.strip().isdigit() or c.name in r.errors:
                continue
            digits = v.strip()
            known, ref = refs.get(rid, c.name)
            if known:
                if _zero_padded(ref) and _stripped(ref) == digits:
                    found.append((r.row, CellError(c.name, _zeros_message(ref))))
                continue
            if rid is None and c.name in ep.natural_key and refs.live.complete and (
                    not refs.live.by_key(c.name).get(digits)):
                # No id: matched by key. A key that only matches once its zeros are restored would create
                # a duplicate of that record.
                padded = padded_keys.get(c.name)
                if padded is None:
                    padded = padded_keys[c.name] = defaultdict(list)
                    for k in refs.live.by_key(c.name):
                        if _zero_padded(k):
                            padded[_stripped(k)].append(k)
                hits = padded.get(digits)
                if hits:
                    found.append((r.row, CellError(c.name, _zeros_message(hits[0]))))
    return found


def lost_zeros(
    columns: Sequence[Column], values: Mapping[str, Any], current: Mapping[str, Any],
    exported: Mapping[str, Any] | None,
) -> list[CellError]:
    """The same check for one row about to be written, against its full live record (detail included)."""
    out = []
    for c in columns:
        v = values.get(c.name)
        if c.type != "string" or not c.writable or v.__class__ is not str or not v.strip().isdigit():
            continue
        ref = exported[c.name] if exported is not None and c.name in exported else current.get(c.name)
        if _zero_padded(ref) and _stripped(ref) == v.strip():
            out.append(CellError(c.name, _zeros_message(ref)))
    return out


def _shared_keys(
    ep: Endpoint, sheet_columns: Sequence[str], rows: Sequence[ReadRow], ids: Sequence[str | None],
    refs: _References,
) -> list[tuple[int, CellError]]:
    """Rows with ids that would give one natural key to several records.

    Some APIs allow shared keys (customer numbers), and an account may already
    have some: rows that keep the key their record already has are left
    alone. A row that sets a key another row also holds is invalid, since
    after the import two records would share it and key lookups (creates
    matched on re-run, lost-answer checks) could no longer tell them apart.
    Each natural key field is checked on its own.
    """
    if ep.id_field not in sheet_columns:
        return []
    found: list[tuple[int, CellError]] = []
    for key_field in ep.natural_key:
        if key_field in sheet_columns:
            found += _shared_key(ep, key_field, rows, ids, refs)
    return found


def _shared_key(
    ep: Endpoint, key_field: str, rows: Sequence[ReadRow], ids: Sequence[str | None], refs: _References,
) -> list[tuple[int, CellError]]:
    col = ep.column(key_field)  # keys compare in their match form, as against the live records (live.key_forms)
    keys = key_forms(col, map(dict.get, map(attrgetter("values"), rows), repeat(key_field)))
    counts = Counter(keys)
    counts.pop(None, None)
    if len(counts) == len(keys) - keys.count(None):  # the usual sheet: every key once, settled in C
        return []
    shared = {k for k, n in counts.items() if n > 1}
    by_key: dict[str, list[int]] = defaultdict(list)
    for pos, k in enumerate(keys):
        if k is not None and k in shared:
            by_key[k].append(pos)
    found: list[tuple[int, CellError]] = []
    norm = normalizer(ep.column(key_field))
    for k, positions in by_key.items():
        for pos in positions:
            r, rid = rows[pos], ids[pos]
            if rid is None:
                continue  # rows matched by key are refused earlier, when the sheet is read
            known, ref = refs.get(rid, key_field)
            if known and norm(ref) == norm(r.values.get(key_field)):
                continue  # the record already has this key: the import does not create the duplicate
            others = [rows[p].row for p in positions if p != pos]
            shown = short(key_of(r.values.get(key_field)) or k)  # the row's spelling, not the match form
            found.append((r.row, CellError(key_field, f"{key_field} {shown} is also in {rows_text(others)}: "
                                                      f"two records would share it; give each row its own")))
    return found


def _edited(
    ep: Endpoint, columns: Sequence[Column], changed: Sequence[tuple[ReadRow, str | None]], refs: _References,
) -> dict[str, tuple[list[int], list[int]]]:
    """Column -> (rows edited since the export, rows that differ from the server without an export record).

    Without the record a difference may be the server's doing, never the
    user's for the change stamp (it moves on every write), so that column is
    compared only with the record.
    """
    out: dict[str, tuple[list[int], list[int]]] = {}
    for c in columns:
        n = normalizer(c)
        edited: list[int] = []
        differs: list[int] = []
        for r, rid in changed:
            v = r.values.get(c.name)
            if c.name in r.errors:
                continue
            source, ref = refs.which(rid, c.name)
            if source is None or v == ref or n(v) == n(ref):  # equal cells (nearly all) need no normalising
                continue
            if source == "exported":
                edited.append(r.row)
            elif c.name != ep.last_updated_field:
                differs.append(r.row)
        if edited or differs:
            out[c.name] = (edited, differs)
    return out


def _hint(ep: Endpoint, column: Column) -> str:
    """Where the edit belongs instead: ``responsible.name`` -> ``responsible.id``."""
    head = column.name.rpartition(".")[0]
    for c in ep.columns if head else ():
        if c.writable and c.name.rpartition(".")[0] == head and c.name.lower().endswith("id"):
            return f"; to change it, edit {c.name}"
    return "; the server sets it"


def _ignored_edits(
    ep: Endpoint, columns: Sequence[Column], changed: Sequence[tuple[ReadRow, str | None]], refs: _References,
) -> list[str]:
    read_only = [c for c in columns if not c.writable and c.name != ep.id_field]
    out = []
    for key in ep.natural_key:
        emptied = [r.row for r, rid in changed if key_of(r.values.get(key)) is None and key not in r.errors
                   and (known := refs.which(rid, key))[0] == "exported" and key_of(known[1]) is not None]
        if emptied:
            out.append(f"Emptied {key} cells are ignored ({rows_text(emptied)}): a record keeps its {key}, "
                       "since the server assigns a new one to a record written without it")
    for name, (edited, differs) in _edited(ep, read_only, changed, refs).items():
        hint = _hint(ep, ep.column(name))
        if edited:
            out.append(f"Edits to the read-only column {name} are ignored ({rows_text(edited)}){hint}")
        if differs:
            out.append(f"Cells of the read-only column {name} that differ from the server are ignored "
                       f"({rows_text(differs)}){hint}")
    return out


def _read_only_endpoint(
    ep: Endpoint, columns: Sequence[Column], changed: Sequence[tuple[ReadRow, str | None]], refs: _References,
) -> list[tuple[int, CellError]]:
    """Every edit to a read-only endpoint's sheet is one that can't be imported: say so per row."""
    by_row: dict[int, list[str]] = defaultdict(list)
    for name, (edited, differs) in _edited(ep, [c for c in columns if c.name != ep.id_field], changed, refs).items():
        for row in edited + differs:
            by_row[row].append(name)
    found = [(row, CellError(names[0], f"{ep.name} can't be written through the API, so edits can't be "
                                       f"imported (edited: {capped(names)})"))
             for row, names in sorted(by_row.items())]
    for r, rid in changed:
        if rid is None and any(v not in (None, "") for v in r.values.values()):
            found.append((r.row, CellError(None, f"{ep.name} can't be written through the API, so new rows "
                                                 "can't be created")))
    return found
