"""Finsit records on the kit's store: string ids (company ids, GUIDs, user names) and exact numbers.

The kit keys records by integer and writes them with ``json``; Finsit's ids are strings and its
numbers are decimals (with NaN/Infinity), so each record is kept as ``{"id": <surrogate int>,
"company": <company id or None>, "key": <its Finsit id>, "json": <exact JSON text>}`` and parsed
with ``fsjson`` when read. Keys starting with ``_`` inside a record are the sandbox's own state
(e.g. ``_locked`` on a fiscal year) and are never served.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bulktool.sandbox.store import Record, Store

from . import fsjson


@dataclass
class Row:
    sid: int
    company: str | None
    key: str
    obj: Any


def record(company: str | None, key: str, obj: Any) -> Record:
    """A seed record (the kit's store assigns the surrogate id from the seed's order)."""
    return {"company": company, "key": key, "json": fsjson.dumps(obj)}


class Data:
    def __init__(self, store: Store) -> None:
        self.store = store

    def rows(self, resource: str, company: str | None = None) -> list[Row]:
        """Records of ``resource`` (of ``company`` when given) in creation order."""
        out = []
        for rec in self.store.all(resource):
            if company is None or rec.get("company") == company:
                out.append(Row(int(rec["id"]), rec.get("company"), str(rec["key"]), fsjson.loads(rec["json"])))
        return out

    def find(self, resource: str, company: str | None, key: str) -> Row | None:
        for rec in self.store.values(resource):
            if rec.get("company") == company and rec["key"] == key:
                return Row(int(rec["id"]), company, key, fsjson.loads(rec["json"]))
        return None

    def add(self, resource: str, company: str | None, key: str, obj: Any) -> Row:
        rec = self.store.insert(resource, {"company": company, "key": key, "json": fsjson.dumps(obj)})
        return Row(int(rec["id"]), company, key, obj)

    def save(self, resource: str, row: Row) -> None:
        self.store.replace(resource, {"id": row.sid, "company": row.company, "key": row.key,
                                      "json": fsjson.dumps(row.obj)})

    def drop(self, resource: str, row: Row) -> None:
        self.store.delete(resource, row.sid)


def public(obj: Any) -> Any:
    """A stored object without the sandbox's own ``_`` keys (recursively)."""
    if isinstance(obj, dict):
        return {k: public(v) for k, v in obj.items() if not str(k).startswith("_")}
    if isinstance(obj, list):
        return [public(v) for v in obj]
    return obj
