"""A foreign file as read: headers and cells as the file holds them, before any mapping."""

from __future__ import annotations

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
