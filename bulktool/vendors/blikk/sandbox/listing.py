"""Paging, sorting and filtering with the documented rules and 400 messages.

Query parameter names bind case-insensitively (the docs themselves write ``sortorder`` and
``filter.tagids``). Unknown filters are ignored; bad values for known ones are 400s.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bulktool.sandbox.invalid import Invalid
from bulktool.sandbox.store import Record, Store

from .util import parse_dt, sort_value

SortKey = Callable[[Store, Record], Any]
Predicate = Callable[[Store, Record, Any], bool]


@dataclass(frozen=True)
class Filter:
    name: str  # documented spelling, e.g. "tagIds"
    kind: str  # string | int | intarray | datetime | bool | enum
    test: Predicate
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class ListSpec:
    resource: str
    sorts: dict[str, SortKey]  # documented spelling -> key
    filters: tuple[Filter, ...] = ()
    scope: Callable[[Store, Record, dict[str, Any]], bool] | None = None  # e.g. comments of one task
    extra: dict[str, Any] = field(default_factory=dict)


def _label(name: str) -> str:
    return name[:1].upper() + name[1:]


def _parse_int(raw: str) -> int | None:
    try:
        return int(raw.strip())
    except ValueError:
        return None


def _parse_filter(f: Filter, raw: str) -> tuple[bool, Any]:
    text = raw.strip()
    if f.kind == "string":
        return True, raw
    if f.kind == "int":
        value = _parse_int(text)
        return value is not None, value
    if f.kind == "intarray":
        parts = [p for p in text.split(",") if p.strip()]
        values = [_parse_int(p) for p in parts]
        return all(v is not None for v in values), values
    if f.kind == "datetime":
        dt = parse_dt(text)
        return dt is not None, dt
    if f.kind == "bool":
        return text.lower() in ("true", "false"), text.lower() == "true"
    if f.kind == "enum":
        match = next((c for c in f.choices if c.lower() == text.lower()), None)
        return match is not None, match
    raise ValueError(f"unknown filter kind {f.kind}")


def run_list(
    store: Store,
    spec: ListSpec,
    query: dict[str, str],
    render: Callable[[Store, Record], Any],
    scope_args: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Answer a list request: validate every parameter, then filter, sort and page."""
    q = {k.lower(): v for k, v in query.items()}
    errors: dict[str, list[str]] = {}
    page = _parse_int(q["page"]) if q.get("page", "").strip() else 0
    if "page" in q and q["page"].strip() and page is None:
        errors["page"] = [f"The value '{q['page']}' is not valid for Page."]
    elif page is None or page < 1:
        errors["page"] = ["The field Page must be greater than or equal to 1."]
    size: int | None = 25
    if q.get("pagesize", "").strip():
        size = _parse_int(q["pagesize"])
        if size is None:
            errors["pageSize"] = [f"The value '{q['pagesize']}' is not valid for PageSize."]
        elif not 1 <= size <= 100:
            errors["pageSize"] = ["The field PageSize must be between 1 and 100."]
    sort_key: SortKey | None = None
    raw_sort = q.get("sortby", "").strip()
    if raw_sort:
        name = next((n for n in spec.sorts if n.lower() == raw_sort.lower()), None)
        if name is None:
            errors["sortBy"] = [
                f"The value '{raw_sort}' is not valid for SortBy. Valid values are: {', '.join(spec.sorts)}."
            ]
        else:
            sort_key = spec.sorts[name]
    raw_order = q.get("sortorder", "").strip().lower()
    if raw_order and raw_order not in ("ascending", "descending"):
        errors["sortOrder"] = [
            f"The value '{q['sortorder']}' is not valid for SortOrder. "
            "Valid values are: ascending, descending."
        ]
    active: list[tuple[Filter, Any]] = []
    for f in spec.filters:
        raw = q.get(f"filter.{f.name.lower()}")
        if raw is None or (not raw.strip() and f.kind != "string"):
            continue
        ok, value = _parse_filter(f, raw)
        if not ok:
            hint = f" Valid values are: {', '.join(f.choices)}." if f.choices else ""
            errors[f"filter.{f.name}"] = [f"The value '{raw}' is not valid for {_label(f.name)}.{hint}"]
        elif f.kind != "string" or raw.strip():
            active.append((f, value))
    if errors:
        raise Invalid(errors)
    assert page is not None and size is not None
    records = store.all(spec.resource)
    if spec.scope is not None:
        records = [r for r in records if spec.scope(store, r, scope_args or {})]
    for f, value in active:
        records = [r for r in records if f.test(store, r, value)]
    descending = raw_order == "descending"
    if sort_key is not None:
        key = sort_key
        records.sort(key=lambda r: (sort_value(key(store, r)), r["id"]), reverse=descending)
    elif descending:
        records.reverse()
    total = len(records)
    chunk = records[(page - 1) * size : page * size]
    return {
        "objectName": "generic.pagedlist",
        "page": page,
        "pageSize": size,
        "itemCount": len(chunk),
        "totalItemCount": total,
        "totalPages": math.ceil(total / size),
        "items": [render(store, r) for r in chunk],
    }
