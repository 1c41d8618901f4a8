"""One render/clean pair per column type.

``render`` turns an API-form value into what a spreadsheet cell can hold
without loss; ``clean`` turns a cell back into API form. ``clean`` accepts
API-form values too (it is idempotent), so ``flatten`` uses it to canonicalise
what the server sent: export and import then compare like with like.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from .parsing import (
    format_datetime,
    from_serial,
    parse_datetime,
    parse_decimal,
    parse_time,
    round_to_second,
    short,
    time_from_seconds,
    time_of,
    to_utc,
    utc_seconds_text,
)

CellValue = str | int | float | bool | datetime | date | None
MAX_EXACT_DIGITS = 15  # Excel and LibreOffice keep 15 significant digits of a number
_BIG = 10**MAX_EXACT_DIGITS
# English, Swedish (SANT/FALSKT) and Norwegian/Danish (SANN/USANN, SAND/FALSK) Excel words, and yes/no ones:
# the one word list of booleans (``migrate.values`` adds what foreign files tick a box with).
TRUE_WORDS = frozenset({"true", "sant", "sann", "sand", "ja", "yes", "y", "j", "1", "t"})
FALSE_WORDS = frozenset({"false", "falskt", "usann", "falsk", "nej", "nei", "no", "n", "0", "f"})
# A cell also holds a number cell's text ("1.0"): str() of a float 1.0 read from a workbook.
_TRUE = TRUE_WORDS | {"1.0"}
_FALSE = FALSE_WORDS | {"0.0"}
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


class CellValueError(ValueError):
    """A cell that cannot be read as its column's type; the message is shown to the user as is."""


def _is_number(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


# ---------------------------------------------------------------- clean


def _clean_string(cell: Any) -> str:
    if isinstance(cell, str):
        return cell
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, float) and cell.is_integer() and abs(cell) < _BIG:
        return str(int(cell))
    if isinstance(cell, datetime):
        return cell.isoformat(sep=" ")
    if isinstance(cell, date):
        return cell.isoformat()
    if isinstance(cell, time):
        return time_of(cell)
    if isinstance(cell, list | dict):
        return json.dumps(cell, ensure_ascii=False, separators=(",", ":"))
    return str(cell)


def _clean_integer(cell: Any) -> int:
    if isinstance(cell, bool):
        raise CellValueError(f"expected a whole number, got {'TRUE' if cell else 'FALSE'}")
    if isinstance(cell, int):
        return cell
    if isinstance(cell, float):
        if math.isfinite(cell) and cell.is_integer() and abs(cell) < _BIG:
            return int(cell)
        if math.isfinite(cell) and abs(cell) >= _BIG:
            raise CellValueError(
                f"expected a whole number, got {cell:.15g}: a spreadsheet number keeps only 15 digits, "
                "so format the cell as Text and type the number again"
            )
        raise CellValueError(f"expected a whole number, got {cell!r}")
    if isinstance(cell, str):
        d = parse_decimal(cell)
        if d is not None and d == d.to_integral_value():
            return int(d)
    raise CellValueError(f"expected a whole number, got {short(cell)}")


# JSON's extension tokens for the IEEE specials (Json.NET reads and writes them bare), spelt exactly so in
# a cell: an export writes them so, and "nan" or "inf" typed by hand stay errors.
SPECIAL_NUMBERS = frozenset({"NaN", "Infinity", "-Infinity"})


def exact_decimal(d: Decimal) -> float | Decimal:
    """A float where it holds the value exactly in a spreadsheet's 15 digits; else the Decimal itself.

    NaN, ±Infinity and longer decimals (a .NET decimal has 28 digits) stay Decimal, so they reach the
    API unchanged and are written to cells as text.
    """
    if d.is_nan():
        return Decimal("NaN")  # quiet, unsigned: the one NaN the API knows
    if d.is_infinite() or len(d.as_tuple().digits) > MAX_EXACT_DIGITS:
        return d
    return float(d)


def special_text(d: Decimal) -> str:
    """A Decimal a number cell cannot hold, as text: ``NaN``, ``Infinity``, ``-Infinity`` or plain digits."""
    if d.is_nan():
        return "NaN"
    if d.is_infinite():
        return "-Infinity" if d < 0 else "Infinity"
    return format(d, "f")


def _clean_decimal(cell: Any) -> float | Decimal:
    if isinstance(cell, Decimal):
        return exact_decimal(cell)
    if _is_number(cell) and math.isfinite(cell):
        return float(cell)
    if isinstance(cell, float):  # nan or inf from an API that sends them
        return Decimal("NaN") if cell != cell else Decimal("Infinity" if cell > 0 else "-Infinity")
    if isinstance(cell, str):
        if cell.strip() in SPECIAL_NUMBERS:
            return Decimal(cell.strip())
        d = parse_decimal(cell)
        if d is not None:
            return exact_decimal(d)
    raise CellValueError(f"expected a number, got {short(cell)}")


def _clean_boolean(cell: Any) -> bool:
    if isinstance(cell, bool):
        return cell
    key = str(cell).strip().lower() if isinstance(cell, str | int | float) else None
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise CellValueError(f"expected TRUE or FALSE, got {short(cell)}")


def _clean_date(cell: Any) -> str:
    when: datetime | None = None
    if isinstance(cell, datetime):
        when = cell
    elif isinstance(cell, date):
        return cell.isoformat()
    elif _is_number(cell):
        when = from_serial(float(cell))
    elif isinstance(cell, str):
        parsed = parse_datetime(cell)
        # The calendar day is the local one: "2024-01-02T00:00:00+02:00" is 2024-01-02.
        when = parsed[0] if parsed else None
    if when is None or when.time() != time(0):
        raise CellValueError(f"expected a date (YYYY-MM-DD), got {short(cell)}")
    return when.date().isoformat()


def _datetime_value(cell: Any) -> datetime:
    """Naive UTC, whole seconds."""
    when: datetime | None = None
    if isinstance(cell, datetime):
        when = cell if cell.tzinfo is None else cell.astimezone(UTC).replace(tzinfo=None)
    elif isinstance(cell, date):
        when = datetime(cell.year, cell.month, cell.day)
    elif _is_number(cell):
        when = from_serial(float(cell))
    elif isinstance(cell, str):
        parsed = parse_datetime(cell)
        when = to_utc(parsed[0], parsed[1]) if parsed is not None else None
    if when is None:
        raise CellValueError(f"expected a date and time (YYYY-MM-DD HH:MM:SS), got {short(cell)}")
    return round_to_second(when)


def _clean_datetime(cell: Any) -> str:
    if cell.__class__ is str and (fast := utc_seconds_text(cell)) is not None:
        return fast
    return format_datetime(_datetime_value(cell))


def _clean_time(cell: Any) -> str:
    out: str | None = None
    if isinstance(cell, datetime):
        out = time_of(cell.time())
    elif isinstance(cell, time):
        out = time_of(cell)
    elif isinstance(cell, timedelta):
        out = time_from_seconds(cell.total_seconds())
    elif _is_number(cell):
        out = time_from_seconds(float(cell) * 86400) if 0 <= cell < 1 else None
    elif isinstance(cell, str):
        out = parse_time(cell)
    if out is None:
        raise CellValueError(f"expected a time (HH:MM), got {short(cell)}")
    return out


def _json_list(text: str) -> list[Any] | None:
    try:
        got = json.loads(text)
    except ValueError:
        return None
    return got if isinstance(got, list) else None


def _clean_int_list(cell: Any) -> list[int]:
    if isinstance(cell, list):
        items: list[Any] = cell
    elif _is_number(cell):
        items = [cell]
    elif isinstance(cell, str):
        text = cell.strip()
        parsed = _json_list(text) if text.startswith("[") else None
        items = parsed if parsed is not None else [p for p in text.replace(";", ",").split(",") if p.strip()]
    else:
        items = [cell]
    try:
        # An id listed twice ("1, 2, 2") means it once; the server keeps it once, so must we.
        return list(dict.fromkeys(_clean_integer(i) for i in items))
    except CellValueError:
        raise CellValueError(f"expected whole numbers separated by commas, got {short(cell)}") from None


def _clean_string_list(cell: Any) -> list[str]:
    if isinstance(cell, list):
        return [_clean_string(i) for i in cell]
    if isinstance(cell, str):
        text = cell.strip()
        parsed = _json_list(text) if text.startswith("[") else None
        if parsed is not None:
            return [_clean_string(i) for i in parsed]
        return [p.strip() for p in text.split(",") if p.strip()]
    return [_clean_string(cell)]


def _clean_json(cell: Any) -> Any:
    if isinstance(cell, str):
        try:
            return json.loads(cell)
        except ValueError as exc:
            raise CellValueError(f"expected JSON, got {short(cell)} ({exc.args[0].split(':')[0]})") from None
    if isinstance(cell, float) and cell.is_integer() and abs(cell) < _BIG:
        return int(cell)
    return cell


_CLEANERS: dict[str, Callable[[Any], Any]] = {
    "string": _clean_string,
    "integer": _clean_integer,
    "decimal": _clean_decimal,
    "boolean": _clean_boolean,
    "date": _clean_date,
    "datetime": _clean_datetime,
    "time": _clean_time,
    "int_list": _clean_int_list,
    "string_list": _clean_string_list,
    "json": _clean_json,
}


def clean(col_type: str, cell: Any) -> Any:
    """Cell (or API value) -> API form; raises CellValueError with a message for the user.

    Strings are kept verbatim; for every other type surrounding whitespace is
    ignored and an empty text means "no value" (None).
    """
    if cell is None:
        return None
    if col_type == "string" and type(cell) is str:
        return cell
    if col_type != "string" and isinstance(cell, str):
        cell = cell.strip()
        if not cell:
            return None
    try:
        cleaner = _CLEANERS[col_type]
    except KeyError:
        raise ValueError(f"unknown column type {col_type!r}") from None
    return cleaner(cell)


def cleaner(col_type: str) -> Callable[[Any], Any]:
    """The type's own cleaner, without ``clean``'s stripping and empty-text rule (render's API values)."""
    return _CLEANERS[col_type]


def datetime_value(cell: Any) -> datetime:
    """Naive UTC, whole seconds (a datetime cell's value before formatting)."""
    return _datetime_value(cell)


def is_number_text(text: str) -> bool:
    """Plain numbers ("-5", "1.5e3") are safe in CSV although they start with a sign."""
    return _NUMBER.fullmatch(text) is not None
