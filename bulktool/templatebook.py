"""``bulktool template``: a blank import workbook for one endpoint, with its lookup lists fetched live.

A new user should not need to know the API's ids or formats to fill in a first import: the workbook
shows only what an import writes, says on each header what goes there, checks the cells as they are
typed, and offers the referenced records by name (users, tags, countries...) from the account itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import UsageError
from .plan.lookup_index import by_label
from .plan.lookups import LookupCache
from .plan.matching import text_form
from .schema import get_endpoint
from .schema.lookup_check import JOIN, by_parts
from .schema.model import Column, Endpoint, Lookup
from .workbook.blank import DEFAULT_ROWS, LOOKUPS_SHEET, BlankColumn, example, write_blank
from .workbook.flatten import flatten

_TYPE_TEXT = {
    "string": "text", "integer": "whole number", "decimal": "number (decimal point or comma)",
    "boolean": "TRUE or FALSE", "date": "date, yyyy-mm-dd", "datetime": "date and time, yyyy-mm-dd hh:mm:ss (UTC)",
    "time": "time, HH:MM (24-hour)", "int_list": "whole numbers separated by ', '",
    "string_list": "texts separated by ', '", "json": "JSON",
}


@dataclass
class TemplateResult:
    """What was written: the sheet's headers, each lookup list's size, and what it cost."""

    path: Path
    endpoint: str
    headers: list[str]
    lookups: dict[str, int] = field(default_factory=dict)  # lookup column -> values listed
    list_reads: int = 0  # one per referenced endpoint
    requests: int = 0


def template_columns(ep: Endpoint) -> list[Column]:
    """The columns an import of ``ep`` reads: the writable ones and the natural key, in template order."""
    keys = set(ep.natural_key)
    return [c for c in ep.columns if c.writable or c.name in keys]


def blank_columns(ep: Endpoint, lookups: Mapping[str, Sequence[str]] | None = None) -> list[BlankColumn]:
    """The headers of the blank sheet; a column with a lookup appears as its lookup column instead."""
    out: list[BlankColumn] = []
    for col in template_columns(ep):
        lk = col.lookup
        header = lk.column if lk is not None else col.name
        listed = None if lookups is None or lk is None else lookups.get(lk.column, ())
        out.append(BlankColumn(header, col, header_note(ep, col, listed), lk))
    return out


def header_note(ep: Endpoint, col: Column, listed: Sequence[str] | None = None) -> str:
    """The header's comment: required or not, type, limits, allowed values, an example, how to name a record."""
    if col.required_create and col.required_update:
        lines = ["Required (on create and update)."]
    elif col.required_create:
        lines = ["Required on create."]
    elif col.required_update:
        lines = ["Required on update (optional on create)."]
    else:
        lines = ["Optional."]
    lk = col.lookup
    if lk is not None:
        lines += _lookup_lines(col, lk, listed)
    else:
        lines.append(f"Type: {_TYPE_TEXT.get(col.type, col.type)}.")
        if col.enum:
            lines.append("Allowed values: " + ", ".join(col.enum) + ".")
        if col.max_length is not None:
            lines.append(f"At most {col.max_length:,} characters.")
        if col.pattern:
            lines.append(f"Must match the pattern {col.pattern}")
        if col.decimals is not None and col.type == "decimal":
            lines.append(f"Up to {col.decimals} decimals.")
        if col.minimum is not None or col.maximum is not None:
            lo = "" if col.minimum is None else f"from {col.minimum:g} "
            hi = "" if col.maximum is None else f"to {col.maximum:g}"
            lines.append(f"Range: {lo}{hi}".rstrip() + ".")
        lines.append(f"Example: {example(col)}")
    if col.name in ep.natural_key:
        lines.append("Natural key: a row without an id updates the record with this value, if one exists.")
    if not col.writable:
        lines.append("Used to match existing records; not written.")
    if not col.nullable and col.writable:
        lines.append("Cannot be emptied: an update with this cell empty is refused.")
    if col.create_default is not None:
        lines.append(f"Left empty on create: {_shown(col.create_default)}.")
    if col.server_assigns:
        lines.append("Left empty: the API assigns one.")
    if col.description:
        lines.append(col.description[:400])
    return "\n".join(lines)


def _lookup_lines(col: Column, lk: Lookup, listed: Sequence[str] | None) -> list[str]:
    by = " or ".join(b.replace(JOIN, " + ") for b in lk.by)
    lines = [f"Name the {lk.endpoint} record by {by} (sent as {col.name}, its id)."]
    if col.type == "int_list":
        lines.append("Several: separate them with ', '.")
    if listed is None:
        lines.append(f"The {LOOKUPS_SHEET} sheet was not fetched for this workbook.")
    else:
        lines.append(f"The {LOOKUPS_SHEET} sheet lists its {len(listed):,} current values (the dropdown); "
                     "a value named another way is accepted after a warning.")
        if listed:
            lines.append(f"Example: {listed[0]}")
    return lines


def _shown(value: object) -> str:
    return ("TRUE" if value else "FALSE") if isinstance(value, bool) else str(value)


def listed_by(lk: Lookup, target: Endpoint) -> str:
    """The ``by`` entry the Lookups sheet lists: the first one the list shape carries (no per-record reads)."""
    in_list = {c.name for c in target.columns if c.in_list}
    return next((b for b in lk.by if all(p in in_list for p in by_parts(b))), lk.by[0])


def fetch_lookups(reader: LookupCache, ep: Endpoint, templates: Mapping[str, Endpoint]) -> dict[str, list[str]]:
    """Each lookup column's valid values, sorted: the ``listed_by`` value of every record of the referenced list.

    ``reader`` reads each list once (``plan.lookups.LookupCache``: the import's own cache, the same reads).
    """
    out: dict[str, list[str]] = {}
    for col in template_columns(ep):
        lk = col.lookup
        if lk is None:
            continue
        target = templates.get(lk.endpoint)
        if target is None:
            raise UsageError(f"{ep.name} column {col.name}: its lookup names {lk.endpoint!r}, which is not a "
                             f"{ep.system} endpoint")
        by, cols = listed_by(lk, target), list(target.columns)
        # Labelled as the import's messages name them; one per normal form ("Anna" and "anna " are one name).
        labels = {text_form(label) or label: label for r in reader.records(lk.endpoint)
                  if (label := by_label(by, flatten(r, cols))) is not None}
        out[lk.column] = sorted(labels.values(), key=lambda v: (v.casefold(), v))
    return out


def write_template(
    connector: Any | None, system: str, endpoint: str, path: Path, *, rows: int = DEFAULT_ROWS,
) -> TemplateResult:
    """Write the blank workbook for ``endpoint``; ``connector`` None leaves the Lookups sheet out."""
    ep = get_endpoint(system, endpoint)
    if "create" not in ep.operations and "update" not in ep.operations:
        raise UsageError(f"{ep.name} is read-only in the API: there is nothing to import, so no template")
    result = TemplateResult(path, ep.name, [])
    lookups: dict[str, list[str]] | None = None
    if connector is not None and any(c.lookup for c in template_columns(ep)):
        stats = connector.client.stats
        before = stats.total
        cache = LookupCache(connector)
        lookups = fetch_lookups(cache, ep, cache.templates)
        result.list_reads = cache.reads
        result.requests = stats.total - before
        result.lookups = {k: len(v) for k, v in lookups.items()}
    columns = blank_columns(ep, lookups)
    result.headers = [b.header for b in columns]
    write_blank(path, ep.name, columns, lookups or {}, rows=rows)
    return result
