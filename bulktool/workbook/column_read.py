"""How a column of cells reads back: ``clean_column`` turns raw cells into API values (with fast paths
for the common cells), and ``same_cell`` says whether a value as written survives a spreadsheet
re-save as the cell read now (so an unchanged cell is not an edit)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from .cells import MAX_EXACT_DIGITS, CellValueError, clean
from .parsing import is_canonical_datetime, parse_decimal

MAX_CELL_CHARS = 32_767  # what an xlsx cell holds; xlsxwriter cuts longer text
_BIG = 10**MAX_EXACT_DIGITS


def _cut_to_15_digits(rendered: str, raw: str | int | float) -> bool:
    """A long exact decimal written as text ("1234567890123456789.012345678") that a spreadsheet read back
    as a number and kept to 15 significant digits (LibreOffice re-saving a CSV: 1.23456789012346E+018)."""
    if len(rendered) <= MAX_EXACT_DIGITS or not rendered.lstrip("-").replace(".", "", 1).isdigit():
        return False
    exact = Decimal(rendered)
    if len(exact.as_tuple().digits) <= MAX_EXACT_DIGITS:
        return False
    got = parse_decimal(raw) if isinstance(raw, str) else Decimal(repr(raw)) if not isinstance(raw, bool) else None
    return got is not None and got == Decimal(format(exact, f".{MAX_EXACT_DIGITS}g"))


def same_cell(rendered: Any, raw: Any) -> bool:
    """Would writing ``rendered`` have produced ``raw`` after a spreadsheet re-save?

    Covers what Excel and LibreOffice can't keep: "" and [] become empty cells,
    LibreOffice turns CRLF into LF and keeps 15 significant digits, and a cell
    holds at most 32,767 characters.
    """
    if rendered in (None, "") or raw in (None, ""):
        return rendered in (None, "") and raw in (None, "")
    if isinstance(rendered, str) and isinstance(raw, str | int | float) and _cut_to_15_digits(rendered, raw):
        return True
    if isinstance(rendered, str) and isinstance(raw, str):
        for form in (rendered, rendered.replace("\r\n", "\n")):
            if raw in (form, form[:MAX_CELL_CHARS]):
                return True
        return False
    numeric = (int, float)
    if isinstance(rendered, numeric) and isinstance(raw, numeric):
        if isinstance(rendered, bool) or isinstance(raw, bool):
            return rendered is raw
        return math.isclose(rendered, raw, rel_tol=1e-14)
    return bool(rendered == raw)


def _cell_fallback(typ: str) -> Callable[[Any], Any]:
    def conv(cell: Any) -> Any:
        return None if cell is None or cell == "" else clean(typ, cell)
    return conv


def clean_column(typ: str, raws: Sequence[Any]) -> tuple[list[Any], dict[int, str]]:
    """One column of raw cells -> API values and the errors by position, as ``clean`` cell by cell.

    An empty text is no value. The common cells (text in a string column, a
    whole float in an integer column, a datetime without microseconds...) take
    an inline fast path; the rest goes through ``clean``. A column with a bad
    cell is redone cell by cell to collect the messages.
    """
    conv = _cell_fallback(typ)
    try:
        if typ == "string":
            return [c if c.__class__ is str and c else None if c == "" or c is None else conv(c)
                    for c in raws], {}
        if typ == "integer":
            return [int(c) if c.__class__ is float and c.is_integer() and -_BIG < c < _BIG
                    else None if c == "" or c is None else conv(c) for c in raws], {}
        if typ == "decimal":
            return [c if c.__class__ is float and c - c == 0.0 else conv(c) for c in raws], {}
        if typ == "boolean":
            return [c if c.__class__ is bool else conv(c) for c in raws], {}
        if typ == "datetime":
            # What format_datetime gives for a naive datetime in whole seconds, in C; text already in
            # that form (a CSV, or a text cell before 1900) is kept as it is.
            return [c.isoformat() + "Z"
                    if c.__class__ is datetime and not c.microsecond and c.tzinfo is None
                    else c if c.__class__ is str and is_canonical_datetime(c) else conv(c)
                    for c in raws], {}
        return [conv(c) for c in raws], {}
    except CellValueError:
        pass
    values: list[Any] = []
    errors: dict[int, str] = {}
    for k, c in enumerate(raws):
        try:
            values.append(conv(c))
        except CellValueError as exc:
            values.append(c)
            errors[k] = str(exc)
    return values, errors
