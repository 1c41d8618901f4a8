"""Deterministic sample data: the same seed always gives the same records, whatever the clock says.

Each section draws from its own ``random.Random`` so that, say, the contact count does not
change the users or admin lists.
"""

from __future__ import annotations

import random
from typing import Any

from bulktool.sandbox.store import Record

from .seed_admin import admin_lists
from .seed_contacts import make_contacts
from .seed_work import make_work
from .util import seed_dt

# firstName, lastName, license, permissions, department, salaryType, costPerHour, startDate, endDate
USERS = [
    ("Anna", "Lindqvist", "total", ["administrator", "sales"], 3, "monthly", 420.0, "2015-03-01", None),
    ("Jonas", "lindberg", "total", ["administrator"], 1, "monthly", 380.0, "2016-08-15", None),
    ("Åsa", "Öberg", "standard", [], 2, "hourly", 310.0, "2018-01-08", None),
    ("Per-Erik", "Nyström", "standard", ["sales"], 1, "hourly", 295.5, "2019-04-01", None),
    ("Märta", "Åkesson", "basic", [], 2, "hourly", 280.0, "2020-06-01", None),
    ("Björn", "Sjögren", "standard", [], 1, "monthly", 350.0, "2021-02-01", None),
    ("Sara", "Bäckström", "light", [], 3, "none", None, "2022-09-01", None),
    ("Göran", "Ek", "basic", [], 2, "hourly", 265.0, "2017-05-02", "2023-12-31"),
]
# Look-alike names, so a lookup by name meets what a real register holds: a misspelling close to several
# people, and two namesakes (which a name cannot tell apart). The documented list shape carries firstName
# and lastName only (blikk-api-reference.txt, GET /v1/Admin/Users); email is in the detail shape. Added after
# the work seed, which draws time-report users from the first eight, so no other seed record changes.
LOOKALIKE_USERS = [
    ("Anna", "Svensson", "standard", [], 1, "hourly", 300.0, "2023-01-09", None),
    ("Anna", "Svenson", "basic", [], 2, "hourly", 270.0, "2023-03-01", None),
    ("Annika", "Svensson", "standard", ["sales"], 3, "monthly", 360.0, "2023-08-14", None),
    ("Erik", "Johansson", "standard", [], 1, "hourly", 290.0, "2024-02-01", None),
    ("Erik", "Johansson", "light", [], 2, "none", None, "2024-05-20", None),
]
_ASCII = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "ø": "o", "æ": "ae", " ": "", "&": "och"})


def slug(text: str) -> str:
    return "".join(ch for ch in text.lower().translate(_ASCII) if ch.isalnum() or ch in ".-")


def _named(rows: list[tuple[Any, ...]], keys: tuple[str, ...]) -> list[Record]:
    return [{"id": i, **dict(zip(keys, row, strict=True))} for i, row in enumerate(rows, start=1)]


def lookups() -> dict[str, list[Record]]:
    """Private tables that references resolve against (no endpoints of their own)."""
    return {
        "departments": _named([("Montage",), ("Service",), ("Kontor",)], ("name",)),
        "time-reporting-profiles": _named([("Standardprofil",), ("Timanställd",)], ("name",)),
        "cost-centers": _named([("Norrbotten",), ("Västerbotten",)], ("name",)),
        "project-statuses": _named(
            [("Pågående", False), ("Planerad", False), ("Avslutad", True), ("Vilande", False)],
            ("name", "isCompletedStatus"),
        ),
        "project-collections": _named(
            [("Service", "P012"), ("Entreprenad", "P020"), ("Ramavtal Piteå kommun", "P031")],
            ("name", "number"),
        ),
        "units": _named([("st",), ("m",), ("tim",), ("kg",), ("m²",)], ("name",)),
        "equipment-types": _named([("Maskiner",), ("Verktyg",), ("Fordon",)], ("name",)),
        "task-tags": _named(
            [
                ("Brådskande", "#eb5a46"),
                ("Material", "#f2d600"),
                ("Kund", "#41b18b"),
                ("Intern", "#0079bf"),
                ("Garanti", "#c377e0"),
                (None, "#61bd4f"),
            ],
            ("title", "color"),
        ),
    }


def users(rng: random.Random, rows: list[tuple[Any, ...]] = USERS, first_id: int = 1) -> list[Record]:
    out: list[Record] = []
    for i, (first, last, lic, perms, dept, salary, cost, start, end) in enumerate(rows, start=first_id):
        mail = f"{slug(first)}.{slug(last)}{'' if i <= len(USERS) else i}@example.com"  # namesakes: two mails
        updated = rng.random() < 0.5
        out.append(
            {
                "id": i,
                "firstName": first,
                "lastName": last,
                "license": lic,
                "email": mail,
                "socialSecurityNumber": None
                if i > 6
                else f"{rng.randint(60, 99)}{rng.randint(1, 12):02d}"
                f"{rng.randint(1, 28):02d}-{rng.randint(1000, 9999)}",
                "mobilePhoneNumber": f"070{rng.randint(1000000, 9999999)}",
                "workPhoneNumber": None if i % 3 else "",
                "note": "Nyckel till förrådet.\nHar truckkort." if i == 4 else None,
                "startDate": start,
                "endDate": end,
                "department": dept,
                "costCenter": 1 if dept != 2 else 2,
                "salaryType": salary,
                "costPerHour": cost,
                "employeeNumber": f"{i:03d}",
                "settlementAccount": None,
                "address": {
                    "streetAddress": f"Bostadsvägen {i}",
                    "additionalAddress": None,
                    "postalCode": "94133",
                    "city": "Piteå",
                    "state": "Norrbotten",
                    "countryId": 1,
                }
                if i % 2
                else None,
                "nextOfKin": None,
                "nextOfKinRelation": None,
                "nextOfKinPhoneNumber": None,
                "manager": None if i <= 2 else 2,
                "standardTimeArticle": 1,
                "standardActivity": 1,
                "timeReportingProfile": 1 if salary != "hourly" else 2,
                "timeBankEnabled": salary == "monthly",
                "currentTimeBank": 12.5 if salary == "monthly" else None,
                "planningCapacityInPercent": 100.0,
                "permissions": perms,
                "createdBy": 1,
                "updatedBy": 1 if updated else None,
                "createdDate": seed_dt(2000 - i * 50),
                "updatedDate": seed_dt(rng.uniform(1, 300)) if updated else None,
            }
        )
    return out


def build(seed: int, contacts: int) -> dict[str, list[Record]]:
    """Every resource's seed records, keyed by resource name."""
    data: dict[str, list[Record]] = lookups()
    data["users"] = users(random.Random(f"{seed}:users"))
    data.update(admin_lists(random.Random(f"{seed}:admin")))
    data["contacts"] = make_contacts(random.Random(f"{seed}:contacts"), contacts)
    data.update(make_work(random.Random(f"{seed}:work"), data))
    data["users"] += users(random.Random(f"{seed}:lookalikes"), LOOKALIKE_USERS, len(USERS) + 1)
    return data
