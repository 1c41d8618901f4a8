"""Time report write bodies, including the nested travel/allowance/material/equipment/addition rows.

Nested rows are stored already in their documented read shapes ("timereport.detail.*").
A row sent with the id of an existing row keeps that id; rows left out are dropped.
"""

from __future__ import annotations

from typing import Any

from bulktool.sandbox.store import Record, Store

from .reader import Reader
from .shapes import name_id


def _row_id(store: Store, raw: dict[str, Any], old: list[dict[str, Any]], kind: str) -> int:
    given = raw.get("id")
    known = {r.get("id") for r in old}
    if isinstance(given, int) and not isinstance(given, bool) and given in known:
        return given
    return store.reserve_id(kind)


def _material(store: Store, rd: Reader, raw: dict[str, Any], old: list[dict[str, Any]]) -> dict[str, Any]:
    units = rd.decimal("units") or 0.0
    price = rd.decimal("unitPrice") or 0.0
    inv_units, inv_price = rd.decimal("invoiceableUnits"), rd.decimal("invoiceableUnitPrice")
    amount = round(units * price, 2)
    inv_amount = round(
        (inv_units if inv_units is not None else units) * (inv_price if inv_price is not None else price), 2
    )
    return {
        "objectName": "timereport.detail.materialreport",
        "id": _row_id(store, raw, old, "material-reports"),
        "title": rd.string("title"),
        "units": units,
        "costPerUnit": rd.decimal("cost"),
        "discountInPercent": rd.decimal("discountInPercent"),
        "invoicableUnits": inv_units,
        "unitPrice": price,
        "invoicableUnitPrice": inv_price,
        "taxPercent": 25.0,
        "amount": amount,
        "invoicableAmount": inv_amount,
        "cost": rd.decimal("cost"),
        "calculatedUnits": rd.decimal("calculatedUnits"),
        "tax": round(amount * 0.25, 2),
        "toBeInvoiced": not rd.boolean("isTextOnly"),
        "article": name_id(store, "articles", rd.ref("articleId", "articles", what="article")),
        "unitText": rd.string("unitText"),
        "invoicableUnitText": rd.string("unitText"),
        "isRotRut": False,
        "invoiceId": None,
        "articleNumber": rd.string("articleNumber"),
        "costCenter": None,
        "bookingProject": None,
    }


def _equipment(store: Store, rd: Reader, raw: dict[str, Any], old: list[dict[str, Any]]) -> dict[str, Any]:
    hours = rd.decimal("hours", required=True)
    return {
        "objectName": "timereport.detail.equipmentreport",
        "id": _row_id(store, raw, old, "equipment-reports"),
        "hours": hours,
        "cost": None,
        "rate": None,
        "invoicableRate": None,
        "invoicableHours": hours,
        "article": name_id(store, "articles", rd.ref("articleId", "articles", required=True, what="article")),
        "invoiceId": None,
        "discount": None,
        "comment": rd.string("comment"),
        "costCenter": None,
        "bookingProject": None,
    }


def _addition(store: Store, rd: Reader, raw: dict[str, Any], old: list[dict[str, Any]]) -> dict[str, Any]:
    count = rd.decimal("numberCount")
    if count is None:
        count = 1.0 if rd.boolean("yesNo") else 0.0
    return {
        "objectName": "timereport.detail.additionreport",
        "id": _row_id(store, raw, old, "addition-reports"),
        "salaryCount": count,
        "invoicableCount": count,
        "cost": None,
        "invoicablePrice": None,
        "discount": None,
        "article": name_id(store, "articles", rd.ref("articleId", "articles", required=True, what="article")),
        "costCenter": None,
        "bookingProject": None,
    }


def _rows(store: Store, rd: Reader, name: str, old: list[dict[str, Any]], make: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for i, raw in enumerate(rd.array(name)):
        if not isinstance(raw, dict):
            rd.error(f"{name}[{i}]", "Each row must be an object.")
            continue
        sub = Reader(store, raw, prefix=f"{name}[{i}].")
        out.append(make(store, sub, raw, old))
        rd.merge(sub)
    return out


def _travel(store: Store, rd: Reader, old: Any) -> dict[str, Any] | None:
    raw = rd.obj("travelReport")
    if raw is None:
        return None
    sub = Reader(store, raw, prefix="travelReport.")
    car_raw = sub.obj("companyCar")
    car = None
    if car_raw is not None:
        cs = Reader(store, car_raw, prefix="travelReport.companyCar.")
        car_id = cs.ref("id", "company-cars", required=True, what="company car")
        car_rec = store.get("company-cars", car_id) or {}
        car = {
            "objectName": "timereport.detail.travelreport.companycar",
            "id": car_id,
            "name": car_rec.get("name"),
            **{k: cs.decimal(k) for k in ("tripStart", "tripEnd")},
            **{k: cs.string(k) for k in ("addressStart", "addressGoal", "addressEnd")},
        }
        sub.merge(cs)
    place = sub.string("place")
    distance = sub.decimal("distance", required=True)
    out = {
        "objectName": "timereport.detail.travelreport",
        "id": old["id"] if isinstance(old, dict) else store.reserve_id("travel-reports"),
        "place": place,
        "invoicablePlace": place,
        "distance": distance,
        "invoicableDistance": sub.decimal("invoiceableDistance"),
        "toSalary": sub.boolean("toSalary"),
        "toBeInvoiced": sub.boolean("toBeInvoiced"),
        "cost": None,
        "rate": None,
        "discount": None,
        "sentToAttestDate": None,
        "attestedDate": None,
        "costCenter": None,
        "bookingProject": None,
        "invoiceId": None,
        "companyCar": car,
    }
    rd.merge(sub)
    return out


def _allowance(store: Store, rd: Reader, old: Any) -> dict[str, Any] | None:
    raw = rd.obj("allowanceReport")
    if raw is None:
        return None
    sub = Reader(store, raw, prefix="allowanceReport.")
    kind = store.get("allowances", sub.ref("allowanceTypeId", "allowances", required=True, what="allowance"))
    out = {
        "objectName": "timereport.detail.allowancereport",
        "id": old["id"] if isinstance(old, dict) else store.reserve_id("allowance-reports"),
        "description": sub.string("description"),
        "cost": None,
        "amount": None,
        "invoicableAmount": None,
        "discount": None,
        "invoicableSpecification": kind.get("name") if kind else None,
        "toBeInvoiced": sub.boolean("toBeInvoiced"),
        "sentToAttestDate": None,
        "attestedDate": None,
        "costCenter": None,
        "bookingProject": None,
        "invoiceId": None,
    }
    rd.merge(sub)
    return out


def time_report_fields(store: Store, body: dict[str, Any], existing: Record | None) -> Record:
    old = existing or {}
    rd = Reader(store, body)
    out: Record = {
        "date": rd.date("date", required=True),
        "clockStart": rd.clock("clockStart"),
        "clockEnd": rd.clock("clockEnd"),
        "hours": rd.decimal("hours", required=True),
        "invoiceableHours": rd.decimal("invoiceableHours", required=True),
        "breakMinutes": rd.integer("breakMinutes"),
        "comment": rd.string("comment"),
        "internalComment": rd.string("internalComment"),
        "user": rd.ref("userId", "users", required=True, what="user"),
        "project": rd.ref("projectId", "projects", what="project"),
        "internalProject": rd.ref("internalProjectId", "internal-projects", what="internal project"),
        "absenceProject": rd.ref("absenceProjectId", "absence-projects", what="absence project"),
        "activity": rd.ref("activityId", "activities", required=True, what="activity"),
        "timeCode": rd.ref("timeCodeId", "time-codes", required=True, what="time code"),
        "timeArticle": rd.ref("timeArticleId", "time-articles", required=True, what="time article"),
        "task": rd.ref("taskId", "tasks", what="task"),
        "travelReport": _travel(store, rd, old.get("travelReport")),
        "materials": _rows(store, rd, "materials", old.get("materials") or [], _material),
        "equipments": _rows(store, rd, "equipments", old.get("equipments") or [], _equipment),
        "additions": _rows(store, rd, "additions", old.get("additions") or [], _addition),
    }
    out["allowanceReport"] = _allowance(store, rd, old.get("allowanceReport"))
    if out["allowanceReport"] is not None and out["travelReport"] is None:
        rd.error("allowanceReport", "An allowance report can only be set together with a travel report.")
    rd.finish()
    if existing is None:
        user = store.get("users", out["user"]) or {}
        out.update(
            cost=user.get("costPerHour"),
            rate=None,
            discount=None,
            sentToAttestDate=None,
            attestedDate=None,
            attestedByUser=None,
            costCenter=user.get("costCenter"),
            invoiceId=None,
        )
    return out
