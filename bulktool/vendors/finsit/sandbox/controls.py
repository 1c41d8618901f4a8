"""Finsit's /_sandbox/ controls (no auth, not counted), beside the kit's stats, log, bodies and faults.

    POST /_sandbox/edit/<Resource>/<companyId>/<id>   change a record as another user would (partial,
         /_sandbox/edit/Company/<companyId>            null clears, nested objects merge; a Comment's
         /_sandbox/edit/User/<userName>                lastModified is stamped); KeyFigureData takes
         /_sandbox/edit/KeyFigureData/<cid>/<fyId>     the year's whole list (a JSON array)
    POST /_sandbox/delete/<Resource>/<companyId>/<id> (or Company/<id>, User/<userName>)
    GET  /_sandbox/records/<Resource>[?company=<id>]  stored records as served (exact numbers)
    GET  /_sandbox/puts                               every PUT body as sent: [{"path", "text", "body"}]
    GET|POST /_sandbox/finsit                         {"forbidden_companies": [...], "proxy_502": share,
                                                       "proxy_503": share, "operation_cancelled": share,
                                                       "locked": {"<cid>": [fyId...]}}
         e.g. {"forbid": "<companyId>"} / {"allow": "<companyId>"} / {"proxy_502": 1} /
              {"operation_cancelled": 1} / {"lock": ["<companyId>", "<fyId>"]} / {"unlock": [...]}
    The proxy pages are HTML without the error object (the overview's warning about nodes in between);
    OperationCancelled is answered 500 with the error object: the client knows the type since 2023-04,
    but no document says when the server sends it or with which status.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from bulktool.sandbox.app import Reply
from bulktool.sandbox.clock import server_now

from . import fsjson
from .data import Data, Row, public
from .model import RESOURCES as MODELS

if TYPE_CHECKING:
    from bulktool.sandbox.runtime import Runtime

    from .app import FinsitSandboxApp

RESOURCES: tuple[str, ...] = ("Company", "FiscalYear", "KeyFigureData", "Comment", "KeyFigurePreset",
                              "KeyFigureValue", "ChartOfAccounts", "PeriodReport", "User", "CompanyType", "Agency")
AGENCY_LEVEL = ("Company", "User", "Agency")
HELP = {
    "POST /_sandbox/edit/<Resource>/<companyId>/<id>": "change a record as another user would (Company/<id>, "
    "User/<userName>, KeyFigureData/<companyId>/<fiscalYearId> with a JSON array)",
    "POST /_sandbox/delete/<Resource>/<companyId>/<id>": "delete a record as another user would",
    "GET /_sandbox/records/<Resource>?company=<id>": "stored records as served",
    "GET /_sandbox/puts": "every PUT body as sent, in arrival order",
    "GET|POST /_sandbox/finsit": 'per-company 403 and proxy faults: {"forbid": id} {"allow": id} '
    '{"proxy_502": 0..1} {"proxy_503": 0..1} {"operation_cancelled": 0..1} {"lock": [companyId, fiscalYearId]} '
    '{"unlock": [...]}',
}


def resource_name(text: str) -> str:
    for name in RESOURCES:
        if name.lower() == text.lower():
            return name
    raise KeyError(f"no resource {text!r}; choose one of {', '.join(RESOURCES)}")


def _raw(status: int, payload: Any) -> Reply:
    return Reply(status, raw=fsjson.dumps(payload).encode("utf-8"))


def records(data: Data, resource: str, company: str | None) -> list[Any]:
    rows = data.rows(resource, company if resource not in AGENCY_LEVEL else None)
    return [public(r.obj) for r in rows]


def control(app: FinsitSandboxApp, rt: Runtime, method: str, parts: list[str], raw_parts: list[str], body: bytes,
            query: dict[str, str]) -> tuple[int, Any] | None:
    """Answer a Finsit control, or None to leave the call to the kit."""
    data = Data(rt.stores[0])
    if parts == ["finsit"] and method in ("GET", "POST"):
        if method == "POST":
            _settings(app, data, _object(body))
        return 200, _state(app, data)
    if parts == ["puts"] and method == "GET":
        return 200, [{"path": b["path"], "text": b["text"], "body": b["body"]}
                     for b in rt.bodies()["bodies"] if b["method"] == "PUT"]
    if len(parts) == 2 and parts[0] == "records" and method == "GET":
        return 200, _raw(200, records(data, resource_name(parts[1]), query.get("company")))
    if len(parts) >= 3 and parts[0] in ("edit", "delete") and method == "POST":
        resource = resource_name(parts[1])
        row = _locate(data, resource, raw_parts[2:])
        with rt.stores[0].lock:
            if parts[0] == "delete":
                data.drop(resource, row)
                return 200, _raw(200, public(row.obj))
            changes = fsjson.loads(body.decode("utf-8") or "{}")
            row.obj = _edited(resource, row.obj, changes)
            data.save(resource, row)
        return 200, _raw(200, public(row.obj))
    if parts == [] and method == "GET":
        from bulktool.sandbox.control import HELP as KIT_HELP

        return 200, {**KIT_HELP, **HELP, "resources": list(RESOURCES)}
    return None


def _locate(data: Data, resource: str, ids: list[str]) -> Row:
    if resource in AGENCY_LEVEL:
        if len(ids) != 1:
            raise ValueError(f"{resource} is addressed as /{resource}/<id>")
        company, key = None, ids[0]
    else:
        if len(ids) != 2:
            raise ValueError(f"{resource} is addressed as /{resource}/<companyId>/<id>")
        company, key = ids
    row = data.find(resource, company, key)
    if row is None:
        raise KeyError(f"no {resource} {key!r}" + (f" in company {company!r}" if company else ""))
    return row


def _edited(resource: str, stored: Any, changes: Any) -> Any:
    from .validate import merge

    if resource == "KeyFigureData":
        if not isinstance(changes, list):
            raise ValueError("KeyFigureData takes the fiscal year's whole list (a JSON array)")
        return changes
    if not isinstance(changes, dict):
        raise ValueError("the body must be a JSON object of changes")
    model = MODELS.get(resource)
    if model is not None and model.fields:
        unknown = [k for k in changes if k not in model.fields and k not in ("customers", "companies", "partnerId")]
        if unknown:
            raise ValueError(f"unknown {resource} field {unknown[0]!r}")
    merged = merge(stored, changes)
    if resource == "Comment":
        merged["lastModified"] = server_now().isoformat(timespec="seconds")
    return merged


def _object(body: bytes) -> dict[str, Any]:
    value = json.loads(body.decode("utf-8") or "{}")
    if not isinstance(value, dict):
        raise ValueError("the body must be a JSON object")
    return value


def _settings(app: FinsitSandboxApp, data: Data, changes: dict[str, Any]) -> None:
    known = {r.key for r in data.rows("Company")}
    for key, value in changes.items():
        if key in ("forbid", "allow"):
            if value not in known:
                raise KeyError(f"no company {value!r}")
            (app.forbidden_companies.add if key == "forbid" else app.forbidden_companies.discard)(value)
        elif key in ("proxy_502", "proxy_503"):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
                raise ValueError(f"{key} must be a number between 0 and 1")
            app.proxy[int(key[-3:])] = float(value)
        elif key == "operation_cancelled":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
                raise ValueError(f"{key} must be a number between 0 and 1")
            app.cancel_share = float(value)
        elif key in ("lock", "unlock"):
            if not (isinstance(value, list) and len(value) == 2):
                raise ValueError(f'{key} takes ["<companyId>", "<fiscalYearId>"]')
            row = data.find("FiscalYear", str(value[0]), str(value[1]))
            if row is None:
                raise KeyError(f"no fiscal year {value[1]!r} in company {value[0]!r}")
            row.obj = {k: v for k, v in row.obj.items() if k != "_locked"}
            if key == "lock":
                row.obj["_locked"] = True
            data.save("FiscalYear", row)
        else:
            raise ValueError(f"unknown setting {key!r}; use forbid, allow, proxy_502, proxy_503, "
                             "operation_cancelled, lock or unlock")


def _state(app: FinsitSandboxApp, data: Data) -> dict[str, Any]:
    locked: dict[str, list[str]] = {}
    for row in data.rows("FiscalYear"):
        if row.obj.get("_locked") and row.company:
            locked.setdefault(row.company, []).append(row.key)
    return {"forbidden_companies": sorted(app.forbidden_companies), "proxy_502": app.proxy[502],
            "proxy_503": app.proxy[503], "operation_cancelled": app.cancel_share, "locked": locked, "help": HELP}
