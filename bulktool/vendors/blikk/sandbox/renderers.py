"""Time reports, users and the admin lists, plus the table of list/detail renderers per resource."""

from __future__ import annotations

from typing import Any

from bulktool.sandbox.store import Record, Store

from . import shapes as sh


def _time_report(s: Store, r: Record, detail: bool) -> dict[str, Any]:
    project = s.get("projects", r.get("project"))
    out: dict[str, Any] = {"objectName": "timereport.detail" if detail else "timereport.list", "id": r["id"]}
    for key in (
        "date",
        "clockStart",
        "clockEnd",
        "hours",
        "invoiceableHours",
        "breakMinutes",
        "cost",
        "rate",
        "discount",
        "comment",
        "internalComment",
        "sentToAttestDate",
        "attestedDate",
    ):
        out[key] = r.get(key)
    if detail:
        out["attestedByUser"] = sh.user(s, r.get("attestedByUser"))
    out["user"] = sh.user(s, r.get("user"))
    contact = sh.name_id(s, "contacts", project.get("customer")) if project else None
    if detail:
        out["contact"] = contact
    out["project"] = sh.project_ref(s, r.get("project"))
    out["internalProject"] = sh.name_id(s, "internal-projects", r.get("internalProject"))
    out["absenceProject"] = sh.name_id(s, "absence-projects", r.get("absenceProject"))
    if not detail:
        out["contact"] = contact
    out["activity"] = sh.name_id(s, "activities", r.get("activity"))
    out["timeCode"] = sh.name_id(s, "time-codes", r.get("timeCode"))
    out["timeArticle"] = sh.name_id(s, "time-articles", r.get("timeArticle"))
    out["costCenter"] = sh.name_id(s, "cost-centers", r.get("costCenter"))
    travel, allowance = r.get("travelReport"), r.get("allowanceReport")
    if detail:
        out.update(
            bookingProject=None,
            invoiceId=r.get("invoiceId"),
            task=sh.name_id(s, "tasks", r.get("task")),
            travelReport=travel,
            allowanceReport=allowance,
            materials=list(r.get("materials") or []),
            equipments=list(r.get("equipments") or []),
            additions=list(r.get("additions") or []),
        )
    else:
        out.update(
            invoiceId=r.get("invoiceId"),
            travelReportId=travel.get("id") if isinstance(travel, dict) else None,
            allowanceReportId=allowance.get("id") if isinstance(allowance, dict) else None,
        )
    out.update(createdDate=r.get("createdDate"), updatedDate=r.get("updatedDate"))
    return out


def time_report_list(s: Store, r: Record) -> dict[str, Any]:
    return _time_report(s, r, False)


def time_report_detail(s: Store, r: Record) -> dict[str, Any]:
    return _time_report(s, r, True)


def user_list(s: Store, r: Record) -> dict[str, Any]:
    return {
        "objectName": "user.list",
        "id": r["id"],
        "firstName": r.get("firstName"),
        "lastName": r.get("lastName"),
        "startDate": r.get("startDate"),
        "endDate": r.get("endDate"),
        "timeReportingProfile": sh.name_id(s, "time-reporting-profiles", r.get("timeReportingProfile")),
        "department": sh.name_id(s, "departments", r.get("department")),
        "license": r.get("license"),
        "permissions": list(r.get("permissions") or []),
        "createdBy": sh.user(s, r.get("createdBy")),
        "updatedBy": sh.user(s, r.get("updatedBy")),
        "createdDate": r.get("createdDate"),
        "updatedDate": r.get("updatedDate"),
    }


def user_detail(s: Store, r: Record) -> dict[str, Any]:
    # The reference's example response is cut off; the field list and order follow its table.
    out: dict[str, Any] = {"objectName": "user.detail", "id": r["id"]}
    for key in (
        "firstName",
        "lastName",
        "license",
        "email",
        "socialSecurityNumber",
        "mobilePhoneNumber",
        "workPhoneNumber",
        "note",
        "startDate",
        "endDate",
    ):
        out[key] = r.get(key)
    out["department"] = sh.name_id(s, "departments", r.get("department"))
    out["costCenter"] = sh.name_id(s, "cost-centers", r.get("costCenter"))
    for key in ("salaryType", "costPerHour", "employeeNumber", "settlementAccount"):
        out[key] = r.get(key)
    out["address"] = sh.address(s, r.get("address"))
    for key in ("nextOfKin", "nextOfKinRelation", "nextOfKinPhoneNumber"):
        out[key] = r.get(key)
    out.update(
        manager=sh.user(s, r.get("manager")),
        schedule=None,
        standardTimeArticle=sh.name_id(s, "time-articles", r.get("standardTimeArticle")),
        standardActivity=sh.name_id(s, "activities", r.get("standardActivity")),
        timeReportingProfile=sh.name_id(s, "time-reporting-profiles", r.get("timeReportingProfile")),
        timeBankEnabled=bool(r.get("timeBankEnabled")),
        currentTimeBank=r.get("currentTimeBank"),
        planningCapacityInPercent=r.get("planningCapacityInPercent"),
        tags=[],
        permissions=list(r.get("permissions") or []),
        createdBy=sh.user(s, r.get("createdBy")),
        updatedBy=sh.user(s, r.get("updatedBy")),
        createdDate=r.get("createdDate"),
        updatedDate=r.get("updatedDate"),
    )
    return out


# Admin lists: objectName and the fields between "id" and the created/updated trailer.
_ADMIN: dict[str, tuple[str, tuple[str, ...]]] = {
    "absence-projects": (
        "absenceproject.list",
        (
            "name",
            "commentRequiredWhenTimeReporting",
            "salaryCodeForMonthlySalary",
            "salaryCodeForHourlySalary",
            "refersToSickness",
            "isActive",
        ),
    ),
    "activities": ("activity.list", ("name", "isActive", "preferredTimeCode", "preferredTimeArticle")),
    "allowances": ("allowance.list", ("name", "description", "isActive")),
    "articles": (
        "article.list",
        ("articleNumber", "name", "price", "cost", "unit", "description", "isActive"),
    ),
    "company-cars": ("companycar.list", ("name", "isActive", "makeAndModel", "registrationNumber", "type")),
    "equipments": ("equipment.list", ("name", "description", "isActive", "type")),
    "internal-projects": ("internalproject.list", ("name", "commentRequiredWhenTimeReporting", "isActive")),
    "time-additions": ("timeaddition.list", ("name", "description", "type", "isActive")),
    "time-articles": ("timearticle.list", ("name", "description", "isActive")),
    "time-codes": ("timecode.list", ("name", "description", "isActive", "isStandard")),
}
_ADMIN_REFS = {
    ("activities", "preferredTimeCode"): "time-codes",
    ("activities", "preferredTimeArticle"): "time-articles",
    ("articles", "unit"): "units",
    ("equipments", "type"): "equipment-types",
}


def _admin(resource: str) -> sh.Render:
    object_name, keys = _ADMIN[resource]

    def render(s: Store, r: Record) -> dict[str, Any]:
        out: dict[str, Any] = {"objectName": object_name, "id": r["id"]}
        for key in keys:
            target = _ADMIN_REFS.get((resource, key))
            out[key] = sh.name_id(s, target, r.get(key)) if target else r.get(key)
        if resource == "company-cars":
            out["type"] = sh.CAR_TYPES.get(str(r.get("type") or "").lower(), r.get("type"))
        out.update(
            createdBy=sh.user(s, r.get("createdBy")),
            updatedBy=sh.user(s, r.get("updatedBy")),
            created=r.get("created"),
            updated=r.get("updated"),
        )
        return out

    return render


def contact_tag(s: Store, r: Record) -> dict[str, Any]:
    return {"objectName": "generic.tag", "id": r["id"], "title": r.get("title"), "color": r.get("color")}


def country(s: Store, r: Record) -> dict[str, Any]:
    return {"objectName": "country.list", "id": r["id"], "name": r.get("name")}


LIST: dict[str, sh.Render] = {
    "contacts": sh.contact_list,
    "projects": sh.project_list,
    "task-boards": sh.task_board_list,
    "tasks": sh.task_list,
    "task-comments": sh.task_comment_list,
    "time-reports": time_report_list,
    "users": user_list,
    "contact-tags": contact_tag,
    "countries": country,
    **{name: _admin(name) for name in _ADMIN},
}
DETAIL: dict[str, sh.Render] = {
    "contacts": sh.contact_detail,
    "projects": sh.project_detail,
    "time-reports": time_report_detail,
    "users": user_detail,
}


def render_detail(s: Store, resource: str, rec: Record) -> dict[str, Any]:
    """The richest documented shape of a record (detail where one exists, else the list item)."""
    return (DETAIL.get(resource) or LIST[resource])(s, rec)
