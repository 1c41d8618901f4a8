"""Check imported rows against the endpoint template before anything is sent.

The reader has already turned cells into API-form values; this module only
judges them. It builds a pandera schema per row kind (create / update) so all
problems are reported in one pass (``lazy=True``), then turns pandera's failure
cases into short messages a spreadsheet user can act on.

Checks are vectorised over object-dtype columns and only the (rare) failing
cells are re-examined in Python, so a clean 100,000-row sheet stays fast.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import pandas as pd

from ..plan.model import CellError
from .model import Column, Endpoint

if TYPE_CHECKING:
    import pandera.pandas as pa

Pred = Callable[[Any], bool]
CHECK_PREFIX = "bulktool:"
_NUMERIC_KINDS = frozenset({"integer", "floating", "mixed-integer-float", "boolean", "empty"})
_DATE_RE = r"\d{4}-\d{2}-\d{2}"
_DATETIME_RE = r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} [+-](?:0\d|1[0-4]):[0-5]\d"
_TIME_RE = r"(?:[01]\d|2[0-3]):[0-5]\d"


class RowLike(Protocol):
    """What the reader yields per data row."""

    @property
    def row(self) -> int: ...  # Excel row number (CSV line number)
    @property
    def values(self) -> Mapping[str, Any]: ...
    @property
    def errors(self) -> Mapping[str, str]: ...  # column -> cell conversion error


# ---------------------------------------------------------------- element tests


def _blank(v: Any) -> bool:
    if v is None:
        return True
    if isinstance(v, float):
        return math.isnan(v)
    return isinstance(v, str) and not v.strip()


def _is_int(v: Any) -> bool:
    return isinstance(v, int | np.integer) and not isinstance(v, bool | np.bool_)


def _is_number(v: Any) -> bool:
    return _is_int(v) or (isinstance(v, float | np.floating) and math.isfinite(v))


def _valid_date(v: str) -> bool:
    try:
        date.fromisoformat(v)
    except ValueError:
        return False
    return True


def _valid_datetime(v: str) -> bool:
    try:
        datetime.fromisoformat(v[:19])
    except ValueError:
        return False
    return True


_DATE_RX, _DATETIME_RX, _TIME_RX = (re.compile(p) for p in (_DATE_RE, _DATETIME_RE, _TIME_RE))
# Tests on one text value (date/datetime/time columns hold API-form strings).
_TEXT_TESTS: dict[str, Pred] = {
    "date": lambda v: _DATE_RX.fullmatch(v) is not None and _valid_date(v),
    "datetime": lambda v: _DATETIME_RX.fullmatch(v) is not None and _valid_datetime(v),
    "time": lambda v: _TIME_RX.fullmatch(v) is not None,
}
_TYPE_TESTS: dict[str, Pred] = {
    "string": lambda v: isinstance(v, str),
    "integer": _is_int,
    "decimal": _is_number,
    "boolean": lambda v: isinstance(v, bool | np.bool_),
    "date": lambda v: isinstance(v, str) and _TEXT_TESTS["date"](v),
    "datetime": lambda v: isinstance(v, str) and _TEXT_TESTS["datetime"](v),
    "time": lambda v: isinstance(v, str) and _TEXT_TESTS["time"](v),
    "int_list": lambda v: isinstance(v, list | tuple) and all(_is_int(x) for x in v),
    "string_list": lambda v: isinstance(v, list | tuple) and all(isinstance(x, str) for x in v),
    "json": lambda v: isinstance(v, list | dict),
}
# infer_dtype results that prove a whole column passes the type test without looking at elements.
_TYPE_FAST: dict[str, frozenset[str]] = {
    "string": frozenset({"string", "empty"}),
    "integer": frozenset({"integer", "empty"}),
    "decimal": frozenset({"integer", "empty"}),
    "boolean": frozenset({"boolean", "empty"}),
}
_LIST_ITEMS = {"int_list": frozenset({"integer", "empty"}), "string_list": frozenset({"string", "empty"})}
_TYPE_WORDS = {
    "string": "expected text",
    "integer": "expected a whole number",
    "decimal": "expected a number",
    "boolean": "expected TRUE or FALSE",
    "date": "not a valid date YYYY-MM-DD",
    "datetime": "not a valid date and time YYYY-MM-DD HH:MM:SS +00:00",
    "time": "does not match hh:mm",
    "int_list": "expected a list of whole numbers, like 10, 16",
    "string_list": "expected a list of text values",
    "json": "expected a JSON list or object",
}


# ---------------------------------------------------------------- vectorised helpers


def _kind(s: pd.Series) -> str:
    return str(pd.api.types.infer_dtype(s, skipna=True))


def _all(s: pd.Series) -> pd.Series:
    return pd.Series(True, index=s.index)


def _texts(s: pd.Series) -> pd.Series:
    """The column with every non-string element as NaN, so string operations are safe."""
    kind = _kind(s)
    if kind == "string":
        return s
    if kind in _NUMERIC_KINDS:
        return pd.Series(np.nan, index=s.index, dtype=object)
    return s.where(s.map(type).isin([str]))


def _text_test(s: pd.Series, pred: Pred, *, blank_ok: bool = True) -> pd.Series:
    """``pred`` over the distinct strings only (sheets repeat values a lot); non-strings pass."""
    t = _texts(s)
    distinct = pd.unique(t.dropna())
    good = [v for v in distinct if (blank_ok and not v.strip()) or pred(v)]
    if len(good) == len(distinct):
        return _all(s)
    return t.isin(good) | t.isna()


def _refine(s: pd.Series, ok: pd.Series, pred: Pred) -> pd.Series:
    """Re-test only the cells the vectorised test rejected; blank cells always pass here."""
    ok = ok.fillna(True).astype(bool)
    if ok.all():
        return ok
    bad = ~ok
    ok = ok.copy()
    ok[bad] = s[bad].map(lambda v: _blank(v) or pred(v)).astype(bool)
    return ok


def _type_check(ctype: str) -> Callable[[pd.Series], pd.Series]:
    pred = _TYPE_TESTS[ctype]

    def check(s: pd.Series) -> pd.Series:
        if _kind(s) in _TYPE_FAST.get(ctype, ()):
            return _all(s)
        types = s.map(type)
        if ctype == "decimal" and _kind(s) in ("floating", "mixed-integer-float"):
            ok = pd.Series(~np.isinf(_floats(s, types)), index=s.index)
        elif ctype in _TEXT_TESTS:
            ok = _text_test(s, _TEXT_TESTS[ctype]) & types.isin([str])
        elif ctype in _LIST_ITEMS:
            ok = types.isin([list, tuple])
            if ok.all() and _kind(s.explode()) in _LIST_ITEMS[ctype]:
                return ok
            ok = pd.Series(False, index=s.index)
        elif ctype == "json":
            ok = types.isin([list, dict])
        else:
            ok = pd.Series(False, index=s.index)
        return _refine(s, ok | s.isna(), pred)

    return check


def _required(s: pd.Series) -> pd.Series:
    ok = s.notna()
    if _kind(s) not in _NUMERIC_KINDS:
        ok &= _text_test(s, lambda v: bool(v.strip()), blank_ok=False)
    return ok


def _enum_check(col: Column) -> Callable[[pd.Series], pd.Series]:
    allowed = {str(v).casefold() for v in col.enum or ()}

    def in_enum(v: Any) -> bool:
        if isinstance(v, list | tuple):
            return all(str(x).strip().casefold() in allowed for x in v)
        return str(v).strip().casefold() in allowed

    def check(s: pd.Series) -> pd.Series:
        if col.type in ("string_list", "int_list", "json"):
            return _refine(s, pd.Series(False, index=s.index), in_enum)
        if col.type == "string":
            return _text_test(s, in_enum)
        return _refine(s, s.map(str, na_action="ignore").str.casefold().isin(allowed), in_enum)

    return check


def _max_length_check(limit: int) -> Callable[[pd.Series], pd.Series]:
    def check(s: pd.Series) -> pd.Series:
        t = _texts(s)
        return t.str.len().le(limit) | t.isna()

    return check


def _floats(s: pd.Series, types: pd.Series) -> np.ndarray[Any, Any]:
    """The float cells as a float array, NaN elsewhere (ints may be too big for a float)."""
    floats = s.where(types.isin([float, np.float64, np.float32]))
    return pd.to_numeric(floats, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _decimals_ok(x: np.ndarray[Any, Any], places: int) -> np.ndarray[Any, Any]:
    """Tolerates binary noise such as 0.30000000000000004 for "0.3"."""
    scaled = x * (10.0**places)
    with np.errstate(invalid="ignore", over="ignore"):
        tolerance = np.maximum(1e-6, np.abs(scaled) * 1e-12)
        return np.asarray(~np.isfinite(x) | (np.abs(scaled - np.round(scaled)) <= tolerance))


def _decimals_check(places: int) -> Callable[[pd.Series], pd.Series]:
    def check(s: pd.Series) -> pd.Series:
        if _kind(s) in ("integer", "empty"):
            return _all(s)  # whole numbers have no decimals
        return pd.Series(_decimals_ok(_floats(s, s.map(type)), places), index=s.index)

    return check


def _pattern_check(pattern: str) -> Callable[[pd.Series], pd.Series]:
    rx = re.compile(pattern)

    def check(s: pd.Series) -> pd.Series:
        return _text_test(s, lambda v: rx.fullmatch(v) is not None)

    return check


def _guarded(fn: Callable[[pd.Series], pd.Series]) -> Callable[[pd.Series], pd.Series]:
    """If a strange value breaks the vectorised check, judge cell by cell so only that cell fails."""

    def one(v: Any) -> bool:
        try:
            return bool(fn(pd.Series([v], dtype=object)).iloc[0])
        except Exception:
            return False

    def check(s: pd.Series) -> pd.Series:
        try:
            return fn(s)
        except Exception:
            return s.map(one).astype(bool)

    return check


# ---------------------------------------------------------------- schema


def _is_create_default(id_column: str | None) -> Callable[[RowLike], bool]:
    if id_column is None:
        return lambda r: True
    return lambda r: _blank(r.values.get(id_column))


def _checked_columns(endpoint: Endpoint, columns: Sequence[str]) -> list[Column]:
    present = set(columns)
    return [c for c in endpoint.columns if c.name in present and c.writable]


def build_schema(endpoint: Endpoint, columns: Sequence[str], *, for_create: bool) -> pa.DataFrameSchema:
    """One schema per row kind, so "required" can differ between creates and updates.

    Check names are ``bulktool:<kind>`` so failures can be turned back into messages.
    """
    import pandera.pandas as pa

    def named(fn: Callable[[pd.Series], pd.Series], kind: str, *, ignore_na: bool = True) -> pa.Check:
        return pa.Check(_guarded(fn), name=CHECK_PREFIX + kind, ignore_na=ignore_na)

    schema_cols: dict[str, pa.Column] = {}
    for c in _checked_columns(endpoint, columns):
        checks: list[pa.Check] = []
        if c.required_create if for_create else c.required_update:
            checks.append(named(_required, "required", ignore_na=False))
        elif not for_create and not c.nullable:
            checks.append(named(_required, "not_empty", ignore_na=False))
        checks.append(named(_type_check(c.type), "type"))
        if c.enum:
            checks.append(named(_enum_check(c), "enum"))
        if c.max_length is not None and c.type == "string":
            checks.append(named(_max_length_check(c.max_length), "max_length"))
        if c.decimals is not None and c.type == "decimal":
            checks.append(named(_decimals_check(c.decimals), "decimals"))
        if c.pattern and c.type in ("string", "time"):
            checks.append(named(_pattern_check(c.pattern), "pattern"))
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
        return f"{_TYPE_WORDS[col.type]} (got {_show(value)})"
    if kind == "enum":
        return f"must be one of: {', '.join(col.enum or ())} (got {_show(value)})"
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
    endpoint: Endpoint, columns: Sequence[str], rows: Sequence[RowLike], *, for_create: bool
) -> dict[int, dict[str, str]]:
    """Excel row -> column -> first message, for one row kind."""
    import pandera.pandas as pa

    out: dict[int, dict[str, str]] = defaultdict(dict)
    checked = _checked_columns(endpoint, columns)
    if not rows or not checked:
        return out
    frame = _frame([c.name for c in checked], rows)
    try:
        build_schema(endpoint, columns, for_create=for_create).validate(frame, lazy=True)
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
        for row, cells in _failures(endpoint, columns, subset, for_create=for_create).items():
            found[row].update(cells)
    missing = [c.name for c in endpoint.columns if c.writable and c.required_create and c.name not in columns]
    for r in creates:
        for name in missing:
            found[r.row][name] = f"column {name!r} is required to create records but is not in the sheet"
    for r in rows:
        for name, msg in (r.errors or {}).items():
            found[r.row][name] = msg  # a conversion error replaces any later check on that cell
    order = {name: i for i, name in enumerate([*columns, *missing])}
    result: dict[int, list[CellError]] = {}
    for row in sorted(found):
        cells = found[row]
        names = sorted(cells, key=lambda n: (order.get(n, len(order)), n))
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
