"""Find formula cells in a sheet's XML: the reader sees only their cached values, so each is flagged.

A byte scan proves most sheets formula-free; the rest get a streaming, defused XML parse.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from pathlib import Path
from typing import IO, Any

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

from ..errors import WorkbookError
from .zip_guards import SMALL_PART_BYTES, column_index, damaged

_CELL_REF = re.compile(r"([A-Z]{1,3})(\d+)")
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_STRICT_REL_NS = "http://purl.oclc.org/ooxml/officeDocument/relationships"


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _read_small(zf: zipfile.ZipFile, name: str, part: str) -> bytes:
    if zf.getinfo(part).file_size > SMALL_PART_BYTES:
        raise WorkbookError(f"{name}: {part} is implausibly large; refused")
    return zf.read(part)


def _sheet_part(zf: zipfile.ZipFile, name: str, sheet_name: str) -> str:
    """Map a sheet's display name to its zip part via workbook.xml and its relationships."""
    try:
        book = SafeET.fromstring(_read_small(zf, name, "xl/workbook.xml"))
        rels = SafeET.fromstring(_read_small(zf, name, "xl/_rels/workbook.xml.rels"))
    except KeyError as exc:
        raise WorkbookError(f"{name} is not an Excel workbook (.xlsx): missing {exc}") from None
    except (SafeET.ParseError, DefusedXmlException) as exc:
        raise WorkbookError(f"{name} has a damaged or unsafe workbook part ({exc})") from None
    sheets: dict[str, str] = {}
    for el in book.iter():
        if _local(el.tag) == "sheet":
            rid = el.get(f"{{{_REL_NS}}}id") or el.get(f"{{{_STRICT_REL_NS}}}id") or ""
            sheets[str(el.get("name", ""))] = rid
    rid = sheets.get(sheet_name)
    if rid is None:
        folded = {k.casefold(): v for k, v in sheets.items()}
        rid = folded.get(sheet_name.casefold())
    if rid is None:
        raise WorkbookError(f"{name} has no sheet {sheet_name!r}; its sheets are: {', '.join(sheets)}")
    for el in rels.iter():
        if _local(el.tag) == "Relationship" and el.get("Id") == rid:
            target = str(el.get("Target", ""))
            if target.startswith("/"):
                return target.lstrip("/")
            return posixpath.normpath(posixpath.join("xl", target))
    raise WorkbookError(f"{name}: sheet {sheet_name!r} has no part in the workbook relationships")


def _column_letters(index: int) -> str:
    letters = ""
    while index > 0:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


_CONSTANT_FORMULAS = {"TRUE()", "FALSE()", "TRUE", "FALSE"}


def _scan_formulas(fh: IO[bytes], limit: int) -> list[str]:
    found: list[str] = []
    row_num, col_num, ref = 0, 0, ""
    sheet_data: Any = None
    for event, el in SafeET.iterparse(fh, events=("start", "end")):
        tag = _local(el.tag)
        if event == "start":
            if tag == "row":
                row_num, col_num = int(el.get("r") or row_num + 1), 0
            elif tag == "c":  # "r" is optional in OOXML: then the cell follows its left neighbour
                m = _CELL_REF.fullmatch(el.get("r") or "")
                col_num = column_index(m.group(1)) if m else col_num + 1
                ref = m.group(0) if m else f"{_column_letters(col_num)}{row_num}"
            elif tag == "sheetData":
                sheet_data = el
        elif tag == "f":
            if (el.text or "").strip().upper() in _CONSTANT_FORMULAS:
                continue  # LibreOffice stores plain booleans as TRUE()/FALSE() formulas
            found.append(ref)
            if len(found) >= limit:
                break
        elif tag == "row" and sheet_data is not None:
            sheet_data.clear()  # bounded memory: rows already scanned are dropped
        elif tag == "sheetData":
            break
    return found


_NAME = rb"(?:[A-Za-z_][\w.-]*:)?"
_F_START = re.compile(rb"<" + _NAME + rb"f[\s/>]")
_F_CONSTANT = re.compile(rb"<" + _NAME + rb"f>\s*(?:TRUE|FALSE)(?:\(\))?\s*</" + _NAME + rb"f>", re.IGNORECASE)


def _may_hold_formulas(fh: IO[bytes], chunk: int = 1 << 20) -> bool:
    """A byte scan that proves most sheets formula-free in a fraction of a full XML parse.

    False only when every ``<f>`` start tag is one of LibreOffice's constant
    booleans and the part has no ``<!`` (DOCTYPE, entity, CDATA, comment) that
    could hide or forge one: anything else, or anything unsure, takes the full
    parse. The buffer is cut after a cell end (``c>``), so an element cut in two
    can only look unlike a constant (a false "maybe"), never be missed.
    """
    tail = b""
    while block := fh.read(chunk):
        buf = tail + block
        ends = buf.rfind(b"c>")
        done, tail = (buf[: ends + 2], buf[ends + 2 :]) if ends >= 0 else (b"", buf)
        if b"<!" in done:
            return True
        if (b"<f" in done or b":f" in done) and len(_F_START.findall(done)) > len(_F_CONSTANT.findall(done)):
            return True
    return b"<!" in tail or _F_START.search(tail) is not None


def find_formula_cells(path: Path, sheet_name: str, limit: int = 20) -> list[str]:
    """Cells of ``sheet_name`` holding a formula (its cached value is what the reader sees), e.g. ["B7"]."""
    path = Path(path)
    try:
        with zipfile.ZipFile(path) as zf:
            part = _sheet_part(zf, path.name, sheet_name)
            try:
                fh = zf.open(part)
            except KeyError:
                raise WorkbookError(f"{path.name}: sheet part {part} is missing") from None
            with fh:
                if not _may_hold_formulas(fh):
                    return []
            with zf.open(part) as fh:
                return _scan_formulas(fh, limit)
    except (SafeET.ParseError, DefusedXmlException) as exc:
        raise WorkbookError(
            f"{path.name}: sheet {sheet_name!r} is not safe, well-formed XML ({exc})"
        ) from None
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError):
        raise WorkbookError(damaged(path.name)) from None  # as the reader says it, whichever fails first
