"""Refuse unsafe or garbage input files before any parser sees them.

Every refusal is a WorkbookError with one line naming the file, so the user
knows what to fix ("old .xls format; save as .xlsx") instead of reading a
parser traceback. Zip bombs are caught from the central directory alone,
before a single byte is decompressed.
"""

from __future__ import annotations

import codecs
import mmap
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ..errors import WorkbookError

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
TEXT_SNIFF_BYTES = 64 * 1024
SMALL_PART_BYTES = 64 * 2**20  # workbook.xml and its relationships are read whole
LARGE_ENTRY_BYTES = 10 * 2**20  # entries smaller than this may compress as well as they like
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"(?:([A-Z]+)\d+:)?([A-Z]*)(\d+)\"")
_CELL_TAGS = (b"<c ", b"<c>", b"<c/>")
MIN_CELL_BYTES = 10  # the shortest cell element, <c><v>1</v> less its closing tag


@dataclass(frozen=True)
class Limits:
    """What an input may hold. Memory grows with cells, not bytes: a dry run peaks at 230-310 bytes
    a cell above the interpreter (bench/bench_memory.py), so ``max_cells`` keeps the worst case near
    1.2 GB; ``max_uncompressed_bytes`` bounds sheets of long texts."""

    max_file_bytes: int = 200 * 2**20
    max_uncompressed_bytes: int = 512 * 2**20
    max_ratio: int = 200
    max_rows: int = 1_000_000
    max_entries: int = 10_000
    max_cells: int = 4_000_000  # e.g. 200,000 rows x 20 columns


def _mb(n: int) -> str:
    return f"{n / 2**20:,.1f} MB"


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
        raise WorkbookError(f"{name} is {_mb(size)}, over the {_mb(limits.max_file_bytes)} input limit")
    try:
        with path.open("rb") as fh:
            return fh.read(TEXT_SNIFF_BYTES + 1)
    except OSError as exc:
        raise WorkbookError(f"Cannot read {name}: {exc.strerror or exc}") from None


def check_input_file(path: Path, limits: Limits = Limits()) -> Literal["xlsx", "csv"]:
    """Say which reader may open ``path``, or raise WorkbookError saying why none should."""
    path = Path(path)
    name = path.name or str(path)
    head = _read_head(path, limits)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        _check_xlsx(path, head, limits)
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


def check_foreign_file(path: Path, limits: Limits = Limits()) -> ForeignKind:
    """As ``check_input_file``, for the migration reader: it also opens .xls and .ods workbooks and
    text in any encoding it can detect (UTF-16, ISO-8859-1), so those are not refused here.

    An ".xls" that is really text (old systems export tab-separated text so named) is read as text.
    """
    path = Path(path)
    name = path.name or str(path)
    head = _read_head(path, limits)
    suffix = path.suffix.lower()
    workbook = suffix in (".xlsx", ".xlsm", ".xls")
    if workbook and head.startswith(OLE_MAGIC) and not _is_encrypted_ole(path):
        return "xls"  # the reader goes by content, so an .xls renamed .xlsx is read too
    if workbook and (suffix != ".xls" or head.startswith(ZIP_MAGIC)):
        _check_xlsx(path, head, limits)
        return "xlsx"
    if suffix == ".ods":
        if not zipfile.is_zipfile(path):
            raise WorkbookError(f"{name} is not an OpenDocument spreadsheet (.ods): {_what_is(head)}")
        try:
            with zipfile.ZipFile(path) as zf:
                _check_zip_entries(name, zf.infolist(), limits)
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


# ---------------------------------------------------------------- xlsx


def _what_is(head: bytes) -> str:
    """A plain description of a file that is not a zip, for the refusal message."""
    if head.startswith(b"%PDF"):
        return "it is a PDF document"
    if head.lstrip().startswith((b"{\\rtf", b"<")):
        return "it is a text document (RTF/HTML/XML)"
    if b"\x00" not in head[:4096]:
        return "it looks like CSV/text; if it is CSV, rename it to .csv"
    return "its content is not a zip-based Office file"


def _is_encrypted_ole(path: Path) -> bool:
    """Password-protected .xlsx files are OLE containers holding an 'EncryptedPackage' stream."""
    with path.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        return mm.find(_ENCRYPTED_PACKAGE) != -1


def _check_xlsx(path: Path, head: bytes, limits: Limits) -> None:
    name = path.name
    if head.startswith(OLE_MAGIC):
        if _is_encrypted_ole(path):
            raise WorkbookError(
                f"{name} is password-protected (encrypted); remove the password in Excel "
                "(File > Info > Protect Workbook) and save again"
            )
        raise WorkbookError(f"{name} is in the old .xls format; save as .xlsx (Excel Workbook) and retry")
    if not zipfile.is_zipfile(path):
        if head.startswith(ZIP_MAGIC):  # a zip without its directory: cut short (a download, a full disk)
            raise WorkbookError(damaged(name))
        raise WorkbookError(f"{name} is not an Excel workbook (.xlsx): {_what_is(head)}")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            _check_zip_entries(name, infos, limits)
            names = {i.filename for i in infos}
            if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
                raise WorkbookError(f"{name} is not an Excel workbook (.xlsx): {_what_zip(zf, names)}")
            _check_dimensions(name, zf, infos, limits)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, OSError, EOFError) as exc:
        raise WorkbookError(damaged(name, exc)) from None


def damaged(name: str, exc: BaseException | None = None) -> str:
    detail = f": {exc}" if exc is not None and str(exc) else ""
    return f"{name} is a damaged xlsx file (the zip is truncated or corrupt{detail}); save or export it again"


def _what_zip(zf: zipfile.ZipFile, names: set[str]) -> str:
    if "word/document.xml" in names:
        return "it is a Word document"
    if "ppt/presentation.xml" in names:
        return "it is a PowerPoint presentation"
    if "mimetype" in names:
        mime = zf.read("mimetype")[:100].decode("ascii", "replace")
        if "opendocument.spreadsheet" in mime:
            return "it is an OpenDocument spreadsheet (.ods); save as .xlsx"
    return "it is a zip archive without a workbook part"


def _check_zip_entries(name: str, infos: list[zipfile.ZipInfo], limits: Limits) -> None:
    if len(infos) > limits.max_entries:
        raise WorkbookError(f"{name} has {len(infos):,} zip entries (limit {limits.max_entries:,}); refused")
    total = 0
    for info in infos:
        parts = info.filename.replace("\\", "/").split("/")
        if ".." in parts or info.filename.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", info.filename):
            raise WorkbookError(f"{name} contains an unsafe path {info.filename!r}; refused")
        if info.flag_bits & 0x1:
            raise WorkbookError(
                f"{name} is password-protected (encrypted entry {info.filename!r}); "
                "remove the password and save again"
            )
        total += info.file_size
        if info.file_size > LARGE_ENTRY_BYTES:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > limits.max_ratio:
                raise WorkbookError(
                    f"{name} looks like a zip bomb: {info.filename!r} expands {ratio:,.0f}x "
                    f"to {_mb(info.file_size)} (limit {limits.max_ratio}x); refused"
                )
    if total > limits.max_uncompressed_bytes:
        raise WorkbookError(
            f"{name} expands to {_mb(total)} (limit {_mb(limits.max_uncompressed_bytes)}); refused"
        )


def _check_dimensions(name: str, zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], limits: Limits) -> None:
    """Sheets declare their used range up front (<dimension ref="A1:T5000">); read only that much.

    A sheet without one that is big enough to hold more than ``max_cells`` cells has its
    cell tags counted in one streaming pass (no parse, constant memory).
    """
    for info in infos:
        if not re.fullmatch(r"xl/worksheets/[^/]+\.xml", info.filename):
            continue
        with zf.open(info) as fh:
            start = fh.read(4096)
        m = _DIMENSION.search(start)
        rows = int(m.group(3)) if m else 0
        if rows > limits.max_rows + 1:
            raise WorkbookError(
                f"{name}: sheet part {info.filename} has {rows:,} rows (limit {limits.max_rows:,}); split the file"
            )
        if m:
            first = column_index(m.group(1).decode()) if m.group(1) else 1
            cells = rows * max(column_index(m.group(2).decode()) - first + 1, 1)
        elif info.file_size > limits.max_cells * MIN_CELL_BYTES:
            cells = _count_cells(zf, info, limits.max_cells)
        else:
            continue
        if cells > limits.max_cells:
            raise WorkbookError(_too_many_cells(name, f"sheet part {info.filename} has {cells:,} cells", limits))


def column_index(letters: str) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + ord(ch) - 64
    return index


def _too_many_cells(name: str, what: str, limits: Limits) -> str:
    return (f"{name}: {what} (limit {limits.max_cells:,}: an import needs about 300 bytes of "
            "memory a cell); split the file or remove columns you don't import")


def _count_cells(zf: zipfile.ZipFile, info: zipfile.ZipInfo, stop_after: int) -> int:
    """Cell start tags in one streaming pass; the last 3 bytes of a block are counted with the next one."""
    count, tail = 0, b""
    with zf.open(info) as fh:
        while block := fh.read(1 << 20):
            buf = tail + block
            tail = buf[-3:]
            count += sum(buf.count(tag) - tail.count(tag) for tag in _CELL_TAGS)
            if count > stop_after:
                break
    return count + sum(tail.count(tag) for tag in _CELL_TAGS)


# ---------------------------------------------------------------- csv


def _check_text_kind(name: str, head: bytes) -> None:
    if head.startswith(ZIP_MAGIC):
        raise WorkbookError(f"{name} is an Excel workbook, not CSV text; rename it to .xlsx")
    if head.startswith(OLE_MAGIC):
        raise WorkbookError(f"{name} is an old .xls workbook, not CSV text; save as CSV UTF-8")


def _check_text(path: Path, head: bytes, limits: Limits) -> None:
    name = path.name
    _check_text_kind(name, head)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise WorkbookError(f"{name} is UTF-16 text, not UTF-8 text; save as CSV UTF-8")
    sniff = head[:TEXT_SNIFF_BYTES]
    if b"\x00" in sniff:
        raise WorkbookError(f"{name} contains NUL bytes: it is not a text file (save as CSV UTF-8)")
    complete = len(head) <= TEXT_SNIFF_BYTES
    try:
        codecs.getincrementaldecoder("utf-8-sig")().decode(sniff, final=complete)
    except UnicodeDecodeError:
        try:  # Windows Excel's "CSV (semikolonavgränsad)": the reader says it assumed Windows-1252
            sniff.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise WorkbookError(
                f"{name} is neither UTF-8 nor Windows-1252 text (byte 0x{sniff[exc.start]:02X} at offset "
                f"{exc.start}); save as CSV UTF-8 (Excel: Save As > 'CSV UTF-8 (Comma delimited)')"
            ) from None
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
        raise WorkbookError(_too_many_cells(name, what, limits))


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
