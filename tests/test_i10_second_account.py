"""The same file imported into a second account: the first account's journal must not make its rows
"already applied" there (they were written to another company), nor warn of twins created elsewhere."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from tt_fixtures import credentials, tt_base_url, tt_server

from bulktool.cli import cli
from bulktool.sandbox import SandboxServer


@pytest.fixture()
def srv(tt_env: None) -> Iterator[SandboxServer]:
    with tt_server(contacts=5) as s:
        yield s


def run(srv: SandboxServer, account: int, *args: str) -> Result:
    consumer, employee = credentials(srv, account)
    env = {"TRIPLETEX_CONSUMER_TOKEN": consumer, "TRIPLETEX_EMPLOYEE_TOKEN": employee}
    return CliRunner().invoke(cli, ["--system", "tripletex", "--base-url", tt_base_url(srv), *args], env=env,
                              catch_exceptions=False)


def summary(res: Result) -> dict[str, int]:
    assert res.exit_code == 0, res.output
    return {k: v for k, v in json.loads(res.stdout)["summary"].items() if v}


def test_a_file_applied_in_one_account_creates_its_rows_in_the_next(srv: SandboxServer, tmp_path: Path) -> None:
    path = tmp_path / "artiklar.csv"
    path.write_text("Artikel;Pris\nSkruv M8;1,50\nMutter M8;0,75\n", encoding="cp1252")
    mapping = tmp_path / "artiklar.toml"
    mapping.write_text('endpoint = "products"\n[fields]\nname = "Artikel"\npriceExcludingVatCurrency = "Pris"\n',
                       encoding="utf-8")
    args = ("import", str(path), "--map", str(mapping), "--quiet")
    assert run(srv, 1, *args, "--apply", "--yes").exit_code == 0
    before = {p["name"] for p in srv.records("product", account=2)}
    assert summary(run(srv, 2, *args, "--json", "-")) == {"create": 2}  # not "already applied" from account 1
    assert run(srv, 2, *args, "--apply", "--yes").exit_code == 0
    assert {p["name"] for p in srv.records("product", account=2)} - before == {"Skruv M8", "Mutter M8"}
    for account in (1, 2):  # each account's re-run is recognised by its own journal
        assert summary(run(srv, account, *args, "--json", "-")) == {"unchanged": 2}
    journals = sorted(p.name for p in tmp_path.glob("*.bulktool-journal.sqlite"))
    assert len(journals) == 2 and journals[1] == "artiklar.csv.bulktool-journal.sqlite"
    assert journals[0].startswith("artiklar.csv.account-")
