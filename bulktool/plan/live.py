"""Fetch the live records an import is compared against, in as few requests as possible.

List pages cover every row at 100 records a request. Detail GETs happen only
for rows that will be written, and only when the write needs fields the list
lacks and the workbook can't vouch for them (see ``needs_detail``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..connectors.base import Connector
from ..errors import ApiError
from ..progress import NullProgress, Progress
from ..schema.model import Column, Endpoint
from ..workbook import flatten
from ..workbook.meta import record_id
from .matching import column_form, column_forms
from .normalize import same

key_of = record_id  # the workbook's id normaliser: one rule for ids and keys everywhere


def key_form(column: Column | None, value: Any) -> str | None:
    """The form a natural key is *matched* in: its column's match kind (plan.matching).

    A foreign file spells the key its own way ("556898-6787" for the API's "5568986787", "Anna@X.se"),
    so matching folds what cannot tell two records apart; the value shown and written stays as given.
    """
    return key_of(value) if column is None else column_form(column, value)


def key_forms(column: Column | None, values: Iterable[Any]) -> list[str | None]:
    """``key_form`` of each value, a whole column at a time (the duplicate checks fold every row's key)."""
    return column_forms(column, values)


def key_columns(endpoint: Endpoint) -> dict[str, Column]:
    """The natural key fields' columns, by name (a key that is not a column compares as an id)."""
    return {c.name: c for c in endpoint.columns if c.name in endpoint.natural_key}


def row_key(endpoint: Endpoint, values: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """(field, value) of a row's natural key: the first of the template's key fields the row has a value for.

    ``natural_key = ["customerNumber", "organizationNumber"]`` matches on the customer number, and on the
    organisation number where that is blank. No value: (the first key field, None).
    """
    keys = endpoint.natural_key
    if len(keys) == 1:  # the usual template: one key field, no loop
        return keys[0], key_of(values.get(keys[0]))
    for name in keys:
        value = key_of(values.get(name))
        if value is not None:
            return name, value
    return next(iter(endpoint.natural_key), None), None


@dataclass
class LiveIndex:
    records: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> raw list record
    complete: bool = True  # False when only records changed since the export were fetched
    key_fields: tuple[str, ...] = ()  # the natural key fields, in the template's order
    columns: dict[str, Column] = field(default_factory=dict)  # key field -> its column (how it matches)
    _by_key: dict[str, dict[str, list[str]]] = field(default_factory=dict)

    def by_key(self, key_field: str | None) -> dict[str, list[str]]:
        """Key (in its ``key_form``) of ``key_field`` -> ids; built on first use, since a sheet whose rows
        all have ids never asks."""
        if key_field is None or key_field not in self.key_fields:
            return {}
        index = self._by_key.get(key_field)
        if index is None:
            index = defaultdict(list)
            col = self.columns.get(key_field)
            forms = key_forms(col, [item.get(key_field) for item in self.records.values()])
            for rid, k in zip(self.records, forms, strict=True):
                if k is not None:
                    index[k].append(rid)
            self._by_key[key_field] = index
        return index

    def matching(self, key_field: str | None, value: Any) -> list[str]:
        """Ids of the live records whose ``key_field`` matches a row's ``value`` (normalised alike)."""
        if key_field is None or value is None:
            return []
        return self.by_key(key_field).get(key_form(self.columns.get(key_field), value) or "", [])

    def flat(self, endpoint: Endpoint, record_id: str) -> dict[str, Any]:
        rec = self.records.get(record_id)
        if rec is None:
            return {}
        return flatten(rec, _list_columns(endpoint))


_LIST_COLUMNS: dict[tuple[str, str, int], tuple[Column, ...]] = {}


def _list_columns(endpoint: Endpoint) -> tuple[Column, ...]:
    key = (endpoint.system, endpoint.name, endpoint.version)
    cols = _LIST_COLUMNS.get(key)
    if cols is None:
        cols = _LIST_COLUMNS[key] = tuple(c for c in endpoint.columns if c.in_list)
    return cols


def fetch_live(
    connector: Connector,
    endpoint: Endpoint,
    *,
    changed_since: datetime | None = None,
    progress: Progress | None = None,
) -> LiveIndex:
    """Every live record, or (``changed_since``) only those the connector's change feed returns."""
    progress = progress or NullProgress()
    params: dict[str, Any] = connector.changed_since_params(endpoint, changed_since) if changed_since else {}
    progress.task(f"Reading live {endpoint.name}", total=None, unit="pages")

    def on_page(_n: int, total: int | None) -> None:
        progress.advance(1, total=total)

    items = connector.list_endpoint(endpoint, params, on_page=on_page)
    id_field = endpoint.id_field
    records = {rid: item for rid, item in zip([key_of(i.get(id_field)) for i in items], items, strict=True)
               if rid is not None}
    return LiveIndex(records, complete=not params, key_fields=endpoint.natural_key, columns=key_columns(endpoint))


def fetch_details(
    connector: Connector,
    endpoint: Endpoint,
    ids: Iterable[str],
    *,
    concurrency: int = 4,
    progress: Progress | None = None,
) -> dict[str, dict[str, Any] | ApiError]:
    """Detail shapes by id; a failed GET (e.g. the record was deleted) is returned, not raised."""
    wanted = list(dict.fromkeys(ids))
    if not wanted or not endpoint.get_path:
        return {}
    progress = progress or NullProgress()
    progress.task(f"Reading {len(wanted)} {endpoint.name} details", total=len(wanted), unit="records")

    def one(rid: str) -> tuple[str, dict[str, Any] | ApiError]:
        try:
            got: dict[str, Any] | ApiError = connector.get_record(endpoint, rid)
        except ApiError as exc:
            got = exc
        progress.advance(1)
        return rid, got

    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="detail") as pool:
        return dict(pool.map(one, wanted))


def needs_detail(
    endpoint: Endpoint,
    exported: Mapping[str, Any] | None,
    exported_last_updated: Any,
    live_record: Mapping[str, Any] | None,
    *,
    full_replacement: bool = True,
) -> bool:
    """Whether writing this record needs a detail GET.

    Only a full-replacement write needs the whole current record; a partial one sends the changes.

    Not when the template has no detail-only writable fields, nor when the
    workbook was exported with every writable field and the server's
    ``lastUpdated`` still equals the exported one (the record has not changed,
    so the exported values are the server's values).
    """
    if not endpoint.get_path or not full_replacement:
        return False
    detail_writable = [c for c in endpoint.columns if c.writable and not c.in_list]
    if not detail_writable:
        return False
    if exported is None or live_record is None:
        return True
    if any(c.name not in exported for c in endpoint.columns if c.writable):
        return True
    lu = endpoint.last_updated_field
    if not lu or (exported_last_updated is None and live_record.get(lu) is not None):
        return True
    stamp = next((c for c in endpoint.columns if c.name == lu), None)
    if stamp is not None:  # the list record is the server's spelling, the export record the core's
        return not same(stamp, live_record.get(lu), exported_last_updated)
    return bool(key_of(live_record.get(lu)) != key_of(exported_last_updated))
