"""The Finsit connector end to end against the Finsit sandbox over real HTTP.

Sign-in both ways (Basic in ISO-8859-1 with an å/ä/ö password; OAuth 1.0a HMAC-SHA1 in the header and
PLAINTEXT in the query), company-scoped paths from --company and from --agency/--org, whole-list reads,
the error object on real answers (403, 404, 412, a proxy's HTML 502 retried), and the special numbers
read exactly from the sandbox's stored data.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from fs_fixtures import (
    AGENCY,
    COMPANY_USER,
    CONSUMER_KEY,
    CONSUMER_SECRET,
    DIRECTOR,
    FIRST_COMPANY,
    company_ids,
    control,
    fs_env,
    fs_oauth_env,
    fs_server,
)

from bulktool.cli import cli
from bulktool.errors import ConfigError, NotFound, PermissionDenied, ServerError, UsageError, ValidationFailed
from bulktool.sandbox import SandboxServer
from bulktool.schema.loader import load_templates
from bulktool.vendors.finsit import FinsitConnector
from bulktool.vendors.finsit.auth import basic_value
from bulktool.workbook import read_table

T = load_templates("finsit")


@pytest.fixture()
def srv() -> Iterator[SandboxServer]:
    with fs_server() as s:
        yield s


def connect(srv: SandboxServer, **values: str) -> FinsitConnector:
    values.setdefault("user", DIRECTOR.user_name)
    values.setdefault("password", DIRECTOR.password)
    return FinsitConnector(srv.url, FinsitConnector.credentials(**values))


def oauth(srv: SandboxServer, **values: str) -> FinsitConnector:
    return FinsitConnector(srv.url, FinsitConnector.credentials(
        consumer_key=CONSUMER_KEY, consumer_secret=CONSUMER_SECRET, token=DIRECTOR.token,
        token_secret=DIRECTOR.token_secret, **values))


def run(srv: SandboxServer, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--system", "finsit", "--base-url", srv.url, *args], catch_exceptions=False)


def paths(srv: SandboxServer) -> list[tuple[str, str, int]]:
    return [(m, p.split("?", 1)[0], s) for m, p, s in srv.request_log() if not p.startswith("/_sandbox")]


# ---------------------------------------------------------------- sign-in


def test_basic_sends_iso_8859_1_so_an_aao_password_signs_in(srv: SandboxServer) -> None:
    assert "å" in DIRECTOR.password
    raw = base64.b64decode(basic_value(DIRECTOR.user_name, DIRECTOR.password).split()[1])
    assert b"\xe5\xe4\xf6" in raw and "åäö".encode() not in raw  # one byte each, not UTF-8's two
    companies = connect(srv).list_endpoint(T["companies"])
    assert len(companies) == 5 and companies[0]["businessIdentityCode"] == "556898-6787"
    assert paths(srv) == [("GET", "/Api/v2/Company/", 200)]  # one GET, the whole list


def test_a_password_iso_8859_1_cannot_carry_is_refused_before_any_request(srv: SandboxServer) -> None:
    with pytest.raises(ConfigError, match="ISO-8859-1 cannot encode") as info:
        connect(srv, password="Hemligt-€-1")
    assert "€" not in str(info.value).split("(")[0]
    assert paths(srv) == []


@pytest.mark.parametrize("signature", ["HMAC-SHA1", "PLAINTEXT"])
def test_oauth_1_0a_signs_in_both_ways(srv: SandboxServer, signature: str) -> None:
    conn = oauth(srv, oauth_signature=signature, company=FIRST_COMPANY)
    assert conn.auth_mode == "oauth"
    assert len(conn.list_endpoint(T["companies"])) == 5
    assert len(conn.list_endpoint(T["fiscal-years"])) == 3


def test_half_an_oauth_set_names_what_is_missing() -> None:
    with pytest.raises(ConfigError, match="FINSIT_TOKEN, FINSIT_TOKEN_SECRET missing"):
        FinsitConnector.credentials(consumer_key="k", consumer_secret="s")
    with pytest.raises(ConfigError, match="No credentials for Finsit: set FINSIT_USER and FINSIT_PASSWORD"):
        FinsitConnector.credentials(user="someone")


def test_a_wrong_password_is_one_clear_line(srv: SandboxServer, monkeypatch: pytest.MonkeyPatch,
                                            tmp_path: Path) -> None:
    fs_env(monkeypatch, tmp_path)
    monkeypatch.setenv("FINSIT_PASSWORD", "Hemlig-aao-1")
    res = run(srv, "export", "companies", "-o", str(tmp_path / "c.xlsx"))
    assert res.exit_code == 2
    assert "GET /Api/v2/Company/: HTTP 401 Forbidden" in res.output
    assert "Check FINSIT_USER/FINSIT_PASSWORD" in res.output


# ---------------------------------------------------------------- paths


def test_company_and_agency_org_name_the_same_company(srv: SandboxServer) -> None:
    by_id = connect(srv, company=FIRST_COMPANY).list_endpoint(T["fiscal-years"])
    by_org = connect(srv, agency=AGENCY, org="556898-6787").list_endpoint(T["fiscal-years"])
    assert by_id == by_org and len(by_id) == 3
    assert {p for _, p, _ in paths(srv)} == {f"/Api/v2/Company/{FIRST_COMPANY}/FiscalYear"}
    with pytest.raises(UsageError, match="name different companies"):
        connect(srv, company=company_ids(2)[1], agency=AGENCY, org="556898-6787")


def test_a_company_scoped_export_without_a_company_says_how(srv: SandboxServer,
                                                            monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fs_env(monkeypatch, tmp_path)
    res = run(srv, "export", "comments", "-o", str(tmp_path / "c.xlsx"))
    assert res.exit_code == 2
    assert "comments is per company: pass --company ID (or --agency SHORT --org ORGNO)" in res.output
    res = run(srv, "--agency", AGENCY, "--org", "556898-6787", "export", "comments",
              "-o", str(tmp_path / "c.xlsx"))
    assert res.exit_code == 0, res.output


def test_agency_resources_take_the_agency(srv: SandboxServer) -> None:
    types = connect(srv, agency=AGENCY).list_endpoint(T["company-types"])
    assert types and all(set(t) >= {"Id", "Name"} for t in types)  # the documented PascalCase
    assert paths(srv)[-1] == ("GET", f"/Api/v2/Agency/{AGENCY}/CompanyType", 200)


def test_local_filter_and_sort_after_one_whole_read(srv: SandboxServer) -> None:
    conn = connect(srv)
    ep = T["companies"]
    everyone = conn.list_endpoint(ep)
    params = {**conn.list_filter_params({"showAll": "true", "businessIdentityCode": "556898-6787"})}
    assert params == {"showAll": "True", "local:businessIdentityCode": "556898-6787"}
    one = conn.list_endpoint(ep, params)
    assert [c["id"] for c in one] == [FIRST_COMPANY]
    names = [c["name"] for c in conn.list_endpoint(ep, conn.sort_params("name", True), order=("name", True))]
    assert names == sorted((c["name"] for c in everyone), key=str.lower, reverse=True)
    log = [p for p in srv.request_log() if not p[1].startswith("/_sandbox")]
    assert [p for _, p, _ in log] == ["/Api/v2/Company/", "/Api/v2/Company/?showAll=True", "/Api/v2/Company/"]


def test_put_goes_to_the_item_or_the_collection_as_the_resource_takes_it(srv: SandboxServer) -> None:
    conn = connect(srv, company=FIRST_COMPANY)
    comment = conn.list_endpoint(T["comments"])[0]
    path, body = conn.write_request(T["comments"], "update", {"message": "Ny text"}, comment["id"])
    assert (path, body) == (f"/Api/v2/Company/{FIRST_COMPANY}/Comment/", {"id": comment["id"], "message": "Ny text"})
    conn.client.request_json("PUT", path, json_body=body)
    assert conn.get_record(T["comments"], comment["id"])["message"] == "Ny text"
    path, body = conn.write_request(T["companies"], "update", {"contactInfo": {"phone": "08-1"},
                                                                "isFortnoxCompany": False}, FIRST_COMPANY)
    assert (path, body) == (f"/Api/v2/Company/{FIRST_COMPANY}", {"contactInfo": {"phone": "08-1"}})
    conn.client.request_json("PUT", path, json_body=body)
    assert conn.get_record(T["companies"], FIRST_COMPANY)["contactInfo"]["phone"] == "08-1"
    path, _ = conn.write_request(T["companies"], "create", {"id": "a-testagency-556000-0001", "name": "Ny AB"})
    assert path == "/Api/v2/Company/a-testagency-556000-0001"  # POST on the client-given id's URL


# ---------------------------------------------------------------- errors


def test_a_company_the_user_cannot_see_is_403_with_the_identifier(srv: SandboxServer) -> None:
    other = company_ids(2)[1]
    conn = connect(srv, user=COMPANY_USER.user_name, password=COMPANY_USER.password, company=other)
    with pytest.raises(PermissionDenied) as info:
        conn.list_endpoint(T["comments"])
    text = str(info.value)
    assert text.startswith(f"GET /Api/v2/Company/{other}/Comment/: HTTP 403 Forbidden: the user lacks permission")
    assert info.value.request_id and f"(identifier {info.value.request_id})" in text
    assert f"has no access to company '{other}'" in text


def test_a_missing_record_is_not_found(srv: SandboxServer) -> None:
    conn = connect(srv, company=FIRST_COMPANY)
    with pytest.raises(NotFound, match=r"HTTP 404 NotFound: it does not exist: .*\(identifier "):
        conn.get_record(T["comments"], "no-such-comment")


def test_precondition_failed_is_named(srv: SandboxServer) -> None:
    conn = connect(srv, company=FIRST_COMPANY)
    year = conn.list_endpoint(T["fiscal-years"])[0]["id"]
    control(srv, "finsit", {"lock": [FIRST_COMPANY, year]}).raise_for_status()
    rows = [r for r in conn.list_endpoint(T["key-figure-data"]) if r["fiscalYearId"] == year]
    path, body = conn.write_request(T["key-figure-data"], "update", rows, year)
    assert all("id" not in r and "fiscalYearId" not in r for r in body)
    with pytest.raises(ValidationFailed) as info:
        conn.client.request_json("PUT", path, json_body=body)
    assert info.value.status == 412
    assert "HTTP 412 PreconditionFailed: it would break a rule of the resource" in str(info.value)


def test_a_proxy_html_502_is_retried_on_reads_and_then_one_clear_line(srv: SandboxServer) -> None:
    conn = connect(srv)
    conn.client.max_retries = 1
    control(srv, "finsit", {"proxy_502": 1}).raise_for_status()
    with pytest.raises(ServerError) as info:
        conn.list_endpoint(T["companies"])
    text = str(info.value)
    assert text.startswith("GET /Api/v2/Company/: HTTP 502: the server sent an HTML page")
    assert "instead of Finsit's error object" in text and "try again later" in text
    assert [s for _, _, s in paths(srv)] == [502, 502]  # the read was retried once
    control(srv, "finsit", {"proxy_502": 0}).raise_for_status()
    assert len(conn.list_endpoint(T["companies"])) == 5


# ---------------------------------------------------------------- numbers


def test_specials_and_28_digits_are_read_exactly(srv: SandboxServer) -> None:
    conn = connect(srv, company=FIRST_COMPANY)
    values = [r["value"] for r in conn.list_endpoint(T["key-figure-data"])]
    assert all(not isinstance(v, float) for v in values)
    assert any(isinstance(v, Decimal) and v.is_nan() for v in values)
    assert Decimal("Infinity") in values and Decimal("-Infinity") in values
    assert any(isinstance(v, Decimal) and v.is_finite() and len(v.as_tuple().digits) == 28 for v in values)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_an_untouched_export_with_specials_imports_as_all_unchanged(
    srv: SandboxServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, fmt: str
) -> None:
    fs_env(monkeypatch, tmp_path)
    out = tmp_path / f"kfd.{fmt}"
    res = run(srv, "--company", FIRST_COMPANY, "export", "key-figure-data", "-o", str(out), "--quiet")
    assert res.exit_code == 0, res.output
    cells = [r.values["value"] for r in next(iter(read_table(out).sheets.values())).rows]
    specials = [c for c in cells if isinstance(c, Decimal)]
    assert any(c.is_nan() for c in specials) and {Decimal("Infinity"), Decimal("-Infinity")} <= set(specials)
    assert any(c.is_finite() and len(c.as_tuple().digits) == 28 for c in specials)
    res = run(srv, "--company", FIRST_COMPANY, "import", str(out), "--json", "-")
    assert res.exit_code == 0, res.output
    report: dict[str, Any] = json.loads(res.stdout)
    summary = report["summary"]
    assert summary["unchanged"] == len(cells) and summary.get("update", 0) == 0
    assert all(m == "GET" for m, _, _ in paths(srv))


# ---------------------------------------------------------------- secrets


@pytest.mark.parametrize("how", ["basic", "oauth"])
def test_no_secret_in_vv_logs(srv: SandboxServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                              how: str) -> None:
    (fs_env if how == "basic" else fs_oauth_env)(monkeypatch, tmp_path)
    monkeypatch.setenv("FINSIT_PASSWORD", "wrong-Lösenord-9") if how == "basic" else None
    res = run(srv, "-vv", "--company", FIRST_COMPANY, "export", "companies", "fiscal-years",
              "-o", str(tmp_path / "x.xlsx"))
    text = res.output + (res.stderr if res.stderr_bytes is not None else "")
    assert "DEBUG" in text or "Error" in text
    secrets = ["wrong-Lösenord-9", DIRECTOR.password, CONSUMER_SECRET, DIRECTOR.token_secret,
               basic_value(DIRECTOR.user_name, "wrong-Lösenord-9").split()[1]]
    for secret in secrets:
        assert secret not in text


def test_a_profile_holds_the_basic_login(srv: SandboxServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BULKTOOL_CONFIG", str(tmp_path / "config.toml"))
    for name in ("FINSIT_USER", "FINSIT_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    res = CliRunner().invoke(cli, ["profile", "add", "byran", "--system", "finsit", "--base-url", srv.url,
                                   "--user", DIRECTOR.user_name, "--store", "file"],
                             input=DIRECTOR.password + "\n\n\n\n\n")
    assert res.exit_code == 0, res.output
    assert DIRECTOR.password not in res.output
    res = CliRunner().invoke(cli, ["--profile", "byran", "--company", FIRST_COMPANY, "export", "fiscal-years",
                                   "-o", str(tmp_path / "fy.xlsx"), "--quiet"])
    assert res.exit_code == 0, res.output
    shown = CliRunner().invoke(cli, ["profile", "show", "byran"]).output
    assert DIRECTOR.user_name in shown and DIRECTOR.password not in shown


def test_a_raw_list_path_exports_and_a_single_record_path_says_why_not(
    srv: SandboxServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fs_env(monkeypatch, tmp_path)
    res = run(srv, "export", f"/Api/v2/Company/{FIRST_COMPANY}/Comment/", "-o", str(tmp_path / "c.xlsx"), "--quiet")
    assert res.exit_code == 0 and "(Company_Comment: 2 rows) with 1 requests" in res.output
    res = run(srv, "export", "/Api/v2/Me", "-o", str(tmp_path / "me.xlsx"), "--quiet")
    assert res.exit_code == 2
    assert "The answer is one object, not a list: export takes list paths" in res.output
