"""CSV out and in: UTF-8 with BOM (Excel opens it as UTF-8), escaped against formula injection.

The export record goes to a sidecar ``<file>.bulktool.json`` with the same
content as the hidden ``_bulktool`` sheet of a workbook.

Escaping is a bijection, so nothing is lost: a text starting with = + - @ tab
or CR gets a leading apostrophe, and so does a text that already starts with
an apostrophe followed by one of those (or by another apostrophe). The reader
removes exactly one leading apostrophe in those cases.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..errors import OutputError, WorkbookError
from ..schema.model import Column
from .cells import is_number_text, render_text
from .meta import ExportMeta, ExportRecord, RecordEntry, SheetMeta, record_id
from .table import ReadBook, ReadSheet, SheetData, build_sheet
from .xlsx_writer import check_writable

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_SEPARATORS = (",", ";", "\t")


def sidecar_path(path: Path) -> Path:
    return path.with_name(path.name + ".bulktool.json")


def escape(text: str, numeric: bool = False) -> str:
    if not text or (numeric and is_number_text(text)):
        return text
    if text.startswith(TRIGGERS) or (text[0] == "'" and text[1:2] and text[1] in (*TRIGGERS, "'")):
        return "'" + text
    return text


def unescape(text: str) -> str:
    if text[:1] == "'" and text[1:2] and text[1] in (*TRIGGERS, "'"):
        return text[1:]
    return text


def write_csv(
    path: Path | str, sheet: SheetData, meta: ExportMeta, progress: Callable[[int], None] | None = None
) -> int:
    """One sheet to CSV plus its sidecar export record; returns rows written."""
    path = Path(path)
    check_writable(path)
    side = sidecar_path(path)
    check_writable(side)
    stamp = sheet.change_stamp_column()
    given = meta.sheets.get(sheet.name)
    sheet_meta = given or SheetMeta(
        endpoint=sheet.name, id_column=sheet.id_column,
        columns=[{"name": c.name, "type": c.type, "read_only": not c.writable} for c in sheet.columns],
    )
    sheet_meta = replace(sheet_meta, last_updated=sheet_meta.last_updated or stamp)
    meta = replace(meta, sheets={sheet.name: sheet_meta})
    numeric = [c.type in ("integer", "decimal") for c in sheet.columns]
    n = records = 0
    try:
        with path.open("w", encoding="utf-8-sig", newline="") as out, side.open("w", encoding="utf-8") as rec:
            writer = csv.writer(out, lineterminator="\r\n")
            writer.writerow([escape(c.name) for c in sheet.columns])
            rec.write('{"meta": ' + meta.to_json() + ',\n "records": [')
            for row in sheet.rows:
                cells = [render_text(c.type, row.get(c.name)) for c in sheet.columns]
                writer.writerow([escape(t, num) for t, num in zip(cells, numeric, strict=True)])
                rid = record_id(row.get(sheet.id_column)) if sheet.id_column else None
                if rid is not None:
                    values = {c.name: row.get(c.name) for c in sheet.columns}
                    entry = RecordEntry(sheet.name, rid, values, row.get(stamp) if stamp else None)
                    item = _sidecar_item(entry)
                    rec.write(("," if records else "") + "\n  " + item)
                    records += 1
                n += 1
                if progress is not None and n % 1000 == 0:
                    progress(1000)
            rec.write("\n]}\n")
    except OSError as exc:
        raise OutputError(f"Cannot write {path}: {exc.strerror or exc}") from None
    if progress is not None and n % 1000:
        progress(n % 1000)
    return n


def _sidecar_item(e: RecordEntry) -> str:
    """One record as JSON; the values text is the exact canonical JSON the hash covers."""
    values = e.payload()
    head = json.dumps({"sheet": e.sheet, "id": e.id, "hash": e.hash, "last_updated": e.last_updated},
                      ensure_ascii=False)
    return head[:-1] + ', "values": ' + values + "}"


def _decode(path: Path) -> str:
    data = path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")  # what Excel on Windows saves as "CSV"


def _separator(text: str) -> str:
    """The separator that splits the header line into the most fields (Swedish Excel saves ';')."""
    best, most = ",", 1
    for sep in _SEPARATORS:
        row = next(csv.reader(io.StringIO(text[:65536], newline=""), delimiter=sep), [])
        if len(row) > most:
            best, most = sep, len(row)
    return best


def _sidecar(path: Path, warnings: list[str]) -> ExportRecord | None:
    side = sidecar_path(path)
    if not side.is_file():
        return None
    try:
        rec = ExportRecord.from_json(json.loads(side.read_text(encoding="utf-8")))
    except (ValueError, OSError, WorkbookError) as exc:
        warnings.append(
            f"The export record {side.name} cannot be used ({exc}); rows are compared with live data only."
        )
        return None
    if rec.damaged:
        warnings.append(f"{rec.damaged} entries of the export record {side.name} were altered, ignored.")
    return rec


def read_csv_book(path: Path | str, columns: Sequence[Column] | None = None) -> ReadBook:
    path = Path(path)
    if not path.is_file():
        raise WorkbookError(f"{path} does not exist" if not path.exists() else f"{path} is not a file")
    warnings: list[str] = []
    rec = _sidecar(path, warnings)
    text = _decode(path)
    rows: Iterator[list[Any]] = csv.reader(io.StringIO(text, newline=""), delimiter=_separator(text))
    name = next(iter(rec.meta.sheets), path.stem) if rec else path.stem
    meta = rec.meta.sheets.get(name) if rec else None
    entries = rec.entries.get(name, {}) if rec else {}
    sheet = build_sheet(name, rows, columns=columns, meta=meta, entries=entries, renderer=render_text,
                        unescape=unescape)
    return ReadBook(path, rec.meta if rec else None, {name: sheet}, warnings)


def read_csv(path: Path | str, columns: Sequence[Column] | None = None) -> ReadSheet:
    """The single sheet of a CSV file (``read_table`` gives the export record and warnings too)."""
    return next(iter(read_csv_book(path, columns).sheets.values()))
