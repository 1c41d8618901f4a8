"""Blikk's ``bulktool demo``: contacts, projects, tasks, time reports and users from the seeded sandbox.

The sandbox signs in with the kit's first account (``sandbox-app`` / ``sandbox-secret``) as an API
application's id and secret; the workbook is what ``samples/blikk-demo.xlsx`` shows.
"""

from __future__ import annotations

from ...demo import DemoScenario
from ...sandbox import SandboxServer


def _credentials(server: SandboxServer) -> dict[str, str]:
    app_id, secret = server.credentials()
    return {"app_id": app_id, "app_secret": secret}


SCENARIO = DemoScenario(
    endpoints=("contacts", "projects", "tasks", "time-reports", "users"),
    workbook="blikk-demo.xlsx",
    rehearse_sheet="contacts",
    credentials=_credentials,
)

# Visma Tid runs the same API and sandbox, with the templates that list it (no users endpoint).
VISMA_TID = DemoScenario(
    endpoints=("contacts", "projects", "tasks", "time-reports"),
    workbook="vismatid-demo.xlsx",
    rehearse_sheet="contacts",
    credentials=_credentials,
)
