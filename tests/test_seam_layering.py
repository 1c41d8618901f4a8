"""The vendor seam: the core never names a system, vendors are packages found through the registry.

Scans the source, so a new ``if system == "blikk"``, a Blikk-only comment or an import of a vendor
package in the core fails here rather than in review.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bulktool.sandbox import SandboxConfig, SandboxServer
from bulktool.sandbox.app import SandboxApp, app_for
from bulktool.vendors import SYSTEMS, VENDORS, vendor

ROOT = Path(__file__).resolve().parents[1] / "bulktool"
CORE = [ROOT / "plan", ROOT / "writer", ROOT / "workbook", ROOT / "export.py", ROOT / "importer.py"]
KIT = [ROOT / "sandbox"]
NAMES = re.compile(r"blikk|vismatid|visma\s*tid", re.IGNORECASE)
VENDOR_IMPORT = re.compile(r"^\s*(from|import)\s+(bulktool\.vendors|\.+vendors)\b", re.MULTILINE)


def _files(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        out.extend(sorted(p.rglob("*.py")) if p.is_dir() else [p])
    return out


@pytest.mark.parametrize("path", _files(CORE), ids=lambda p: str(p.relative_to(ROOT)))
def test_core_names_no_system_and_imports_no_vendor(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    named = [f"{i}: {line.strip()}" for i, line in enumerate(text.splitlines(), 1) if NAMES.search(line)]
    assert named == [], f"{path.name} names a system"
    assert not VENDOR_IMPORT.search(text), f"{path.name} imports a vendor package"


@pytest.mark.parametrize("path", _files(KIT), ids=lambda p: str(p.relative_to(ROOT)))
def test_sandbox_kit_imports_vendors_only_through_the_registry(path: Path) -> None:
    """The shared kit finds apps by name (``app_for``), never by importing a vendor's modules."""
    text = path.read_text(encoding="utf-8")
    for m in re.finditer(r"^\s*(?:from|import)\s+([.\w]+)", text, re.MULTILINE):
        mod = m.group(1)
        assert "vendors." not in mod and not mod.endswith(".blikk"), f"{path.name} imports {mod}"


def test_registry_lists_every_vendor_and_visma_tid_is_blikk_family() -> None:
    assert SYSTEMS == ("blikk", "vismatid", "tripletex", "finsit")
    assert vendor("VismaTid").family == vendor("blikk").family == "blikk"
    assert VENDORS["vismatid"].connector.title == "Visma Tid"
    for v in VENDORS.values():  # the template folder of every family exists
        assert (ROOT.parent / "templates" / v.family).is_dir()


def test_sandbox_app_is_chosen_by_system_name() -> None:
    app: SandboxApp = app_for("vismatid")
    assert app.title == "Blikk"
    with SandboxServer(SandboxConfig(system="blikk", contacts=3)) as srv:
        assert srv.banner().startswith("Blikk API sandbox listening on")
        assert "contacts" in srv.app.resources


def test_the_sandbox_command_serves_the_global_systems_app(monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from bulktool.cli import cli

    served: list[str] = []

    def interrupted(self: SandboxServer) -> None:
        served.append(self.config.system)
        self.stop()
        raise KeyboardInterrupt

    monkeypatch.setattr(SandboxServer, "serve_forever", interrupted)
    res = CliRunner().invoke(cli, ["--system", "vismatid", "sandbox", "--port", "0", "--contacts", "3"])
    assert res.exit_code == 0, res.output
    assert served == ["vismatid"] and res.stdout.startswith("Blikk API sandbox listening on")
