"""``bulktool demo --system NAME``: the scenario is the vendor's, found through the registry.

Blikk and Visma Tid run the same scenario on the Blikk sandbox; Tripletex runs its own scenario on
its own sandbox, to the end.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from bulktool.cli import cli
from bulktool.demo import DEMO_ENDPOINTS, scenario_for
from bulktool.sandbox import SandboxConfig, SandboxServer
from bulktool.schema import load_templates
from bulktool.vendors import VENDORS

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def _org_number_ok(text: str) -> bool:
    """Norway's organisation number: nine digits, the last a mod-11 check digit."""
    if len(text) != 9 or not text.isdigit():
        return False
    rest = 11 - sum(int(d) * w for d, w in zip(text, (3, 2, 7, 6, 5, 4, 3, 2), strict=False)) % 11
    return (0 if rest == 11 else rest) == int(text[-1])


def test_every_vendor_has_a_demo_scenario() -> None:
    for name, v in VENDORS.items():
        s = scenario_for(name)
        assert s.workbook == f"{name}-demo.xlsx" and s.rehearse_sheet in s.endpoints
        if v.family == "blikk":  # every endpoint it exports is one of that system's templates
            assert set(s.endpoints) <= set(load_templates(name)), name
    assert scenario_for("blikk").endpoints == DEMO_ENDPOINTS
    assert scenario_for("tripletex").endpoints == ("customers", "products", "contacts", "employees", "projects")


def test_the_demo_runs_the_alias_on_its_family_and_prints_its_system(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BULKTOOL_CONFIG", str(tmp_path / "config.toml"))
    out = tmp_path / "demo"
    res = CliRunner().invoke(cli, ["demo", "--system", "vismatid", "--dir", str(out), "--contacts", "5", "--quiet"])
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    workbook = out / "vismatid-demo.xlsx"
    assert lines[0] == f"Demo workbook: {workbook.resolve()}"
    assert CalamineWorkbook.from_path(str(workbook)).sheet_names == [*scenario_for("vismatid").endpoints, "_bulktool"]
    assert lines[-3].startswith("  bulktool --system vismatid sandbox --db ")
    assert lines[-2] == "  export VISMATID_APP_ID=sandbox-app VISMATID_APP_SECRET=sandbox-secret"
    assert lines[-1].startswith("  bulktool --system vismatid --base-url http://127.0.0.1:")


def test_the_tripletex_demo_runs_to_the_end_and_its_rehearsal_is_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BULKTOOL_CONFIG", str(tmp_path / "config.toml"))
    out = tmp_path / "demo"
    res = CliRunner().invoke(cli, ["--system", "tripletex", "demo", "--dir", str(out), "--contacts", "5", "--quiet"])
    assert res.exit_code == 0, res.output  # the sandbox, connector and templates are all in
    lines = res.stdout.splitlines()
    assert lines[0] == f"Demo workbook: {(out / 'tripletex-demo.xlsx').resolve()}"
    assert lines[1].startswith("Sheets: customers: ")
    assert lines[-1].startswith("  bulktool --system tripletex --base-url http://127.0.0.1:")
    assert lines[-1].split()[4].endswith("/v2")
    # The rehearsal it prints: a sandbox on the demo's database, the workbook imported as it is.
    db, port = lines[-3].split("--db ")[1].split()[0], int(lines[-3].split("--port ")[1].split()[0])
    with SandboxServer(SandboxConfig(system="tripletex", db_path=db, port=port)) as srv:  # the record's host
        monkeypatch.setenv("TRIPLETEX_CONSUMER_TOKEN", "sandbox-app")
        monkeypatch.setenv("TRIPLETEX_EMPLOYEE_TOKEN", "sandbox-secret")
        for sheet in scenario_for("tripletex").endpoints:
            res = CliRunner().invoke(cli, ["--system", "tripletex", "--base-url", srv.url + "/v2", "import",
                                           str(out / "tripletex-demo.xlsx"), "--sheet", sheet, "--json", "-", "-q"])
            assert res.exit_code == 0, res.output
            summary = json.loads(res.stdout)["summary"]
            assert summary["unchanged"] > 0 and summary["unchanged"] == sum(summary.values()), (sheet, summary)


def test_the_tripletex_sample_is_norwegian_and_keeps_its_leading_zeros() -> None:
    path = SAMPLES / "tripletex-customers.csv"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel opens UTF-8 with a BOM as UTF-8
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) >= 5
    assert any(set("æøåÆØÅ") & set(r["name"]) for r in rows)
    assert any(r["postalAddress.postalCode"].startswith("0") for r in rows)
    assert all(len(r["postalAddress.postalCode"]) == 4 for r in rows)
    assert all(_org_number_ok(r["organizationNumber"]) for r in rows if r["organizationNumber"])
    assert any(not r["customerNumber"] for r in rows)  # the server assigns one; matched by org number or not


def test_the_tripletex_sample_matches_the_customers_template() -> None:
    customers = load_templates("tripletex")["customers"]
    with (SAMPLES / "tripletex-customers.csv").open(encoding="utf-8-sig", newline="") as fh:
        header = next(csv.reader(fh))
    writable = {c.name for c in customers.columns if c.writable}
    assert set(header) <= writable, set(header) - writable
