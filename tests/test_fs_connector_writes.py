"""Finsit writes through the connector's hooks, end to end: export, edit, apply, and a second dry run
that finds nothing to change. Every PUT body holds only the changed fields (the sandbox's log of
bodies as sent), a cleared cell sends null and clears the value, and each PUT goes to the URL the
fact sheet gives (the item, or the collection with the id in the body)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner, Result
from fs_fixtures import FIRST_COMPANY, fs_env, fs_server, puts

from bulktool.cli import cli
from bulktool.sandbox import SandboxServer

C = f"/Api/v2/Company/{FIRST_COMPANY}"


@pytest.fixture()
def srv() -> Iterator[SandboxServer]:
    with fs_server() as s:
        yield s


def run(srv: SandboxServer, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--system", "finsit", "--base-url", srv.url, "--company", FIRST_COMPANY,
                                    *args], catch_exceptions=False)


def edit(path: Path, sheet: str, row: int, changes: dict[str, Any]) -> str:
    """Set cells of one data row; returns that row's id cell."""
    book = openpyxl.load_workbook(path)
    ws = book[sheet]
    header = [c.value for c in ws[1]]
    for name, value in changes.items():
        ws.cell(row=row, column=header.index(name) + 1).value = value
    rid = str(ws.cell(row=row, column=1).value)
    book.save(path)
    return rid


def records(srv: SandboxServer, resource: str) -> list[dict[str, Any]]:
    import requests

    got = requests.get(f"{srv.url}/_sandbox/records/{resource}", params={"company": FIRST_COMPANY}, timeout=15)
    got.raise_for_status()
    return list(got.json())


CASES = [
    # template, data row, edits, PUT path (None: the item URL of the row's id), body as sent
    ("companies", 2, {"contactInfo.phone": "08-999 00 11", "contactInfo.postalAddress": None},
     f"/Api/v2/Company/{FIRST_COMPANY}",
     '{"contactInfo":{"postalAddress":null,"phone":"08-999 00 11"}}'),
    ("comments", 2, {"message": "Ändrad kommentar", "author": None}, f"{C}/Comment/",
     '{"id":"%(id)s","message":"Ändrad kommentar","author":null}'),
    ("users", 2, {"phone": "08-111 22 33"}, "/Api/v2/User/", '{"userName":"%(id)s","phone":"08-111 22 33"}'),
    ("key-figure-presets", 2, {"name": "Min översikt"}, None, '{"name":"Min översikt"}'),
    ("fiscal-years", 4, {"currency": "nb-NO", "lastActiveDate": None}, None,
     '{"currency":"nb-NO","lastActiveDate":null}'),
]
ITEM = {"key-figure-presets": f"{C}/KeyFigurePreset/", "fiscal-years": f"{C}/FiscalYear/"}


@pytest.mark.parametrize(("name", "row", "changes", "path", "body"), CASES, ids=[c[0] for c in CASES])
def test_edit_apply_and_a_second_run_writes_nothing(
    srv: SandboxServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
    name: str, row: int, changes: dict[str, Any], path: str | None, body: str,
) -> None:
    fs_env(monkeypatch, tmp_path)
    out = tmp_path / f"{name}.xlsx"
    assert run(srv, "export", name, "-o", str(out), "--quiet").exit_code == 0
    rid = edit(out, name, row, changes)
    res = run(srv, "import", str(out), "--json", "-")
    plan = json.loads(res.stdout)
    assert res.exit_code == 0 and plan["summary"]["update"] == 1, plan["summary"]
    assert puts(srv) == []  # the dry run wrote nothing
    res = run(srv, "import", str(out), "--apply", "-y", "--quiet")
    assert res.exit_code == 0, res.output
    sent = puts(srv)
    assert [(p["path"], p["text"]) for p in sent] == [(path or ITEM[name] + rid, body % {"id": rid})]
    res = run(srv, "import", str(out), "--json", "-")
    again = json.loads(res.stdout)["summary"]
    assert res.exit_code == 0 and again["update"] == 0 and again["unchanged"] == plan["summary"]["unchanged"] + 1


def test_a_cleared_cell_clears_the_value_on_the_server(
    srv: SandboxServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fs_env(monkeypatch, tmp_path)
    out = tmp_path / "companies.xlsx"
    assert run(srv, "export", "companies", "-o", str(out), "--quiet").exit_code == 0
    edit(out, "companies", 2, {"contactInfo.address": None})
    assert run(srv, "import", str(out), "--apply", "-y", "--quiet").exit_code == 0
    stored = next(c for c in records(srv, "Company") if c["id"] == FIRST_COMPANY)
    assert stored["contactInfo"]["address"] is None
    assert stored["contactInfo"]["phone"] and stored["name"]  # the fields not sent are as they were


def test_a_fiscal_years_key_figure_data_goes_as_one_whole_list(srv: SandboxServer) -> None:
    """The grouped-write hook: record_id is the fiscal year, the body that year's complete list; the
    specials in it go back as the same bare tokens and the other items stay as they were."""
    from decimal import Decimal

    from fs_fixtures import DIRECTOR

    from bulktool.plan.normalize import normalizer
    from bulktool.schema.loader import get_endpoint
    from bulktool.vendors.finsit import FinsitConnector

    ep = get_endpoint("finsit", "key-figure-data")
    same = normalizer(ep.column("value"))
    conn = FinsitConnector(srv.url, FinsitConnector.credentials(
        user=DIRECTOR.user_name, password=DIRECTOR.password, company=FIRST_COMPANY))
    rows = conn.list_endpoint(ep)
    year = next(r["fiscalYearId"] for r in rows if isinstance(r["value"], Decimal) and r["value"].is_nan())
    mine = [dict(r) for r in rows if r["fiscalYearId"] == year]
    target = next(r for r in mine if r["keyFigureInfoId"] == "NumberOfEmployees")
    target["value"] = 42
    path, body = conn.write_request(ep, "update", mine, year)
    assert path == f"{C}/FiscalYear/{year}/KeyFigureData" and len(body) == len(mine)
    conn.client.request_json("PUT", path, json_body=body)
    after = {r["id"]: r for r in conn.list_endpoint(ep)}
    assert after[target["id"]]["value"] == 42
    assert all(same(after[r["id"]]["value"]) == same(r["value"]) for r in rows if r["id"] != target["id"])
    sent = puts(srv)[-1]["text"]
    assert ":NaN," in sent and ":Infinity," in sent and ":-Infinity," in sent
