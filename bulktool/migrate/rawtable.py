"""A foreign file as read: headers and cells as the file holds them, before any mapping; and the one
way both readers (text and workbook) name its headers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

RawCell = str | int | float | bool | date | datetime | None


@dataclass
class RawRow:
    row: int  # the row number a spreadsheet shows for this record (the header is row 1)
    line: int  # the file's line where the record starts (CSV: differs once a quoted value spans lines)
    cells: list[RawCell]  # one per header; a CSV's cells are text, a workbook's typed as its reader gives them
    error: str | None = None  # the whole record's problem (a CSV record with too many or too few fields)


@dataclass
class RawTable:
    name: str  # the sheet's name, or the CSV file's stem
    headers: list[str]
    rows: list[RawRow]
    encoding: str | None = None  # what a text file was decoded as ("utf-8", "cp1252", "utf-16", ...)
    separator: str | None = None  # a text file's field separator
    warnings: list[str] = field(default_factory=list)

    def column(self, header: str) -> int:
        """The index of ``header``; KeyError if the file has no such column."""
        return self.headers.index(header)


def column_letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column index: 0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def finish_headers(table: RawTable, raw_headers: Sequence[object], name: str) -> None:
    """Name the headers (stripped, unique, "column C" when empty) and drop columns that have
    neither a header nor a value (Excel's trailing ``;;``, a sheet starting in column B)."""
    keep = [i for i, raw in enumerate(raw_headers)
            if _text(raw).strip() or any(i < len(r.cells) and r.cells[i] is not None for r in table.rows)]
    headers: list[str] = []
    seen: dict[str, int] = {}
    for i in keep:
        header = _text(raw_headers[i]).lstrip("\ufeff").strip() or f"column {column_letter(i)}"
        if header.casefold() in seen:
            first = seen[header.casefold()]
            n = 2
            while f"{header} ({n})".casefold() in seen:
                n += 1
            unique = f"{header} ({n})"
            table.warnings.append(
                f"{name}: columns {column_letter(first)} and {column_letter(i)} are both named {header!r}; "
                f"column {column_letter(i)} is read as {unique!r}")
            header = unique
        seen.setdefault(header.casefold(), i)
        headers.append(header)
    table.headers = headers
    if len(keep) != len(raw_headers) or any(len(r.cells) != len(keep) for r in table.rows):
        for r in table.rows:
            r.cells = [r.cells[i] if i < len(r.cells) else None for i in keep]


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)
