"""Issue 10 on Finsit: a mapped file names a company's type by its name (a lookup of the agency's company
types, one list read), and a re-run writes nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from fs_fixtures import AGENCY, FIRST_COMPANY, fs_env, fs_server, puts, records

from bulktool.cli import cli
from bulktool.sandbox import SandboxServer


@pytest.fixture()
def srv(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[SandboxServer]:
    fs_env(monkeypatch, tmp_path)
    with fs_server() as s:
        yield s


def run(srv: SandboxServer, *args: str) -> Result:
    # The company types are the agency's: --agency names it (the company id is a-{agency}-{orgno}).
    return CliRunner().invoke(cli, ["--system", "finsit", "--base-url", srv.url, "--agency", AGENCY,
                                    "--company", FIRST_COMPANY, *args], catch_exceptions=False)


def test_a_company_type_named_in_swedish_is_looked_up_and_written_as_its_id(
        srv: SandboxServer, tmp_path: Path) -> None:
    types = {t["Name"]: t["Id"] for t in records(srv, "CompanyType")}
    company = next(c for c in records(srv, "Company") if c["id"] == FIRST_COMPANY)
    name, wanted = next((n, i) for n, i in types.items() if i != company["CompanyTypeId"])
    path = tmp_path / "bolag.csv"
    path.write_text(f"Bolag;Bolagsform\n{FIRST_COMPANY};  {name.upper()} \n", encoding="cp1252")
    mapping = tmp_path / "bolag.toml"
    mapping.write_text('endpoint = "companies"\n[fields]\nid = "Bolag"\nCompanyType = "Bolagsform"\n',
                       encoding="utf-8")
    res = run(srv, "import", str(path), "--map", str(mapping), "--json", "-", "--quiet")
    assert res.exit_code == 0, res.output
    [row] = json.loads(res.stdout)["rows"]
    assert row["action"] == "update" and row["changes"]["CompanyTypeId"]["new"] == wanted
    res = run(srv, "import", str(path), "--map", str(mapping), "--apply", "--yes", "--quiet")
    assert res.exit_code == 0, res.output
    assert [json.loads(p["text"]) for p in puts(srv)] == [{"CompanyTypeId": wanted}]
    res = run(srv, "import", str(path), "--map", str(mapping), "--json", "-", "--quiet")
    assert json.loads(res.stdout)["summary"]["unchanged"] == 1
