"""The one-command demo: an embedded sandbox, a real export, a workbook to open.

What the demo exports and how it signs in to its own sandbox is the vendor's (a ``DemoScenario`` in
its package's ``demo.py``, listed on its registry entry); this module runs any of them by
``--system`` and never names one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import UsageError
from .export import ExportResult, export
from .progress import NullProgress, Progress
from .vendors import DEFAULT_SYSTEM, vendor

if TYPE_CHECKING:
    from .sandbox import SandboxServer

DEMO_PORT = 8765


@dataclass(frozen=True)
class DemoScenario:
    """One vendor's demo: the endpoints it exports from its seeded sandbox, and how to reach it."""

    endpoints: tuple[str, ...]
    workbook: str  # file name in the demo folder, "<vendor>-demo.xlsx"
    rehearse_sheet: str  # the sheet the printed import rehearsal names
    credentials: Callable[[SandboxServer], dict[str, str]]  # the sandbox's sign-in, by credential field key
    base_url: Callable[[SandboxServer], str] = lambda server: server.url  # the API root it serves


@dataclass
class DemoResult:
    workbook: Path
    sandbox_db: Path
    export: ExportResult
    port: int
    system: str
    next_steps: list[str]


def scenario_for(system: str) -> DemoScenario:
    """The demo of ``system``; a clear error for a vendor whose demo is not there yet."""
    v = vendor(system)
    if v.demo is None:
        raise UsageError(f"There is no demo for {v.title} yet")
    return v.demo()


def demo_workbook(system: str) -> str:
    return scenario_for(system).workbook


def run_demo(
    out_dir: Path, *, system: str = DEFAULT_SYSTEM, contacts: int = 200, progress: Progress | None = None
) -> DemoResult:
    """Seed a sandbox (kept in out_dir so it can be restarted for an import rehearsal) and export it."""
    scenario = scenario_for(system)
    try:
        return _run(out_dir, system, scenario, contacts, progress)
    except NotImplementedError as exc:  # a vendor whose sandbox or connector is still being built
        raise UsageError(f"The {vendor(system).title} demo cannot run yet: {exc}") from None


def _run(
    out_dir: Path, system: str, scenario: DemoScenario, contacts: int, progress: Progress | None
) -> DemoResult:
    from .sandbox import SandboxConfig, SandboxServer

    cls = vendor(system).connector
    out_dir.mkdir(parents=True, exist_ok=True)
    db = out_dir / "sandbox.sqlite"
    workbook = out_dir / scenario.workbook
    try:  # the port the printed next steps use, so the export record's host matches later
        server = SandboxServer(SandboxConfig(system=system, db_path=db, contacts=contacts, port=DEMO_PORT)).start()
    except UsageError:
        server = SandboxServer(SandboxConfig(system=system, db_path=db, contacts=contacts, port=0)).start()
    with server:
        creds = scenario.credentials(server)
        base_url = scenario.base_url(server)
        connector = cls.connect(base_url, cls.credentials(**creds))
        try:
            result = export(connector, system, scenario.endpoints, workbook, progress=progress or NullProgress())
        finally:
            connector.client.close()
    port = int(server.url.rsplit(":", 1)[1])
    on = "" if system == DEFAULT_SYSTEM else f" --system {system}"
    env = " ".join(f"{cls.env_prefix}_{f.env}={creds[f.key]}" for f in cls.credential_fields if f.key in creds)
    steps = [
        f"  bulktool{on} sandbox --db {db} --port {port}    # in another terminal",
        f"  export {env}",
        f"  bulktool{on} --base-url {base_url} import {workbook} --sheet {scenario.rehearse_sheet}",
    ]
    return DemoResult(workbook, db, result, port, system, steps)


# The default system's demo, for callers from before --system.
DEMO_ENDPOINTS: tuple[str, ...] = scenario_for(DEFAULT_SYSTEM).endpoints
DEMO_WORKBOOK: str = scenario_for(DEFAULT_SYSTEM).workbook
