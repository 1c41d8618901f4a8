"""The one-command demo: an embedded sandbox, a real export, a workbook to open."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .export import ExportResult, export
from .progress import NullProgress, Progress
from .vendors.blikk import BlikkConnector, blikk_credentials

DEMO_ENDPOINTS = ("contacts", "projects", "tasks", "time-reports", "users")
DEMO_PORT = 8765
DEMO_WORKBOOK = "blikk-demo.xlsx"


@dataclass
class DemoResult:
    workbook: Path
    sandbox_db: Path
    export: ExportResult
    port: int


def run_demo(out_dir: Path, *, contacts: int = 200, progress: Progress | None = None) -> DemoResult:
    """Seed a sandbox (kept in out_dir so it can be restarted for an import rehearsal) and export it."""
    from .sandbox import SandboxConfig, SandboxServer

    out_dir.mkdir(parents=True, exist_ok=True)
    db = out_dir / "sandbox.sqlite"
    workbook = out_dir / DEMO_WORKBOOK
    from .errors import UsageError

    try:  # the port the printed next steps use, so the export record's host matches later
        server = SandboxServer(SandboxConfig(db_path=db, contacts=contacts, port=DEMO_PORT)).start()
    except UsageError:
        server = SandboxServer(SandboxConfig(db_path=db, contacts=contacts, port=0)).start()
    with server:
        connector = BlikkConnector(server.url, blikk_credentials(server.app_id, server.app_secret))
        try:
            result = export(connector, "blikk", DEMO_ENDPOINTS, workbook, progress=progress or NullProgress())
        finally:
            connector.client.close()
    return DemoResult(workbook, db, result, int(server.url.rsplit(":", 1)[1]))
