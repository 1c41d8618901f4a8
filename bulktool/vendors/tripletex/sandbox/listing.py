"""GET lists: the spec's search parameters, ``sorting``, ``from``/``count`` paging and the checksum.

Search parameters come from each operation's parameters in the spec, read by their description:
"List of IDs" (comma list, exact), "Equals", "Containing" (case-insensitive substring), ``...From`` /
``...To`` (range: from including, to excluding), ``xId`` (the ``x`` reference's id), ``changedSince``
(records changed at or after; a naive time is Oslo time). ``isInactive`` defaults to false on customer
and supplier, so inactive records are hidden unless asked for (tripletex-facts.md).
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bulktool.sandbox.context import current
from bulktool.sandbox.store import Record, Store

from .errors import TxError, bad_param
from .model import Resource, spec
from .render import check_fields, parse_fields, render

OSLO = ZoneInfo("Europe/Oslo")
NO_HEADER = "'If-None-Match' header not specified"
NO_CHECKSUM = "Checksum not yet supported for this endpoint"
_PAGING = {"from", "count", "sorting", "fields"}
_NORWEGIAN = str.maketrans({"æ": "z{", "ø": "z|", "å": "z}", "ä": "z{", "ö": "z|"})  # ... x y z æ ø å


def search_params(res: Resource) -> dict[str, tuple[str, str]]:
    """param -> (kind, field): kind is in, eq, like, ref, bool, from, to, since or ignore."""
    op = spec()["paths"].get(res.path, {}).get("get", {})
    out: dict[str, tuple[str, str]] = {}
    for p in op.get("parameters", []):
        name = p["name"]
        if name in _PAGING:
            continue
        desc = str(p.get("description") or "")
        kind = p.get("schema", {}).get("type")
        if name in res.search:
            out[name] = res.search[name]
        elif name == "changedSince":
            out[name] = ("since", "_changed")
        elif name.endswith("Id") and desc.startswith(("List of IDs", "Equals")):
            out[name] = ("ref", name[:-2])
        elif desc.startswith("List of"):
            out[name] = ("in", name)
        elif name.endswith("From") and desc.startswith("From"):
            out[name] = ("from", name[:-4])
        elif name.endswith("To") and desc.startswith("To"):
            out[name] = ("to", name[:-2])
        elif kind == "boolean":
            out[name] = ("bool", name)
        elif desc.startswith("Containing"):
            out[name] = ("like", name)
        elif desc.startswith("Equals"):
            out[name] = ("eq", name)
        else:
            out[name] = ("ignore", name)
    return out


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return str(value.get("id", ""))
    return "" if value is None else str(value)


def _since(raw: str) -> str:
    """changedSince as naive UTC text comparable with the stored ``_changed`` stamps."""
    try:
        when = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        raise bad_param(f"Illegal value for changedSince: {raw}") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=OSLO)
    return when.astimezone(ZoneInfo("UTC")).replace(tzinfo=None).isoformat(timespec="seconds")


def matches(rec: Record, kind: str, field: str, raw: str) -> bool:
    value = rec.get(field)
    if kind == "in":
        wanted = {w.strip() for w in raw.split(",") if w.strip()}
        return not wanted or _text(value) in wanted
    if kind == "ref":
        wanted = {w.strip() for w in raw.split(",") if w.strip()}
        return not wanted or _text(value) in wanted
    if kind == "eq":
        return raw == "" or _text(value) == raw
    if kind == "bool":
        return raw == "" or _text(bool(value)) == raw.strip().lower()
    if kind == "like":
        return raw.lower() in _text(value).lower()
    if kind in ("from", "to"):
        if raw == "" or value is None:
            return raw == ""
        try:
            left, right = float(value), float(raw)
        except (TypeError, ValueError):
            left, right = str(value), raw  # type: ignore[assignment]
        return left >= right if kind == "from" else left < right
    if kind == "since":
        return raw == "" or str(rec.get("_changed", "")) >= _since(raw)
    return True


def _int(query: dict[str, str], name: str, default: int) -> int:
    raw = query.get(name, "")
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise bad_param(f"Illegal value for {name}: {raw}") from None
    if value < 0:
        raise bad_param(f"Illegal value for {name}: {raw}")
    return value


def _sort_key(rec: Record, path: list[str]) -> tuple[int, Any]:
    value: Any = rec
    for part in path:
        value = value.get(part) if isinstance(value, dict) else None
    if isinstance(value, bool):
        return (1, int(value))
    if isinstance(value, (int, float)):
        return (1, value)
    return (0, "") if value is None else (2, str(value).lower().translate(_NORWEGIAN))


def sort(store: Store, res: Resource, rows: list[Record], sorting: str) -> list[Record]:
    from .model import ref_name, schemas

    props = schemas()[res.schema]["properties"]
    for term in reversed([t.strip() for t in sorting.split(",") if t.strip()]):
        desc = term.startswith("-")
        path = term.lstrip("-").split(".")
        if path[0] not in props:
            raise TxError(422, 17000, f"Illegal sorting field: {term}", f"Illegal sorting field: {term}")
        target = ref_name(props[path[0]])
        target_res = _by_schema(target) if target else None

        def key(rec: Record, path: list[str] = path, target_res: Resource | None = target_res) -> tuple[int, Any]:
            if len(path) > 1 and target_res is not None:
                ref = rec.get(path[0])
                linked = store.get(target_res.name, ref.get("id")) if isinstance(ref, dict) else None
                inner = linked if linked is not None else (ref if isinstance(ref, dict) else {})
                return _sort_key(inner, path[1:])
            return _sort_key(rec, path)

        rows = sorted(rows, key=key, reverse=desc)
    return rows


def _by_schema(schema: str) -> Resource | None:
    from .model import BY_SCHEMA

    return BY_SCHEMA.get(schema)


def checksum(rows: list[Record], query: dict[str, str]) -> str:
    """A digest of the whole result and the request's shape: same data, same digest."""
    h = hashlib.sha256()
    h.update(json.dumps(sorted(query.items()), ensure_ascii=False).encode())
    for rec in rows:
        h.update(f"{rec.get('id')}:{rec.get('version')};".encode())
    return h.hexdigest()[:40]


def run_list(store: Store, res: Resource, query: dict[str, str], rows: list[Record] | None = None) -> tuple[int, Any]:
    """One list request: (200, envelope) or (304, None) when the checksum still matches."""
    sel = parse_fields(query.get("fields"))
    check_fields(res.schema, sel)
    first, count = _int(query, "from", 0), _int(query, "count", 1000)
    params = search_params(res)
    args = {**res.defaults, **{k: v for k, v in query.items() if k in params}}
    rows = store.all(res.name) if rows is None else rows
    for name, raw in args.items():
        kind, field = params.get(name, ("ignore", name))
        rows = [r for r in rows if matches(r, kind, field, raw)]
    if query.get("sorting"):
        rows = sort(store, res, rows, query["sorting"])
    asked = (current().headers.get("If-None-Match") or "").strip()
    if not res.checksum:
        digest = NO_CHECKSUM
    elif not asked:
        digest = NO_HEADER
    else:
        digest = checksum(rows, query)
        if asked.strip('"') == digest:
            return 304, None
    page = rows[first:first + count]
    return 200, {
        "fullResultSize": len(rows), "from": first, "count": len(page), "versionDigest": digest,
        "values": [render(store, res.schema, r, sel) for r in page],
    }
