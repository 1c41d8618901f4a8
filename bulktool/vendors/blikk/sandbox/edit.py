"""Change a record as another user would, so a rehearsal can meet a real concurrent edit.

Changes use read names (``email``, ``visitingAddress``, ``responsible``) or write names
(``responsibleId``, ``tagIds``). Nested objects merge into the stored object; references take
an id or ``{"id": n}``. The last-updated stamp becomes now, by user 2 (unless the change sets it).
"""

from __future__ import annotations

import copy
from typing import Any

from bulktool.sandbox.store import Record, Store

from .model import META, OTHER_USER_ID, PUBLIC
from .renderers import render_detail
from .util import now_dt

_ENUMS = {
    ("contacts", "contactType"): ("person", "company"),
    ("projects", "invoiceType"): ("ongoing", "fixedPrice", "none"),
}
_IGNORED = {"objectName", "countryName"}


class EditError(ValueError):
    """A change that names an unknown field or points at a record that does not exist."""


def _ref_id(store: Store, resource: str, field: str, value: Any) -> int | None:
    rid = value.get("id") if isinstance(value, dict) else value
    if rid is None:
        return None
    if isinstance(rid, bool) or not isinstance(rid, int) or not store.exists(resource, rid):
        raise EditError(f"{field}: no {resource} record with id {rid!r}")
    return rid


def _address(store: Store, old: Any, value: Any) -> Any:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise EditError("an address must be an object or null")
    merged = (
        dict(old)
        if isinstance(old, dict)
        else {
            k: None
            for k in ("streetAddress", "additionalAddress", "postalCode", "city", "state", "countryId")
        }
    )
    for key, item in value.items():
        if key in _IGNORED:
            continue
        if key not in merged:
            raise EditError(f"unknown address field {key!r}")
        merged[key] = _ref_id(store, "countries", "countryId", item) if key == "countryId" else item
    return merged


def _check_resource(resource: str) -> None:
    if resource not in PUBLIC:
        raise EditError(f"unknown resource {resource!r}; use one of: {', '.join(PUBLIC)}")


def apply_edit(store: Store, resource: str, rid: int, changes: dict[str, Any]) -> dict[str, Any]:
    """Apply ``changes`` (validated first, all or nothing) and return the new detail shape."""
    _check_resource(resource)
    if not isinstance(changes, dict):
        raise EditError("changes must be a JSON object")
    with store.lock:
        current = store.get(resource, rid)
        if current is None:
            raise KeyError(f"{resource} {rid} does not exist")
        meta = META[resource]
        rec: Record = copy.deepcopy(current)
        for raw_key, value in changes.items():
            key = meta.aliases.get(raw_key, raw_key)
            if key in _IGNORED:
                continue
            if key == "id" or key not in rec:
                known = sorted(k for k in rec if k != "id")
                raise EditError(f"{resource} has no editable field {raw_key!r}; known: {', '.join(known)}")
            if key in meta.addresses:
                rec[key] = _address(store, rec[key], value)
            elif key in meta.refs:
                rec[key] = _ref_id(store, meta.refs[key], key, value)
            elif key in meta.ref_lists:
                if not isinstance(value, list):
                    raise EditError(f"{key} must be a list of ids")
                rec[key] = [_ref_id(store, meta.ref_lists[key], key, v) for v in value]
            elif (resource, key) in _ENUMS:
                choices = _ENUMS[(resource, key)]
                match = next(
                    (c for c in choices if isinstance(value, str) and c.lower() == value.lower()), None
                )
                if match is None:
                    raise EditError(f"{key} must be one of {', '.join(choices)}")
                rec[key] = match
            elif isinstance(rec[key], dict) and isinstance(value, dict):
                rec[key] = {**rec[key], **value}
            else:
                rec[key] = value
        if meta.updated and meta.updated not in changes:
            rec[meta.updated] = now_dt()
        if meta.updated_by and meta.updated_by not in changes:
            rec[meta.updated_by] = OTHER_USER_ID
        store.replace(resource, rec)
        return render_detail(store, resource, rec)


def delete_record(store: Store, resource: str, rid: int) -> dict[str, Any]:
    """Delete a record as another user would (to rehearse "no longer exists"); returns its last detail shape.

    Unlike the API's DELETE this has no preconditions (time reported, attested): the colleague did it in the
    application. A task's comments go with it, as they do through the API.
    """
    _check_resource(resource)
    with store.lock:
        current = store.get(resource, rid)
        if current is None:
            raise KeyError(f"{resource} {rid} does not exist")
        shown = render_detail(store, resource, current)
        store.delete(resource, rid)
        if resource == "tasks":
            for comment in [r for r in store.values("task-comments") if r.get("task") == rid]:
                store.delete("task-comments", comment["id"])
        return shown


def current_records(store: Store, resource: str) -> list[dict[str, Any]]:
    _check_resource(resource)
    with store.lock:
        return [render_detail(store, resource, r) for r in store.all(resource)]
