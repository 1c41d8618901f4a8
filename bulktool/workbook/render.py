"""Cell values going out: ``render`` turns an API-form value into what a spreadsheet cell holds without loss
(``cells.clean`` is its inverse). Never raises for odd data: what doesn't fit is written as text."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from .cells import MAX_EXACT_DIGITS, CellValue, CellValueError, cleaner, datetime_value, exact_decimal, special_text
from .parsing import FIRST_SAFE_DATE, format_datetime

_BIG = 10**MAX_EXACT_DIGITS


def _needs_json(items: list[str]) -> bool:
    """Plain "a, b" only when splitting on commas and trimming gives the same items back."""
    return any(not s or "," in s or s != s.strip() or s.startswith("[") for s in items)


def _render_typed(col_type: str, v: Any) -> CellValue:
    if col_type == "string":
        return v if isinstance(v, str) else str(cleaner("string")(v))
    if col_type == "integer":
        n = cleaner("integer")(v)
        return n if abs(n) < _BIG else str(n)
    if col_type == "decimal":
        got = cleaner("decimal")(v)
        return special_text(got) if isinstance(got, Decimal) else got
    if col_type == "boolean":
        return bool(cleaner("boolean")(v))
    if col_type == "date":
        d = date.fromisoformat(cleaner("date")(v))
        return d if d >= FIRST_SAFE_DATE else d.isoformat()
    if col_type == "datetime":
        naive = datetime_value(v)
        return naive if naive.date() >= FIRST_SAFE_DATE else format_datetime(naive)
    if col_type == "time":
        return str(cleaner("time")(v))
    if col_type == "int_list":
        return ", ".join(str(i) for i in cleaner("int_list")(v))
    if col_type == "string_list":
        items = cleaner("string_list")(v)
        if _needs_json(items):
            return json.dumps(items, ensure_ascii=False)
        return ", ".join(items)
    if col_type == "json":
        return json.dumps(v, ensure_ascii=False, separators=(",", ":"), default=_json_number)
    raise ValueError(f"unknown column type {col_type!r}")


def _json_number(value: Any) -> Any:
    """Exact decimals inside a JSON cell: as a number where a float keeps them, else as text."""
    if isinstance(value, Decimal):
        got = exact_decimal(value)
        return special_text(got) if isinstance(got, Decimal) else got
    raise TypeError(f"{type(value).__name__} is not JSON")


def render(col_type: str, value: Any) -> CellValue:
    """API-form value -> cell value. Never raises for odd data: what doesn't fit is written as text."""
    if value is None:
        return None
    try:
        return _render_typed(col_type, value)
    except CellValueError:
        return str(cleaner("string")(value))


def render_text(col_type: str, value: Any) -> str:
    """The cell as CSV text: same as render, with dates and datetimes in the core's ISO form."""
    cell = render(col_type, value)
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, datetime):
        return format_datetime(cell)
    if isinstance(cell, date):
        return cell.isoformat()
    if isinstance(cell, float):
        return repr(cell)
    return str(cell)


