"""The undo workbook: the before-values of what an apply changed, ready to be imported with --apply.

Why one sheet with an export record, not one sheet per field set: the undo is
an export whose hidden record holds what the apply LEFT on the server (the
after-values) while the cells hold what was there BEFORE. Importing it runs the
ordinary three-way diff, so

- a cell the apply did not change holds the same value as its record entry:
  the user "did not edit" it, and it is left exactly as the server has it
  (a blank there means "leave as is", a blank where the record holds a value
  means "it was blank before": clear it);
- a field the apply changed is an edit from the after- to the before-value;
- a field someone changed since the apply is a conflict, not silently reverted.

One sheet per field set would need one import per sheet and, without a record,
would revert colleagues' later edits. Deleted records are rows without an id
(every writable value, no record entry): they are created again as new
records, matched by their natural key first, so a re-run never duplicates them.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from .. import __version__
from ..errors import OutputError
from ..schema.model import Column, Endpoint
from ..workbook import RECORD_SHEET, ExportMeta, RecordEntry, SheetMeta, render
from ..workbook.meta import BATCH
from ..workbook.record_sheet import batch_cells, split_text
from ._common import atomic_write
from ._xlsx import WORKBOOK_OPTIONS, column_widths

FORMULA_START = frozenset("=+-@\t\r\n")  # as the export writes them: literal text, never a formula
HELP_SHEET = "Summary"  # skipped on import (see plan.source.META_SHEETS)


@dataclass
class UndoRow:
    """One record to put back: ``before`` in the cells; ``after`` (None for a deleted record) in the record."""

    record_id: str | None  # None: a deleted record, created again
    before: dict[str, Any]
    after: dict[str, Any] | None = None


@dataclass
class UndoBook:
    endpoint: Endpoint
    system: str
    host: str
    source: str  # the file the apply read
    rows: list[UndoRow] = field(default_factory=list)
    tenant: str = ""  # the account the apply wrote to (Connector.tenant().id): the undo belongs to it alone
    tenant_label: str = ""
    name: str = ""  # this workbook's own path, for the restore command written in it
    created: list[str] = field(default_factory=list)  # records the apply created: listed, not deleted

    def columns(self) -> list[Column]:
        """The id, then every writable column some row restores, in template order."""
        wanted: set[str] = set()
        for r in self.rows:
            if r.after is None:
                wanted.update(c.name for c in self.endpoint.columns if c.writable)
            else:
                wanted.update(k for k, v in r.before.items() if v != r.after.get(k))
        id_field = self.endpoint.id_field
        return [c for c in self.endpoint.columns if c.name == id_field or (c.name in wanted and c.writable)]


def undo_path(source: Path, *, now: datetime | None = None) -> Path:
    """``<stem>.undo-<UTC time to the millisecond>.xlsx``, reserved on disk so no run ever shares one.

    The name is created exclusively (O_EXCL): a second apply in the same
    millisecond, or a file left from before, gets ``-2``, ``-3``... instead.
    """
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S-%f")[:-3]
    for n in range(1, 1000):
        suffix = "" if n == 1 else f"-{n}"
        path = source.with_name(f"{source.stem}.undo-{stamp}{suffix}.xlsx")
        try:
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        except FileExistsError:
            continue
        except OSError as exc:
            raise OutputError(f"Cannot write the undo workbook {path}: {exc.strerror or exc}") from None
        return path
    raise OutputError(f"Cannot find a free undo workbook name next to {source}")


def write_undo_workbook(book: UndoBook, path: str | Path) -> None:
    """Write ``book`` to ``path`` (owner-only: it holds the records' data), replacing the reserved file."""
    atomic_write(path, lambda tmp: _write(book, str(tmp)))  # mkstemp's file is 0600, and the rename keeps it


def _write(book: UndoBook, path: str) -> None:
    ep = book.endpoint
    columns = book.columns()
    title = ep.name[:31]
    wb = Workbook(path, WORKBOOK_OPTIONS)
    ws = wb.add_worksheet(title)
    bold = wb.add_format({"bold": True})
    fmts = {"quoted": wb.add_format({"quote_prefix": True}), "text": wb.add_format({"num_format": "@"}),
            "date": wb.add_format({"num_format": "yyyy-mm-dd"}),
            "datetime": wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})}
    for i, c in enumerate(columns):
        ws.write_string(0, i, c.name, bold)
    entries: list[RecordEntry] = []
    for n, row in enumerate(book.rows, start=1):
        for i, c in enumerate(columns):
            value = row.record_id if c.name == ep.id_field else row.before.get(c.name)
            _cell(ws, n, i, c, value, fmts)
        if row.record_id is not None and row.after is not None:
            after = {c.name: (row.record_id if c.name == ep.id_field else row.after.get(c.name)) for c in columns}
            entries.append(RecordEntry(title, row.record_id, _ids_as_read(after, columns)))
    ws.freeze_panes(1, 0)
    sample = [[r.before.get(c.name) for c in columns] for r in book.rows[:200]]
    for i, width in enumerate(column_widths([c.name for c in columns], sample)):
        ws.set_column(i, i, width)
    _help(wb, book, len(entries))
    _record(wb, book, title, columns, entries)
    wb.close()


def _ids_as_read(values: dict[str, Any], columns: Sequence[Column]) -> dict[str, Any]:
    """Record values in the form the reader compares cells with (an integer id column holds ints)."""
    out = dict(values)
    for c in columns:
        v = out.get(c.name)
        if c.type == "integer" and isinstance(v, str) and v.lstrip("-").isdigit():
            out[c.name] = int(v)
    return out


def _cell(ws: Worksheet, r: int, c: int, col: Column, value: Any, fmts: dict[str, Format]) -> None:
    """Like the export: every type through ``render``, text that looks like a formula stays text."""
    if col.type == "integer" and isinstance(value, str) and value.lstrip("-").isdigit():
        value = int(value)
    cell = render(col.type, value)
    if cell is None:
        return
    if isinstance(cell, str):
        if cell:
            ws.write_string(r, c, cell, fmts["quoted"] if cell[0] in FORMULA_START else fmts["text"])
    elif isinstance(cell, bool):
        ws.write_boolean(r, c, cell)
    elif isinstance(cell, int | float):
        ws.write_number(r, c, cell)
    else:
        ws.write_datetime(r, c, cell, fmts["date" if col.type == "date" else "datetime"])


def _help(wb: Workbook, book: UndoBook, updates: int) -> None:
    ws = wb.add_worksheet(HELP_SHEET)
    created = sum(1 for r in book.rows if r.after is None)

    def records(n: int) -> str:
        return f"{n:,} {'record' if n == 1 else 'records'}"

    me = shlex.quote(book.name) if book.name else "THIS-FILE.xlsx"
    lines = [
        f"Undo of an apply of {book.source} to {book.host} ({book.endpoint.name}).",
        f"{records(updates)} updated by the apply get their old values back; {records(created)} it deleted are "
        "created again as new records (with new ids).",
        f"Restore: bulktool import {me} --apply (see the dry run first: the same "
        "command without --apply).",
        "Only the fields the apply changed are written back; a field changed by someone since the apply "
        "shows as a conflict.",
    ]
    if book.created:
        lines.append(f"The apply also created {records(len(book.created))}; the undo does not delete them "
                     "(delete them in the application, or import rows with action=delete and --allow-delete):")
        lines += [f"  {c}" for c in book.created]
    for i, line in enumerate(lines):
        ws.write_string(i, 0, line)
    ws.set_column(0, 0, 110)


def _record(wb: Workbook, book: UndoBook, title: str, columns: Sequence[Column],
            entries: Sequence[RecordEntry]) -> None:
    ep = book.endpoint
    meta = ExportMeta(
        system=book.system, host=book.host, tenant=book.tenant, tenant_label=book.tenant_label,
        # No export time: the import then reads every live record instead of only those changed since,
        # which is right whatever this machine's clock says.
        exported_at="", bulktool_version=__version__,
        sheets={title: SheetMeta(
            endpoint=ep.name, template_version=ep.version, id_column=ep.id_field,
            natural_key=list(ep.natural_key),
            columns=[{"name": c.name, "type": c.type, "read_only": not c.writable} for c in columns],
        )},
    )
    ws = wb.add_worksheet(RECORD_SHEET)
    ws.hide()
    for c, part in enumerate(split_text(meta.to_json())):
        ws.write_string(0, c, part)
    row = 1
    for start in range(0, len(entries), BATCH):
        for c, text in enumerate(batch_cells(entries[start:start + BATCH])):
            ws.write_string(row, c, text)
        row += 1
