"""Write a blank import workbook: one header row of template columns, notes, validations, a Lookups sheet.

The header text is exactly the column name the importer reads, so a required column is marked by its
style (bold on orange) and its note, never by a "*" in the text. Validations are the plain kinds
(list, whole, decimal, date, length) that LibreOffice keeps on a re-save; a lookup column's list is a
range of the Lookups sheet, which the import skips (``plan.source.META_SHEETS``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from ..schema.model import Column, Lookup
from .atomic import replace_atomically

LOOKUPS_SHEET = "Lookups"
DEFAULT_ROWS = 5000  # data rows carrying the validations (rows 2..5001)
_NUM_FORMATS = {
    "string": "@", "string_list": "@", "int_list": "@", "json": "@", "time": "@",
    "integer": "0", "date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm:ss",
}
_INLINE_LIST_CHARS = 250  # Excel refuses an inline list longer than 255 characters
_BIG = 1e15  # an integer check needs bounds: Excel's exact-integer range


@dataclass(frozen=True)
class BlankColumn:
    """One header of the blank sheet: the template column, or the lookup column standing in for it."""

    header: str
    column: Column
    note: str
    lookup: Lookup | None = None

    @property
    def required(self) -> bool:
        return self.column.required_create


def example(col: Column) -> str:
    """A value of the column's type as the importer reads it, for the header note."""
    if col.enum:
        return col.enum[0]
    lo = col.minimum if col.minimum is not None and col.minimum > 0 else None
    by_type = {
        "integer": str(int(lo)) if lo is not None else "42",
        "decimal": "1234.5" if not col.decimals else f"1234.{'5'.ljust(col.decimals, '0')}",
        "boolean": "TRUE", "date": "2026-01-31", "datetime": "2026-01-31 08:30:00", "time": "08:30",
        "int_list": "10, 16", "string_list": "first, second", "json": '[{"id": 1}]',
    }
    by_match = {"email": "anna@example.com", "phone": "070-123 45 67", "orgnr": "556898-6787", "code": "SE"}
    text = by_type.get(col.type) or by_match.get(col.match or "", "text")
    if col.max_length is not None:
        text = text[: col.max_length]
    return text


def _validation(blank: BlankColumn, lookup_range: str | None) -> dict[str, Any] | None:
    """The data validation for the column's cells; None where Excel has no fitting check."""
    col = blank.column
    if blank.lookup is not None:
        if lookup_range is None:
            return None
        # A help, not a rule: a record may be named by another field (an email), by a row of this sheet, or
        # be newer than the list; several names (an id list) are comma-separated. Excel asks, then accepts.
        many = col.type == "int_list"
        return {"validate": "list", "source": lookup_range, "error_type": "information" if many else "warning",
                "error_title": "Not in the list",
                "error_message": f"Not in the {LOOKUPS_SHEET} sheet: keep it only if it names the record "
                                 "another way (see the header's note)."}
    if col.enum and len(",".join(col.enum)) <= _INLINE_LIST_CHARS:
        return {"validate": "list", "source": list(col.enum), "error_message": "Allowed: " + ", ".join(col.enum)}
    if col.type == "boolean":
        return {"validate": "list", "source": ["TRUE", "FALSE"], "error_message": "TRUE or FALSE."}
    if col.type in ("integer", "decimal"):
        lo = col.minimum if col.minimum is not None else -_BIG
        hi = col.maximum if col.maximum is not None else _BIG
        kind = "integer" if col.type == "integer" else "decimal"
        bounds: tuple[float, float] = (int(lo), int(hi)) if kind == "integer" else (lo, hi)
        return {"validate": kind, "criteria": "between", "minimum": bounds[0], "maximum": bounds[1],
                "error_message": f"A {'whole ' if kind == 'integer' else ''}number"
                                 + (f" from {_num(lo)} to {_num(hi)}." if abs(lo) < _BIG or abs(hi) < _BIG else ".")}
    if col.type == "date":
        return {"validate": "date", "criteria": "between", "minimum": date(1900, 1, 1),
                "maximum": date(9999, 12, 31), "error_message": "A date, yyyy-mm-dd."}
    if col.type == "string" and col.max_length is not None:
        return {"validate": "length", "criteria": "<=", "value": col.max_length,
                "error_message": f"At most {col.max_length:,} characters."}
    return None


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def write_blank(
    path: Path, sheet: str, columns: Sequence[BlankColumn], lookups: Mapping[str, Sequence[str]],
    *, rows: int = DEFAULT_ROWS,
) -> None:
    """Write the workbook to ``path`` atomically (a temp file renamed), so a failed write leaves nothing."""
    replace_atomically(path, lambda tmp: _write(tmp, sheet, columns, lookups, rows))


def _write(
    path: Path, sheet: str, columns: Sequence[BlankColumn], lookups: Mapping[str, Sequence[str]], rows: int
) -> None:
    wb = xlsxwriter.Workbook(str(path))
    try:
        ws = wb.add_worksheet(sheet)
        ranges = _write_lookups(wb, lookups) if lookups else {}
        head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "bottom": 1})
        head_req = wb.add_format({"bold": True, "bg_color": "#F8CBAD", "bottom": 2})
        formats = {t: wb.add_format({"num_format": f}) for t, f in _NUM_FORMATS.items()}
        for c, blank in enumerate(columns):
            col = blank.column
            fmt = formats["string"] if blank.lookup is not None else formats.get(col.type)
            ws.set_column(c, c, min(max(len(blank.header) + 3, 12), 40), fmt)
            ws.write_string(0, c, blank.header, head_req if blank.required else head)
            ws.write_comment(0, c, blank.note, {"author": "bulktool", "x_scale": 2.5, "y_scale": 2})
            rule = _validation(blank, ranges.get(blank.header))
            if rule is not None:
                rule.setdefault("error_title", blank.header[:32])
                rule["error_message"] = rule["error_message"][:255]
                ws.data_validation(1, c, rows, c, rule)
        ws.freeze_panes(1, 0)
        ws.activate()
    finally:
        wb.close()


def _write_lookups(wb: xlsxwriter.Workbook, lookups: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """One column per lookup, header = the lookup column's name; returns each one's absolute range."""
    ws: Worksheet = wb.add_worksheet(LOOKUPS_SHEET)
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "bottom": 1})
    text = wb.add_format({"num_format": "@"})
    ranges: dict[str, str] = {}
    for c, (name, values) in enumerate(lookups.items()):
        ws.set_column(c, c, min(max([len(name) + 3, *(len(v) + 2 for v in values)]), 50), text)
        ws.write_string(0, c, name, head)
        for r, value in enumerate(values, start=1):
            ws.write_string(r, c, value, text)
        if values:
            letter = xl_col_to_name(c)
            ranges[name] = f"={LOOKUPS_SHEET}!${letter}$2:${letter}${len(values) + 1}"
    ws.freeze_panes(1, 0)
    return ranges
