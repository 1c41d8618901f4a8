"""Deterministic Norwegian seed data: one company's employees, customers, suppliers, products, projects...

Same seed, same data. Fidelity traps on purpose: æøå everywhere, organisation numbers and postal codes
with leading zeros (``0150`` Oslo), empty strings beside nulls, inactive customers hidden by default,
addresses with their own ids, versions above 0 on some records.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from bulktool.sandbox.store import Record

from .seed_reference import NOK, NORWAY, STAMP, reference

FIRST = ["Kari", "Ola", "Ingrid", "Øystein", "Åse", "Bjørn", "Sigrid", "Håkon", "Solveig", "Jørgen", "Mette",
         "Tormod", "Ragnhild", "Eirik", "Trude", "Pål", "Live", "Æsa", "Knut", "Gro"]
LAST = ["Nordmann", "Hansen", "Johansen", "Ødegård", "Bråten", "Solberg", "Lærum", "Kvåle", "Aasen", "Hætta",
        "Strøm", "Berg", "Lie", "Dæhlie", "Grønli", "Håland", "Fjørtoft", "Østby", "Sæther", "Myrvold"]
PLACES = [("0150", "Oslo"), ("0001", "Oslo"), ("0484", "Oslo"), ("5003", "Bergen"), ("7010", "Trondheim"),
          ("4006", "Stavanger"), ("9008", "Tromsø"), ("1337", "Sandvika"), ("3015", "Drammen"),
          ("0661", "Oslo"), ("8006", "Bodø"), ("2609", "Lillehammer"), ("6002", "Ålesund"), ("9730", "Karasjok")]
STREETS = ["Storgata", "Kirkegata", "Fjordveien", "Bjørkelia", "Åsveien", "Sjøgata", "Løkkeveien", "Grønnegata",
           "Tårnveien", "Ærlighetsveien", "Kongens gate", "Dronningens gate"]
WORDS = ["Fjell", "Fjord", "Nord", "Vest", "Sør", "Øst", "Bølge", "Lys", "Skog", "Elv", "Tind", "Bre", "Myr",
         "Kyst", "Dal", "Ås", "Hav", "Vidde", "Furu", "Bjørk"]
TRADES = ["Bygg", "Elektro", "Rør", "Regnskap", "Transport", "Maskin", "Data", "Eiendom", "Handel", "Consult",
          "Snekkeri", "Maling", "Tak", "Anlegg", "Ventilasjon"]
FORMS = ["AS", "AS", "AS", "ASA", "ENK", "DA", "SA"]
DEPARTMENTS = ["Hovedkontor", "Salg", "Prosjekt", "Lager og logistikk", "Økonomi", "Service Nord"]
ACTIVITIES = [("Prosjektarbeid", "GENERAL_ACTIVITY", True), ("Møte", "GENERAL_ACTIVITY", False),
              ("Reise", "GENERAL_ACTIVITY", True), ("Administrasjon", "GENERAL_ACTIVITY", False),
              ("Montasje", "PROJECT_GENERAL_ACTIVITY", True), ("Befaring", "PROJECT_GENERAL_ACTIVITY", True),
              ("Kurs og opplæring", "GENERAL_ACTIVITY", False),
              ("Service og vedlikehold", "PROJECT_GENERAL_ACTIVITY", True)]
PRODUCTS = ["Skrue rustfri 5x50", "Gipsplate 12,5 mm", "Kabel PFSP 3x2,5", "Rørbend 90° kobber", "Takstein tegl",
            "Isolasjon glava 100 mm", "Maling hvit 10 l", "Lekt 36x48", "Stikkontakt jordet", "Sikring 16 A",
            "Vindsperre", "Fugemasse grå", "Dørhåndtak børstet stål", "Varmekabel 10 W/m", "Sluk rustfritt",
            "Montering per time", "Kjøring per km", "Prosjektledelse per time", "Konsulenttime", "Lisens årlig"]

CUSTOMER_BASE, SUPPLIER_BASE, CONTACT_BASE = 1_000_000, 2_000_000, 3_000_000
EMPLOYEE_BASE, DEPARTMENT_BASE, PRODUCT_BASE = 100, 200, 4_000_000
PROJECT_BASE, ACTIVITY_BASE, ENTRY_BASE, DELIVERY_BASE = 5_000_000, 300, 6_000_000, 7_000_000
ADDRESS_BASE = 10_000_000  # new addresses get the store's reserve_id (from 1000): never these


class _Ids:
    def __init__(self, base: int) -> None:
        self.next = base

    def __call__(self) -> int:
        self.next += 1
        return self.next


def _ascii(text: str) -> str:
    return text.replace("ø", "o").replace("å", "a").replace("æ", "ae")


def _stamp(rng: random.Random) -> str:
    day = date(2025, 6, 2) + timedelta(days=rng.randrange(0, 300))
    return f"{day.isoformat()}T{rng.randrange(7, 17):02d}:{rng.randrange(60):02d}:00"


def _org(rng: random.Random, k: int) -> str:
    if k % 7 == 3:
        return f"0{rng.randrange(10_000_000, 99_999_999)}"
    return f"{rng.choice((8, 9))}{rng.randrange(10**7, 10**8):08d}"


def _address(rng: random.Random, ids: _Ids, *, blank: bool = False) -> Record:
    code, city = rng.choice(PLACES)
    return {
        "id": ids(), "version": 0, "addressLine1": "" if blank else f"{rng.choice(STREETS)} {rng.randrange(1, 120)}",
        "addressLine2": "" if rng.random() < 0.8 or blank else f"Postboks {rng.randrange(1, 900)}",
        "postalCode": "" if blank else code, "city": "" if blank else city, "country": {"id": NORWAY},
    }


def build(seed: int, size: int) -> dict[str, list[Record]]:
    rng = random.Random(f"tripletex:{seed}")
    addr = _Ids(ADDRESS_BASE)
    data = reference()
    employees = []
    for k in range(12):
        first, last = FIRST[(k + seed) % len(FIRST)], LAST[(k * 3 + seed) % len(LAST)]
        employees.append({
            "id": EMPLOYEE_BASE + k + 1, "version": rng.randrange(0, 3), "_changed": _stamp(rng),
            "firstName": first, "lastName": last, "employeeNumber": f"{k + 1:03d}" if k else "001",
            "email": _ascii(f"{first.lower()}.{last.lower()}@eksempel.no"),
            "phoneNumberMobile": f"9{rng.randrange(1000000, 9999999)}", "phoneNumberWork": "",
            "dateOfBirth": f"{rng.randrange(1960, 2000)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}",
            "department": {"id": DEPARTMENT_BASE + 1 + k % len(DEPARTMENTS)}, "address": _address(rng, addr),
            "isContact": False, "userType": None, "comments": "",
        })
    data["employee"] = employees
    data["department"] = [
        {"id": DEPARTMENT_BASE + i + 1, "version": 0, "_changed": STAMP, "name": name,
         "departmentNumber": f"{i + 1}", "departmentManager": {"id": EMPLOYEE_BASE + 1 + i}, "isInactive": i == 5}
        for i, name in enumerate(DEPARTMENTS)
    ]
    data["activity"] = [
        {"id": ACTIVITY_BASE + i + 1, "version": 0, "_changed": STAMP, "name": name, "number": f"{i + 1}",
         "description": "", "activityType": kind, "isChargeable": charge, "rate": 0.0, "costPercentage": 0.0,
         "isProjectActivity": kind.startswith("PROJECT"), "isGeneral": kind == "GENERAL_ACTIVITY", "isTask": False}
        for i, (name, kind, charge) in enumerate(ACTIVITIES)
    ]
    deliveries: list[Record] = []
    customers = []
    for k in range(size):
        name = f"{rng.choice(WORDS)}{rng.choice(WORDS).lower()} {rng.choice(TRADES)} {rng.choice(FORMS)}"
        if k % 11 == 5:
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        slug = _ascii(name.split()[0].lower())
        rec: Record = {
            "id": CUSTOMER_BASE + k + 1, "version": rng.choice((0, 0, 1, 2, 5)), "_changed": _stamp(rng),
            "name": name, "customerNumber": 10001 + k, "organizationNumber": "" if k % 11 == 5 else _org(rng, k),
            "email": f"post@{slug}{k}.no", "invoiceEmail": "" if k % 3 else f"faktura@{slug}{k}.no",
            "phoneNumber": f"2{rng.randrange(1000000, 9999999)}",
            "phoneNumberMobile": "" if k % 4 else f"4{rng.randrange(1000000, 9999999)}",
            "isPrivateIndividual": k % 11 == 5, "isInactive": k % 19 == 7, "isCustomer": True, "isSupplier": False,
            "language": "NO", "invoiceSendMethod": "EMAIL", "invoicesDueIn": rng.choice((10, 14, 30)),
            "invoicesDueInType": "DAYS", "currency": {"id": NOK}, "description": "",
            "accountManager": None if k % 5 == 4 else {"id": EMPLOYEE_BASE + 1 + k % len(employees)},
            "department": None, "website": "" if k % 2 else f"www.{slug}{k}.no", "discountPercentage": 0.0,
            "postalAddress": _address(rng, addr), "physicalAddress": _address(rng, addr, blank=k % 3 == 0),
            "deliveryAddress": None,
        }
        if k < 20:
            d = {**_address(rng, addr), "id": DELIVERY_BASE + k + 1, "name": name, "_changed": STAMP}
            deliveries.append(d)
            rec["deliveryAddress"] = {"id": d["id"]}
        customers.append(rec)
    data["customer"] = customers
    data["deliveryAddress"] = deliveries
    data["supplier"] = [
        {"id": SUPPLIER_BASE + k + 1, "version": rng.randrange(0, 3), "_changed": _stamp(rng),
         "name": f"{rng.choice(WORDS)} {rng.choice(TRADES)}grossisten {rng.choice(FORMS)}",
         "supplierNumber": 20001 + k, "organizationNumber": _org(rng, k), "email": f"ordre{k}@leverandor.no",
         "invoiceEmail": "", "phoneNumber": f"6{rng.randrange(1000000, 9999999)}", "isInactive": k % 9 == 4,
         "isCustomer": False, "isSupplier": True, "isPrivateIndividual": False, "language": "NO",
         "currency": {"id": NOK}, "accountManager": {"id": EMPLOYEE_BASE + 1 + k % 4}, "description": "",
         "postalAddress": _address(rng, addr), "physicalAddress": _address(rng, addr, blank=True)}
        for k in range(max(5, size // 10))
    ]
    data["contact"] = [
        {"id": CONTACT_BASE + k + 1, "version": rng.randrange(0, 2), "_changed": _stamp(rng),
         "firstName": (f := FIRST[(k * 7 + seed) % len(FIRST)]), "lastName": (la := LAST[(k * 5 + 1) % len(LAST)]),
         "email": _ascii(f"{f.lower()}.{la.lower()}{k}@kunde.no"),
         "phoneNumberMobile": "" if k % 3 else f"9{rng.randrange(1000000, 9999999)}", "phoneNumberWork": "",
         "customer": {"id": CUSTOMER_BASE + 1 + (k * 3) % max(1, size)}, "department": None, "isInactive": False}
        for k in range(max(5, size // 2))
    ] if size else []
    data["product"] = [
        {"id": PRODUCT_BASE + k + 1, "version": rng.randrange(0, 3), "_changed": _stamp(rng),
         "name": name, "number": f"{k + 1:04d}" if k % 4 else f"P-{k + 1}", "description": "",
         "orderLineDescription": "", "ean": "" if k % 3 else f"70{rng.randrange(10**10, 10**11)}",
         "costExcludingVatCurrency": round(rng.uniform(5, 500), 2),
         "priceExcludingVatCurrency": (p := round(rng.uniform(10, 1500), 2)),
         "priceIncludingVatCurrency": round(p * 1.25, 2), "isInactive": k % 13 == 6, "isStockItem": k % 2 == 0,
         "productUnit": {"id": 2 if "time" in name else 1}, "vatType": {"id": 3}, "currency": {"id": NOK},
         "account": None, "department": None, "supplier": None}
        for k, name in enumerate(PRODUCTS)
    ]
    projects = []
    for k in range(15):
        start = date(2025, 1, 6) + timedelta(days=21 * k)
        projects.append({
            "id": PROJECT_BASE + k + 1, "version": rng.randrange(0, 3), "_changed": _stamp(rng),
            "name": f"{rng.choice(('Rehabilitering', 'Nybygg', 'Service', 'Ombygging'))} {rng.choice(STREETS)} {k + 1}",
            "number": f"{1000 + k + 1}", "description": "", "startDate": start.isoformat(),
            "endDate": (start + timedelta(days=120)).isoformat() if k % 3 == 0 else None,
            "projectManager": {"id": EMPLOYEE_BASE + 1 + k % 6},
            "customer": {"id": CUSTOMER_BASE + 1 + k % max(1, size)} if size else None,
            "department": {"id": DEPARTMENT_BASE + 1 + k % 3}, "isClosed": k % 7 == 6, "isInternal": k % 5 == 0,
            "isOffer": False, "isFixedPrice": k % 4 == 1, "fixedprice": 150000.0 if k % 4 == 1 else 0.0,
            "reference": "", "externalAccountsNumber": "", "currency": {"id": NOK},
        })
    data["project"] = projects
    data["timesheetEntry"] = [
        {"id": ENTRY_BASE + k + 1, "version": 0, "_changed": _stamp(rng),
         "employee": {"id": EMPLOYEE_BASE + 1 + k % 6}, "project": {"id": PROJECT_BASE + 1 + k % 10},
         "activity": {"id": ACTIVITY_BASE + 1 + k % 3},
         "date": (date(2025, 9, 1) + timedelta(days=k // 6)).isoformat(),
         "hours": rng.choice((7.5, 3.0, 1.5, 8.0, 0.5)), "comment": "" if k % 2 else "Arbeid på byggeplass"}
        for k in range(40)
    ]
    return data
