"""Deterministic Swedish seed data: one agency, its companies and each company's own data.

Company 0 (``a-testagency-556898-6787``) also holds the special numbers the issue asks for in its
current year's KeyFigureData and its KeyFigureValue: NaN, Infinity, -Infinity and a 28-digit decimal.
Fiscal years: the two years before the current one and the current one; the oldest is locked
(a sandbox rule, see ``rules.py``).
"""

from __future__ import annotations

import hashlib
import random
import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from bulktool.sandbox.clock import server_now
from bulktool.sandbox.store import Record

from .data import record
from .seed_people import AGENCY, AGENCY_NAME, company_id, org_number, users

SPECIAL_28 = Decimal("1234567890123456789012.345678")  # 28 significant digits, beyond a float's 17
NAMES = ["Åkesson Bygg", "Örebro Måleri", "Lindqvist & Söner", "Fjällräven Konsult", "Sjöberg Transport",
         "Ängby Trädgård", "Göransson El", "Västkustens Fisk", "Bäckström Data", "Norrlands Skog",
         "Hälsingegårdens Ost", "Ystads Bageri", "Kärrtorps VVS", "Mälardalens Revision", "Östgöta Plåt"]
FORMS = [("AB", "Aktiebolag"), ("HB", "Handelsbolag"), ("EF", "Enskild firma"), ("EK", "Ekonomisk förening")]
CITIES = [("Stockholm", "114 55", "08"), ("Göteborg", "411 04", "031"), ("Malmö", "211 22", "040"),
          ("Umeå", "903 26", "090"), ("Örebro", "702 10", "019"), ("Västerås", "722 15", "021")]
STREETS = ["Storgatan", "Kungsgatan", "Drottninggatan", "Järnvägsgatan", "Skolgatan", "Ågatan", "Östra Långgatan"]
KEY_FIGURES = [("Turnover", "Omsättning", "Amount"), ("Profit", "Resultat", "Amount"),
               ("GrossProfitMargin", "Bruttomarginal", "Percent"), ("NetSalesPerEmployee", "Omsättning per anställd",
                                                                     "Amount"), ("QuickRatio", "Kassalikviditet",
                                                                                 "Ratio")]


def guid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def year_id(seed: int, cid: str, year: int) -> str:
    """A server-style fiscal-year id: 15 hex digits, stable per (seed, company, year)."""
    return hashlib.sha1(f"{seed}:{cid}:{year}".encode()).hexdigest()[:15]


def period(start: date, end: date) -> dict[str, str]:
    """An inclusive Period at second precision (January = 01-01T00:00:00 .. 01-31T23:59:59)."""
    return {"start": f"{start.isoformat()}T00:00:00", "end": f"{end.isoformat()}T23:59:59"}


def build(seed: int, companies: int) -> dict[str, list[Record]]:
    rng = random.Random(seed)
    this_year = server_now().year
    ids = [company_id(org_number(n)) for n in range(companies)]
    out: dict[str, list[Record]] = {k: [] for k in (
        "Agency", "CompanyType", "User", "Company", "ChartOfAccounts", "FiscalYear", "KeyFigureData", "Comment",
        "KeyFigurePreset", "KeyFigureValue", "PeriodReport")}
    out["Agency"].append(record(None, AGENCY, {
        "shortName": AGENCY, "name": AGENCY_NAME, "numberOfLicences": 250,
        "contactInfo": {"name": "Agneta Öberg", "address": "Sveavägen 12", "postalAddress": "111 57 Stockholm",
                        "phone": "08-410 220 00"}}))
    for form, name in FORMS:
        out["CompanyType"].append(record(AGENCY, form, {"Id": form, "Name": name}))
    for password, user in users(ids):
        out["User"].append(record(None, str(user["userName"]), {**user, "_password": password}))
    for n, cid in enumerate(ids):
        _company(out, rng, seed, n, cid, this_year)
    return {k: [{"id": i + 1, **r} for i, r in enumerate(v)] for k, v in out.items()}


def _company(out: dict[str, list[Record]], rng: random.Random, seed: int, n: int, cid: str, this_year: int) -> None:
    city, postcode, area = CITIES[n % len(CITIES)]
    name = f"{NAMES[n % len(NAMES)]}{'' if n < len(NAMES) else f' {n // len(NAMES) + 1}'} AB"
    out["Company"].append(record(None, cid, {
        "id": cid, "typeOfCompany": "Company", "name": name, "businessIdentityCode": cid.split("-", 2)[2],
        "contactInfo": {"name": f"{rng.choice(['Anna', 'Björn', 'Åsa', 'Örjan', 'Märta'])} "
                                f"{rng.choice(['Ek', 'Lund', 'Öst', 'Åberg', 'Sjö'])}",
                        "address": f"{STREETS[n % len(STREETS)]} {rng.randint(1, 80)}",
                        "postalAddress": f"{postcode} {city}",
                        "phone": f"{area}-{rng.randint(100, 999)} {rng.randint(10, 99)} {rng.randint(0, 9)}0"},
        "isVirtualFarmerCompany": False, "CompanyTypeId": FORMS[n % len(FORMS)][0]}))
    out["ChartOfAccounts"].append(record(cid, "BAS2024", _chart()))
    for back in (2, 1, 0):
        year = this_year - back
        fid = year_id(seed, cid, year)
        last_ledger = date(year, 12, 31) if back else date(year, max(1, server_now().month - 1), 28)
        out["FiscalYear"].append(record(cid, fid, {
            "id": fid, "start": f"{year}-01-01T00:00:00", "end": f"{year}-12-31T23:59:59",
            "chartOfAccountsId": "BAS2024", "lastLedgerDate": f"{last_ledger.isoformat()}T00:00:00",
            "currency": "sv-SE", "lastActiveDate": f"{last_ledger.isoformat()}T00:00:00",
            "activePeriodLastUpdate": f"{last_ledger.isoformat()}T12:00:00",
            **({"_locked": True} if back == 2 else {})}))
        out["KeyFigureData"].append(record(cid, fid, _key_figure_data(rng, year, special=(n == 0 and back == 0))))
    for k in range(2):
        cdate = date(this_year, 1 + k * 3, 15)
        out["Comment"].append(record(cid, cmt := guid(rng), {
            "id": cmt, "type": "KeyFigureComment",
            "message": ["Omsättningen ökade tack vare nya kunder i Västsverige.",
                        "Lägre marginal på grund av höjda råvarupriser."][k],
            "created": f"{cdate.isoformat()}T09:30:00", "lastModified": f"{cdate.isoformat()}T09:30:00",
            "author": "Agneta Öberg", "period": period(date(this_year, 1 + k * 3, 1), date(this_year, 3 + k * 3, 30)),
            "keyFigureType": ["Turnover", "GrossProfitMargin"][k]}))
    for pid, pname in (("Overview", "Översikt"), ("MyKeyFigures", "Mina nyckeltal"),
                       ("ProfitStructure", "Resultatstruktur"), ("EquityStructure", "Kapitalstruktur")):
        out["KeyFigurePreset"].append(record(cid, pid, {
            "id": pid, "name": pname, "description": f"{pname} för {name}",
            "keyFigureTypes": ["Turnover", "Profit"] if pid != "EquityStructure" else ["QuickRatio"]}))
    for kid, kname, vtype in KEY_FIGURES:
        out["KeyFigureValue"].append(record(cid, kid, _key_figure_value(rng, kid, kname, vtype, this_year, n == 0)))
    for k in range(2):
        month = 3 + k * 3
        out["PeriodReport"].append(record(cid, f"pr-{this_year}-{month:02d}", {
            "id": f"pr-{this_year}-{month:02d}", "title": f"Periodrapport {this_year}-{month:02d}",
            "name": f"Kvartal {k + 1}", "comment": "Avstämd mot huvudbok.", "author": "Bengt Åslund",
            "created": f"{this_year}-{month + 1:02d}-05T08:00:00",
            "period": period(date(this_year, month - 2, 1), date(this_year, month, 30 if month in (6, 9) else 31)),
            "lastUpdated": f"{this_year}-{month + 1:02d}-06T10:15:00", "isPublished": k == 0}))


def _key_figure_data(rng: random.Random, year: int, special: bool) -> list[dict[str, Any]]:
    whole = period(date(year, 1, 1), date(year, 12, 31))
    items: list[dict[str, Any]] = [
        {"keyFigureInfoId": "NumberOfEmployees", "period": whole, "value": Decimal(rng.randint(1, 40)),
         "dimensionId": None},
        {"keyFigureInfoId": "TaxRate", "period": whole, "value": Decimal("0.206"), "dimensionId": None},
        {"keyFigureInfoId": "BankOverdraftLimit", "period": whole, "value": Decimal(f"{rng.randint(1, 20)}00000.00"),
         "dimensionId": None},
        {"keyFigureInfoId": "NumberOfEmployees", "period": period(date(year, 1, 1), date(year, 1, 31)),
         "value": Decimal(rng.randint(1, 40)), "dimensionId": "2_12"},
    ]
    if special:
        items += [
            {"keyFigureInfoId": "InterestBearingLiabilities", "period": whole, "value": SPECIAL_28,
             "dimensionId": None},
            {"keyFigureInfoId": "SeparableCosts", "period": whole, "value": Decimal("NaN"), "dimensionId": None},
            {"keyFigureInfoId": "CreditSalesVATIncluded", "period": whole, "value": Decimal("Infinity"),
             "dimensionId": None},
            {"keyFigureInfoId": "CostsForResearchAndDevelopment", "period": whole, "value": Decimal("-Infinity"),
             "dimensionId": None},
        ]
    return items


def _key_figure_value(rng: random.Random, kid: str, name: str, vtype: str, this_year: int,
                      special: bool) -> dict[str, Any]:
    values: list[dict[str, Any]] = []
    for year in (this_year - 2, this_year - 1, this_year):
        value: Decimal | None = Decimal(rng.randint(-500000, 9000000)) / 100
        if special and kid == "QuickRatio":
            value = {this_year - 2: Decimal("NaN"), this_year - 1: Decimal("Infinity")}.get(year, Decimal("-Infinity"))
        elif special and kid == "Turnover" and year == this_year:
            value = SPECIAL_28
        elif kid == "NetSalesPerEmployee" and year == this_year - 2:
            value = None  # not computable (no employees reported): documented as null
        values.append({"value": value, "period": period(date(year, 1, 1), date(year, 12, 31))})
    return {"keyFigure": {"id": kid, "name": name, "valueType": vtype, "description": f"{name} för perioden",
                          "comment": "", "basId": None}, "keyFigureValues": values}


def _chart() -> dict[str, Any]:
    def interval(gid: str, name: str, start: str, end: str) -> dict[str, Any]:
        return {"id": gid, "type": "AccountGroup", "name": name, "children": [
            {"id": f"{gid}-i", "type": "AccountIntervalGroup", "intervals": [{"start": start, "end": end}]}]}

    return {"id": "BAS2024", "name": "BAS 2024", "language": "sv-SE",
            "children": [interval("g-income", "Intäkter", "3000", "3999"),
                         interval("g-costs", "Kostnader", "4000", "8999"),
                         interval("g-assets", "Tillgångar", "1000", "1999"),
                         {"id": "g-liab", "type": "AccountGroup", "name": "Skulder och eget kapital", "children": [
                             {"id": "g-liab-l", "type": "AccountListGroup", "accounts": ["2010", "2081", "2440"]}]}],
            "knownGroups": {"Income": "g-income", "Costs": "g-costs", "Assets": "g-assets", "Liabilities": "g-liab",
                            "NetSales": {"name": "Nettoomsättning", "children": ["g-income-i"]}}}
