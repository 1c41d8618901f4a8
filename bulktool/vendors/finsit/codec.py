"""Finsit's JSON: exact decimals, the bare ``NaN``/``Infinity``/``-Infinity`` tokens, names in any case.

The API speaks Json.NET (finsit-api-overview.txt, "Numbers"): numbers are .NET decimals and the
three special tokens are legal JSON to it. So a body is read with every fraction as ``Decimal``
(never a float, which would lose the 28 digits a decimal holds) and the specials as
``Decimal("NaN")``/``Decimal("Infinity")``/``Decimal("-Infinity")``; writing turns the same values
back into the same bare tokens. Json.NET also reads property names case-insensitively, so the
server's casing is not proven (``Id`` vs ``id`` in CompanyType): ``normalise_names`` renames a
record's keys to the documented casing (the template's column names), keeping unknown keys as sent.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

_SPECIALS = {"NaN": Decimal("NaN"), "Infinity": Decimal("Infinity"), "-Infinity": Decimal("-Infinity")}


def loads(text: str) -> Any:
    """A body as Python: fractions (and the specials) as Decimal, whole numbers as int."""
    return json.loads(text, parse_float=Decimal, parse_constant=_SPECIALS.__getitem__)


def number_token(value: Decimal | float) -> str:
    """One number as Json.NET writes it: plain digits (no exponent), or a bare special token."""
    d = value if isinstance(value, Decimal) else Decimal(repr(value)) if value == value else Decimal("NaN")
    if d.is_nan():
        return "NaN"
    if d.is_infinite():
        return "-Infinity" if d < 0 else "Infinity"
    return format(d, "f")


def dumps(value: Any) -> str:
    """A body as JSON text: Decimal exactly, floats by their shortest repr, specials bare."""
    if value is None or isinstance(value, bool | str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal | float):
        return number_token(value)
    if isinstance(value, Mapping):
        return "{" + ",".join(f"{json.dumps(str(k), ensure_ascii=False)}:{dumps(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(dumps(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


class FinsitJson:
    """The HTTP client's JSON hook (``HttpClient(json_codec=...)``) for Finsit's bodies."""

    def loads(self, text: str) -> Any:
        return loads(text)

    def dumps(self, value: Any) -> str:
        return dumps(value)


def casing_map(names: Iterable[str]) -> dict[str, str]:
    """``{"contactinfo": "contactInfo", ...}`` for every segment of the dotted names given."""
    out: dict[str, str] = {}
    for name in names:
        for part in name.split("."):
            out.setdefault(part.lower(), part)
    return out


def normalise_names(value: Any, casing: Mapping[str, str]) -> Any:
    """``value`` with every key in the documented casing, at any depth; unknown keys as sent.

    When a record holds one name twice in different cases, the documented spelling wins.
    """
    if isinstance(value, list):
        return [normalise_names(v, casing) for v in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for key, v in value.items():
        want = casing.get(str(key).lower(), key)
        if want in out and key != want:
            continue  # the documented spelling came first; this one is the duplicate
        out[want] = normalise_names(v, casing)
    return out
