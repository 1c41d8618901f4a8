"""Which rows the user left alone, decided in bulk before any per-row work.

A row exactly as exported, or (without a record) exactly as live, is
unchanged: it is neither validated nor diffed. On a 100k-row round trip that
is nearly every row, so these checks are written a column or a dict at a time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import compress, count, repeat
from operator import ne
from typing import Any

from ..schema.model import Column, Endpoint
from ..workbook import ReadRow
from ..workbook.flatten import flatten_columns
from .diff import user_edited_columns
from .live import LiveIndex, key_of
from .model import CellError


def same_as_live(
    rows: Sequence[ReadRow], ids: Sequence[str | None], untouched: Sequence[bool], exported: Mapping[str, Any],
    live: LiveIndex, columns: Sequence[Column],
) -> list[int]:
    """Indexes of rows with no export record entry whose cells are exactly their live record's values.

    Compared column by column over all such rows at once; equal canonical
    values are equal after normalising too, so only the rest need ``three_way``.
    """
    records = live.records
    picked = [(i, r.values, records[rid]) for i, (r, rid, same) in enumerate(zip(rows, ids, untouched, strict=True))
              if not same and rid is not None and not r.errors and rid not in exported and rid in records]
    if not picked:
        return []
    differs: set[int] = set()
    live_cols = flatten_columns([rec for _, _, rec in picked], columns)
    values = [v for _, v, _ in picked]
    for c in columns:
        differs.update(compress(count(), map(ne, map(dict.get, values, repeat(c.name)), live_cols[c.name])))
    return [i for k, (i, _, _) in enumerate(picked) if k not in differs]


def drop_untouched_required(
    ep: Endpoint, rows: list[ReadRow], errors: dict[int, list[CellError]], exported: Mapping[str, Any]
) -> dict[int, list[CellError]]:
    """A blank required cell blocks an update only if the user blanked it.

    The update body starts from the live record, so a cell that was already
    empty when exported (or a column the user added) sends the server's value.
    (Only full-replacement writes check required-on-update at all: ``WritePolicy``.)
    """
    out: dict[int, list[CellError]] = {}
    for r in rows:
        errs = errors.get(r.row)
        if not errs:
            continue
        exp = exported.get(key_of(r.values.get(ep.id_field)) or "")
        if exp is not None:
            errs = [e for e in errs if not (e.message == "required" and key_of(exp.get(e.column or "")) is None)]
        if errs:
            out[r.row] = errs
    return out


def covers_writes(ep: Endpoint, exported: Mapping[str, Any], *, full_replacement: bool = True) -> bool:
    """Whether the export record holds every field the write needs (a partial one needs none of them)."""
    return not full_replacement or all(c.name in exported for c in ep.columns if c.writable)


def has_detail_only(ep: Endpoint, values: Mapping[str, Any]) -> bool:
    return any(c.name in values and not c.in_list for c in ep.columns)


def user_touched(ep: Endpoint, values: Mapping[str, Any], exported: Mapping[str, Any]) -> bool:
    """Whether a row differs from its exported values beyond normalisation (the planner has already
    settled rows that are exactly as exported)."""
    if added_values(ep, values, exported):
        return True  # a column the user added to the sheet, filled in this row: that is an edit
    if all(v == exported.get(k) for k, v in values.items() if k in exported):
        return False
    cols = [c for c in ep.columns if c.name in values]
    return bool(user_edited_columns(cols, values, exported))


def added_values(ep: Endpoint, values: Mapping[str, Any], exported: Mapping[str, Any]) -> list[str]:
    """Writable columns the export did not have, given a value in this row (a blank one means "no opinion")."""
    return [c.name for c in ep.columns
            if c.writable and c.name in values and c.name not in exported and values[c.name] not in (None, "", [])]
