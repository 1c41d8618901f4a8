"""Writes: POST, partial PUT with ``version``, DELETE and the all-or-nothing ``/list`` bulk calls.

- **PUT is partial**: absent properties stay; ``version`` is checked only when present (a different
  one is 409/8000); every update raises ``version``; new records start at 0 (tripletex-facts.md).
- **Addresses**: a nested ``postalAddress``/``physicalAddress`` carrying the current address's ``id``
  is updated in place; without it a new address object (new id, only the given fields) replaces it.
- **Bulk** ``/list``: every item is checked before anything is saved; a failure answers 422 naming
  ``[i].field`` paths and saves nothing. Business-rule (18000) errors name only the first failing item.
- Read-only properties (``readOnly`` in the spec: ``isCustomer``, ``url``, ``displayName``...) are
  ignored, as the real API's JSON mapping ignores them; the body's schema check is ``validate.py``'s.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bulktool.sandbox.clock import server_now
from bulktool.sandbox.store import Record, Store

from .edit import stamp
from .errors import TxError, mapping_failed, not_found, validation_failed, vmsg
from .model import OWNED, Resource, ref_name, schemas
from .render import render
from .rules import Batch, Problems, check
from .session import employee_id
from .validate import validate_body

Result = tuple[int, Any]
Handler = Callable[[Store, list[int], dict[str, str], Any], Result]
AUTO_NUMBER = {"customerNumber": 10001, "supplierNumber": 10001, "number": 1}  # first number in a new account
_KEEP = ("id", "version")
CREATE_DEFAULTS: dict[str, Record] = {  # what the server fills in on create
    "customer": {"isCustomer": True, "isSupplier": False, "isInactive": False, "currency": {"id": 1},
                 "language": "NO", "invoicesDueIn": 14, "invoicesDueInType": "DAYS", "invoiceSendMethod": "EMAIL"},
    "supplier": {"isSupplier": True, "isCustomer": False, "isInactive": False, "currency": {"id": 1}, "language": "NO"},
    "product": {"currency": {"id": 1}, "vatType": {"id": 3}, "isInactive": False},
    "project": {"currency": {"id": 1}, "isClosed": False},
}


def _writable(res: Resource) -> dict[str, Any]:
    props = schemas()[res.schema]["properties"]
    return {k: p for k, p in props.items() if not p.get("readOnly") and k not in _KEEP}


def _address(store: Store, old: Any, new: Any) -> Any:
    """In place when the body names the current address's id; otherwise a new address object."""
    if not isinstance(new, dict):
        return new
    props = schemas()["Address"]["properties"]
    fresh = {k: v for k, v in new.items() if k not in _KEEP and k in props and not props[k].get("readOnly")}
    if isinstance(old, dict) and new.get("id") is not None and new.get("id") == old.get("id"):
        return {**old, **fresh, "version": int(old.get("version", 0)) + (1 if fresh else 0)}
    return {"id": store.reserve_id("address"), "version": 0, "addressLine1": "", "addressLine2": "",
            "postalCode": "", "city": "", "country": {"id": 161}, **fresh}


def merge(store: Store, res: Resource, old: Record | None, body: dict[str, Any]) -> Record:
    """The stored record after applying ``body`` (partial: absent properties stay)."""
    writable = _writable(res)
    rec: Record = dict(old) if old is not None else {}
    for name, value in body.items():
        prop = writable.get(name)
        if prop is None:
            continue  # id, version and read-only properties
        if ref_name(prop) in OWNED:
            rec[name] = _address(store, rec.get(name), value)
        elif ref_name(prop) is not None and isinstance(value, dict):
            rec[name] = {"id": value.get("id")} if value.get("id") is not None else None
        elif res.name == "product" and name == "number" and isinstance(value, int) and not isinstance(value, bool):
            rec[name] = str(value)  # a JSON integer sent for the product number is stored as a string
        elif res.name == "employee" and name == "userType":
            rec["_userType"], rec["userType"] = value, None  # reads back as null even when set
        else:
            rec[name] = value
    if old is None:
        rec = {**CREATE_DEFAULTS.get(res.name, {}), **rec}
        for name, prop in writable.items():  # a new customer or supplier always gets its address objects
            if ref_name(prop) in OWNED and name not in rec and res.name in ("customer", "supplier"):
                rec[name] = _address(store, None, {})
    return rec


def _auto_number(store: Store, res: Resource, rec: Record, batch: Batch) -> None:
    """The next free number (customers start at 10001) for a new record that has none."""
    fld = res.number_field
    if fld is None or fld not in AUTO_NUMBER or res.name == "product" or rec.get(fld) not in (None, "", 0):
        return
    key = f"{res.name}.{fld}.max"
    if key not in batch.stored:
        used = [int(str(r.get(fld))) for r in store.values(res.name) if str(r.get(fld) or "").isdigit()]
        batch.stored[key] = {"": {max(used, default=AUTO_NUMBER[fld] - 1)}}
    top = max([*batch.stored[key][""], *(int(t) for t in batch.numbers.get(fld, set()) if t.isdigit())])
    rec[fld] = str(top + 1) if res.name == "project" else top + 1


def _raise(problems: list[tuple[int | None, Problems]]) -> None:
    """422 (or 409/7000) for the batch; 18000 names only the first failing item."""
    failing = [(i, p) for i, p in problems if p]
    if not failing:
        return
    for code in (15000, 7000):
        msgs = [vmsg(f, m, i) for i, p in failing for f, m in p.items.get(code, [])]
        if msgs:
            if code == 7000:
                raise TxError(409, 7000, msgs[0]["message"], None, msgs)
            raise TxError(422, 15000, "Validation failed", None, msgs)
    i, p = failing[0]
    raise validation_failed([vmsg(f, m, i) for f, m in p.items.get(18000, [])])


def _items(body: Any, single: bool) -> list[dict[str, Any]]:
    if single:
        if not isinstance(body, dict):
            raise mapping_failed([vmsg("", "Verdien er ikke av korrekt type for dette feltet.")])
        return [body]
    if not isinstance(body, list) or not all(isinstance(b, dict) for b in body):
        raise mapping_failed([vmsg("", "Verdien er ikke av korrekt type for dette feltet.")])
    return body


def _save(store: Store, res: Resource, bodies: list[dict[str, Any]], olds: list[Record | None],
          single: bool) -> list[Record]:
    """Check every item, then save them all (or nothing)."""
    batch = Batch()
    merged: list[Record] = []
    problems: list[tuple[int | None, Problems]] = []
    for i, (body, old) in enumerate(zip(bodies, olds, strict=True)):
        rec = merge(store, res, old, body)
        _auto_number(store, res, rec, batch)
        found = Problems()
        check(store, res, rec, old is None, batch, found)
        problems.append((None if single else i, found))
        merged.append(rec)
    _raise(problems)
    saved = []
    for rec, old in zip(merged, olds, strict=True):
        if old is None:
            if res.name == "project" and not rec.get("startDate"):
                rec["startDate"] = server_now().date().isoformat()
            saved.append(store.insert(res.name, stamp(rec, "CREATE", employee_id(1))))
        else:
            saved.append(store.replace(res.name, stamp(rec, "UPDATE", employee_id(1))))
    return saved


def _existing(store: Store, res: Resource, bodies: list[dict[str, Any]], ids: list[int] | None,
              single: bool) -> list[Record | None]:
    """The stored records a PUT names, with the version check (409/8000 when the body's is another)."""
    olds: list[Record | None] = []
    for i, body in enumerate(bodies):
        rid = ids[-1] if ids else body.get("id")
        old = store.get(res.name, rid)
        if old is None:
            if rid is None and not single:
                raise validation_failed([vmsg("id", "Kan ikke være null.", i)])
            err = not_found(res.schema)
            err.validation = None if single else [vmsg("id", f"Objektet med id {rid} finnes ikke.", i)]
            raise err
        version = body.get("version")
        if version is not None and version != old.get("version"):
            raise TxError(409, 8000, "RevisionException",
                          f"Object has been changed: version {version} was sent, the stored version is "
                          f"{old.get('version')}", [vmsg("version", "RevisionException", None if single else i)])
        olds.append(old)
    return olds


def _shown(store: Store, res: Resource, rec: Record) -> dict[str, Any]:
    return render(store, res.schema, rec)


def creator(res: Resource) -> Handler:
    def handle(store: Store, ids: list[int], query: dict[str, str], body: Any) -> Result:
        validate_body("POST", res.path, body)
        items = _items(body, True)
        return 201, {"value": _shown(store, res, _save(store, res, items, [None], True)[0])}

    return handle


def updater(res: Resource) -> Handler:
    def handle(store: Store, ids: list[int], query: dict[str, str], body: Any) -> Result:
        validate_body("PUT", res.path + "/{id}", body)
        items = _items(body, True)
        olds = _existing(store, res, items, ids, True)
        return 200, {"value": _shown(store, res, _save(store, res, items, olds, True)[0])}

    return handle


def bulk_creator(res: Resource) -> Handler:
    def handle(store: Store, ids: list[int], query: dict[str, str], body: Any) -> Result:
        validate_body("POST", res.path + "/list", body)
        items = _items(body, False)
        saved = _save(store, res, items, [None] * len(items), False)
        return 201, {"values": [_shown(store, res, r) for r in saved]}

    return handle


def bulk_updater(res: Resource) -> Handler:
    def handle(store: Store, ids: list[int], query: dict[str, str], body: Any) -> Result:
        validate_body("PUT", res.path + "/list", body)
        items = _items(body, False)
        olds = _existing(store, res, items, None, False)
        saved = _save(store, res, items, olds, False)
        return 200, {"values": [_shown(store, res, r) for r in saved]}

    return handle


def deleter(res: Resource) -> Handler:
    def handle(store: Store, ids: list[int], query: dict[str, str], body: Any) -> Result:
        rec = store.get(res.name, ids[-1])
        if rec is None:
            raise not_found(res.schema)
        version = query.get("version")
        if version not in (None, "") and str(rec.get("version")) != version:
            raise TxError(409, 8000, "RevisionException", "Object has been changed since it was read")
        store.delete(res.name, ids[-1])
        return 204, None

    return handle


def list_deleter(res: Resource) -> Handler:
    """DELETE /x/list?ids=1,2,3: all or nothing."""

    def handle(store: Store, ids: list[int], query: dict[str, str], body: Any) -> Result:
        wanted = [w.strip() for w in query.get("ids", "").split(",") if w.strip()]
        if not wanted or not all(w.isdigit() for w in wanted):
            raise TxError(422, 21000, "Illegal value for ids", "ids must be a comma list of ids")
        missing = [w for w in wanted if not store.exists(res.name, int(w))]
        if missing:
            raise not_found(res.schema)
        for w in wanted:
            store.delete(res.name, int(w))
        return 204, None

    return handle


def bulk_deleter(res: Resource) -> Handler:
    """DELETE /project with a JSON list of {id, version}: all or nothing."""

    def handle(store: Store, ids: list[int], query: dict[str, str], body: Any) -> Result:
        validate_body("DELETE", res.path, body)
        items = _items(body, False)
        olds = _existing(store, res, items, None, False)
        for old in olds:
            if old is not None:
                store.delete(res.name, int(old["id"]))
        return 204, None

    return handle
