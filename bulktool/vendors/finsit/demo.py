"""Finsit's ``bulktool demo --system finsit``: companies, fiscal years, comments, key-figure data and users.

The Finsit sandbox (``sandbox/``) serves the API under ``/Api/v2`` at the host root, with one agency
(``testagency``) and its companies; the demo signs in with Basic as the agency director (an å/ä/ö
password, sent as ISO-8859-1) and works in the first company (``a-testagency-556898-6787``), whose
key-figure data hold NaN, Infinity, -Infinity and a 28-digit decimal.
"""

from __future__ import annotations

from ...demo import DemoScenario
from ...sandbox import SandboxServer
from .sandbox.seed_people import AGENCY, DIRECTOR, company_id, org_number


def _credentials(server: SandboxServer) -> dict[str, str]:
    return {"user": DIRECTOR.user_name, "password": DIRECTOR.password, "agency": AGENCY,
            "company": company_id(org_number(0))}


SCENARIO = DemoScenario(
    endpoints=("companies", "fiscal-years", "comments", "key-figure-data", "users"),
    workbook="finsit-demo.xlsx",
    rehearse_sheet="companies",
    credentials=_credentials,
)
