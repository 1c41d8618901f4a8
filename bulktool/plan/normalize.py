"""Normalise values before comparing, so an untouched round trip diffs as "unchanged".

Differences that are not edits: surrounding whitespace, null versus empty,
12 versus 12.0, enum case ("Person" in the detail shape, "person" in the
list), datetime offsets, list order and repeats of ids, key order in JSON
objects, an empty list versus an empty cell, CRLF versus LF (LibreOffice
turns one into the other), and composed versus decomposed Unicode (macOS
hands out "a" + combining ring where Windows has "å").
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import UTC
from decimal import Decimal, InvalidOperation
from typing import Any

from ..schema.model import Column
from ..workbook.meta import canonical_json
from ..workbook.parsing import parse_datetime, round_to_second, to_utc

Normalizer = Callable[[Any], Any]


def nfc(s: str) -> str:
    """The composed form; ASCII (nearly every cell) is returned as it is, cheaply."""
    return s if s.isascii() else unicodedata.normalize("NFC", s)


def _text(v: Any) -> Any:
    if v is None:
        return None
    s = str(v).strip()
    if not s:
        return None
    if "\r" in s:
        s = s.replace("\r\n", "\n").replace("\r", "\n")
    return nfc(s)


def _lower_text(v: Any) -> Any:
    s = _text(v)
    return s.casefold() if isinstance(s, str) else s


def _number(v: Any) -> Any:
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    if isinstance(v, bool):
        return Decimal(int(v))
    try:
        d = Decimal(str(v).strip().replace(",", "."))
    except InvalidOperation:
        return _text(v)
    if d.is_nan():
        # A float NaN is pandas' "no value"; a Decimal NaN (or the text) is the API's NaN token, which
        # equals itself and differs from an empty cell.
        return None if isinstance(v, float) else "NaN"
    return d.normalize()


def _boolean(v: Any) -> Any:
    if v is None or v == "":
        return None
    if isinstance(v, bool):
        return v
    s = str(v).strip().lower()
    if s in ("true", "1", "yes", "ja", "sant", "sann", "sand"):
        return True
    if s in ("false", "0", "no", "nej", "nei", "falskt", "usann", "falsk"):
        return False
    return s


def _datetime(v: Any) -> Any:
    s = _text(v)
    if not isinstance(s, str):
        return s
    parsed = parse_datetime(s) if s[:1].isdigit() else None
    if parsed is None or not parsed[2]:
        return s
    return round_to_second(to_utc(parsed[0], parsed[1])).replace(tzinfo=UTC).timestamp()  # no offset: UTC


def _date(v: Any) -> Any:
    s = _text(v)
    return s[:10] if isinstance(s, str) and len(s) >= 10 and s[4] == "-" else s


def _int_list(v: Any) -> Any:
    """Ids as a set: order and repeats mean nothing to the API; no ids is the same as an empty cell."""
    if v is None or v == []:
        return None
    if isinstance(v, list):
        try:
            return tuple(sorted({int(x) for x in v}))
        except (TypeError, ValueError):
            return tuple(str(x) for x in v)
    return _text(v)


def _string_list(v: Any) -> Any:
    if v is None or v == []:
        return None
    if isinstance(v, list):
        return tuple(_text(x) or "" for x in v)
    return _text(v)


def _json(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, list | dict):
        return canonical_json(v)
    return _text(v)


_BY_TYPE: dict[str, Normalizer] = {
    "string": _text, "integer": _number, "decimal": _number, "boolean": _boolean, "date": _date,
    "datetime": _datetime, "time": _text, "int_list": _int_list, "string_list": _string_list, "json": _json,
}


def normalizer(column: Column) -> Normalizer:
    if column.type == "string" and column.enum:
        return _lower_text
    return _BY_TYPE.get(column.type, _text)


def same(column: Column, a: Any, b: Any) -> bool:
    n = normalizer(column)
    return bool(n(a) == n(b))


LIST_TYPES = frozenset({"int_list", "string_list"})


def clean_for_write(column: Column, value: Any) -> Any:
    """The value to send: trimmed NFC text, canonical enum spelling, ints for integer columns, and a list
    (never null) for a list column: the API documents ``tagIds`` as an array, and ``[]`` is how to empty it."""
    if value is None:
        return [] if column.type in LIST_TYPES else None
    if isinstance(value, str):
        value = nfc(value.strip())
        if column.enum:
            for option in column.enum:
                if option.casefold() == value.casefold():
                    return option
    if column.type == "integer" and isinstance(value, float) and value.is_integer():
        return int(value)
    if column.type == "int_list" and isinstance(value, list):
        return list(dict.fromkeys(int(x) for x in value))
    if column.type == "string_list" and isinstance(value, list):
        return [nfc(x) if isinstance(x, str) else x for x in value]
    return value
