"""Seed contacts that look like a Swedish trades company's register, warts and all.

Deliberately awkward: åäö everywhere, customer numbers and postal codes with leading zeros,
a mix of null and "" for empty values, text starting with = + - @ (formula-injection bait),
multi-line notes, persons linked to companies, companies with parent companies.
"""

from __future__ import annotations

import random
from typing import Any

from bulktool.sandbox.store import Record

from .util import seed_dt

FIRST = [
    "Åsa",
    "Örjan",
    "Björn",
    "Märta",
    "Göran",
    "Ingrid",
    "Lars",
    "Karin",
    "Anders",
    "Eva",
    "Sven",
    "Maja",
    "Lotta",
    "Per",
    "Ulla",
    "Håkan",
    "Agneta",
    "Jöns",
    "Kjell",
    "Britt-Marie",
    "Lena",
    "Mats",
    "Tove",
    "Nils",
    "Elsa",
    "Östen",
    "Ärla",
    "Jan-Åke",
]
LAST = [
    "Öberg",
    "Åkesson",
    "Lindqvist",
    "Nyström",
    "Bäckström",
    "Sjögren",
    "Hägglund",
    "Strömberg",
    "Söderberg",
    "Holm",
    "Ek",
    "Forsgren",
    "Lundström",
    "Larsson",
    "Öhman",
    "Wikström",
    "Marklund",
    "Nilsson",
    "Björk",
    "Ångström",
    "Lindberg",
    "Sandström",
    "Älmqvist",
    "Berglöf",
]
CITIES = [
    ("Piteå", "94132", "Norrbotten"),
    ("Luleå", "97231", "Norrbotten"),
    ("Umeå", "90326", "Västerbotten"),
    ("Skellefteå", "93131", "Västerbotten"),
    ("Östersund", "83130", "Jämtland"),
    ("Örnsköldsvik", "89133", "Västernorrland"),
    ("Malmö", "21120", "Skåne"),
    ("Göteborg", "41103", "Västra Götaland"),
    ("Älvsbyn", "94231", "Norrbotten"),
    ("Kiruna", "98131", None),
]
ABROAD = [("Oslo", "0150", 2, "AS"), ("København", "1050", 3, "ApS"), ("Helsinki", "00100", 4, "Oy")]
STREETS = [
    "Storgatan",
    "Blikkvägen",
    "Skolgatan",
    "Sjövägen",
    "Industrigatan",
    "Björkvägen",
    "Älvsbyvägen",
    "Hamngatan",
    "Köpmangatan",
    "Östra Kyrkogatan",
    "Norra Ringvägen",
    "Åvägen",
]
COMPANY = [
    "{l} & Söner AB",
    "{l}s Bygg AB",
    "{c} Plåt & Vent AB",
    "{l} Elteknik AB",
    "Norrlands Rör i {c} AB",
    "{l} & {l2} HB",
    "{c}s Måleri AB",
    "{l} Rör Aktiebolag",
    "Bostadsrättsföreningen Björken {n}",
    "{l} Fastigheter AB",
]
NOTES = [
    None,
    None,
    None,
    "",
    "",
    "Ring innan leverans.",
    "Portkod 1234.\nNyckel finns hos grannen.",
    "=SUM(A1:A3)",
    "-rabatt 10%",
    "+46 extra nummer: 0911-12345",
    "@Anna: faktureras kvartalsvis",
    'Kund sedan 1998; "viktig" kund.\r\nKontakta alltid Åsa först.',
    "Betalar alltid i tid.\tOK.",
]


def luhn(digits: str) -> str:
    total = 0
    for i, ch in enumerate(digits):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str((10 - total % 10) % 10)


def _org_number(rng: random.Random) -> str:
    body = f"55{rng.randint(0, 9999):04d}{rng.randint(0, 999):03d}"
    return f"{body[:6]}-{body[6:]}{luhn(body)}"


def _ssn(rng: random.Random) -> str:
    body = (
        f"{rng.randint(40, 99):02d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
    )
    return f"{body[:6]}-{body[6:]}{luhn(body)}"


def _empty_address(rng: random.Random) -> dict[str, Any]:
    return {
        "streetAddress": "",
        "additionalAddress": rng.choice([None, ""]),
        "postalCode": "",
        "city": None,
        "state": None,
        "countryId": 1,
    }


def _address(rng: random.Random, abroad: tuple[str, str, int, str] | None = None) -> dict[str, Any]:
    street = f"{rng.choice(STREETS)} {rng.randint(1, 150)}{rng.choice(['', '', '', 'B'])}"
    extra = rng.choice([None, None, "", "c/o Öberg", "Box 123", "Lgh 1102"])
    if abroad:
        return {
            "streetAddress": street,
            "additionalAddress": extra,
            "postalCode": abroad[1],
            "city": abroad[0],
            "state": None,
            "countryId": abroad[2],
        }
    city, postal, state = rng.choice(CITIES)
    postal = f"{postal[:3]} {postal[3:]}" if rng.random() < 0.3 else postal
    return {
        "streetAddress": street,
        "additionalAddress": extra,
        "postalCode": postal,
        "city": city,
        "state": state if rng.random() < 0.7 else None,
        "countryId": 1,
    }


def _maybe(rng: random.Random, value: Any, present: float = 0.7) -> Any:
    r = rng.random()
    return value if r < present else (None if r < present + (1 - present) / 2 else "")


def _mail(name: str) -> str:
    from .seed import slug

    return f"{slug(name.replace(' ', '.'))}@example.com"


def _contact(rng: random.Random, cid: int, company: bool, companies: list[int]) -> Record:
    abroad = rng.choice(ABROAD) if company and rng.random() < 0.06 else None
    first, last = rng.choice(FIRST), rng.choice(LAST)
    if company:
        pattern = rng.choice(COMPANY)
        name = pattern.format(l=last, l2=rng.choice(LAST), c=rng.choice(CITIES)[0], n=rng.randint(1, 40))
        if abroad:
            name = f"{last} Bygg {abroad[3]}"
    else:
        name = f"{first} {last}"
    age = rng.uniform(20, 1500)
    updated = rng.random() < 0.6
    r = rng.random()
    number = None if r < 0.02 else "" if r < 0.04 else f"{cid:04d}" if r < 0.55 else str(cid)
    return {
        "id": cid,
        "name": name,
        "customerNumber": number,
        "contactType": "company" if company else "person",
        "organizationalOrSocialSecurityNumber": _maybe(rng, _org_number(rng) if company else _ssn(rng), 0.75),
        "company": rng.choice(companies) if not company and companies and rng.random() < 0.6 else None,
        "parentCompany": rng.choice(companies) if company and companies and rng.random() < 0.15 else None,
        "isActive": rng.random() < 0.85,
        "email": _maybe(rng, _mail(name if not company else f"info {name}"), 0.7),
        "invoiceEmail": _maybe(rng, _mail(f"faktura {name}"), 0.4 if company else 0.1),
        "phoneNumber": _maybe(
            rng,
            rng.choice(
                [
                    f"0911-{rng.randint(10000, 99999)}",
                    f"+46 70 {rng.randint(100, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
                    f"075-{rng.randint(1000000, 9999999)}",
                ]
            ),
            0.6,
        ),
        "cellPhoneNumber": _maybe(rng, f"07{rng.choice('0236')}{rng.randint(1000000, 9999999)}", 0.6),
        "importantInformation": rng.choice(NOTES),
        "isSupplier": company and rng.random() < 0.2,
        "isWholeSale": company and rng.random() < 0.05,
        "isRetailer": rng.random() < 0.05,
        "isSubContractor": company and rng.random() < 0.15,
        "isPartner": rng.random() < 0.05,
        "isCustomer": rng.random() < 0.8,
        "useReverseBuildTax": company and rng.random() < 0.3,
        "responsible": rng.randint(1, 8),
        "tags": sorted(rng.sample(range(1, 7), rng.choice([0, 0, 1, 1, 2, 3]))),
        "visitingAddress": _address(rng, abroad) if rng.random() < 0.85 else None,
        "deliveryAddress": rng.choice(
            [None, None, _empty_address(rng), _empty_address(rng), _address(rng, abroad)]
        ),
        "invoiceAddress": rng.choice([None, None, _empty_address(rng), _address(rng, abroad)]),
        "created": seed_dt(age),
        "createdBy": rng.randint(1, 8),
        "lastUpdated": seed_dt(age * rng.random()) if updated else None,
        "lastUpdatedBy": rng.randint(1, 8) if updated else None,
    }


def make_contacts(rng: random.Random, count: int) -> list[Record]:
    kinds = [rng.random() < 0.35 for _ in range(count)]
    kinds[:2] = [True, False][: len(kinds[:2])]
    out: list[Record] = []
    companies: list[int] = []
    for i, is_company in enumerate(kinds, start=1):
        rec = _contact(rng, i, is_company, companies)
        if rec["parentCompany"] == i:
            rec["parentCompany"] = None
        out.append(rec)
        if is_company:
            companies.append(i)
    # Two fixed records so the classic traps exist even in a tiny sandbox.
    fixed = [
        {
            "name": "Björk & Söner AB",
            "customerNumber": "0001",
            "organizationalOrSocialSecurityNumber": "556898-6787",
            "importantInformation": "=SUM(A1:A3)",
            "isActive": True,
        },
        {
            "name": "Åsa Öberg",
            "customerNumber": "0002",
            "cellPhoneNumber": "0707788994",
            "importantInformation": "-rabatt 10%\nRing efter kl 16.",
            "company": 1,
            "isActive": True,
        },
    ]
    for rec, patch in zip(out, fixed, strict=False):
        rec.update(patch)
    return out
