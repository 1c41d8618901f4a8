"""The element tests and vectorised column checks the import schema is built from.

Each check takes an object-dtype Series and returns a boolean Series. Only
cells that fail, or that break a vectorised test, are looked at one by one.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from ..datetimes import EXAMPLE as DATETIME_EXAMPLE
from .model import Column

Pred = Callable[[Any], bool]
CHECK_PREFIX = "bulktool:"
_NUMERIC_KINDS = frozenset({"integer", "floating", "mixed-integer-float", "boolean", "empty"})
_DATE_RE = r"\d{4}-\d{2}-\d{2}"
# A complete date and time with its zone: the canonical ``...Z`` (bulktool.datetimes) or an explicit offset.
_DATETIME_RE = r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:Z| ?[+-](?:0\d|1[0-4]):[0-5]\d)"
_TIME_RE = r"(?:[01]\d|2[0-3]):[0-5]\d"


def blank(v: Any) -> bool:
    if v is None:
        return True
    if isinstance(v, float):
        return math.isnan(v)
    return isinstance(v, str) and not v.strip()


def _is_int(v: Any) -> bool:
    return isinstance(v, int | np.integer) and not isinstance(v, bool | np.bool_)


def _is_number(v: Any) -> bool:
    # A Decimal is a number the cell reader kept exact (28 digits, or NaN/Infinity, which JSON
    # dialects such as Json.NET's carry as bare tokens).
    return _is_int(v) or (isinstance(v, float | np.floating) and math.isfinite(v)) or isinstance(v, Decimal)


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
TYPE_WORDS = {
    "string": "expected text",
    "integer": "expected a whole number",
    "decimal": "expected a number",
    "boolean": "expected TRUE or FALSE",
    "date": "not a valid date YYYY-MM-DD",
    "datetime": f"not a valid date and time {DATETIME_EXAMPLE}",
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
    ok[bad] = s[bad].map(lambda v: blank(v) or pred(v)).astype(bool)
    return ok


def type_check(ctype: str) -> Callable[[pd.Series], pd.Series]:
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


def required_check(s: pd.Series) -> pd.Series:
    ok = s.notna()
    if _kind(s) not in _NUMERIC_KINDS:
        ok &= _text_test(s, lambda v: bool(v.strip()), blank_ok=False)
    return ok


def enum_check(col: Column) -> Callable[[pd.Series], pd.Series]:
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


def max_length_check(limit: int) -> Callable[[pd.Series], pd.Series]:
    def check(s: pd.Series) -> pd.Series:
        t = _texts(s)
        return t.str.len().le(limit) | t.isna()

    return check


def range_check(minimum: float | None, maximum: float | None) -> Callable[[pd.Series], pd.Series]:
    """Numbers inside [minimum, maximum]; text that is no number is the type check's to judge."""
    def check(s: pd.Series) -> pd.Series:
        n = pd.to_numeric(s.where(~s.map(lambda v: isinstance(v, bool))), errors="coerce")
        ok = n.isna()
        if minimum is not None:
            ok |= n.ge(minimum) & (maximum is None or n.le(maximum))
        elif maximum is not None:
            ok |= n.le(maximum)
        return ok

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


def decimals_check(places: int) -> Callable[[pd.Series], pd.Series]:
    def check(s: pd.Series) -> pd.Series:
        if _kind(s) in ("integer", "empty"):
            return _all(s)  # whole numbers have no decimals
        return pd.Series(_decimals_ok(_floats(s, s.map(type)), places), index=s.index)

    return check


def pattern_check(pattern: str) -> Callable[[pd.Series], pd.Series]:
    rx = re.compile(pattern)

    def check(s: pd.Series) -> pd.Series:
        return _text_test(s, lambda v: rx.fullmatch(v) is not None)

    return check


def guarded(fn: Callable[[pd.Series], pd.Series]) -> Callable[[pd.Series], pd.Series]:
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
