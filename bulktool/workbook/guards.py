"""Refuse unsafe or garbage input files before any parser sees them.

Every refusal is a WorkbookError with one line naming the file, so the user
knows what to fix ("old .xls format; save as .xlsx") instead of reading a
parser traceback. This module says which reader may open a file and checks
text files; the workbook-container checks (zip bombs among them) are in
``zip_guards``.
"""

from __future__ import annotations

import codecs
import zipfile
from pathlib import Path
from typing import Literal

from ..errors import WorkbookError
from .limits import OLE_MAGIC, ZIP_MAGIC, Limits, mb, too_many_cells
from .textcodec import utf16_without_bom
from .zip_guards import (
    SMALL_PART_BYTES,
    check_xlsx,
    check_zip_entries,
    column_index,
    damaged,
    is_encrypted_ole,
    what_is,
)

__all__ = ["OLE_MAGIC", "SMALL_PART_BYTES", "ZIP_MAGIC", "Limits", "check_foreign_file", "check_input_file",
           "column_index", "damaged", "find_formula_cells"]

TEXT_SNIFF_BYTES = 64 * 1024
DEFAULT_LIMITS = Limits()


def _read_head(path: Path, limits: Limits) -> bytes:
    """The first bytes of ``path`` once it is known to be a non-empty file within the size limit."""
    name = path.name or str(path)
    if not path.exists():
        raise WorkbookError(f"Input file not found: {path}")
    if path.is_dir():
        raise WorkbookError(f"{path} is a folder, not a file")
    size = path.stat().st_size
    if size == 0:
        raise WorkbookError(f"{name} is empty (0 bytes)")
    if size > limits.max_file_bytes:
        raise WorkbookError(f"{name} is {mb(size)}, over the {mb(limits.max_file_bytes)} input limit")
    try:
        with path.open("rb") as fh:
            return fh.read(TEXT_SNIFF_BYTES + 1)
    except OSError as exc:
        raise WorkbookError(f"Cannot read {name}: {exc.strerror or exc}") from None


def check_input_file(path: Path, limits: Limits = DEFAULT_LIMITS) -> Literal["xlsx", "csv"]:
    """Say which reader may open ``path``, or raise WorkbookError saying why none should."""
    path = Path(path)
    name = path.name or str(path)
    head = _read_head(path, limits)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        check_xlsx(path, head, limits)
        return "xlsx"
    if suffix in (".csv", ".txt"):
        _check_text(path, head, limits)
        return "csv"
    if suffix == ".xls":
        if head.startswith(OLE_MAGIC):
            raise WorkbookError(f"{name} is in the old .xls format; save as .xlsx (Excel Workbook) and retry")
        if head.startswith(ZIP_MAGIC):
            raise WorkbookError(f"{name} is an .xlsx workbook with an .xls name; rename it to .xlsx")
    raise WorkbookError(
        f"{name}: unsupported file type {suffix or '(no extension)'!r}; "
        "use an .xlsx workbook or a UTF-8 .csv file"
    )


ForeignKind = Literal["xlsx", "xls", "ods", "csv"]
TEXT_SUFFIXES = (".csv", ".txt", ".tsv", ".tab")
FOREIGN_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", *TEXT_SUFFIXES)  # what the migration reader opens


def check_foreign_file(path: Path, limits: Limits = DEFAULT_LIMITS) -> ForeignKind:
    """As ``check_input_file``, for the migration reader: it also opens .xls and .ods workbooks and
    text in any encoding it can detect (UTF-16, ISO-8859-1), so those are not refused here.

    An ".xls" that is really text (old systems export tab-separated text so named) is read as text.
    """
    path = Path(path)
    name = path.name or str(path)
    head = _read_head(path, limits)
    suffix = path.suffix.lower()
    workbook = suffix in (".xlsx", ".xlsm", ".xls")
    if workbook and head.startswith(OLE_MAGIC) and not is_encrypted_ole(path):
        return "xls"  # the reader goes by content, so an .xls renamed .xlsx is read too
    if workbook and (suffix != ".xls" or head.startswith(ZIP_MAGIC)):
        check_xlsx(path, head, limits)
        return "xlsx"
    if suffix == ".ods":
        if not zipfile.is_zipfile(path):
            raise WorkbookError(f"{name} is not an OpenDocument spreadsheet (.ods): {what_is(head)}")
        try:
            with zipfile.ZipFile(path) as zf:
                check_zip_entries(name, zf.infolist(), limits)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError) as exc:
            raise WorkbookError(f"{name} is a damaged .ods file ({exc}); save or export it again") from None
        return "ods"
    if suffix in (*TEXT_SUFFIXES, ".xls"):
        start = head.removeprefix(codecs.BOM_UTF8).lstrip().lower()
        if start.startswith((b"<html", b"<!doctype", b"<table", b"<?xml")):
            raise WorkbookError(f"{name} is a web page (HTML/XML), not a spreadsheet; open it in Excel "
                                "and save it as .xlsx or CSV")
        _check_text_kind(name, head)
        _check_text_size(path, head[:TEXT_SNIFF_BYTES].replace(b"\x00", b""), limits)
        return "csv"
    raise WorkbookError(f"{name}: unsupported file type {suffix or '(no extension)'!r}; "
                        "use .xlsx, .xls, .ods, .csv or .txt")


# ---------------------------------------------------------------- csv


def _check_text_kind(name: str, head: bytes) -> None:
    if head.startswith(ZIP_MAGIC):
        raise WorkbookError(f"{name} is an Excel workbook, not CSV text; rename it to .xlsx")
    if head.startswith(OLE_MAGIC):
        raise WorkbookError(f"{name} is an old .xls workbook, not CSV text; save as CSV UTF-8")


def _check_text(path: Path, head: bytes, limits: Limits) -> None:
    name = path.name
    _check_text_kind(name, head)
    sniff = head[:TEXT_SNIFF_BYTES]
    # Excel's "Unicode text" (UTF-16, with or without a byte order mark) is read as such (textcodec).
    wide = head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or utf16_without_bom(sniff) is not None
    if b"\x00" in sniff and not wide:
        raise WorkbookError(f"{name} contains NUL bytes: it is not a text file (save as CSV UTF-8)")
    # Anything else decodes: UTF-8, else Windows-1252, else ISO-8859-1; the reader names a guess in a warning.
    _check_text_size(path, sniff, limits)


def _check_text_size(path: Path, sniff: bytes, limits: Limits) -> None:
    """Rows and cells of a text file from its line count and the first line's widest split."""
    name = path.name
    lines = _count_lines(path, stop_after=limits.max_rows + 1)
    if lines > limits.max_rows + 1:
        raise WorkbookError(f"{name} has more than {limits.max_rows:,} rows; split the file")
    lines_head = sniff.removeprefix(codecs.BOM_UTF8).split(b"\n", 2)
    sep_line = lines_head[0].lstrip(b'"').lower().startswith(b"sep=") and len(lines_head) > 1
    first = lines_head[1] if sep_line else lines_head[0]
    width = max(first.count(sep) for sep in (b",", b";", b"\t")) + 1
    if lines * width > limits.max_cells:
        what = f"{lines:,} lines of {width} fields are {lines * width:,} cells"
        raise WorkbookError(too_many_cells(name, what, limits))


def _count_lines(path: Path, stop_after: int) -> int:
    count = 0
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            count += chunk.count(b"\n")
            if count > stop_after:
                break
    return count


def find_formula_cells(path: Path, sheet_name: str, limit: int = 20) -> list[str]:
    """Cells of ``sheet_name`` holding a formula, e.g. ["B7"] (the scan lives in ``formulas``)."""
    from .formulas import find_formula_cells as scan

    return scan(path, sheet_name, limit)
