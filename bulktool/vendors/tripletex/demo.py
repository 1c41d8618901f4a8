"""Tripletex's ``bulktool demo --system tripletex``: customers, products, contacts, employees and projects.

The Tripletex sandbox (``sandbox/``) serves the API under ``/v2`` and signs in the kit's first account
pair as consumer token and employee token (``PUT /v2/token/session/:create``). Its seed is Norwegian
(æøå, organisation numbers, postal codes with leading zeros such as ``0150``);
``samples/tripletex-customers.csv`` is a migration file for ``import --endpoint customers`` against it.
"""

from __future__ import annotations

from ...demo import DemoScenario
from ...sandbox import SandboxServer


def _credentials(server: SandboxServer) -> dict[str, str]:
    consumer, employee = server.credentials()
    return {"consumer_token": consumer, "employee_token": employee}


def _base_url(server: SandboxServer) -> str:
    return server.url + "/v2"


SCENARIO = DemoScenario(
    endpoints=("customers", "products", "contacts", "employees", "projects"),
    workbook="tripletex-demo.xlsx",
    rehearse_sheet="customers",
    credentials=_credentials,
    base_url=_base_url,
)
