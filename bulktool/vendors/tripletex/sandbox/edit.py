"""The "another user" controls: edit, delete and read records as a colleague in Tripletex would.

An edit merges read-name changes (nested objects merge, so ``{"postalAddress": {"city": "Tromsø"}}``
keeps the address's id and other fields), raises ``version`` by one, stamps the change time (for
``changedSince`` and the checksum) and records an UPDATE change by employee 102.
"""

from __future__ import annotations

from typing import Any

from bulktool.sandbox.clock import server_now
from bulktool.sandbox.store import Record, Store

from .model import resource
from .render import render

OTHER_EMPLOYEE = 102


def stamp(rec: Record, kind: str, employee: int) -> Record:
    """Bump bookkeeping after a write: version, change time and the change list."""
    now = server_now().isoformat(timespec="seconds")
    changes = list(rec.get("_changes", []))
    changes.append({"employeeId": employee, "timestamp": now, "changeType": kind})
    version = 0 if kind == "CREATE" else int(rec.get("version", 0)) + 1
    return {**rec, "version": version, "_changed": now, "_changes": changes}


def _merge(old: Any, new: Any) -> Any:
    if isinstance(old, dict) and isinstance(new, dict):
        return {**old, **{k: _merge(old.get(k), v) for k, v in new.items()}}
    return new


def apply_edit(store: Store, name: str, rid: int, changes: dict[str, Any]) -> dict[str, Any]:
    res = resource(name)
    with store.lock:
        rec = store.get(res.name, rid)
        if rec is None:
            raise KeyError(f"no {res.name} {rid}")
        bad = [k for k in changes if k.startswith("_") or k in ("id", "version", "url")]
        if bad:
            raise ValueError(f"these cannot be edited: {', '.join(bad)}")
        merged = {k: _merge(rec.get(k), v) for k, v in changes.items()}
        store.replace(res.name, stamp({**rec, **merged}, "UPDATE", OTHER_EMPLOYEE))
        sel = {"*": None, "changes": None, **_expanded(res.schema)}
        return render(store, res.schema, store.get(res.name, rid) or {}, sel)


def _expanded(schema: str) -> dict[str, Any]:
    """Owned addresses shown in full in the controls' answers."""
    from .model import ref_name, schemas

    props = schemas()[schema]["properties"]
    return {k: {"*": None} for k, p in props.items() if ref_name(p) == "Address"}


def delete_record(store: Store, name: str, rid: int) -> dict[str, Any]:
    res = resource(name)
    with store.lock:
        rec = store.get(res.name, rid)
        if rec is None:
            raise KeyError(f"no {res.name} {rid}")
        shown = render(store, res.schema, rec, {"*": None, **_expanded(res.schema)})
        store.delete(res.name, rid)
        return shown


def current_records(store: Store, name: str) -> list[dict[str, Any]]:
    res = resource(name)
    with store.lock:
        sel = {"*": None, **_expanded(res.schema)}
        return [render(store, res.schema, rec, sel) for rec in store.all(res.name)]
