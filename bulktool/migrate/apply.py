"""A RawTable + one mapping Target -> the ReadSheet the importer plans from, cells cleaned to the template.

Each field's value goes: source cell(s) -> pattern -> part -> transforms -> value map -> the column
type's Nordic-aware parsing (``values``) -> ``workbook.clean``. A lookup column stays text (the lead's
lookups resolve it to ids). A cell that cannot be read becomes ``ReadRow.errors[field]`` naming the
source column and the value, so the plan shows the row invalid instead of importing a guess.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from ..errors import MappingError
from ..plan.matching import text_form
from ..schema.model import Column, Endpoint
from ..workbook import CellValueError, ReadRow, ReadSheet, clean
from ..workbook.table import ROW_ERROR
from .distinct import collapse_distinct
from .mapping import FieldRule, Target, did_you_mean
from .rawtable import RawCell, RawTable
from .transforms import TransformFailed, apply_transforms
from .values import guess_date_format, human_format, parse_bool, parse_date, parse_datetime, parse_number

_LIST_SPLIT = re.compile(r"\s*:::\s*|\s*[,;]\s*")
_NAME_COMMA = re.compile(r"^\s*([^,]+?)\s*,\s*(.+?)\s*$")
_NUMBER_FIRST = re.compile(r"^\s*(\d+\s?[A-Za-z]?)\s+(\D.*?)\s*$")
_STREET_FIRST = re.compile(r"^\s*(.*?\D)\s+(\d.*?)\s*$")
_ANY_DATE = "yyyy-mm-dd, dd.mm.yyyy, d/m/yyyy or dd-mm-yyyy"


@dataclass
class MappedSheet:
    sheet: ReadSheet
    origins: dict[str, str]  # field -> how the file names it ("column 'E-mail 1 - Value'")
    warnings: list[str] = field(default_factory=list)


class _Bad(ValueError):
    """A cell problem; ``str()`` finishes "column 'X': " (it already quotes the value)."""


def lookup_targets(ep: Endpoint, extra: Collection[str] = ()) -> dict[str, Column | None]:
    """Lookup column name -> the id column it fills (None for one only the caller knows of)."""
    out: dict[str, Column | None] = {n: None for n in extra}
    out.update({c.lookup.column: c for c in ep.columns if c.lookup is not None})
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
        raise MappingError(f"{where}: {name!r} {why} of {ep.name}; map a writable column or a lookup"
                           f"{did_you_mean(name, sorted(allowed))}")


def _origin(rule: FieldRule) -> str:
    return f"column {rule.sources[0]!r}" if len(rule.sources) == 1 else \
        "columns " + " + ".join(repr(s) for s in rule.sources)


def _text(cell: RawCell) -> str | None:
    if cell is None:
        return None
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime):
        return cell.isoformat(sep=" ") if cell.time() != datetime.min.time() else cell.date().isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    return str(cell) if str(cell).strip() else None


def _part(part: str, text: str) -> str | None:
    """first/last of a name (on its last space, or "Last, First"); street/number of an address."""
    if part in ("first", "last"):
        m = _NAME_COMMA.match(text)
        first, _, last = (m.group(2), "", m.group(1)) if m else text.strip().rpartition(" ")
        if not first:  # one word: a first name only
            first, last = last, ""
        return (first if part == "first" else last).strip() or None
    m = _NUMBER_FIRST.match(text)
    street, number = (m.group(2), m.group(1)) if m else (text.strip(), "")
    m = None if m else _STREET_FIRST.match(text)
    if m:
        street, number = m.group(1), m.group(2)
    return (street if part == "street" else number).strip() or None


def _refine(rule: FieldRule, cells: list[RawCell]) -> Any:
    """Source cells -> the value before type parsing; _Bad when a step cannot read it."""
    if len(rule.sources) > 1:
        parts = [t.strip() for t in map(_text, cells) if t is not None and t.strip()]
        value: Any = rule.sep.join(parts) if parts else None
    else:
        value = cells[0]
    if not (rule.pattern or rule.part or rule.transforms or rule.values):
        return value
    value = _text(value)
    if value is not None and rule.pattern is not None:
        m = rule.pattern.search(value)
        if m is None:
            raise _Bad(f"{value!r} does not match pattern '{rule.pattern.pattern}'")
        value = m.group(1) if m.re.groups else m.group(0)
    if value is not None and rule.part:
        value = _part(rule.part, value)
    try:
        value = apply_transforms(rule.transforms, value)
    except TransformFailed as exc:
        raise _Bad(f"{value!r} {exc}") from None
    if rule.values:
        key = text_form(value) if isinstance(value, str) else None
        if (key or "") in rule.values and (value is None or isinstance(value, str)):
            return rule.values[key or ""]
    return value


def _typed(col: Column | None, lookup: bool, value: Any, fmt: str | None) -> Any:
    """A refined value -> its API form for ``col``'s type (text for a lookup column)."""
    if isinstance(value, str) and not value.strip():
        return None
    if value is None:
        return None
    if lookup:
        text = _text(value) or ""
        if col is not None and col.type == "int_list":
            return [p for p in _LIST_SPLIT.split(text.strip()) if p] or None
        return text.strip() or None
    typ = col.type if col is not None else "string"
    if isinstance(value, str):
        value = _from_text(typ, value, fmt)
    try:
        return clean(typ, value)
    except CellValueError as exc:
        raise _Bad(str(exc)) from None


def _from_text(typ: str, text: str, fmt: str | None) -> Any:
    if typ in ("integer", "decimal"):
        d = parse_number(text, currency=typ == "decimal")
        if d is None or (typ == "integer" and d != d.to_integral_value()):
            raise _Bad(f"{text!r} is not a {'whole number' if typ == 'integer' else 'number'}")
        return d if typ == "decimal" else int(d)
    if typ == "boolean":
        b = parse_bool(text)
        if b is None:
            raise _Bad(f"{text!r} is not true or false (Ja/Nej, SANT/FALSKT, Yes/No, 1/0)")
        return b
    if typ in ("date", "datetime") and fmt:
        got = parse_date(text, fmt) if typ == "date" else parse_datetime(text, fmt)
        if got is None:
            raise _Bad(f"{text!r} is not a date ({human_format(fmt)})")
        return got
    if typ in ("date", "datetime"):
        try:
            return clean(typ, text)
        except CellValueError:
            raise _Bad(f"{text!r} is not a date ({_ANY_DATE})") from None
    if typ == "int_list":
        return [p for p in _LIST_SPLIT.split(text.strip()) if p]
    if typ == "string_list" and ":::" in text:
        return [p.strip() for p in text.split(":::") if p.strip()]
    return text


def _date_format(texts: list[str], given: str | None, origin: str, warnings: list[str]) -> str | None:
    """The explicit format, else the one that reads every value (day-first on a tie, with a warning)."""
    if given:
        return given
    fmt, tie = guess_date_format(texts)
    if fmt and tie:
        sample = next(t for t in texts if t.strip())
        warnings.append(f"{origin}: dates such as {sample!r} read day-first and month-first alike; read as "
                        f"{human_format(fmt)} (--date-format overrides)")
    if fmt is None and texts:  # some values are bad: the format most of them use names the error
        counts = {f: sum(parse_datetime(t, f) is not None for t in texts) for f in
                  ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%m/%d/%Y", "%d-%m-%Y")}
        best = max(counts, key=lambda f: counts[f])
        fmt = best if counts[best] else None
    return fmt


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
    unmapped = [h for h in table.headers if h and h not in used]
    if unmapped:
        warnings.append(f"{table.name}: {len(unmapped)} column(s) not mapped (list them in skip = [...] "
                        f"to silence this): {', '.join(repr(h) for h in unmapped)}")
    raws = [r for r in table.rows if r.error or any(_text(c) is not None for c in r.cells)]
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
                refined.append(_refine(rule, [raw.cells[index[s]] if index[s] < len(raw.cells) else None
                                              for s in rule.sources]))
            except _Bad as exc:
                refined.append(None)
                row.errors[rule.target] = f"{origin}: {exc}"
        fmt = None
        if col is not None and col.type in ("date", "datetime") and not is_lookup:
            fmt = _date_format([v for v in refined if isinstance(v, str) and v.strip()], date_format, origin,
                               warnings)
        checkbox = col is not None and col.type == "boolean" and not is_lookup and any(
            isinstance(v, str) and v.strip().casefold() == "x" for v in refined)
        for row, value in zip(out, refined, strict=True):
            if rule.target in row.errors:
                continue
            try:
                got = _typed(col, is_lookup, value, fmt)
            except _Bad as exc:
                row.errors[rule.target] = f"{origin}: {exc}"
                continue
            row.values[rule.target] = False if checkbox and got is None else got
    for name, value in target.constants.items():
        origin = origins[name] = target.constant_origins.get(name, f"constant {name}")
        for row in out:
            try:
                row.values[name] = _typed(lookups.get(name) or columns.get(name), name in lookups, value, date_format)
            except _Bad as exc:
                row.errors[name] = f"{origin}: {exc}"
    if target.distinct:
        out = collapse_distinct(out, [r.target for r in rules], ep, columns)
    sheet = ReadSheet(target.name or ep.name, names, out)
    return MappedSheet(sheet, origins, warnings)
