"""Issue 10, point 1 on a second vendor: a Tripletex customers template, filled with openpyxl, imports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from openpyxl import load_workbook
from test_i10_template_helpers import fill, headers, validations
from tt_fixtures import tt_base_url

from bulktool.cli import cli
from bulktool.sandbox import SandboxServer
from bulktool.schema import get_endpoint


def tripletex(srv: SandboxServer, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--system", "tripletex", "--base-url", tt_base_url(srv), *args],
                              catch_exceptions=False)


def test_a_customers_template_filled_in_imports_with_its_values(
        tt_sandbox: SandboxServer, tt_env: None, tmp_path: Path) -> None:
    out = tmp_path / "customers.xlsx"
    res = tripletex(tt_sandbox, "template", "customers", "-o", str(out))
    assert res.exit_code == 0, res.output
    ep = get_endpoint("tripletex", "customers")
    cols = headers(out, "customers")
    assert cols == [c.lookup.column if c.lookup else c.name for c in ep.columns
                    if c.writable or c.name in ep.natural_key]
    assert "id" not in cols and "version" not in cols and "postalAddress.id" not in cols
    got = validations(out, "customers")
    assert got["language"][:2] == ("list", '"NO,EN"')
    assert got["isPrivateIndividual"][:2] == ("list", '"TRUE,FALSE"')
    assert got["customerNumber"][0] == "whole"
    assert got["invoicesDueIn"][:2] == ("whole", "0")  # the spec's range, 0 to 10000
    notes = {str(c.value): c.comment.text for c in load_workbook(out)["customers"][1]}
    assert notes["name"].startswith("Required on create.")
    assert "Cannot be emptied: an update with this cell empty is refused." in notes["isInactive"]
    assert "Allowed values: EMAIL, EHF, EFAKTURA, AVTALEGIRO, VIPPS, PAPER, MANUAL." in notes["invoiceSendMethod"]
    fill(out, "customers", [
        {"name": "Fjordkraft Rør AS", "customerNumber": 90001, "organizationNumber": "912345678",
         "email": "post@fjordror.no", "isInactive": False, "isPrivateIndividual": False, "language": "NO",
         "invoicesDueIn": 14, "invoicesDueInType": "DAYS", "postalAddress.postalCode": "0150",
         "postalAddress.city": "Oslo"},
        {"name": "Ørjan Bækkelund", "customerNumber": 90002, "isPrivateIndividual": True, "language": "EN",
         "isInactive": False, "invoicesDueIn": 30},  # the note says: an update cannot empty these
    ])
    res = tripletex(tt_sandbox, "import", str(out), "--json", "-", "--quiet")
    assert res.exit_code == 0, res.output
    assert [r["action"] for r in json.loads(res.stdout)["rows"]] == ["create", "create"]
    res = tripletex(tt_sandbox, "import", str(out), "--apply", "--yes", "--quiet")
    assert res.exit_code == 0, res.output
    made: dict[int, dict[str, Any]] = {int(r["customerNumber"]): r for r in tt_sandbox.records("customer")
                                       if r.get("customerNumber") in (90001, 90002)}
    assert made[90001]["name"] == "Fjordkraft Rør AS" and made[90001]["organizationNumber"] == "912345678"
    assert made[90001]["invoicesDueIn"] == 14 and made[90001]["invoicesDueInType"] == "DAYS"
    assert made[90001]["isPrivateIndividual"] is False and made[90001]["language"] == "NO"
    assert made[90002]["name"] == "Ørjan Bækkelund" and made[90002]["isPrivateIndividual"] is True
    again = json.loads(tripletex(tt_sandbox, "import", str(out), "--json", "-", "--quiet").stdout)
    assert again["summary"]["create"] == 0 and again["summary"]["invalid"] == 0


@pytest.mark.parametrize(("system", "endpoint"), [("blikk", "projects"), ("tripletex", "projects")])
def test_date_columns_get_a_date_check_and_a_date_format(system: str, endpoint: str, tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    res = CliRunner().invoke(cli, ["--system", system, "template", endpoint, "-o", str(out), "--no-lookups"],
                             catch_exceptions=False)
    assert res.exit_code == 0, res.output
    ep = get_endpoint(system, endpoint)
    dates = [c.name for c in ep.columns if c.writable and c.type == "date" and c.lookup is None]
    assert dates
    got = validations(out, endpoint)
    ws = load_workbook(out)[endpoint]
    for name in dates:
        assert got[name][0] == "date", name
        index = headers(out, endpoint).index(name) + 1  # openpyxl keys a run of like columns by its first
        dim = next(d for d in ws.column_dimensions.values() if d.min is not None and d.min <= index <= d.max)
        assert dim.number_format == "yyyy-mm-dd", name


def _writable(system: str) -> list[tuple[str, str]]:
    from bulktool.schema import load_templates

    return [(system, n) for n, ep in sorted(load_templates(system).items()) if not ep.read_only]


@pytest.mark.parametrize(("system", "endpoint"), [*_writable("blikk"), *_writable("tripletex"), *_writable("finsit")])
def test_every_writable_template_gets_a_blank_workbook(
        system: str, endpoint: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BULKTOOL_CONFIG", str(tmp_path / "config.toml"))
    out = tmp_path / "t.xlsx"
    res = CliRunner().invoke(cli, ["--system", system, "template", endpoint, "-o", str(out), "--no-lookups"],
                             catch_exceptions=False)
    assert res.exit_code == 0, res.output
    ep = get_endpoint(system, endpoint)
    want = [c.lookup.column if c.lookup else c.name for c in ep.columns if c.writable or c.name in ep.natural_key]
    assert headers(out, ep.name) == want
    ws = load_workbook(out)[ep.name]
    assert all(c.comment is not None and c.comment.text.split("\n")[0].endswith(".") for c in ws[1])
