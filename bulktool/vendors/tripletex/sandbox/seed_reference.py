"""Read-only reference data every company has: countries, currencies, VAT types, product units, accounts.

Ids are the same in every company (as Tripletex's global tables are), values Norwegian.
"""

from __future__ import annotations

from bulktool.sandbox.store import Record

COUNTRIES = [  # id, alpha2, alpha3, numeric, name
    (161, "NO", "NOR", "578", "Norge"), (206, "SE", "SWE", "752", "Sverige"), (58, "DK", "DNK", "208", "Danmark"),
    (72, "FI", "FIN", "246", "Finland"), (80, "DE", "DEU", "276", "Tyskland"),
    (222, "GB", "GBR", "826", "Storbritannia"), (223, "US", "USA", "840", "USA"), (99, "IS", "ISL", "352", "Island"),
]
NORWAY = 161
CURRENCIES = [(1, "NOK", "Norske kroner", 1), (2, "SEK", "Svenske kroner", 100), (3, "DKK", "Danske kroner", 100),
              (4, "EUR", "Euro", 1), (5, "USD", "Amerikanske dollar", 1), (6, "GBP", "Britiske pund", 1)]
NOK = 1
VAT_TYPES = [(1, "0", "Ingen avgiftsbehandling", 0.0), (3, "3", "Utgående avgift, høy sats", 25.0),
             (31, "31", "Utgående avgift, middels sats", 15.0), (32, "33", "Utgående avgift, lav sats", 12.0),
             (5, "5", "Ingen utgående avgift (innenfor mva-loven)", 0.0),
             (6, "6", "Utgående avgift, utenfor mva-loven", 0.0)]
UNITS = [(1, "Stykk", "stk", "H87", "Piece", "pcs"), (2, "Time", "t", "HUR", "Hour", "h"),
         (3, "Kilogram", "kg", "KGM", "Kilogram", "kg"), (4, "Meter", "m", "MTR", "Metre", "m"),
         (5, "Liter", "l", "LTR", "Litre", "l"), (6, "Pakke", "pk", "PK", "Package", "pk")]
ACCOUNTS = [  # number, name, ledgerType
    (1500, "Kundefordringer", "CUSTOMER"), (1920, "Bankinnskudd", "GENERAL"), (2400, "Leverandørgjeld", "VENDOR"),
    (2700, "Utgående merverdiavgift", "GENERAL"), (3000, "Salgsinntekt, avgiftspliktig", "GENERAL"),
    (3100, "Salgsinntekt, avgiftsfri", "GENERAL"), (4000, "Innkjøp av råvarer og halvfabrikata", "GENERAL"),
    (5000, "Lønn til ansatte", "EMPLOYEE"), (6300, "Leie lokale", "GENERAL"), (6800, "Kontorrekvisita", "GENERAL"),
    (7100, "Bilgodtgjørelse", "GENERAL"), (7700, "Styre- og bedriftsforsamlingsmøter", "GENERAL"),
]
STAMP = "2025-06-02T08:00:00"


def reference() -> dict[str, list[Record]]:
    base = {"version": 0, "_changed": STAMP}
    return {
        "country": [{"id": i, **base, "name": n, "displayName": n, "isoAlpha2Code": a2, "isoAlpha3Code": a3,
                     "isoNumericCode": num} for i, a2, a3, num, n in COUNTRIES],
        "currency": [{"id": i, **base, "code": c, "description": d, "displayName": f"{c} {d}", "factor": f,
                      "isDisabled": False} for i, c, d, f in CURRENCIES],
        "vatType": [{"id": i, **base, "number": num, "name": n, "displayName": f"{num} {n}", "percentage": pct,
                     "deductionPercentage": 100.0 if pct else 0.0, "parentType": None}
                    for i, num, n, pct in VAT_TYPES],
        "productUnit": [{"id": i, **base, "name": n, "nameShort": s, "commonCode": c, "nameEN": en,
                         "nameShortEN": sen, "isDeletable": False} for i, n, s, c, en, sen in UNITS],
        "account": [{"id": 400 + k, **base, "number": num, "name": n, "description": "", "ledgerType": lt,
                     "isInactive": False, "isBankAccount": num == 1920, "vatType": None,
                     "isApplicableForSupplierInvoice": num in (4000, 6300, 6800), "currency": None}
                    for k, (num, n, lt) in enumerate(ACCOUNTS)],
    }
