"""Seed time reports: project, internal and absence time, some attested or invoiced (undeletable)."""

from __future__ import annotations

import random
from datetime import timedelta

from bulktool.sandbox.store import Record

from .util import BASE, fmt_dt


def _day(days_before: float) -> str:
    return (BASE - timedelta(days=days_before)).strftime("%Y-%m-%d")


def time_report(rng: random.Random, i: int, users: list[Record], tasks: list[Record]) -> Record:
    user = rng.choice(users)
    kind = rng.random()
    project = rng.randint(1, 40) if kind < 0.8 else None
    days = rng.uniform(0, 90)
    day = _day(days)
    hours = rng.choice([0.5, 1.0, 2.25, 4.0, 6.5, 7.75, 8.0])
    attested = days > 14 and rng.random() < 0.5
    sent = attested or (days > 7 and rng.random() < 0.4)
    created = BASE - timedelta(days=days) + timedelta(hours=rng.randint(8, 40))
    updated = rng.random() < 0.4
    project_tasks = [t["id"] for t in tasks if t["project"] == project] if project else []
    rec: Record = {
        "id": i,
        "date": day,
        "clockStart": "07:00" if rng.random() < 0.4 else None,
        "clockEnd": None,
        "hours": hours,
        "invoiceableHours": (hours if rng.random() < 0.7 else max(0.0, hours - 1)) if project else 0.0,
        "breakMinutes": rng.choice([None, None, 30, 45]),
        "cost": user.get("costPerHour"),
        "rate": float(rng.choice([450, 500, 575, 650])) if project else None,
        "discount": rng.choice([None, None, None, 10.0]),
        "comment": rng.choice(
            [None, "", "Montering av innerväggar", "Felsökning\nbytt säkring", "+ tillägg enligt ÄTA"]
        ),
        "internalComment": rng.choice([None, "", "Glömde rapportera i fredags"]),
        "sentToAttestDate": fmt_dt(created + timedelta(days=3)) if sent else None,
        "attestedDate": fmt_dt(created + timedelta(days=4)) if attested else None,
        "attestedByUser": 1 if attested else None,
        "user": user["id"],
        "project": project,
        "internalProject": rng.randint(1, 3) if project is None and kind < 0.9 else None,
        "absenceProject": rng.randint(1, 4) if kind >= 0.9 else None,
        "activity": rng.randint(1, 5),
        "timeCode": rng.choice([1, 1, 1, 2, 4]),
        "timeArticle": rng.choice([1, 1, 2, 3]),
        "costCenter": rng.choice([None, 1, 2]),
        "invoiceId": 5000 + i if attested and rng.random() < 0.3 else None,
        "task": rng.choice(project_tasks) if project_tasks and rng.random() < 0.5 else None,
        "travelReport": None,
        "allowanceReport": None,
        "materials": [],
        "equipments": [],
        "additions": [],
        "createdDate": fmt_dt(created),
        "updatedDate": fmt_dt(created + timedelta(hours=rng.randint(1, 48))) if updated else None,
    }
    if rec["clockStart"]:
        end_minutes = 7 * 60 + int(hours * 60) + (rec["breakMinutes"] or 0)
        rec["clockEnd"] = f"{end_minutes // 60:02d}:{end_minutes % 60:02d}"
    if i % 25 == 0:
        rec["materials"] = [
            {
                "objectName": "timereport.detail.materialreport",
                "id": i,
                "title": "Brytjärn",
                "units": 2.0,
                "costPerUnit": 100.0,
                "discountInPercent": None,
                "invoicableUnits": None,
                "unitPrice": 125.0,
                "invoicableUnitPrice": 125.0,
                "taxPercent": 25.0,
                "amount": 250.0,
                "invoicableAmount": 250.0,
                "cost": 200.0,
                "calculatedUnits": None,
                "tax": 62.5,
                "toBeInvoiced": True,
                "article": {"objectName": "generic.name_id", "id": 2, "name": "Brytjärn"},
                "unitText": "st",
                "invoicableUnitText": "st",
                "isRotRut": False,
                "invoiceId": None,
                "articleNumber": "0012",
                "costCenter": None,
                "bookingProject": None,
            }
        ]
    return rec
