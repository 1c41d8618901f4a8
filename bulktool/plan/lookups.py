"""Reference columns named by a human value: "Anna Svensson" instead of ``responsible.id`` 17.

Why: a migration file names the salesperson, the country "Sverige" and the customer's org number; nobody
knows the ids. Each referenced template's list is read once per run (``LookupCache``), values compare in
the normal form of their field (``plan.matching``), and a value must name exactly one record. Unknown or
ambiguous values make the row invalid with up to three closest candidates: a first match is never taken.
A value that names no live record but a row of this same run that creates one becomes a ``Pending``
reference, filled in once that row is written (``plan.waves``).
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from ..connectors.base import Connector
from ..progress import NullProgress, Progress
from ..schema import load_templates
from ..schema.lookup_check import JOIN
from ..schema.model import Column, Endpoint, Lookup
from ..workbook import ReadRow
from ..workbook.parsing import short
from .live import fetch_details, key_of
from .lookup_index import MAX_CANDIDATES, LookupIndex, by_label, by_value, detail_only, query_form
from .pending import Pending
from .source import Source

__all__ = ["MAX_CANDIDATES", "InRun", "LookupCache", "LookupIndex", "by_label", "by_value", "in_run_index",
           "query_form", "resolve_lookups"]



class LookupCache:
    """The one place lookup lists are read: each referenced template once per run, whatever the row count."""

    def __init__(self, connector: Connector, progress: Progress | None = None) -> None:
        self.connector = connector
        self.progress = progress or NullProgress()
        self.templates = load_templates(connector.system)
        self.reads = 0  # list reads made (one per referenced template)
        self._records: dict[str, list[dict[str, Any]]] = {}
        self._indexes: dict[tuple[str, tuple[str, ...], bool], LookupIndex] = {}
        self._lock = threading.Lock()

    def records(self, endpoint: str) -> list[dict[str, Any]]:
        """Every record of ``endpoint``'s list (raw API records), read on first use."""
        with self._lock:
            got = self._records.get(endpoint)
            if got is None:
                self.progress.task(f"Reading {endpoint} for lookups", total=None, unit="pages")

                def on_page(_n: int, total: int | None) -> None:
                    self.progress.advance(1, total=total)

                got = self._records[endpoint] = self.connector.list_endpoint(self.templates[endpoint], {},
                                                                             on_page=on_page)
                self.reads += 1
            return got

    def index(self, lookup: Lookup, *, details: bool = False) -> LookupIndex:
        """The list's index; ``details``: built from every record's detail, for ``by`` fields the list lacks."""
        key = (lookup.endpoint, lookup.by, details)
        idx = self._indexes.get(key)
        if idx is None:
            target = self.templates[lookup.endpoint]
            records = self.details(lookup.endpoint) if details else self.records(lookup.endpoint)
            idx = self._indexes[key] = LookupIndex.build(target, lookup.by, records)
        return idx

    def details(self, endpoint: str) -> list[dict[str, Any]]:
        """Every record's detail: read only when a value names a record by a field its list does not carry
        (a user list without the email), once per run."""
        target = self.templates[endpoint]
        with self._lock:
            got = self._records.get(endpoint + "#detail")
        if got is not None:
            return got
        ids = [rid for r in self.records(endpoint) if (rid := key_of(r.get(target.id_field))) is not None]
        fetched = fetch_details(self.connector, target, ids)
        got = [rec for rec in fetched.values() if isinstance(rec, dict)]
        with self._lock:
            self._records[endpoint + "#detail"] = got
            self.reads += len(ids)
        return got


# A row of this run that creates a record another row may name: endpoint -> (by, form) -> (sheet, row)s.
InRun = dict[str, dict[tuple[str, str], list[tuple[str, int]]]]


def in_run_index(parts: Sequence[Source]) -> InRun:
    """Every row of the run, indexed by each field any lookup of the run compares on its template."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for part in parts:
        for lk in (c.lookup for c in part.endpoint.columns if c.lookup is not None):
            if lk.column in part.sheet.columns:
                wanted[lk.endpoint].update(lk.by)
    out: InRun = {}
    for part in parts:
        fields = wanted.get(part.endpoint.name)
        if not fields:
            continue
        idx = out.setdefault(part.endpoint.name, defaultdict(list))
        for r in part.sheet.rows:
            for b in fields:
                form = by_value(part.endpoint, b, r.values)
                if form is not None:
                    idx[(b, form)].append((part.sheet.name, r.row))
    return out


def resolve_sources(connector: Connector, sources: Sequence[Source], progress: Progress | None = None) -> None:
    """Every unresolved source's lookups through one cache (one list read per referenced template for them
    all), a value naming a row of any of them becoming a Pending; each source's requests are added to its
    ``lookup_requests`` for its plan's read count."""
    todo = [s for s in sources if not s.lookups_resolved]
    if not todo:
        return
    cache, in_run = LookupCache(connector, progress), in_run_index(sources)
    for source in todo:
        before = connector.client.stats.total
        resolve_lookups(cache, source, in_run)
        source.lookup_requests += connector.client.stats.total - before


def resolve_lookups(cache: LookupCache, source: Source, in_run: InRun | None = None) -> None:
    """Fill each lookup column's id column from its human value (or ``source.pending``); mark bad rows."""
    if source.lookups_resolved:
        return
    source.lookups_resolved = True
    present = {name: col for name, col in source.endpoint.lookup_columns.items() if name in source.sheet.columns}
    for name, col in present.items():
        lk = col.lookup
        assert lk is not None
        target = cache.templates.get(lk.endpoint)
        if target is None:
            continue
        if col.name not in source.sheet.columns:
            source.sheet.columns.append(col.name)
        idx = cache.index(lk)
        if detail_only(target, lk.by) and target.get_path:
            idx.more = lambda lk=lk: cache.index(lk, details=True)  # type: ignore[misc]
        runs = (in_run or {}).get(lk.endpoint, {})
        where = f"{source.origins[name]}: " if name in source.origins else ""  # a mapped file's own header
        for r in source.sheet.rows:
            if name in r.errors:
                continue
            raw = r.values.get(name)
            if raw in (None, "", []):
                continue
            if col.type == "int_list":
                _resolve_list(r, name, col, raw, target, idx, where)
            else:
                _resolve_one(source, r, name, col, raw, target, idx, runs, where)


def _resolve_one(
    source: Source, r: ReadRow, name: str, col: Column, raw: object, target: Endpoint, idx: LookupIndex,
    runs: Mapping[tuple[str, str], list[tuple[str, int]]], where: str,
) -> None:
    ids = idx.find(target, raw)
    if not ids and detail_only(target, idx.by) and idx.more is not None:
        ids = idx.more().find(target, raw)
    if len(ids) == 1:
        _set(r, name, col, _typed_id(col, ids[0]), where)
        return
    if len(ids) > 1:
        listed = ", ".join(f"{idx.labels.get(i, i)} (id {i})" for i in ids[:MAX_CANDIDATES])
        more = f" and {len(ids) - MAX_CANDIDATES} more" if len(ids) > MAX_CANDIDATES else ""
        r.errors[name] = (f"{where}{short(raw)} matches {len(ids)} {target.name} records: {listed}{more}; "
                          f"name it by a field that tells them apart ({', '.join(_by_names(col))})")
        return
    rows = _run_rows(target, col, raw, runs, source, r)
    if len(rows) == 1:
        sheet, row = rows[0]
        source.pending.setdefault(r.row, {})[col.name] = Pending(sheet, row, target.name)
        return
    if len(rows) > 1:
        named = ", ".join(f"row {n}" if s == source.sheet.name else f"{s} row {n}" for s, n in rows[:5])
        r.errors[name] = f"{where}{short(raw)} names {len(rows)} rows of this import ({named}); it must name one"
        return
    r.errors[name] = _unknown(where, raw, target, col, idx)


def _run_rows(target: Endpoint, col: Column, raw: object, runs: Mapping[tuple[str, str], list[tuple[str, int]]],
              source: Source, r: ReadRow) -> list[tuple[str, int]]:
    assert col.lookup is not None
    found: list[tuple[str, int]] = []
    for b in col.lookup.by:
        form = query_form(target, b, raw)
        for hit in runs.get((b, form or ""), ()):
            if hit not in found and hit != (source.sheet.name, r.row):
                found.append(hit)
    return found


def _resolve_list(r: ReadRow, name: str, col: Column, raw: object, target: Endpoint, idx: LookupIndex,
                  where: str) -> None:
    items = raw if isinstance(raw, list) else [p for p in str(raw).replace(";", ",").split(",")]
    out: list[int | str] = []
    for item in (i for i in items if str(i).strip()):
        ids = idx.find(target, item)
        if not ids and idx.more is not None:
            ids = idx.more().find(target, item)
        if len(ids) != 1:
            r.errors[name] = (_unknown(where, item, target, col, idx) if not ids else
                              f"{where}{short(item)} matches {len(ids)} {target.name} records "
                              f"({', '.join(idx.labels.get(i, i) for i in ids[:MAX_CANDIDATES])})")
            return
        rid = ids[0]
        if rid not in [str(o) for o in out]:
            out.append(_typed_id(col, rid))
    _set(r, name, col, out, where)


def _typed_id(col: Column, rid: str) -> int | str:
    """The id in the id column's own type: a number for integer ids, the text for codes and GUIDs."""
    return int(rid) if col.type != "string" and rid.lstrip("-").isdigit() else rid


def _set(r: ReadRow, name: str, col: Column, value: object, where: str) -> None:
    given = r.values.get(col.name)
    if given not in (None, "", []) and key_of(given) != key_of(value) and given != value:
        r.errors[name] = f"{where}names id {short(value)} but {col.name} says {short(given)}; keep one of them"
        return
    r.values[col.name] = value


def _by_names(col: Column) -> list[str]:
    assert col.lookup is not None
    return [b.replace(JOIN, " ") for b in col.lookup.by]


def _unknown(where: str, raw: object, target: Endpoint, col: Column, idx: LookupIndex) -> str:
    near = idx.candidates(raw)
    hint = f"; closest: {', '.join(repr(c) for c in near)}" if near else ""
    by = ", ".join(_by_names(col))
    as_id = (f"; an id goes in column {col.name}" if str(raw).strip().isdigit()
             and not any(_kind(target, b) == "number" for b in _by_names(col)) else "")
    return f"{where}no {target.name} record matches {short(raw)} (by {by}){hint}{as_id}"


def _kind(target: Endpoint, by: str) -> str:
    col = next((c for c in target.columns if c.name == by), None)
    return col.match_kind if col is not None else "text"
