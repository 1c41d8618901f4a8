"""Finsit's templates: they load, their paths and verbs are the fact sheet's, their keys are set, and
each exports from the sandbox and imports back untouched as all unchanged."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner, Result
from fs_fixtures import AGENCY, FIRST_COMPANY, fs_env, fs_server

from bulktool.cli import cli
from bulktool.sandbox import SandboxServer
from bulktool.schema.loader import load_templates

T = load_templates("finsit")
C = "/Api/v2/Company/{companyId}"
# finsit-resources.md §1.1 and §4: (list, get, create, update, delete) per template.
PATHS = {
    "companies": ("/Api/v2/Company/", "/Api/v2/Company/{id}", "/Api/v2/Company/", "/Api/v2/Company/{id}",
                  "/Api/v2/Company/{id}"),
    "agency-companies": ("/Api/v2/Agency/{agency}/Company", "/Api/v2/Agency/{agency}/Company/{id}", None, None, None),
    "company-types": ("/Api/v2/Agency/{agency}/CompanyType", "/Api/v2/Agency/{agency}/CompanyType/{id}", None, None,
                      None),
    "fiscal-years": (f"{C}/FiscalYear", f"{C}/FiscalYear/{{id}}", None, f"{C}/FiscalYear/{{id}}",
                     f"{C}/FiscalYear/{{id}}"),
    "key-figure-data": (f"{C}/FiscalYear/{{fiscalYearId}}/KeyFigureData", None, None,
                        f"{C}/FiscalYear/{{fiscalYearId}}/KeyFigureData", None),
    "comments": (f"{C}/Comment/", f"{C}/Comment/{{id}}", f"{C}/Comment/", f"{C}/Comment/", f"{C}/Comment/{{id}}"),
    "key-figure-presets": (f"{C}/KeyFigurePreset/", f"{C}/KeyFigurePreset/{{id}}", f"{C}/KeyFigurePreset/",
                           f"{C}/KeyFigurePreset/{{id}}", f"{C}/KeyFigurePreset/{{id}}"),
    "key-figure-values": (f"{C}/KeyFigureValue", None, None, None, None),
    "chart-of-accounts": (f"{C}/ChartOfAccounts/", f"{C}/ChartOfAccounts/{{id}}", None, None, None),
    "period-reports": (f"{C}/PeriodReport/", f"{C}/PeriodReport/{{id}}", None, None, None),
    "users": ("/Api/v2/User/", "/Api/v2/User/{id}", "/Api/v2/User/", "/Api/v2/User/", "/Api/v2/User/{id}"),
}
READ_ONLY = {"agency-companies", "company-types", "key-figure-values", "chart-of-accounts", "period-reports"}


@pytest.fixture(scope="module")
def srv() -> Iterator[SandboxServer]:
    with fs_server() as s:
        yield s


def run(srv: SandboxServer, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--system", "finsit", "--base-url", srv.url, "--company", FIRST_COMPANY,
                                    "--agency", AGENCY, *args], catch_exceptions=False)


def test_every_template_of_the_issue_loads() -> None:
    assert sorted(T) == sorted(PATHS)
    assert {n for n, ep in T.items() if ep.read_only} == READ_ONLY


@pytest.mark.parametrize("name", sorted(PATHS))
def test_paths_and_verbs_are_the_fact_sheets(name: str) -> None:
    ep = T[name]
    assert (ep.list_path, ep.get_path, ep.create_path, ep.update_path, ep.delete_path) == PATHS[name]


def test_put_on_the_collection_and_grouped_writes_are_marked() -> None:
    assert {n for n, ep in T.items() if ep.update_on_collection} == {"comments", "users"}
    assert {n: ep.group_by for n, ep in T.items() if ep.group_by} == {"key-figure-data": "fiscalYearId"}
    assert {n for n, ep in T.items() if "companyId" in ep.scope} == {
        "fiscal-years", "key-figure-data", "comments", "key-figure-presets", "key-figure-values",
        "chart-of-accounts", "period-reports"}
    assert not T["fiscal-years"].create_path  # update only: no POST


def test_natural_keys() -> None:
    assert T["companies"].natural_key == ("businessIdentityCode",)
    assert T["fiscal-years"].natural_key == ("start",)
    assert T["users"].id_field == "userName" and T["users"].natural_key == ("userName", "email")
    kfd = T["key-figure-data"]  # composite: the connector joins it into the read-only id
    assert kfd.column("id").read_only and kfd.column("fiscalYearId").read_only


def test_client_computed_flags_are_read_only() -> None:
    assert not T["companies"].column("isFortnoxCompany").writable
    assert not T["comments"].column("IsKeyFigureComment").writable
    assert T["companies"].column("CompanyTypeId").write == "CompanyTypeId"  # PascalCase, as documented


@pytest.mark.parametrize("name", sorted(PATHS))
def test_each_template_exports_and_imports_back_unchanged(
    srv: SandboxServer, name: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fs_env(monkeypatch, tmp_path)
    out = tmp_path / f"{name}.xlsx"
    res = run(srv, "export", name, "-o", str(out), "--quiet")
    assert res.exit_code == 0, res.output
    sheet = openpyxl.load_workbook(out)[name]
    header = [c.value for c in sheet[1]]
    assert header[: len(T[name].column_names())] == T[name].column_names()
    assert sheet.max_row > 1  # the sandbox seeds every resource
    res = run(srv, "import", str(out), "--json", "-")
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)["summary"]
    assert summary["unchanged"] == sheet.max_row - 1, summary


def test_a_new_fiscal_year_gets_a_clear_message_and_no_request(
    srv: SandboxServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fs_env(monkeypatch, tmp_path)
    out = tmp_path / "fy.xlsx"
    assert run(srv, "export", "fiscal-years", "-o", str(out), "--quiet").exit_code == 0
    book = openpyxl.load_workbook(out)
    book["fiscal-years"].append([None, "2030-01-01T00:00:00Z", "2030-12-31T23:59:59Z"])
    book.save(out)
    srv.reset_stats()
    res = run(srv, "import", str(out), "--apply", "-y", "--json", "-")
    report = json.loads(res.stdout)
    new = [r for r in report["rows"] if r.get("message", "").startswith("fiscal-years cannot be created")]
    assert len(new) == 1, report["rows"]
    assert new[0]["message"] == ("fiscal-years cannot be created through the API (it has no create); only existing "
                                 "records can be updated")
    assert all(m == "GET" for m, _, _ in srv.request_log())


BASE = '''name = "x"
title = "X"
version = 1
systems = ["finsit"]
%s
[paths]
%s

[[columns]]
name = "id"
type = "string"
write = "id"

[[columns]]
name = "fiscalYearId"
type = "string"
read_only = true
'''


@pytest.mark.parametrize(("top", "paths", "message"), [
    ("", 'list = "/Api/v2/Company/{companyId}/Comment/"',
     "paths.list: '/Api/v2/Company/{companyId}/Comment/' must not contain a placeholder"),
    ('scope = ["companyId"]', 'list = "/a/{companyId}/b"\nget = "/a/{companyId}/b/{id}/{other}"',
     "unknown placeholder {other} (declare it in scope or group_by)"),
    ('scope = ["companyId"]\nupdate_on_collection = true',
     'list = "/a/{companyId}/C/"\nupdate = "/a/{companyId}/C/{id}"',
     "must not contain {id}: the template updates on the collection"),
    ('scope = ["id"]', 'list = "/a"', "scope: 'id' is not a placeholder name"),
    ('group_by = "nope"', 'list = "/a/{nope}/b"\nupdate = "/a/{nope}/b"', "group_by: 'nope' is not a column"),
    ('scope = ["companyId"]', 'list = "/a/{companyId}/C/"\nupdate = "/a/{companyId}/C/"',
     "paths.update: '/a/{companyId}/C/' must contain the {id} placeholder"),
])
def test_the_loader_checks_scope_group_by_and_collection_updates(
    tmp_path: Path, top: str, paths: str, message: str
) -> None:
    from bulktool.errors import TemplateError
    from bulktool.schema.loader import load_template_file

    (tmp_path / "finsit").mkdir()
    f = tmp_path / "finsit" / "x.toml"
    f.write_text(BASE % (top, paths), encoding="utf-8")
    with pytest.raises(TemplateError) as info:
        load_template_file(f)
    assert message in str(info.value)


def test_the_loader_takes_a_grouped_template(tmp_path: Path) -> None:
    from bulktool.schema.loader import load_template_file

    (tmp_path / "finsit").mkdir()
    f = tmp_path / "finsit" / "x.toml"
    f.write_text(BASE % ('scope = ["companyId"]\ngroup_by = "fiscalYearId"',
                         'list = "/a/{companyId}/Y/{fiscalYearId}/D"\nupdate = "/a/{companyId}/Y/{fiscalYearId}/D"'),
                 encoding="utf-8")
    ep = load_template_file(f)
    assert (ep.scope, ep.group_by, ep.update_on_collection) == (("companyId",), "fiscalYearId", False)
