"""A RawTable + one mapping Target -> the ReadSheet the importer plans from, cells cleaned to the template.

Each field's value goes: source cell(s) -> pattern -> part -> transforms -> value map -> the column
type's Nordic-aware parsing (``values``) -> ``workbook.clean``. A lookup column stays text (the lead's
lookups resolve it to ids). A cell that cannot be read becomes ``ReadRow.errors[field]`` naming the
source column and the value, so the plan shows the row invalid instead of importing a guess.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import MappingError
from ..messages import did_you_mean
from ..schema.model import Column, Endpoint
from ..workbook import ReadRow, ReadSheet
from ..workbook.table import ROW_ERROR
from .distinct import collapse_distinct
from .mapping import FieldRule, Mapping, Target
from .rawtable import RawTable
from .refine import CellProblem, cell_text, pick_date_format, refine, typed


@dataclass
class MappedSheet:
    sheet: ReadSheet
    origins: dict[str, str]  # field -> how the file names it ("column 'E-mail 1 - Value'")
    warnings: list[str] = field(default_factory=list)


def lookup_targets(ep: Endpoint, extra: Collection[str] = ()) -> dict[str, Column | None]:
    """Lookup column name -> the id column it fills (None for one only the caller knows of)."""
    out: dict[str, Column | None] = {n: None for n in extra}
    out.update(ep.lookup_columns)
    return out


def _allowed(ep: Endpoint, lookups: Collection[str]) -> set[str]:
    keys = {ep.id_field, *ep.natural_key}
    return {c.name for c in ep.columns if c.writable or c.name in keys} | set(lookups)


def check_target(target: Target, ep: Endpoint, lookup_columns: Collection[str] = ()) -> None:
    """MappingError (line and key) for a field that is no writable column, id, natural key or lookup."""
    allowed = _allowed(ep, lookup_targets(ep, lookup_columns))
    columns = {c.name: c for c in ep.columns}
    wheres = [(r.target, r.where) for r in target.fields] + list(target.constant_origins.items())
    for name, where in wheres:
        if name in allowed:
            continue
        col = columns.get(name)
        why = "is read-only" if col is not None else "is not a column"
        prefix = name.rpartition(".")[0]
        by_name = [lk for lk, idc in lookup_targets(ep).items() if idc is not None and prefix
                   and idc.name.startswith(prefix + ".")]
        hint = (f" (map the lookup column {by_name[0]!r} to name the record)" if by_name
                else did_you_mean(name, sorted(allowed)))
        raise MappingError(f"{where}: {name!r} {why} of {ep.name}; map a writable column or a lookup{hint}")
    named = dict(wheres)
    for lookup, col in lookup_targets(ep).items():
        if col is not None and lookup in named and col.name in named:
            raise MappingError(f"{named[lookup]}: {lookup!r} names the record that {col.name!r} gives by id; "
                               f"map one of them (the other is at {named[col.name]})")


def _origin(rule: FieldRule) -> str:
    return f"column {rule.sources[0]!r}" if len(rule.sources) == 1 else \
        "columns " + " + ".join(repr(s) for s in rule.sources)


def _identity(target: Target, table: RawTable, allowed: Collection[str]) -> tuple[FieldRule, ...]:
    return tuple(FieldRule(h, (h,), f"column {h!r}") for h in table.headers
                 if h in allowed and h not in target.constants)


def apply_mapping(
    table: RawTable, target: Target, ep: Endpoint, *, date_format: str | None = None,
    lookup_columns: Collection[str] = (),
) -> MappedSheet:
    """Map ``table`` onto ``ep`` as ``target`` says; MappingError for a rule the file or template cannot meet."""
    lookups = lookup_targets(ep, lookup_columns)
    check_target(target, ep, lookups)
    columns = {c.name: c for c in ep.columns}
    rules = target.fields or _identity(target, table, _allowed(ep, lookups))
    index = {h: i for i, h in enumerate(table.headers)}
    for rule in rules:
        for src in rule.sources:
            if src not in index:
                raise MappingError(f"{rule.where}: the file {table.name!r} has no column {src!r}"
                                   f"{did_you_mean(src, table.headers)}")
    warnings: list[str] = []
    used = {s for r in rules for s in r.sources} | set(target.skip)
    for name in target.skip:
        if name not in index:
            warnings.append(f"{table.name}: skip names {name!r}, which the file has no column of"
                            f"{did_you_mean(name, table.headers)}")
    unmapped = [h for h in table.headers if h and h not in used]
    if unmapped:
        warnings.append(f"{table.name}: {len(unmapped)} column(s) not mapped (list them in skip = [...] "
                        f"to silence this): {', '.join(repr(h) for h in unmapped)}")
    raws = [r for r in table.rows if r.error or any(cell_text(c) is not None for c in r.cells)]
    names = [r.target for r in rules] + [f for f in target.constants if f not in {r.target for r in rules}]
    out = [ReadRow(r.row, dict.fromkeys(names)) for r in raws]
    for row, raw in zip(out, raws, strict=True):
        if raw.error:
            row.errors[ROW_ERROR] = raw.error
    origins: dict[str, str] = {}
    for rule in rules:
        origin = origins[rule.target] = _origin(rule)
        col, is_lookup = columns.get(rule.target), rule.target in lookups
        if is_lookup:
            col = lookups[rule.target] or col
        refined: list[Any] = []
        for row, raw in zip(out, raws, strict=True):
            try:
                refined.append(refine(rule, [raw.cells[index[s]] if index[s] < len(raw.cells) else None
                                              for s in rule.sources]))
            except CellProblem as exc:
                refined.append(None)
                row.errors[rule.target] = f"{origin}: {exc}"
        fmt = None
        if col is not None and col.type in ("date", "datetime") and not is_lookup:
            fmt = pick_date_format([v for v in refined if isinstance(v, str) and v.strip()], date_format, origin,
                                   warnings)
        checkbox = col is not None and col.type == "boolean" and not is_lookup and any(
            isinstance(v, str) and v.strip().casefold() == "x" for v in refined)
        for row, value in zip(out, refined, strict=True):
            if rule.target in row.errors:
                continue
            try:
                got = typed(col, is_lookup, value, fmt)
            except CellProblem as exc:
                row.errors[rule.target] = f"{origin}: {exc}"
                continue
            row.values[rule.target] = False if checkbox and got is None else got
    for name, value in target.constants.items():
        origin = origins[name] = target.constant_origins.get(name, f"constant {name}")
        for row in out:
            try:
                row.values[name] = typed(lookups.get(name) or columns.get(name), name in lookups, value, date_format)
            except CellProblem as exc:
                row.errors[name] = f"{origin}: {exc}"
    if target.distinct:
        out = collapse_distinct(out, [r.target for r in rules], ep, columns)
    sheet = ReadSheet(target.name or ep.name, names, out)
    return MappedSheet(sheet, origins, warnings)


def table_for(target: Target, tables: Sequence[RawTable]) -> RawTable:
    """The table a target reads: its ``sheet`` (case aside), else the only or first one."""
    if not tables:
        raise MappingError(f"{target.where or target.name}: the file has no sheet to read")
    if target.sheet is None:
        return tables[0]
    for t in tables:
        if t.name == target.sheet:
            return t
    folded = [t for t in tables if t.name.casefold() == target.sheet.casefold()]
    if len(folded) == 1:
        return folded[0]
    names = [t.name for t in tables]
    raise MappingError(f"{target.where or target.name}: the file has no sheet {target.sheet!r}"
                       f"{did_you_mean(target.sheet, names)} (sheets: {', '.join(repr(n) for n in names)})")


def map_tables(
    tables: Sequence[RawTable], mapping: Mapping, endpoint_of: Callable[[str], Endpoint], *,
    date_format: str | None = None, lookup_columns: Collection[str] = (),
) -> list[MappedSheet]:
    """Every target of ``mapping`` applied to its table; ``date_format`` (--date-format) beats the file's.

    ``endpoint_of`` names the template of an endpoint (the CLI's system lookup, UnknownEndpoint if none).
    """
    out: list[MappedSheet] = []
    for target in mapping.targets:
        if not target.endpoint:
            raise MappingError(f"{mapping.path or 'the mapping'}: no endpoint; name it in the file "
                               "(endpoint = \"contacts\") or with --endpoint")
        out.append(apply_mapping(table_for(target, tables), target, endpoint_of(target.endpoint),
                                 date_format=date_format or mapping.date_format, lookup_columns=lookup_columns))
    return out
