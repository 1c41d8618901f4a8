"""Finsit's JSON dialect (Json.NET): bare ``NaN``/``Infinity``/``-Infinity`` and exact decimals.

The overview documents the bare tokens; values are .NET decimals, so the sandbox never lets a
number pass through a float: bodies parse with ``Decimal`` and numbers are written back with the
exact decimal text they were stored with (a 28-digit value stays 28 digits).
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

_CONSTANTS = {"NaN": Decimal("NaN"), "Infinity": Decimal("Infinity"), "-Infinity": Decimal("-Infinity")}


def _constant(token: str) -> Decimal:
    return _CONSTANTS[token]


def loads(text: str) -> Any:
    """Parse JSON text: non-integers as Decimal, the bare tokens as Decimal NaN/Infinity/-Infinity."""
    return json.loads(text, parse_float=Decimal, parse_constant=_constant)


def number_text(value: Decimal | int) -> str:
    """The JSON token of a number: its exact text, or NaN / Infinity / -Infinity."""
    if isinstance(value, Decimal):
        if value.is_nan():
            return "NaN"
        if value.is_infinite():
            return "-Infinity" if value < 0 else "Infinity"
        return str(value)
    return str(int(value))


def dumps(value: Any) -> str:
    """JSON text with exact numbers and the bare tokens; a float is a bug, so it raises."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (int, Decimal)):
        return number_text(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(str(k), ensure_ascii=False)}: {dumps(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(dumps(v) for v in value) + "]"
    raise TypeError(f"not a Finsit JSON value: {type(value).__name__}")
