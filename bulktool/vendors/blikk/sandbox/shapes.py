"""Response objects exactly as the reference documents them, quirks included.

Kept on purpose: contactType is lowercase in contact.list but capitalised in contact.detail;
project invoiceType and company-car type are capitalised although their enums are documented
lowercase; contact.list carries no email, tags, responsible or isActive.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bulktool.sandbox.store import Record, Store

from .model import display_name

Render = Callable[[Store, Record], dict[str, Any]]
INVOICE_TYPES = {"ongoing": "Ongoing", "fixedprice": "FixedPrice", "none": "None"}
CAR_TYPES = {"companycar": "CompanyCar", "officalcar": "OfficalCar"}


def name_id(s: Store, resource: str, rid: Any, object_name: str = "generic.name_id") -> dict[str, Any] | None:
    rec = s.get(resource, rid)
    if rec is None:
        return None
    return {"objectName": object_name, "id": rec["id"], "name": display_name(resource, rec)}


def user(s: Store, rid: Any) -> dict[str, Any] | None:
    return name_id(s, "users", rid)


def project_ref(s: Store, pid: Any) -> dict[str, Any] | None:
    p = s.get("projects", pid)
    if p is None:
        return None
    return {
        "objectName": "project.name_id",
        "id": p["id"],
        "name": p.get("title"),
        "number": p.get("orderNumber"),
    }


def collection_ref(s: Store, cid: Any) -> dict[str, Any] | None:
    c = s.get("project-collections", cid)
    if c is None:
        return None
    return {
        "objectName": "projectcollection.name_id",
        "id": c["id"],
        "name": c.get("name"),
        "number": c.get("number"),
    }


def tag(s: Store, resource: str, tid: Any) -> dict[str, Any] | None:
    t = s.get(resource, tid)
    if t is None:
        return None
    return {"objectName": "generic.tag", "id": t["id"], "title": t.get("title"), "color": t.get("color")}


def address(s: Store, a: Any) -> dict[str, Any] | None:
    if not isinstance(a, dict):
        return None
    country = s.get("countries", a.get("countryId"))
    return {
        "objectName": "generic.address",
        "streetAddress": a.get("streetAddress"),
        "additionalAddress": a.get("additionalAddress"),
        "postalCode": a.get("postalCode"),
        "city": a.get("city"),
        "state": a.get("state"),
        "countryId": country["id"] if country else None,
        "countryName": country.get("name") if country else None,
    }


def _present(items: list[dict[str, Any] | None]) -> list[dict[str, Any]]:
    return [i for i in items if i is not None]


def contact_list(s: Store, r: Record) -> dict[str, Any]:
    return {
        "objectName": "contact.list",
        "id": r["id"],
        "name": r.get("name"),
        "customerNumber": r.get("customerNumber"),
        "contactType": r.get("contactType"),
        "organizationalOrSocialSecurityNumber": r.get("organizationalOrSocialSecurityNumber"),
        "visitingAddress": address(s, r.get("visitingAddress")),
        "company": name_id(s, "contacts", r.get("company")),
        "parentCompany": name_id(s, "contacts", r.get("parentCompany")),
        "created": r.get("created"),
        "lastUpdated": r.get("lastUpdated"),
    }


def contact_detail(s: Store, r: Record) -> dict[str, Any]:
    out: dict[str, Any] = {
        "objectName": "contact.detail",
        "id": r["id"],
        "name": r.get("name"),
        "customerNumber": r.get("customerNumber"),
        "contactType": str(r.get("contactType") or "").capitalize(),
        "organizationalOrSocialSecurityNumber": r.get("organizationalOrSocialSecurityNumber"),
        "company": name_id(s, "contacts", r.get("company")),
        "parentCompany": name_id(s, "contacts", r.get("parentCompany")),
    }
    for key in (
        "isActive",
        "email",
        "invoiceEmail",
        "phoneNumber",
        "cellPhoneNumber",
        "importantInformation",
        "isSupplier",
        "isWholeSale",
        "isRetailer",
        "isSubContractor",
        "isPartner",
        "isCustomer",
        "useReverseBuildTax",
    ):
        out[key] = r.get(key)
    out["responsible"] = user(s, r.get("responsible"))
    out["tags"] = _present([name_id(s, "contact-tags", t) for t in r.get("tags") or []])
    for key in ("visitingAddress", "deliveryAddress", "invoiceAddress"):
        out[key] = address(s, r.get(key))
    out.update(
        created=r.get("created"),
        createdBy=user(s, r.get("createdBy")),
        lastUpdated=r.get("lastUpdated"),
        lastUpdatedBy=user(s, r.get("lastUpdatedBy")),
    )
    return out


def _project(s: Store, r: Record, object_name: str) -> dict[str, Any]:
    st = s.get("project-statuses", r.get("status"))
    loc = r.get("location")
    out: dict[str, Any] = {
        "objectName": object_name,
        "id": r["id"],
        "orderNumber": r.get("orderNumber"),
        "title": r.get("title"),
        "status": {
            "objectName": "project.list.status",
            "id": st["id"],
            "name": st.get("name"),
            "isCompletedStatus": bool(st.get("isCompletedStatus")),
        }
        if st
        else None,
        "startDate": r.get("startDate"),
        "endDate": r.get("endDate"),
        "invoiceType": INVOICE_TYPES.get(str(r.get("invoiceType") or "").lower()),
        "location": {"objectName": "project.list.location", **loc} if isinstance(loc, dict) else None,
        "projectManager": user(s, r.get("projectManager")),
        "customer": name_id(s, "contacts", r.get("customer")),
        "projectCollection": collection_ref(s, r.get("projectCollection")),
        "createdBy": user(s, r.get("createdBy")),
        "updatedBy": user(s, r.get("updatedBy")),
        "created": r.get("created"),
        "updated": r.get("updated"),
    }
    return out


def project_list(s: Store, r: Record) -> dict[str, Any]:
    return _project(s, r, "project.list")


def project_detail(s: Store, r: Record) -> dict[str, Any]:
    # Inferred: the reference documents only the list shape; detail = list fields + description.
    return {**_project(s, r, "project.detail"), "description": r.get("description")}


def task_board_list(s: Store, r: Record) -> dict[str, Any]:
    columns = [c for c in s.all("task-board-columns") if c.get("board") == r["id"]]
    counts: dict[int, int] = {}
    for t in s.values("tasks"):
        if t.get("boardColumn") is not None:
            counts[t["boardColumn"]] = counts.get(t["boardColumn"], 0) + 1
    return {
        "objectName": "taskboard.list",
        "id": r["id"],
        "name": r.get("name"),
        "project": project_ref(s, r.get("project")),
        "tags": _present([tag(s, "task-tags", t) for t in r.get("tags") or []]),
        "columns": [
            {
                "objectName": "taskboard.list.column",
                "id": c["id"],
                "name": c.get("name"),
                "taskCount": counts.get(c["id"], 0),
                "createdByUser": user(s, c.get("createdByUser")),
                "updatedByUser": user(s, c.get("updatedByUser")),
                "createdDate": c.get("createdDate"),
                "updatedDate": c.get("updatedDate"),
            }
            for c in columns
        ],
        "members": _present([user(s, m) for m in r.get("members") or []]),
        "createdByUser": user(s, r.get("createdByUser")),
        "updatedByUser": user(s, r.get("updatedByUser")),
        "createdDate": r.get("createdDate"),
        "updatedDate": r.get("updatedDate"),
    }


def _date_and_time(value: Any) -> tuple[str | None, str | None]:
    if not isinstance(value, str) or len(value) < 10:
        return None, None
    clock = value[11:16] if len(value) >= 16 else ""
    return value[:10], (clock if clock and clock != "00:00" else None)


def task_list(s: Store, r: Record) -> dict[str, Any]:
    column = s.get("task-board-columns", r.get("boardColumn"))
    project = s.get("projects", r.get("project"))
    start, start_time = _date_and_time(r.get("startDate"))
    end, end_time = _date_and_time(r.get("endDate"))
    comments = sum(1 for c in s.values("task-comments") if c.get("task") == r["id"])
    members = [s.get("users", m) for m in r.get("members") or []]
    return {
        "objectName": "task.list",
        "id": r["id"],
        "title": r.get("title"),
        "description": r.get("description"),
        "completedDate": r.get("completedDate"),
        "timeReportingEnabled": bool(r.get("timeReportingEnabled")),
        "estimate": r.get("estimate"),
        "startDate": start,
        "startTime": start_time,
        "endDate": end,
        "endTime": end_time,
        "numberOfComments": comments,
        "numberOfAttachments": int(r.get("numberOfAttachments") or 0),
        "numberOfChecklistPoints": int(r.get("numberOfChecklistPoints") or 0),
        "tags": _present([tag(s, "task-tags", t) for t in r.get("tags") or []]),
        "members": [
            {"objectName": "task.member", "userId": m["id"], "userName": display_name("users", m)}
            for m in members
            if m is not None
        ],
        "boardColumn": name_id(s, "task-board-columns", r.get("boardColumn")),
        "board": name_id(s, "task-boards", column.get("board")) if column else None,
        "project": project_ref(s, r.get("project")),
        "projectCollection": collection_ref(s, project.get("projectCollection")) if project else None,
        "opportunity": None,
        "createdByUser": user(s, r.get("createdByUser")),
        "createdDate": r.get("createdDate"),
        "updatedDate": r.get("updatedDate"),
    }


def task_comment_list(s: Store, r: Record) -> dict[str, Any]:
    return {
        "objectName": "task.comment.list",
        "id": r["id"],
        "text": r.get("text"),
        "createdByUser": user(s, r.get("createdByUser")),
        "updatedByUser": user(s, r.get("updatedByUser")),
        "createdDate": r.get("createdDate"),
        "updatedDate": r.get("updatedDate"),
    }
