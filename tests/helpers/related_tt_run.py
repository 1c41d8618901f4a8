"""A Tripletex run of two parts, customers and the contacts that work at them (one workbook, two sheets).

Each contact names its customer's number (a lookup value naming a row of the Companies sheet): it gets a
``Pending`` on ``customer.id``. Usage as a child (killed by the test):
python related_tt_run.py BASE_URL CONSUMER_TOKEN EMPLOYEE_TOKEN WORKBOOK
"""

from __future__ import annotations

import sys
from pathlib import Path

import openpyxl

from bulktool.importer import ImportOptions
from bulktool.migrate.run import RunOutcome, run_parts
from bulktool.plan.pending import Pending
from bulktool.plan.source import Source, load_source
from bulktool.vendors.tripletex.connector import TripletexConnector


def connect(base_url: str, consumer: str, employee: str) -> TripletexConnector:
    return TripletexConnector(base_url, TripletexConnector.credentials(consumer_token=consumer,
                                                                       employee_token=employee))


def workbook(path: Path, companies: int, people: int) -> Path:
    """Customers on one sheet; contacts on the other, each naming its customer's number."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Companies"
    ws.append(["name", "customerNumber", "organizationNumber"])
    for c in range(companies):
        ws.append([f"Fjord {c} AS", 90000 + c, f"99{c:07d}"])
    people_ws = wb.create_sheet("Contacts")
    people_ws.append(["firstName", "lastName", "email", "works at"])
    for p in range(people):
        people_ws.append([f"Kari {p}", "Nordmann", f"kari{p}@fjord.no", 90000 + p % companies])
    wb.save(path)
    return path


def parts(conn: TripletexConnector, path: Path) -> list[Source]:
    customers = load_source(path, conn.system, conn.host, sheet="Companies", endpoint="customers",
                            tenant=conn.tenant())
    contacts = load_source(path, conn.system, conn.host, sheet="Contacts", endpoint="contacts",
                           tenant=conn.tenant())
    row_of = {int(r.values["customerNumber"]): r.row for r in customers.sheet.rows}
    for r in contacts.sheet.rows:
        contacts.pending[r.row] = {"customer.id": Pending("Companies", row_of[int(r.values["works at"])],
                                                          "customers")}
    return [customers, contacts]


def run(conn: TripletexConnector, path: Path, **options: object) -> RunOutcome:
    return run_parts(conn, path, parts(conn, path), ImportOptions(**options))  # type: ignore[arg-type]


def main(argv: list[str]) -> int:
    url, consumer, employee, path = argv
    return run(connect(url, consumer, employee), Path(path), apply=True, workers=2, batch_size=5).exit_code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
