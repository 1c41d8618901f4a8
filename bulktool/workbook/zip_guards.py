"""The checks of a zip-based workbook (.xlsx, .ods) made before any parser opens it: password
protection, a cut-short or damaged zip, zip bombs (from the central directory alone, before a byte
is decompressed) and sheets over the cell limit (from their dimension or a bounded count)."""

from __future__ import annotations

import mmap
import re
import zipfile
import zlib
from pathlib import Path

from ..errors import WorkbookError
from .limits import OLE_MAGIC, ZIP_MAGIC, Limits, mb, too_many_cells

SMALL_PART_BYTES = 64 * 2**20  # workbook.xml and its relationships are read whole
LARGE_ENTRY_BYTES = 10 * 2**20  # entries smaller than this may compress as well as they like
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"(?:([A-Z]+)\d+:)?([A-Z]*)(\d+)\"")
_CELL_TAGS = (b"<c ", b"<c>", b"<c/>")
MIN_CELL_BYTES = 10  # the shortest cell element, <c><v>1</v> less its closing tag


def what_is(head: bytes) -> str:
    """A plain description of a file that is not a zip, for the refusal message."""
    if head.startswith(b"%PDF"):
        return "it is a PDF document"
    if head.lstrip().startswith((b"{\\rtf", b"<")):
        return "it is a text document (RTF/HTML/XML)"
    if b"\x00" not in head[:4096]:
        return "it looks like CSV/text; if it is CSV, rename it to .csv"
    return "its content is not a zip-based Office file"


def is_encrypted_ole(path: Path) -> bool:
    """Password-protected .xlsx files are OLE containers holding an 'EncryptedPackage' stream."""
    with path.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        return mm.find(_ENCRYPTED_PACKAGE) != -1


def check_xlsx(path: Path, head: bytes, limits: Limits) -> None:
    name = path.name
    if head.startswith(OLE_MAGIC):
        if is_encrypted_ole(path):
            raise WorkbookError(
                f"{name} is password-protected (encrypted); remove the password in Excel "
                "(File > Info > Protect Workbook) and save again"
            )
        raise WorkbookError(f"{name} is in the old .xls format; save as .xlsx (Excel Workbook) and retry")
    if not zipfile.is_zipfile(path):
        if head.startswith(ZIP_MAGIC):  # a zip without its directory: cut short (a download, a full disk)
            raise WorkbookError(damaged(name))
        raise WorkbookError(f"{name} is not an Excel workbook (.xlsx): {what_is(head)}")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            check_zip_entries(name, infos, limits)
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


def check_zip_entries(name: str, infos: list[zipfile.ZipInfo], limits: Limits) -> None:
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
                    f"to {mb(info.file_size)} (limit {limits.max_ratio}x); refused"
                )
    if total > limits.max_uncompressed_bytes:
        raise WorkbookError(
            f"{name} expands to {mb(total)} (limit {mb(limits.max_uncompressed_bytes)}); refused"
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
            raise WorkbookError(too_many_cells(name, f"sheet part {info.filename} has {cells:,} cells", limits))


def column_index(letters: str) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + ord(ch) - 64
    return index


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
