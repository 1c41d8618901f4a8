"""Seed rows for the admin lists (articles, activities, time codes, ...), a few of each."""

from __future__ import annotations

import random
from typing import Any

from bulktool.sandbox.store import Record

from .util import seed_dt


def _admin_rows(rng: random.Random, rows: list[dict[str, Any]]) -> list[Record]:
    out: list[Record] = []
    for i, row in enumerate(rows, start=1):
        age = rng.uniform(200, 1500)
        updated = rng.random() < 0.4
        out.append(
            {
                "id": i,
                **row,
                "createdBy": 1,
                "updatedBy": 2 if updated else None,
                "created": seed_dt(age),
                "updated": seed_dt(age * rng.random()) if updated else None,
            }
        )
    return out


def admin_lists(rng: random.Random) -> dict[str, list[Record]]:
    def named(names: list[str], **extra: Any) -> list[dict[str, Any]]:
        return [{"name": n, **extra} for n in names]

    articles = [
        ("A024", "Gipsskiva 13 mm", 89.0, 61.5, 1),
        ("0012", "Brytjärn", 125.0, 100.0, 1),
        ("E01", "Installationskabel EKK 3G1,5", 12.5, 7.9, 2),
        ("A100", "Arbetstimme lärling", 450.0, 250.0, 3),
        ("00731", "Fogskum 750 ml", 119.0, 79.0, 1),
        ("12345678901234567", "Takpapp YEP 2500", 1450.0, 980.5, 5),
        ("B-17", "Plåtskruv 4,8x20 (250 st)", 289.0, 190.0, 1),
        ("C3", "Betong C25/30", 1650.0, 1300.0, 4),
        ("A025", "Gipsskiva 13 mm, fuktbeständig", 129.0, 89.0, 1),
        ("0099", "Säkerhetsglas 4 mm", 890.0, 610.0, 5),
        ("D-1", "Ventilationsdon Ø125", 349.0, 201.0, 1),
        ("D-2", "Spiralrör Ø125, 3 m", 279.0, 160.0, 2),
    ]
    return {
        "contact-tags": [
            {"id": i, "title": t, "color": c, "createdDate": seed_dt(1600 - i * 20), "updatedDate": None}
            for i, (t, c) in enumerate(
                [
                    ("VIP", "#41b18b"),
                    ("Leverantör", "#f2d600"),
                    ("Underentreprenör", "#eb5a46"),
                    ("Privatkund", "#0079bf"),
                    ("Förening", "#c377e0"),
                    ("Nyhetsbrev", "#ff9f1a"),
                ],
                start=1,
            )
        ],
        "countries": [
            {"id": i, "name": n} for i, n in enumerate(["Sverige", "Norge", "Danmark", "Finland"], 1)
        ],
        "activities": _admin_rows(
            rng,
            [
                {
                    "name": n,
                    "isActive": n != "Gammal aktivitet",
                    "preferredTimeCode": tc,
                    "preferredTimeArticle": ta,
                }
                for n, tc, ta in [
                    ("Montering", 1, 1),
                    ("Projektledning", 1, 1),
                    ("Resa", 4, 2),
                    ("Service", 1, 1),
                    ("Administration", None, None),
                    ("Gammal aktivitet", None, None),
                ]
            ],
        ),
        "time-codes": _admin_rows(
            rng,
            [
                {"name": n, "description": d, "isActive": True, "isStandard": n == "Normal"}
                for n, d in [
                    ("Normal", "Ordinarie arbetstid"),
                    ("Övertid 50%", None),
                    ("Övertid 100%", ""),
                    ("Restid", "Restid utanför arbetstid"),
                ]
            ],
        ),
        "time-articles": _admin_rows(
            rng,
            [
                {"name": n, "description": d, "isActive": n != "Lärling (gammal)"}
                for n, d in [
                    ("Arbetstid", "Debiterbar arbetstid"),
                    ("Restid", None),
                    ("Jourtid", "Jour kvällar och helger"),
                    ("Lärling (gammal)", ""),
                ]
            ],
        ),
        "absence-projects": _admin_rows(
            rng,
            [
                {
                    "name": n,
                    "commentRequiredWhenTimeReporting": c,
                    "salaryCodeForMonthlySalary": m,
                    "salaryCodeForHourlySalary": h,
                    "refersToSickness": s,
                    "isActive": True,
                }
                for n, c, m, h, s in [
                    ("Semester", False, "040", "040", False),
                    ("Sjukdom", False, "0311", "0310", True),
                    ("VAB", True, "050", "050", False),
                    ("Föräldraledig", False, None, "", False),
                ]
            ],
        ),
        "internal-projects": _admin_rows(
            rng,
            [
                {"name": n, "commentRequiredWhenTimeReporting": c, "isActive": a}
                for n, c, a in [
                    ("Utbildning", True, True),
                    ("Intern administration", False, True),
                    ("Lager och verkstad", False, False),
                ]
            ],
        ),
        "articles": _admin_rows(
            rng,
            [
                {
                    "articleNumber": a,
                    "name": n,
                    "price": p,
                    "cost": c,
                    "unit": u,
                    "description": None if i % 3 else "Lagervara.\nBeställs i hela förpackningar.",
                    "isActive": i != 7,
                }
                for i, (a, n, p, c, u) in enumerate(articles, start=1)
            ],
        ),
        "company-cars": _admin_rows(
            rng,
            [
                {"name": n, "isActive": a, "makeAndModel": m, "registrationNumber": r, "type": t}
                for n, a, m, r, t in [
                    ("Servicebil 1", True, "VW Transporter", "ABC123", "companyCar"),
                    ("Servicebil 2", True, "Ford Transit", "XYZ 98A", "companyCar"),
                    ("Tjänstebil Anna", False, "Volvo V60", "MLB321", "officalCar"),
                ]
            ],
        ),
        "equipments": _admin_rows(
            rng,
            [
                {"name": n, "description": d, "isActive": True, "type": t}
                for n, d, t in [
                    ("Minigrävare", "1,8 ton", 1),
                    ("Ställning", None, 2),
                    ("Bilningsmaskin", "", 2),
                    ("Skylift", "Max 12 m", 3),
                ]
            ],
        ),
        "allowances": _admin_rows(
            rng, named(["Heldag", "Halvdag", "Nattschablon"], description="Traktamente", isActive=True)
        ),
        "time-additions": _admin_rows(
            rng,
            [
                {"name": n, "description": d, "type": t, "isActive": True}
                for n, d, t in [
                    ("OB-tillägg", "Obekväm arbetstid", "number"),
                    ("Smutstillägg", None, "boolean"),
                    ("Jour", "", "number"),
                ]
            ],
        ),
    }
