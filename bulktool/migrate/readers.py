"""Any foreign file -> ``RawTable``: CSV/text in whatever encoding and separator it came with, and
workbooks (.xlsx, .xlsm, old .xls, .ods) through python-calamine with their cells typed.

Nothing is mapped or cleaned here beyond what makes the table well-formed: headers lose a BOM
and surrounding spaces, an empty header becomes "column C" (its spreadsheet letter), and a
repeated header is made unique ("Email (2)") with a warning rather than refused: a file from
another system cannot always be fixed at the source, and the mapping can name either column.
An empty cell is None; a CSV's other cells are text exactly as written (no trimming).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Sequence
from datetime import date, datetime, time
from pathlib import Path

from ..errors import WorkbookError
from ..messages import capped
from ..workbook.csv_io import split_sep_line
from ..workbook.guards import Limits, check_foreign_file
from .rawtable import RawCell, RawRow, RawTable
from .textcodec import decode_bytes

SEPARATORS = (",", ";", "\t")
_NAMED_SEPARATORS = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}
_SNIFF_RECORDS = 50
META_SHEET = "_bulktool"


def column_letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column index: 0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def read_raw(
    path: Path, *, sheet: str | None = None, encoding: str | None = None, separator: str | None = None
) -> RawTable:
    """One table of ``path``: a CSV's only one (``sheet`` does not apply), or a workbook's ``sheet``
    (case-insensitive); without ``sheet``, the only sheet or else the first visible one with data.

    ``encoding`` (a Python codec name) and ``separator`` (one character, or "tab") override what
    is detected in a text file; a workbook ignores them.
    """
    path = Path(path)
    kind = check_foreign_file(path)
    if kind == "csv":
        return _read_text(path, encoding, separator)
    books = _Workbook(path, kind)
    if sheet is not None:
        match = [n for n in books.names if n.casefold() == sheet.casefold()]
        if not match:
            raise WorkbookError(f"{path.name} has no sheet {sheet!r}; its sheets are: {capped(books.data_names, 10)}")
        return books.table(match[0])
    for name in books.default_order():
        table = books.table(name)
        if table.headers:
            return table
    raise WorkbookError(f"{path.name} has no sheet with data")


def read_raw_book(path: Path, *, encoding: str | None = None, separator: str | None = None) -> list[RawTable]:
    """Every sheet of a workbook that holds data, in workbook order (hidden ones too, the
    ``_bulktool`` record excepted); a CSV file's one table."""
    path = Path(path)
    kind = check_foreign_file(path)
    if kind == "csv":
        return [_read_text(path, encoding, separator)]
    books = _Workbook(path, kind)
    tables = [t for t in (books.table(n) for n in books.data_names) if t.headers]
    if not tables:
        raise WorkbookError(f"{path.name} has no sheet with data")
    return tables


# ---------------------------------------------------------------- text


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
            records = [r for r in _limited(csv.reader(_lines(sample), delimiter=sep)) if any(r)]
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


def _read_text(path: Path, encoding: str | None, separator: str | None) -> RawTable:
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
    _finish(table, header, name)
    return table


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\n|\r)|[^\r\n]+\Z")


def _lines(text: str) -> Iterator[str]:
    """Lines with their endings, split on CR/LF only (str.splitlines also splits on U+0085 and
    U+2028, which an ISO-8859-1 or UTF-8 value may hold)."""
    return (m.group() for m in _LINE.finditer(text))


def _records(name: str, text: str, sep: str, first_line: int) -> Iterator[tuple[int, int, list[str]]]:
    """(record number, the file line it starts on, its fields); a quoted value may span lines.

    A quote that is never closed would swallow the rest of the file into one value without a
    word from the csv module, so the last record is checked for it and the file refused.
    """
    lines: list[str] = []

    def source() -> Iterator[str]:
        for piece in _lines(text):
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


# ---------------------------------------------------------------- shared


def _finish(table: RawTable, raw_headers: Sequence[object], name: str) -> None:
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


# ---------------------------------------------------------------- workbooks


class _Workbook:
    """A workbook opened once through calamine; sheets read on demand."""

    def __init__(self, path: Path, kind: str) -> None:
        from python_calamine import CalamineError, SheetTypeEnum, SheetVisibleEnum, load_workbook

        self.path, self.kind, self._error = path, kind, CalamineError
        try:  # from a file object calamine goes by content, not by the name's extension
            with path.open("rb") as fh:
                self.book = load_workbook(fh)
        except OSError as exc:
            raise WorkbookError(f"Cannot read {path.name}: {exc.strerror or exc}") from None
        except CalamineError as exc:
            raise WorkbookError(_calamine_message(path, kind, exc)) from None
        sheets = [m for m in self.book.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]
        self.names = [m.name for m in sheets]
        self.data_names = [n for n in self.names if n.casefold() != META_SHEET]
        self.visible = [m.name for m in sheets if m.visible == SheetVisibleEnum.Visible
                        and m.name.casefold() != META_SHEET]

    def default_order(self) -> list[str]:
        return self.visible or self.data_names

    def table(self, name: str) -> RawTable:
        try:
            values = self.book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except self._error as exc:
            raise WorkbookError(_calamine_message(self.path, self.kind, exc)) from None
        limits = Limits()
        if len(values) > limits.max_rows + 1 or sum(len(r) for r in values) > limits.max_cells:
            raise WorkbookError(f"{self.path.name}: sheet {name!r} has {len(values):,} rows, over the "
                                f"input limit ({limits.max_cells:,} cells); split the file")
        header: list[RawCell] | None = None
        rows: list[RawRow] = []
        for number, values_row in enumerate(values, start=1):
            cells = [_cell(v) for v in values_row]
            if all(c is None for c in cells):
                continue
            if header is None:
                header = cells
                continue
            rows.append(RawRow(number, number, cells))
        table = RawTable(name, [], rows)
        width = len(header or [])
        for r in rows:
            r.cells += [None] * (width - len(r.cells))
        _finish(table, header or [], f"{self.path.name}, sheet {name!r}")
        return table


def _cell(value: object) -> RawCell:
    """Calamine's value as a RawCell: "" is empty; times and durations become text ("08:30:00")."""
    if value == "" or value is None:
        return None
    if isinstance(value, str | int | float | date | datetime):  # bool is an int
        return value
    if isinstance(value, time):
        return value.isoformat()
    return str(value)  # a timedelta: "1 day, 2:30:00"


def _calamine_message(path: Path, kind: str, exc: BaseException) -> str:
    from python_calamine import PasswordError

    if isinstance(exc, PasswordError):
        return f"{path.name} is password-protected; remove the password and save it again"
    what = {"xls": "an Excel 97-2003 workbook (.xls)", "ods": "an OpenDocument spreadsheet (.ods)"}
    detail = " ".join(str(exc).split())  # one line, whatever the library said
    return f"{path.name} cannot be read as {what.get(kind, 'an Excel workbook')} ({detail}); save it again as .xlsx"
