"""Any foreign file -> ``RawTable``: CSV/text (``textfile``) in whatever encoding and separator it came with, and
workbooks (.xlsx, .xlsm, old .xls, .ods) through python-calamine with their cells typed.

Nothing is mapped or cleaned here beyond what makes the table well-formed: headers lose a BOM
and surrounding spaces, an empty header becomes "column C" (its spreadsheet letter), and a
repeated header is made unique ("Email (2)") with a warning rather than refused: a file from
another system cannot always be fixed at the source, and the mapping can name either column.
An empty cell is None; a CSV's other cells are text exactly as written (no trimming).
"""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path

from ..errors import WorkbookError
from ..messages import capped
from ..workbook.guards import Limits, check_foreign_file
from .rawtable import RawCell, RawRow, RawTable, column_letter, finish_headers
from .textfile import SEPARATORS, read_text, sniff_separator

__all__ = ["META_SHEET", "SEPARATORS", "column_letter", "read_raw", "read_raw_book", "sniff_separator"]
META_SHEET = "_bulktool"


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
        return read_text(path, encoding, separator)
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
        return [read_text(path, encoding, separator)]
    books = _Workbook(path, kind)
    tables = [t for t in (books.table(n) for n in books.data_names) if t.headers]
    if not tables:
        raise WorkbookError(f"{path.name} has no sheet with data")
    return tables


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
        finish_headers(table, header or [], f"{self.path.name}, sheet {name!r}")
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
