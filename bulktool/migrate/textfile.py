"""A foreign CSV/text file -> ``RawTable``: the encoding and separator detected (or given), quoted
values that span lines, and a record whose field count is not the header's kept with its error.

An empty cell is None; the other cells are text exactly as written (no trimming).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from ..errors import WorkbookError
from ..messages import capped
from ..workbook.csv_io import csv_lines, split_sep_line
from ..workbook.textcodec import decode_bytes
from .rawtable import RawCell, RawRow, RawTable, finish_headers

SEPARATORS = (",", ";", "\t")
_NAMED_SEPARATORS = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}
_SNIFF_RECORDS = 50


def _separator_option(name: str, separator: str) -> str:
    sep = _NAMED_SEPARATORS.get(separator.lower(), separator)
    if len(sep) != 1 or sep in ('"', "\r", "\n"):
        raise WorkbookError(f"{name}: separator {separator!r} must be one character such as , ; or tab")
    return sep


def sniff_separator(text: str) -> str:
    """The separator of ``,`` ``;`` tab that splits the first records most consistently.

    The header alone can mislead (a header without any separator, a comma inside a
    ``;``-file's title); the first records must also agree with its field count.
    """
    sample = text[:65536]
    cut = len(text) > len(sample)
    best, best_key = ",", (0.0, 0)
    for sep in SEPARATORS:
        try:
            records = [r for r in _limited(csv.reader(csv_lines(sample), delimiter=sep)) if any(r)]
        except csv.Error:
            continue
        if cut and len(records) > 1:
            records.pop()  # may be a record cut by the sample's end
        if not records or len(records[0]) < 2:
            continue
        width = len(records[0])
        agree = sum(1 for r in records if len(r) == width) / len(records)
        key = (agree, width)
        if key > best_key:
            best, best_key = sep, key
    return best


def _limited(reader: Iterator[list[str]]) -> Iterator[list[str]]:
    for n, fields in enumerate(reader):
        if n >= _SNIFF_RECORDS:
            return
        yield fields


def read_text(path: Path, encoding: str | None, separator: str | None) -> RawTable:
    name = path.name
    decoded = decode_bytes(name, path.read_bytes(), encoding)
    warnings = [decoded.warning] if decoded.warning else []
    if path.suffix.lower() == ".xls":
        warnings.append(f"{name} is text with an .xls name (as some systems export); read as CSV text")
    sep_line, text = split_sep_line(decoded.text)
    sep = _separator_option(name, separator) if separator else sep_line or sniff_separator(text)
    header: list[str] | None = None
    rows: list[RawRow] = []
    width = 0
    for row, line, fields in _records(name, text, sep, 2 if sep_line else 1):
        if not any(f.strip() for f in fields):
            continue
        if header is None:
            header, width = fields, len(fields)
            continue
        error = None
        if len(fields) != width:
            missing = [h.strip() for h in header[len(fields):] if h.strip()]
            hint = (f"quote values that contain {sep!r}" if len(fields) > width
                    else f"no value for {capped(missing)}" if missing else "trailing fields are missing")
            error = f"CSV line {line} has {len(fields)} fields, the header {width}: {hint}"
        cells: list[RawCell] = [f if f != "" else None for f in fields[:width]]
        cells += [None] * (width - len(cells))
        rows.append(RawRow(row, line, cells, error))
    if header is None:
        raise WorkbookError(f"{name} has no data: not even a header row")
    table = RawTable(path.stem, [], rows, decoded.encoding, sep, warnings)
    finish_headers(table, header, name)
    return table


def _records(name: str, text: str, sep: str, first_line: int) -> Iterator[tuple[int, int, list[str]]]:
    """(record number, the file line it starts on, its fields); a quoted value may span lines.

    A quote that is never closed would swallow the rest of the file into one value without a
    word from the csv module, so the last record is checked for it and the file refused.
    """
    lines: list[str] = []

    def source() -> Iterator[str]:
        for piece in csv_lines(text):
            lines.append(piece)
            yield piece

    reader = csv.reader(source(), delimiter=sep)
    consumed = row = 0
    while True:
        line = first_line + consumed
        lines.clear()
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise WorkbookError(f"{name}, line {line}: cannot be read as CSV ({exc})") from None
        row += 1
        consumed = reader.line_num
        if len(lines) > 1 and _unclosed(lines, sep):
            raise WorkbookError(f"{name}, line {line}: a quote opened on this line is never closed, so the rest "
                                "of the file would be one value; close or remove it")
        yield row, line, fields


def _unclosed(lines: list[str], sep: str) -> bool:
    try:
        list(csv.reader(lines, delimiter=sep, strict=True))
    except csv.Error as exc:
        return "end of data" in str(exc)
    return False
