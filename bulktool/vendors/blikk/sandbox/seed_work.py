"""Seed projects, task boards, tasks, comments and time reports that reference the seeded registers."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from bulktool.sandbox.store import Record

from .seed_time import time_report
from .util import BASE, seed_dt

PROJECTS = [
    "Tillbyggnad villa {l}",
    "Takbyte {s}",
    "Service ventilation {y}",
    "Badrumsrenovering {l}",
    "Nybyggnation förskola {c}",
    "Fönsterbyte BRF Björken",
    "Ramavtal underhåll {c}",
    "Elcentral {s}",
    "Garantiåtgärder {l}",
    "Fasadmålning {s}",
    "Rörbyte stambyte {c}",
    "Ombyggnad kök {l}",
]
TASKS = [
    "Beställ material",
    "Ring kund om tillträde",
    "Boka lift",
    "Rivning badrum",
    "Slutbesiktning",
    "Fakturera etapp 1",
    "Kontrollera ritningar",
    "Åtgärda anmärkning",
    "Städning av arbetsplats",
    "Leverans av fönster",
    "Mät upp kök",
    "Skicka ÄTA till kund",
    "Ta bilder före start",
]
COMMENTS = [
    "Klart från min sida.",
    "Kunden vill flytta fram startdatum en vecka.",
    "Materialet levereras fredag.",
    "Se bifogad ritning.\nÄndring i rum 3.",
    "@Jonas kan du titta på detta?",
    "-",
    "Väntar på svar från BRF.",
]


def _day(days_before: float) -> str:
    return (BASE - timedelta(days=days_before)).strftime("%Y-%m-%d")


def _projects(rng: random.Random, contacts: list[Record]) -> list[Record]:
    companies = [c["id"] for c in contacts if c["contactType"] == "company"] or [c["id"] for c in contacts]
    out: list[Record] = []
    for i in range(1, 41):
        pattern = rng.choice(PROJECTS)
        title = pattern.format(
            l=rng.choice(["Öberg", "Lindqvist", "Åkesson", "Holm"]),
            s=f"{rng.choice(['Storgatan', 'Sjövägen', 'Åvägen'])} {rng.randint(1, 60)}",
            y=rng.choice([2023, 2024]),
            c=rng.choice(["Piteå", "Luleå", "Älvsbyn"]),
        )
        age = rng.uniform(10, 700)
        start = rng.uniform(0, 400)
        updated = rng.random() < 0.55
        status = rng.choice([1, 1, 1, 2, 3, 4])
        out.append(
            {
                "id": i,
                "orderNumber": f"{i:04d}" if i % 5 == 0 else str(1000 + i),
                "title": title,
                "status": status,
                "startDate": _day(start) if rng.random() < 0.8 else None,
                "endDate": _day(start - rng.uniform(10, 200)) if rng.random() < 0.5 else None,
                "invoiceType": rng.choice(["ongoing", "ongoing", "fixedPrice", "none"]),
                "location": {
                    "longitude": round(21.48 + rng.uniform(-0.3, 0.3), 6),
                    "latitude": round(65.31 + rng.uniform(-0.2, 0.2), 6),
                    "streetAddress": f"Blikkvägen {rng.randint(1, 200)}",
                    "postalCode": "94100",
                    "city": "Piteå",
                    "countryName": "Sverige",
                }
                if rng.random() < 0.7
                else None,
                "projectManager": rng.randint(1, 7),
                "customer": rng.choice(companies) if companies else None,
                "projectCollection": rng.choice([None, 1, 2, 3]),
                "description": rng.choice(
                    [
                        None,
                        "",
                        "Etapp 1 av 2.",
                        "Enligt offert 2024-017.\nÄTA faktureras löpande.",
                        "=ÄTA-arbeten enligt avtal",
                    ]
                ),
                "createdBy": rng.randint(1, 3),
                "updatedBy": rng.randint(1, 3) if updated else None,
                "created": seed_dt(age),
                "updated": seed_dt(age * rng.random()) if updated else None,
            }
        )
    return out


def _boards(rng: random.Random) -> tuple[list[Record], list[Record]]:
    boards = [
        ("Veckoplanering", None, [1, 2, 3, 4], [1, 2, 3, 4]),
        ("Tillbyggnad", 1, [2, 3, 5], [2, 4, 6]),
        ("Service", 2, [1, 2, 6], [3, 5]),
    ]
    out: list[Record] = []
    columns: list[Record] = []
    for b, (name, project, tags, members) in enumerate(boards, start=1):
        age = 300 - b * 40
        out.append(
            {
                "id": b,
                "name": name,
                "project": project,
                "tags": tags,
                "members": members,
                "createdByUser": 1,
                "updatedByUser": 2 if b == 2 else None,
                "createdDate": seed_dt(age),
                "updatedDate": seed_dt(age / 3) if b == 2 else None,
            }
        )
        for name_c in ("Ska göras", "Pågår", "Klart"):
            columns.append(
                {
                    "id": len(columns) + 1,
                    "board": b,
                    "name": name_c,
                    "createdByUser": 1,
                    "updatedByUser": None,
                    "createdDate": seed_dt(age - 1),
                    "updatedDate": None,
                }
            )
    return out, columns


def _tasks(rng: random.Random, boards: list[Record], columns: list[Record]) -> list[Record]:
    out: list[Record] = []
    for i in range(1, 61):
        column = rng.choice(columns) if rng.random() < 0.7 else None
        board = boards[column["board"] - 1] if column else None
        project = (
            board["project"]
            if board and board["project"]
            else (rng.randint(1, 40) if rng.random() < 0.5 else None)
        )
        done = (column is not None and column["name"] == "Klart") or rng.random() < 0.1
        age = rng.uniform(1, 250)
        start = rng.choice([None, None, f"{_day(age - 5)} 00:00:00", f"{_day(age - 5)} 07:00:00"])
        end = f"{_day(age - 12)} 16:30:00" if start and rng.random() < 0.6 else None
        tag_pool = board["tags"] if board else [1, 2, 3, 4, 5, 6]
        member_pool = board["members"] if board else [1, 2, 3, 4, 5, 6, 7]
        updated = rng.random() < 0.5
        out.append(
            {
                "id": i,
                "title": rng.choice(TASKS),
                "description": rng.choice([None, "", "Se ritning A-12.", "Punkter:\n- golv\n- väggar"]),
                "completedDate": seed_dt(age / 2) if done else None,
                "timeReportingEnabled": rng.random() < 0.7,
                "estimate": rng.choice([None, 1.0, 2.5, 8.0, 26.5]),
                "startDate": start,
                "endDate": end,
                "numberOfAttachments": rng.randint(0, 3),
                "numberOfChecklistPoints": rng.choice([0, 0, 3, 14]),
                "tags": sorted(rng.sample(tag_pool, rng.randint(0, min(2, len(tag_pool))))),
                "members": sorted(rng.sample(member_pool, rng.randint(0, 2))),
                "boardColumn": column["id"] if column else None,
                "project": project,
                "createdByUser": rng.randint(1, 4),
                "createdDate": seed_dt(age),
                "updatedDate": seed_dt(age * rng.random()) if updated else None,
            }
        )
    return out


def _comments(rng: random.Random) -> list[Record]:
    out: list[Record] = []
    for i in range(1, 81):
        age = rng.uniform(1, 200)
        updated = rng.random() < 0.2
        out.append(
            {
                "id": i,
                "task": rng.randint(1, 60),
                "text": rng.choice(COMMENTS),
                "createdByUser": rng.randint(1, 6),
                "updatedByUser": 2 if updated else None,
                "createdDate": seed_dt(age),
                "updatedDate": seed_dt(age / 2) if updated else None,
            }
        )
    return out


def make_work(rng: random.Random, data: dict[str, list[Record]]) -> dict[str, Any]:
    projects = _projects(rng, data["contacts"])
    boards, columns = _boards(rng)
    tasks = _tasks(rng, boards, columns)
    comments = _comments(rng)
    reports = [time_report(rng, i, data["users"], tasks) for i in range(1, 151)]
    return {
        "projects": projects,
        "task-boards": boards,
        "task-board-columns": columns,
        "tasks": tasks,
        "task-comments": comments,
        "time-reports": reports,
    }
