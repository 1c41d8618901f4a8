"""CSV out and in. Out: UTF-8 with BOM (Excel opens it as UTF-8), escaped against formula injection,
mode 0600. In: UTF-8, else the encoding ``workbook.textcodec`` detects (said in a warning), Excel's
``sep=;`` line honoured, and a row whose field count differs from the header's is invalid (it would
shift or clear values).

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
import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import IO

from ..errors import OutputError, WorkbookError
from ..schema.model import Column
from .cells import is_number_text
from .meta import ExportMeta, RecordEntry, SheetMeta
from .record_sheet import ExportRecord
from .render import render_text
from .table import ROW_ERROR, ReadBook, ReadSheet, SheetData, build_sheet
from .textcodec import decode_bytes
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


def _private(path: Path, encoding: str, newline: str | None = None) -> IO[str]:
    """Open for writing, readable by the owner only (0600), as the xlsx exports are: they hold personal data."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)  # an existing file keeps its mode on O_CREAT
        return open(fd, "w", encoding=encoding, newline=newline)
    except BaseException:
        os.close(fd)
        raise


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
        endpoint=sheet.name, id_column=sheet.id_column, scope_column=sheet.scope_column,
        columns=[{"name": c.name, "type": c.type, "read_only": not c.writable} for c in sheet.columns],
    )
    sheet_meta = replace(sheet_meta, last_updated=sheet_meta.last_updated or stamp)
    meta = replace(meta, sheets={sheet.name: sheet_meta})
    numeric = [c.type in ("integer", "decimal") for c in sheet.columns]
    n = records = 0
    try:
        with _private(path, encoding="utf-8-sig", newline="") as out, _private(side, encoding="utf-8") as rec:
            writer = csv.writer(out, lineterminator="\r\n")
            writer.writerow([escape(c.name) for c in sheet.columns])
            rec.write('{"meta": ' + meta.to_json() + ',\n "records": [')
            for row in sheet.rows:
                cells = [render_text(c.type, row.get(c.name)) for c in sheet.columns]
                writer.writerow([escape(t, num) for t, num in zip(cells, numeric, strict=True)])
                rid = sheet.record_key(row)
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


def decode_text(name: str, data: bytes) -> tuple[str, str | None]:
    """The text of a CSV file and, when it was not UTF-8, a warning naming the encoding assumed.

    The rules are the migration reader's (``workbook.textcodec``): UTF-8 with or without BOM,
    UTF-16, else Windows-1252 (what Windows Excel saves as "CSV (semikolonavgränsad)") or
    ISO-8859-1. A file that starts as UTF-8 and then breaks is refused rather than turned
    into mojibake. (``guards.check_input_file`` still admits only UTF-8 and Windows-1252.)
    """
    decoded = decode_bytes(name, data)
    return decoded.text, decoded.warning


_SEP_LINE = re.compile(r'"?sep=(.)"?[^\r\n]*(?:\r\n|\n|\r|\Z)', re.IGNORECASE)


def split_sep_line(text: str) -> tuple[str | None, str]:
    """Excel's ``sep=;`` first line names the separator; it is not part of the data."""
    m = _SEP_LINE.match(text)
    if m is None or m.group(1) in ('"', "\r", "\n"):
        return None, text
    return m.group(1), text[m.end():]


# The header decides here (our own exports); ``migrate.textfile.sniff_separator`` also weighs the records.
def _separator(text: str) -> str:
    """The separator that splits the header line into the most fields (Swedish Excel saves ';')."""
    best, most = ",", 1
    for sep in _SEPARATORS:
        row = next(csv.reader(io.StringIO(text[:65536], newline=""), delimiter=sep), [])
        if len(row) > most:
            best, most = sep, len(row)
    return best


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\n|\r)|[^\r\n]+\Z")


def csv_lines(text: str) -> Iterator[str]:
    """Lines with their endings, as ``open(newline="")`` gives them (so quoted CRLF stays CRLF).

    Split on CR/LF only (str.splitlines also splits on U+0085 and U+2028, which a value may hold).
    Not ``io.StringIO``: it keeps its text as 4 bytes a character, 4x the file in memory.
    """
    return (m.group() for m in _LINE.finditer(text))


# Not ``migrate.textfile._records``: this marks a ragged row invalid in a ReadSheet, that one builds RawRows.
def _records(
    text: str, sep: str, first_line: int, ragged: dict[int, str]
) -> Iterator[list[str]]:
    """CSV records, noting in ``ragged`` (sheet row -> message) each one whose field count isn't the header's.

    The sheet row counts records (as a spreadsheet shows the file); the message names the
    file's line, which differs once a quoted value spans lines. A trailing empty field is
    a field: ``2,7,`` has three. Blank lines are skipped later, so they are never ragged.
    """
    reader = csv.reader(csv_lines(text), delimiter=sep)
    header: list[str] | None = None
    consumed = 0
    for row, fields in enumerate(reader, start=1):
        line, consumed = first_line + consumed, reader.line_num
        if header is None:
            header = fields
        elif len(fields) != len(header) and any(fields):
            n, width = len(fields), len(header)
            if n > width:
                hint = f"quote values that contain {sep!r}"
            else:
                missing = [h for h in header[n:] if h.strip()] or header[n:]
                hint = f"no value for {', '.join(missing)}"
            ragged[row] = f"CSV line {line} has {n} fields, the header {width}: {hint}"
        yield fields


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
    text, note = decode_text(path.name, path.read_bytes())
    if note:
        warnings.append(note)
    sep, text = split_sep_line(text)
    ragged: dict[int, str] = {}
    rows = _records(text, sep or _separator(text), 2 if sep else 1, ragged)
    name = next(iter(rec.meta.sheets), path.stem) if rec else path.stem
    meta = rec.meta.sheets.get(name) if rec else None
    entries = rec.entries.get(name, {}) if rec else {}
    sheet = build_sheet(name, rows, columns=columns, meta=meta, entries=entries, renderer=render_text,
                        unescape=unescape)
    if ragged:
        for r in sheet.rows:
            if r.row in ragged:
                r.errors[ROW_ERROR] = ragged[r.row]
    return ReadBook(path, rec.meta if rec else None, {name: sheet}, warnings)


def read_csv(path: Path | str, columns: Sequence[Column] | None = None) -> ReadSheet:
    """The single sheet of a CSV file (``read_table`` gives the export record and warnings too)."""
    return next(iter(read_csv_book(path, columns).sheets.values()))
