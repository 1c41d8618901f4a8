"""One field's value, step by step: source cells -> pattern -> part -> transforms -> value map -> type.

The type step reads what foreign files write (``values``: "1 234,50", "31.12.2024", "SANT") and hands
the result to ``workbook.clean``, so a mapped cell ends in exactly the form a bulktool workbook gives.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from ..plan.matching import text_form
from ..schema.model import Column
from ..workbook import CellValueError, clean
from .mapping import FieldRule
from .rawtable import RawCell
from .transforms import TransformFailed, apply_transforms
from .values import DATE_FORMATS, guess_date_format, human_format, parse_bool, parse_date, parse_datetime, parse_number

_LIST_SPLIT = re.compile(r"\s*:::\s*|\s*[,;]\s*")
_NAME_COMMA = re.compile(r"^\s*([^,]+?)\s*,\s*(.+?)\s*$")
_NUMBER_FIRST = re.compile(r"^\s*(\d+\s?[A-Za-z]?)\s+(\D.*?)\s*$")
_STREET_FIRST = re.compile(r"^\s*(.*?\D)\s+(\d.*?)\s*$")
_ANY_DATE = "yyyy-mm-dd, dd.mm.yyyy, d/m/yyyy or dd-mm-yyyy"


class CellProblem(ValueError):
    """A cell problem; ``str()`` finishes "column 'X': " (it already quotes the value)."""


def cell_text(cell: RawCell) -> str | None:
    if cell is None:
        return None
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime):
        return cell.isoformat(sep=" ") if cell.time() != datetime.min.time() else cell.date().isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    return str(cell) if str(cell).strip() else None


def split_part(part: str, text: str) -> str | None:
    """first/last of a name (on its last space, or "Last, First"); street/number of an address."""
    if part in ("first", "last"):
        m = _NAME_COMMA.match(text)
        first, _, last = (m.group(2), "", m.group(1)) if m else text.strip().rpartition(" ")
        if not first:  # one word: a first name only
            first, last = last, ""
        return (first if part == "first" else last).strip() or None
    m = _NUMBER_FIRST.match(text)
    street, number = (m.group(2), m.group(1)) if m else (text.strip(), "")
    m = None if m else _STREET_FIRST.match(text)
    if m:
        street, number = m.group(1), m.group(2)
    return (street if part == "street" else number).strip() or None


def refine(rule: FieldRule, cells: list[RawCell]) -> Any:
    """Source cells -> the value before type parsing; CellProblem when a step cannot read it."""
    if len(rule.sources) > 1:
        parts = [t.strip() for t in map(cell_text, cells) if t is not None and t.strip()]
        value: Any = rule.sep.join(parts) if parts else None
    else:
        value = cells[0]
    if not (rule.pattern or rule.part or rule.transforms or rule.values):
        return value
    value = cell_text(value)
    if value is not None and rule.pattern is not None:
        m = rule.pattern.search(value)
        if m is None:
            raise CellProblem(f"{value!r} does not match pattern '{rule.pattern.pattern}'")
        value = m.group(1) if m.re.groups else m.group(0)
    if value is not None and rule.part:
        value = split_part(rule.part, value)
    try:
        value = apply_transforms(rule.transforms, value)
    except TransformFailed as exc:
        raise CellProblem(f"{value!r} {exc}") from None
    if rule.values:
        key = text_form(value) if isinstance(value, str) else None
        if (key or "") in rule.values and (value is None or isinstance(value, str)):
            return rule.values[key or ""]
    return value


def typed(col: Column | None, lookup: bool, value: Any, fmt: str | None) -> Any:
    """A refined value -> its API form for ``col``'s type (text for a lookup column)."""
    if isinstance(value, str) and not value.strip():
        return None
    if value is None:
        return None
    if lookup:
        text = cell_text(value) or ""
        if col is not None and col.type == "int_list":
            return [p for p in _LIST_SPLIT.split(text.strip()) if p] or None
        return text.strip() or None
    typ = col.type if col is not None else "string"
    if isinstance(value, str):
        value = _from_text(typ, value, fmt)
    if isinstance(value, str) and col is not None and col.enum and value not in col.enum:
        # "Person" or "PERSON " for the enum's "person": one member folds to it, so take that one.
        folded = [e for e in col.enum if text_form(e) == text_form(value)]
        value = folded[0] if len(folded) == 1 else value
    try:
        return clean(typ, value)
    except CellValueError as exc:
        raise CellProblem(str(exc)) from None


def _from_text(typ: str, text: str, fmt: str | None) -> Any:
    if typ in ("integer", "decimal"):
        d = parse_number(text, currency=typ == "decimal")
        if d is None or (typ == "integer" and d != d.to_integral_value()):
            raise CellProblem(f"{text!r} is not a {'whole number' if typ == 'integer' else 'number'}")
        return d if typ == "decimal" else int(d)
    if typ == "boolean":
        b = parse_bool(text)
        if b is None:
            raise CellProblem(f"{text!r} is not true or false (Ja/Nej, SANT/FALSKT, Yes/No, 1/0)")
        return b
    if typ in ("date", "datetime") and fmt:
        got = parse_date(text, fmt) if typ == "date" else parse_datetime(text, fmt)
        if got is not None:
            return got
        try:  # ISO 8601 ("2024-02-01T14:30:00+02:00") and dd.mm.yyyy read the same in every locale
            return clean(typ, text)
        except CellValueError:
            raise CellProblem(f"{text!r} is not a date ({human_format(fmt)})") from None
    if typ in ("date", "datetime"):
        try:
            return clean(typ, text)
        except CellValueError:
            raise CellProblem(f"{text!r} is not a date ({_ANY_DATE})") from None
    if typ == "int_list":
        return [p for p in _LIST_SPLIT.split(text.strip()) if p]
    if typ == "string_list" and ":::" in text:
        return [p.strip() for p in text.split(":::") if p.strip()]
    return text


def pick_date_format(texts: list[str], given: str | None, origin: str, warnings: list[str]) -> str | None:
    """The explicit format, else the one that reads every value (day-first on a tie, with a warning)."""
    if given:
        return given
    fmt, tie = guess_date_format(texts)
    if fmt and tie:
        sample = next(t for t in texts if t.strip())
        warnings.append(f"{origin}: dates such as {sample!r} read day-first and month-first alike; read as "
                        f"{human_format(fmt)} (--date-format overrides)")
    if fmt is None and texts:  # some values are bad: the format most of them use names the error
        counts = {f: sum(parse_datetime(t, f) is not None for t in texts) for f in DATE_FORMATS}
        best = max(counts, key=lambda f: counts[f])
        fmt = best if counts[best] else None
    return fmt
