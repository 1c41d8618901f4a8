"""Many companies on Finsit, end to end over HTTP (issue 9, acceptance 4 and 6): an agency of 50 companies.

The agency director sees every company (``/Api/v2/Agency/{agency}/Company`` with ``--agency``, else
``/Api/v2/Company/``). Companies are an agency-level list: one sheet, one PUT per changed company.
Key-figure data are per company and per fiscal year, written as the year's whole list.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner, Result
from fs_fixtures import AGENCY, FsClient, company_ids, forbid, fs_env, fs_server, parse, puts, records
from test_import_e2e import Sheet

from bulktool.cli import cli
from bulktool.connectors.companies import Company
from bulktool.sandbox import SandboxServer
from bulktool.vendors.finsit.connector import FinsitConnector
from bulktool.vendors.finsit.sandbox.seed_people import DIRECTOR

N = 50


@pytest.fixture
def fs50(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[SandboxServer]:
    fs_env(monkeypatch, tmp_path)
    with fs_server(companies=N) as srv:
        yield srv


def run(srv: SandboxServer, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--system", "finsit", "--base-url", srv.url, "--rate", "1000", *args],
                              catch_exceptions=False)


def rows_of(path: Path, sheet: str) -> list[dict[str, Any]]:
    ws = openpyxl.load_workbook(path)[sheet]
    head = [c.value for c in ws[1]]
    return [dict(zip(head, (c.value for c in r), strict=True)) for r in ws.iter_rows(min_row=2)]


def phones(srv: SandboxServer) -> dict[str, str]:
    return {c["id"]: c["contactInfo"]["phone"] for c in records(srv, "Company")}


def test_visible_companies_are_the_agency_list_with_names(fs50: SandboxServer) -> None:
    creds = FinsitConnector.credentials(user=DIRECTOR.user_name, password=DIRECTOR.password)
    plain = FinsitConnector(fs50.url, creds)
    seen = plain.visible_companies()
    assert [c.id for c in seen] == company_ids(N)
    assert seen[0] == Company(company_ids(1)[0], "Åkesson Bygg AB")
    agency = FinsitConnector(fs50.url, FinsitConnector.credentials(user=DIRECTOR.user_name,
                                                                   password=DIRECTOR.password, agency=AGENCY))
    assert agency.visible_companies() == seen
    other = plain.for_company(seen[3].id)
    assert other.client is plain.client and other.tenant() != plain.for_company(seen[4].id).tenant()


def test_change_every_phone_dry_run_apply_rerun_and_one_forbidden(fs50: SandboxServer, tmp_path: Path) -> None:
    path = tmp_path / "companies.xlsx"
    res = run(fs50, "export", "companies", "-o", str(path), "--quiet")
    assert res.exit_code == 0, res.output
    before = phones(fs50)
    book = Sheet(path, "companies")
    wanted: dict[str, str] = {}
    for r in range(2, book.ws.max_row + 1):
        cid = book.get(r, "id")
        wanted[cid] = f"08-{r:03d} 00 00"
        book.set(r, "contactInfo.phone", wanted[cid])
    book.save()
    assert len(wanted) == N and all(before[c] != p for c, p in wanted.items())

    res = run(fs50, "import", str(path), "--json", "-", "--quiet")
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout)
    assert report["summary"]["update"] == N and report["summary"]["create"] == 0
    assert puts(fs50) == [] and phones(fs50) == before

    blocked = company_ids(N)[7]
    forbid(fs50, blocked)
    res = run(fs50, "import", str(path), "--apply", "--yes", "--json", "-", "--quiet")
    assert res.exit_code == 3, res.output
    report = json.loads(res.stdout)
    assert report["summary"]["applied"] == N - 1 and report["summary"]["failed"] == 1
    failed = [r for r in report["rows"] if r["status"] == "failed"]
    assert [r["id"] for r in failed] == [blocked]
    assert "403" in failed[0]["message"] or "Forbidden" in failed[0]["message"], failed[0]["message"]
    sent = puts(fs50)
    assert sorted(p["path"] for p in sent) == sorted(f"/Api/v2/Company/{c}" for c in wanted)  # 403 one included
    assert all(p["body"] == {"contactInfo": {"phone": wanted[p["path"].rsplit("/", 1)[1]]}} for p in sent)
    now = phones(fs50)
    assert now == {c: (before[c] if c == blocked else p) for c, p in wanted.items()}

    forbid(fs50, blocked, False)
    res = run(fs50, "import", str(path), "--apply", "--yes", "--json", "-", "--quiet")
    assert res.exit_code == 0, res.output
    again = json.loads(res.stdout)
    assert again["summary"]["update"] == 1 and again["summary"]["unchanged"] == N - 1
    assert len(puts(fs50)) == N + 1 and phones(fs50) == wanted
    res = run(fs50, "import", str(path), "--apply", "--yes", "--json", "-", "--quiet")
    assert res.exit_code == 0 and json.loads(res.stdout)["summary"]["unchanged"] == N
    assert len(puts(fs50)) == N + 1  # the re-run writes nothing


def _current_year_rows(rows: list[dict[str, Any]], year: int) -> dict[str, dict[str, Any]]:
    """companyId -> the whole-year NumberOfEmployees row (no dimension) of ``year``'s fiscal year."""
    out = {}
    for r in rows:
        start = r["period.start"]
        if (r["keyFigureInfoId"] == "NumberOfEmployees" and not r["dimensionId"] and str(start).startswith(str(year))
                and str(r["period.end"]).startswith(f"{year}-12-31")):
            out[r["companyId"]] = r
    return out


def test_key_figure_data_one_put_per_fiscal_year(fs50: SandboxServer, tmp_path: Path) -> None:
    path = tmp_path / "kfd.xlsx"
    res = run(fs50, "export", "key-figure-data", "--company", "all", "-o", str(path), "--quiet")
    assert res.exit_code == 0, res.output
    rows = rows_of(path, "key-figure-data")
    this_year = max(int(str(r["period.start"])[:4]) for r in rows)
    targets = _current_year_rows(rows, this_year)
    assert len(targets) == N
    stored_before = {cid: _stored_kfd(fs50, cid) for cid in targets}
    book = Sheet(path, "key-figure-data")
    ids = {book.get(r, "id"): r for r in range(2, book.ws.max_row + 1)}
    for n, row in enumerate(targets.values()):
        book.set(ids[row["id"]], "value", 100 + n)
    first = next(iter(targets))  # two rows of one fiscal year: still one PUT, carrying both changes
    tax = next(r for r in rows if r["companyId"] == first and r["fiscalYearId"] == targets[first]["fiscalYearId"]
               and r["keyFigureInfoId"] == "TaxRate")
    book.set(ids[tax["id"]], "value", "0.214")
    book.save()

    res = run(fs50, "import", str(path), "--json", "-", "--quiet")
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout)
    assert report["summary"]["update"] == N + 1
    text = run(fs50, "import", str(path), "--quiet")
    estimate = [line.strip() for line in text.stdout.splitlines() if "write request" in line]
    assert text.exit_code == 0 and estimate[0].startswith(f"{N} write requests (+ "), estimate  # 51 rows, 50 PUTs
    assert puts(fs50) == []

    res = run(fs50, "import", str(path), "--apply", "--yes", "--json", "-", "--quiet")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["summary"]["applied"] == N + 1
    sent = puts(fs50)
    paths = [p["path"] for p in sent]
    assert len(paths) == len(set(paths)) == N  # each fiscal year exactly one PUT
    for n, (cid, row) in enumerate(targets.items()):
        fid = row["fiscalYearId"]
        assert f"/Api/v2/Company/{cid}/FiscalYear/{fid}/KeyFigureData" in paths
        old, new = stored_before[cid][fid], _stored_kfd(fs50, cid)[fid]
        body = next(p["body"] for p in sent if p["path"].endswith(f"/{fid}/KeyFigureData"))
        assert len(body) == len(old)  # the whole list: right whether the server replaces or merges
        assert len(new) == len(old)
        for a, b in zip(old, new, strict=True):
            is_target = (a["keyFigureInfoId"] == "NumberOfEmployees" and a["dimensionId"] is None)
            is_tax = cid == first and a["keyFigureInfoId"] == "TaxRate"
            assert b == ({**a, "value": Decimal(100 + n)} if is_target else
                         {**a, "value": Decimal("0.214")} if is_tax else a)
        for other, items in stored_before[cid].items():  # the company's other years are untouched
            if other != fid:
                assert _stored_kfd(fs50, cid)[other] == items
    res = run(fs50, "import", str(path), "--apply", "--yes", "--json", "-", "--quiet")
    assert res.exit_code == 0 and json.loads(res.stdout)["summary"]["unchanged"] == len(rows)
    assert len(puts(fs50)) == N


def _stored_kfd(srv: SandboxServer, company: str) -> dict[str, list[dict[str, Any]]]:
    """fiscalYearId -> the key-figure items of that year, as the API serves them now."""
    api = FsClient(srv)
    years = parse(api.get(f"/Company/{company}/FiscalYear"))
    return {str(y["id"]): list(parse(api.get(f"/Company/{company}/FiscalYear/{y['id']}/KeyFigureData")))
            for y in years}


def test_unknown_company_and_text_in_a_number_each_give_one_clear_line(fs50: SandboxServer, tmp_path: Path) -> None:
    """Issue 9, acceptance 6: each problem is one line naming the company, the row and the column."""
    path = tmp_path / "kfd.xlsx"
    res = run(fs50, "export", "key-figure-data", "--companies", ",".join(company_ids(3)), "-o", str(path), "--quiet")
    assert res.exit_code == 0, res.output
    book = Sheet(path, "key-figure-data")
    book.set(3, "companyId", "a-testagency-556000-0000")
    book.set(5, "value", "many")
    book.save()
    res = run(fs50, "import", str(path), "--quiet")
    assert res.exit_code == 1, res.output
    first, ghost = company_ids(1)[0], "a-testagency-556000-0000"
    more = ", ".join(company_ids(10))
    rid = Sheet(path, "key-figure-data").get(5, "id")
    details = [line.strip() for line in res.stdout.split("Details (problems first):\n", 1)[1].strip().splitlines()]
    assert details == [
        f"row 3  company {ghost}  invalid: companyId: company {ghost} is not visible to these credentials; "
        f"visible: {more} and 40 more",
        f"row 5  company {first}  invalid  id {rid}: value: expected a number, got 'many'",
    ]
    assert f"  company {ghost}: invalid 1" in res.stdout.splitlines()
    assert puts(fs50) == []
