"""``distinct = true``: one record per distinct mapped row, for a company named on every contact row.

A HubSpot or CRM export repeats the company's columns on each person's row. Rows whose mapped values
are identical are one record (the first row's number is kept, so messages point at it); rows that share
the template's natural key but disagree elsewhere cannot be told apart safely, so both are invalid.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from ..plan.matching import column_form
from ..schema.model import Column, Endpoint
from ..workbook import ReadRow
from ..workbook.table import ROW_ERROR


def _fingerprint(row: ReadRow) -> str:
    return json.dumps([sorted(row.values.items()), sorted(row.errors.items())], default=str, sort_keys=True)


def collapse_distinct(
    rows: Sequence[ReadRow], mapped: Sequence[str], ep: Endpoint, columns: Mapping[str, Column]
) -> list[ReadRow]:
    """The first of each group of identical rows; rows with none of ``mapped`` filled are dropped."""
    key_cols = [columns[k] for k in ep.natural_key if k in columns and k in mapped]
    seen: dict[str, ReadRow] = {}
    by_key: dict[tuple[str | None, ...], ReadRow] = {}
    out: list[ReadRow] = []
    for row in rows:
        if all(row.values.get(f) is None for f in mapped) and not row.errors:
            continue
        fp = _fingerprint(row)
        if fp in seen:
            continue
        seen[fp] = row
        out.append(row)
        key = tuple(column_form(c, row.values.get(c.name)) for c in key_cols)
        if not key_cols or all(k is None for k in key):
            continue
        other = by_key.get(key)
        if other is None:
            by_key[key] = row
            continue
        differ = [f for f in mapped if _differs(other.values.get(f), row.values.get(f))]
        for a, b in ((row, other), (other, row)):
            named = ", ".join(f"{c.name}={a.values.get(c.name)!r}" for c in key_cols)
            a.errors.setdefault(ROW_ERROR, f"{named} is also on row {b.row} with other values "
                                           f"({', '.join(differ)}); rows naming one record must agree")
    return out


def _differs(a: Any, b: Any) -> bool:
    return bool(a != b)
