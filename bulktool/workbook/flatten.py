"""Nested API records <-> flat sheet rows named by dotted paths."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from itertools import repeat
from typing import Any

from ..schema.model import Column, ColumnType
from .cells import CellValueError, clean
from .parsing import is_canonical_datetime, utc_seconds_text

_DATETIME_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?")
_DATE_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}")
_EMPTY_LIST = "empty_list"


def _copy(value: Any) -> Any:
    """A JSON cell's own copy of the nested value (the connector has already dropped type tags)."""
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def _walk(value: Any, parts: Sequence[str]) -> Any:
    """Follow a dotted path; a list on the way maps the rest of the path over its elements."""
    for i, part in enumerate(parts):
        if value is None:
            return None
        if isinstance(value, list):
            out: list[Any] = []
            for v in (_walk(v, parts[i:]) for v in value):
                if isinstance(v, list):
                    out.extend(v)  # a list inside a list: one flat list of leaves
                elif v is not None:
                    out.append(v)
            return out
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


_PARTS: dict[str, tuple[str, ...]] = {}
# Values the API already sends in reader form; checking the type is far cheaper than cleaning.
_ALREADY: dict[str, type] = {"string": str, "integer": int, "boolean": bool, "decimal": float}


def read_path(record: Mapping[str, Any], name: str) -> Any:
    parts = _PARTS.get(name)
    if parts is None:
        parts = _PARTS[name] = tuple(name.split("."))
    if len(parts) == 1:
        return record.get(parts[0])
    return _walk(record, parts)


def canonical(col_type: str, value: Any) -> Any:
    """The API value in the form the reader returns; odd server data is kept as sent."""
    if value is None:
        return None
    if type(value) is _ALREADY.get(col_type):
        return value
    if col_type == "datetime" and isinstance(value, str) and is_canonical_datetime(value):
        return value
    if col_type == "json":
        return _copy(value)
    try:
        return clean(col_type, value)
    except CellValueError:
        return value


def _getter(name: str) -> Callable[[Mapping[str, Any]], Any]:
    """``read_path`` for one column, specialised: plain keys and key.key paths skip the generic walk."""
    parts = tuple(name.split("."))
    if len(parts) == 1:
        return lambda rec: rec.get(name)
    if len(parts) == 2:
        head, leaf = parts

        def two(rec: Mapping[str, Any]) -> Any:
            v = rec.get(head)
            if v.__class__ is dict:
                return v.get(leaf)
            return None if v is None else _walk(rec, parts)

        return two
    return lambda rec: _walk(rec, parts)


Flattener = Callable[[Mapping[str, Any]], dict[str, Any]]


def make_flattener(columns: Sequence[Column]) -> Flattener:
    """``flatten`` for one column set, with the per-column getters built once.

    A foreign-file diff flattens every live record (100k calls): the getters
    and the "already in reader form" type per column are not rebuilt each time.
    """
    plan = tuple((c.name, c.type, _getter(c.name), _ALREADY.get(c.type)) for c in columns)

    def run(record: Mapping[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, typ, get, already in plan:
            v = get(record)
            out[name] = v if v is None or v.__class__ is already else canonical(typ, v)
        return out

    return run


def flatten_columns(records: Sequence[dict[str, Any]], columns: Sequence[Column]) -> dict[str, list[Any]]:
    """``flatten`` of many records, one list per column: each column is one comprehension, mostly in C.

    For diffing 100k live records: a call per record and per cell costs several
    times more than a pass per column.
    """
    out: dict[str, list[Any]] = {}
    heads: dict[str, tuple[list[Any], set[type]]] = {}  # visitingAddress.* share one lookup of visitingAddress
    for c in columns:
        head, _, leaf = c.name.partition(".")
        if head not in heads and leaf:
            objs = list(map(dict.get, records, repeat(head)))
            heads[head] = (objs, set(map(type, objs)))
        if not leaf:
            vals = list(map(dict.get, records, repeat(head)))
        elif "." not in leaf and heads[head][1] == {dict}:  # head.leaf where every head is an object: straight C
            vals = list(map(dict.get, heads[head][0], repeat(leaf)))
        elif "." not in leaf and heads[head][1] <= {dict, type(None)}:  # an optional object (company: null)
            vals = [None if o is None else o.get(leaf) for o in heads[head][0]]
        else:
            vals = list(map(_getter(c.name), records))
        already = _ALREADY.get(c.type)
        if set(map(type, vals)) <= {already, type(None)}:
            out[c.name] = vals  # already in reader form, checked in C
        elif c.type == "datetime":  # a server's own UTC spelling respelt without the full parse
            out[c.name] = [v if v is None else (v.__class__ is str and utc_seconds_text(v)) or canonical(c.type, v)
                           for v in vals]
        else:
            out[c.name] = [v if v is None or v.__class__ is already else canonical(c.type, v) for v in vals]
    return out


_FLATTENERS: dict[tuple[tuple[str, str], ...], Flattener] = {}


def flatten(record: Mapping[str, Any], columns: Sequence[Column]) -> dict[str, Any]:
    """One record -> {column name: API-form value}, in column order."""
    sig = tuple((c.name, c.type) for c in columns)
    run = _FLATTENERS.get(sig)
    if run is None:
        run = _FLATTENERS[sig] = make_flattener(columns)
    return run(record)


def unflatten(values: Mapping[str, Any]) -> dict[str, Any]:
    """{"visitingAddress.city": "Piteå"} -> {"visitingAddress": {"city": "Piteå"}}."""
    out: dict[str, Any] = {}
    for path, value in values.items():
        *parents, leaf = path.split(".")
        node = out
        for i, part in enumerate(parents):
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise ValueError(f"{'.'.join(parents[: i + 1])!r} is both a value and an object in {path!r}")
            node = child
        if leaf in node and isinstance(node[leaf], dict) != isinstance(value, dict):
            raise ValueError(f"{path!r} is both a value and an object")
        node[leaf] = value
    return out


# ---------------------------------------------------------------- inference


def _scalar_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "decimal"
    if isinstance(value, str):
        if _DATETIME_TEXT.fullmatch(value):
            return "datetime"
        if _DATE_TEXT.fullmatch(value):
            return "date"
        return "string"
    return "json"


def _list_type(items: list[Any]) -> str:
    kinds = {_scalar_type(i) for i in items if i is not None}
    if not kinds:
        return _EMPTY_LIST  # element type unknown until another record shows one
    if "json" in kinds:
        return "json"  # objects or arrays inside
    if kinds == {"integer"}:
        return "int_list"
    if kinds <= {"string", "date", "datetime"}:
        return "string_list"
    return "json"


def _merge(a: str, b: str) -> str:
    if a == b:
        return a
    lists = ("int_list", "string_list", "json")
    if _EMPTY_LIST in (a, b):
        other = b if a == _EMPTY_LIST else a
        return other if other in lists else "json"
    pair = {a, b}
    if pair == {"integer", "decimal"}:
        return "decimal"
    if pair == {"date", "datetime"}:
        return "string"
    if pair <= {"int_list", "string_list", "json"}:
        return "json"
    return "string" if "json" not in pair else "json"


def _observe(value: Mapping[str, Any], prefix: str, seen: dict[str, str | None], objects: set[str]) -> None:
    for key, v in value.items():
        path = f"{prefix}{key}"
        if isinstance(v, Mapping):
            objects.add(path)
            seen.setdefault(path, None)
            _observe(v, path + ".", seen, objects)
            continue
        kind = None if v is None else (_list_type(v) if isinstance(v, list) else _scalar_type(v))
        old = seen.get(path)
        seen[path] = kind if old is None else (old if kind is None else _merge(old, kind))


def infer_columns(records: Sequence[Mapping[str, Any]]) -> list[Column]:
    """Read-only columns for every path the records carry (raw list paths have no template)."""
    seen: dict[str, str | None] = {}
    objects: set[str] = set()
    for rec in records:
        _observe(rec, "", seen, objects)
    # An object in some records and a scalar in others: keep it whole, as one JSON column.
    conflicted = {p for p in objects if seen[p] is not None}
    columns: list[Column] = []
    for path, kind in seen.items():
        if any(path.startswith(c + ".") for c in conflicted):
            continue
        if path in conflicted:
            col_type = "json"
        elif path in objects:
            if any(p.startswith(path + ".") for p in seen):
                continue
            col_type = "json"  # only ever an empty object
        elif kind == _EMPTY_LIST:
            col_type = "json"  # only ever []: "[]" in a cell keeps it distinct from null
        else:
            col_type = kind or "string"
        columns.append(Column(name=path, type=_as_type(col_type), read_only=True))
    columns.sort(key=lambda c: c.name != "id")
    return columns


def _as_type(name: str) -> ColumnType:
    types: dict[str, ColumnType] = {
        "string": "string", "integer": "integer", "decimal": "decimal", "boolean": "boolean", "date": "date",
        "datetime": "datetime", "time": "time", "int_list": "int_list", "string_list": "string_list",
        "json": "json",
    }
    return types[name]
