"""Check imported rows against the endpoint template before anything is sent.

The reader has already turned cells into API-form values; this module only
judges them. It builds a pandera schema per row kind (create / update) so all
problems are reported in one pass (``lazy=True``), then turns pandera's failure
cases into short messages a spreadsheet user can act on.

Checks are vectorised over object-dtype columns and only the (rare) failing
cells are re-examined in Python, so a clean 100,000-row sheet stays fast.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import pandas as pd

from .checks import (
    CHECK_PREFIX,
    TYPE_WORDS,
    blank,
    decimals_check,
    enum_check,
    guarded,
    max_length_check,
    pattern_check,
    range_check,
    required_check,
    type_check,
)
from .model import CellError, Column, Endpoint

if TYPE_CHECKING:
    import pandera.pandas as pa


class RowLike(Protocol):
    """What the reader yields per data row."""

    @property
    def row(self) -> int: ...  # Excel row number (CSV line number)
    @property
    def values(self) -> Mapping[str, Any]: ...
    @property
    def errors(self) -> Mapping[str, str]: ...  # column -> cell conversion error


# ---------------------------------------------------------------- schema


def _is_create_default(id_column: str | None) -> Callable[[RowLike], bool]:
    if id_column is None:
        return lambda r: True
    return lambda r: blank(r.values.get(id_column))


def _checked_columns(endpoint: Endpoint, columns: Sequence[str]) -> list[Column]:
    present = set(columns)
    return [c for c in endpoint.columns if c.name in present and c.writable]


def build_schema(
    endpoint: Endpoint, columns: Sequence[str], *, for_create: bool, required_on_update: bool = True
) -> pa.DataFrameSchema:
    """One schema per row kind, so "required" can differ between creates and updates.

    ``required_on_update`` is the write policy's: only an update that replaces the whole record
    must carry every required field.

    Check names are ``bulktool:<kind>`` so failures can be turned back into messages.
    """
    import pandera.pandas as pa

    def named(fn: Callable[[pd.Series], pd.Series], kind: str, *, ignore_na: bool = True) -> pa.Check:
        return pa.Check(guarded(fn), name=CHECK_PREFIX + kind, ignore_na=ignore_na)

    schema_cols: dict[str, pa.Column] = {}
    for c in _checked_columns(endpoint, columns):
        checks: list[pa.Check] = []
        if c.required_create if for_create else (c.required_update and required_on_update):
            checks.append(named(required_check, "required", ignore_na=False))
        elif not for_create and not c.nullable and required_on_update:
            # A partial update: a blank cell may be "no opinion"; the plan's diff refuses a real clear.
            checks.append(named(required_check, "not_empty", ignore_na=False))
        checks.append(named(type_check(c.type), "type"))
        if c.enum:
            checks.append(named(enum_check(c), "enum"))
        if c.max_length is not None and c.type == "string":
            checks.append(named(max_length_check(c.max_length), "max_length"))
        if (c.minimum is not None or c.maximum is not None) and c.type in ("integer", "decimal"):
            checks.append(named(range_check(c.minimum, c.maximum), "range"))
        if c.decimals is not None and c.type == "decimal":
            checks.append(named(decimals_check(c.decimals), "decimals"))
        if c.pattern and c.type in ("string", "time"):
            checks.append(named(pattern_check(c.pattern), "pattern"))
        schema_cols[c.name] = pa.Column(None, checks=checks, nullable=True, required=True)
    kind = "create" if for_create else "update"
    return pa.DataFrameSchema(schema_cols, name=f"{endpoint.name} ({kind})", strict=False)


# ---------------------------------------------------------------- messages


def _show(v: Any) -> str:
    if isinstance(v, bool | np.bool_):
        return "TRUE" if v else "FALSE"
    text = repr(v) if isinstance(v, str) else str(v)
    return text if len(text) <= 60 else text[:57] + "..."


def _message(kind: str, col: Column, value: Any) -> str:
    if kind == "required":
        return "required"
    if kind == "not_empty":
        return "cannot be empty"
    if kind == "type":
        return f"{TYPE_WORDS[col.type]} (got {_show(value)})"
    if kind == "enum":
        return f"must be one of: {', '.join(col.enum or ())} (got {_show(value)})"
    if kind == "range":
        low, high = (f"{b:g}" if b is not None else None for b in (col.minimum, col.maximum))
        span = f"from {low} to {high}" if low and high else f"at least {low}" if low else f"at most {high}"
        return f"must be {span} (got {_show(value)})"
    if kind == "max_length":
        return f"longer than {col.max_length} characters ({len(str(value))})"
    if kind == "decimals":
        if col.decimals == 0:
            return f"must be a whole number ({_show(value)})"
        return f"at most {col.decimals} decimals ({_show(value)})"
    if kind == "pattern":
        if col.type == "time":
            return f"does not match hh:mm (got {_show(value)})"
        return f"does not match the pattern {col.pattern} (got {_show(value)})"
    return f"failed check {kind} (got {_show(value)})"


# ---------------------------------------------------------------- validation


def _frame(names: Sequence[str], rows: Sequence[RowLike]) -> pd.DataFrame:
    """Object-dtype columns; cells with a conversion error become None (already reported)."""
    frame = pd.DataFrame([r.values for r in rows], columns=list(names), dtype=object)
    frame.index = pd.RangeIndex(len(rows))
    where = {name: i for i, name in enumerate(names)}
    for i, r in enumerate(rows):
        for name in r.errors or ():
            if name in where:
                frame.iat[i, where[name]] = None
    return frame


def _failures(
    endpoint: Endpoint, columns: Sequence[str], rows: Sequence[RowLike], *, for_create: bool,
    required_on_update: bool = True,
) -> dict[int, dict[str, str]]:
    """Excel row -> column -> first message, for one row kind."""
    import pandera.pandas as pa

    out: dict[int, dict[str, str]] = defaultdict(dict)
    checked = _checked_columns(endpoint, columns)
    if not rows or not checked:
        return out
    frame = _frame([c.name for c in checked], rows)
    try:
        schema = build_schema(endpoint, columns, for_create=for_create, required_on_update=required_on_update)
        schema.validate(frame, lazy=True)
        return out
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    by_name = {c.name: c for c in checked}
    cases = cases.sort_values(["index", "column", "check_number"], kind="stable", na_position="first")
    for col_name, check, index, failure in zip(
        cases["column"], cases["check"], cases["index"], cases["failure_case"], strict=True
    ):
        col = by_name.get(str(col_name))
        kind = str(check).removeprefix(CHECK_PREFIX)
        if col is None:
            continue
        targets = range(len(rows)) if pd.isna(index) else [int(index)]
        for pos in targets:
            cells = out[rows[pos].row]
            if col.name in cells:
                continue
            if pd.isna(index):  # the check itself broke; report rather than drop
                cells[col.name] = f"could not be checked ({failure})"
            else:
                cells[col.name] = _message(kind, col, frame[col.name].iat[pos])
    return out


def validate_rows(
    endpoint: Endpoint,
    columns: Sequence[str],
    rows: Sequence[RowLike],
    *,
    id_column: str | None,
    is_create: Callable[[RowLike], bool] | None = None,
    required_on_update: bool = True,
) -> dict[int, list[CellError]]:
    """All cell problems of the sheet at once: Excel row -> errors (rows without errors are absent).

    A row is a create when ``is_create`` says so (default: its id cell is empty).
    """
    columns = list(dict.fromkeys(columns))
    decide = is_create or _is_create_default(id_column if id_column in columns else None)
    flags = [bool(decide(r)) for r in rows]
    creates = [r for r, c in zip(rows, flags, strict=True) if c]
    updates = [r for r, c in zip(rows, flags, strict=True) if not c]
    found: dict[int, dict[str, str]] = defaultdict(dict)
    for subset, for_create in ((creates, True), (updates, False)):
        for row, cells in _failures(endpoint, columns, subset, for_create=for_create,
                                    required_on_update=required_on_update).items():
            found[row].update(cells)
    missing = [c.name for c in endpoint.columns if c.writable and c.required_create and c.name not in columns]
    for r in creates:
        for name in missing:
            found[r.row][name] = f"column {name!r} is required to create records but is not in the sheet"
    for r in rows:
        for name, msg in (r.errors or {}).items():
            found[r.row][name] = msg  # a conversion error replaces any later check on that cell
    for c in endpoint.columns:  # a value that names no record: its id column's "required" says it twice
        if c.lookup is not None:
            for cells in found.values():
                if c.lookup.column in cells:
                    cells.pop(c.name, None)
    order = {name: i for i, name in enumerate([*columns, *missing])}
    result: dict[int, list[CellError]] = {}
    for row in sorted(found):
        cells = found[row]
        names = sorted(cells, key=lambda n: (order.get(n, len(order)) if n else -1, n))  # "": the whole row
        result[row] = [CellError(n, cells[n]) for n in names]
    return result


def _stem(message: str) -> str:
    """The message without its per-cell detail, so equal problems group together."""
    return re.sub(r"(\s*\([^()]*\)|,\s*got\s.*)$", "", message)


def summarize_errors(errors: Mapping[int, list[CellError]], *, limit: int = 50) -> list[str]:
    """One line per error when few; otherwise one line per column and problem."""
    total = sum(len(v) for v in errors.values())
    if total <= limit:
        lines = []
        for row in sorted(errors):
            for e in errors[row]:
                where = f"row {row}, column {e.column}" if e.column else f"row {row}"
                lines.append(f"{where}: {e.message}")
        return lines
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for row in sorted(errors):
        for e in errors[row]:
            rows = groups[(e.column or "(row)", _stem(e.message))]
            if not rows or rows[-1] != row:
                rows.append(row)
    ordered = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[1][0], kv[0]))
    return [
        f"{col}: {len(rows):,} row{'s' if len(rows) != 1 else ''} — {stem} (first at row {rows[0]})"
        for (col, stem), rows in ordered
    ]
