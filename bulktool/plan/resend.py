"""What a full-replacement write resends, what it would clear, and what the server does on its own.

A full-replacement PUT replaces the whole record. A field the template cannot resend
(``cleared_by_update``) is gone after any update, so the planner refuses such
rows unless the user allows the clear; fields the server fills in itself
(``server_assigns``) get a note on the row, so the dry run stays exact. And
since an update resends the live record, it must know the record still exists
(``feed_is_cheaper`` picks the cheapest exact way to find out).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..schema.model import Endpoint
from ..workbook import ReadRow
from .model import FieldChange
from .untouched import covers_writes, user_touched


def feed_is_cheaper(ep: Endpoint, rows: list[ReadRow], ids: list[str | None], untouched: list[bool],
                     exported: Mapping[str, Mapping[str, Any]], *, page_size: int = 100,
                     full_replacement: bool = True) -> bool:
    """Whether the changed-since feed plus one presence GET per edited row beats reading the whole list.

    A record deleted since the export is simply absent from the feed, like an unchanged one; only a
    detail GET ("not found") or the full list tells them apart. Pick whichever costs fewer requests.
    """
    pages = -(-len(exported) // max(1, page_size))  # the connector's page size: reading the whole list
    checks = 0
    for r, rid, same in zip(rows, ids, untouched, strict=True):
        exp = exported.get(rid) if rid is not None else None
        if same or exp is None or r.errors or not covers_writes(ep, exp, full_replacement=full_replacement):
            continue  # untouched, or needing a detail GET anyway
        if user_touched(ep, r.values, exp):
            if not ep.get_path:
                return False
            checks += 1
            if checks > pages:
                return False
    return True


def unknown_clears(ep: Endpoint, allow_clear: tuple[str, ...]) -> list[str]:
    """An --allow-clear that names nothing an update of this endpoint clears is a typo, not a permission."""
    known = {c.name for c in ep.columns if c.cleared_by_update}
    known |= {top_name(n) for n in known}
    out = []
    for name in dict.fromkeys(allow_clear):
        if name not in known:
            choices = ", ".join(sorted({top_name(n) for n in known})) or "none"
            out.append(f"--allow-clear {name}: no {ep.name} field by that name is cleared by an update "
                       f"(fields that are: {choices})")
    return out


def top_name(name: str) -> str:
    return name.split(".", 1)[0]


def would_clear(ep: Endpoint, current: Mapping[str, Any], changes: Mapping[str, FieldChange]) -> list[str]:
    """Columns holding a value that a full-replacement update cannot resend (``cleared_by_update``).

    A full-replacement PUT replaces the whole record, so what the body leaves out is gone
    afterwards; sending a read shape back where the write shape differs would
    corrupt it. The user decides, with --allow-clear, instead of bulktool guessing.
    """
    return [c.name for c in ep.columns
            if c.cleared_by_update and c.name not in changes and current.get(c.name) not in (None, "", [], {})]


def server_notes(ep: Endpoint, values: Mapping[str, Any]) -> list[str]:
    """What the server will do on its own with this write: assign an empty customerNumber, drop a lone time."""
    notes = [f"the server will assign a {c.name}" for c in ep.columns
             if c.server_assigns and values.get(c.name) in (None, "")]
    by_write = {c.write: c for c in ep.columns if c.write_part == "date"}
    for c in ep.columns:
        if c.write_part == "time" and values.get(c.name) not in (None, "") and c.write in by_write:
            date = by_write[c.write]
            if values.get(date.name) in (None, ""):
                notes.append(f"{c.name} is not written: it needs {date.name}")
    return notes
