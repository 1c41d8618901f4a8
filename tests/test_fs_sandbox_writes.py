"""Finsit sandbox writes: partial PUT (absent stays, null clears), strict names, 409s and the 412 rules."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from fs_fixtures import COMPANY_USER, CONSULTANT, FIRST_COMPANY, FsClient, company_ids, control, fs_server

from bulktool.sandbox import SandboxServer

C = f"/Company/{FIRST_COMPANY}"


@pytest.fixture
def srv() -> Iterator[SandboxServer]:
    with fs_server(companies=3) as server:
        yield server


def _error(r: requests.Response) -> tuple[int, str, str]:
    body = r.json()
    assert set(body) == {"typeOfError", "message", "identifier"}
    return r.status_code, body["typeOfError"], body["message"]


def test_partial_put_keeps_absent_fields_and_merges_contact_info(srv: SandboxServer) -> None:
    api = FsClient(srv)
    before = api.get(C).json()
    r = api.put(C, {"contactInfo": {"phone": "08-555 123 00"}})
    assert r.status_code == 200
    after = api.get(C).json()
    assert after["contactInfo"] == {**before["contactInfo"], "phone": "08-555 123 00"}
    assert {k: v for k, v in after.items() if k != "contactInfo"} == {
        k: v for k, v in before.items() if k != "contactInfo"}


def test_null_clears_a_value(srv: SandboxServer) -> None:
    api = FsClient(srv)
    api.put(C, {"contactInfo": {"address": None}, "CompanyTypeId": None})
    after = api.get(C).json()
    assert after["contactInfo"]["address"] is None
    assert after["CompanyTypeId"] is None
    assert after["contactInfo"]["phone"] is not None
    api.put(C, {"contactInfo": None})
    assert api.get(C).json()["contactInfo"] is None


def test_null_on_a_non_nullable_field_is_400(srv: SandboxServer) -> None:
    api = FsClient(srv)
    assert _error(api.put(C, {"businessIdentityCode": None})) == (
        400, "BadRequest", "'businessIdentityCode' cannot be null.")
    year = api.get(f"{C}/FiscalYear").json()[2]["id"]
    assert _error(api.put(f"{C}/FiscalYear/{year}", {"lastLedgerDate": None})) == (
        400, "BadRequest", "'lastLedgerDate' cannot be null.")


def test_field_names_are_case_sensitive_on_writes(srv: SandboxServer) -> None:
    api = FsClient(srv)
    assert _error(api.put(C, {"companyTypeId": "HB"})) == (
        400, "BadRequest", "Unknown field 'companyTypeId' in Company (the field is 'CompanyTypeId'; names are "
        "case-sensitive).")
    assert _error(api.put(C, {"Name": "X"})) == (
        400, "BadRequest", "Unknown field 'Name' in Company (the field is 'name'; names are case-sensitive).")
    assert _error(api.put(C, {"contactInfo": {"Phone": "1"}})) == (
        400, "BadRequest", "Unknown field 'Phone' in ContactInfo at 'contactInfo' (the field is 'phone'; names are "
        "case-sensitive).")
    assert _error(api.put(C, {"color": "red"})) == (400, "BadRequest", "Unknown field 'color' in Company.")
    assert api.put(C, {"CompanyTypeId": "HB"}).json()["CompanyTypeId"] == "HB"


def test_client_computed_flags_are_refused(srv: SandboxServer) -> None:
    api = FsClient(srv)
    assert _error(api.put(C, {"name": "X", "isFortnoxCompany": False})) == (
        400, "BadRequest", "'isFortnoxCompany' is computed by the client, not a Company field; leave it out.")
    assert _error(api.put(C, {"hasFortnoxAuthorizationCode": False}))[:2] == (400, "BadRequest")
    comment = api.get(f"{C}/Comment/").json()[0]
    assert _error(api.put(f"{C}/Comment/", {"id": comment["id"], "IsKeyFigureComment": True})) == (
        400, "BadRequest", "'IsKeyFigureComment' is computed by the client, not a Comment field; leave it out.")
    assert api.get(C).json()["name"] == "Åkesson Bygg AB"


def test_wrong_types_are_400(srv: SandboxServer) -> None:
    api = FsClient(srv)
    assert _error(api.put(C, {"name": 5})) == (400, "BadRequest", "'name' must be a string, not a number.")
    assert _error(api.put(C, {"isVirtualFarmerCompany": "yes"})) == (
        400, "BadRequest", "'isVirtualFarmerCompany' must be true or false, not a string.")
    year = api.get(f"{C}/FiscalYear").json()[2]["id"]
    assert _error(api.put(f"{C}/FiscalYear/{year}", {"lastActiveDate": "2026-13-01"})) == (
        400, "BadRequest", "'lastActiveDate' must be a date and time as yyyy-MM-ddTHH:mm:ss, not '2026-13-01'.")


def test_body_must_be_json_with_the_json_content_type(srv: SandboxServer) -> None:
    api = FsClient(srv)
    r = api.http.put(api.base + C, data='{"name": "X"}', headers={"Content-Type": "application/x-www-form-urlencoded"},
                     timeout=9)
    assert _error(r) == (400, "BadRequest",
                         "Content-Type must be application/json, not 'application/x-www-form-urlencoded'.")
    assert _error(api.put(C, "{name: X}"))[:2] == (400, "BadRequest")
    assert _error(api.put(C, b""))[:2] == (400, "BadRequest")


def test_the_id_in_the_body_must_match_the_item_url(srv: SandboxServer) -> None:
    other = company_ids(3)[1]
    assert _error(FsClient(srv).put(C, {"id": other, "name": "X"})) == (
        400, "BadRequest", f"The id in the body ('{other}') does not match the URL ('{FIRST_COMPANY}').")


def test_business_identity_code_cannot_change_412(srv: SandboxServer) -> None:
    assert _error(FsClient(srv).put(C, {"businessIdentityCode": "556000-0000"})) == (
        412, "PreconditionFailed", f"The businessIdentityCode of company '{FIRST_COMPANY}' cannot change: its id "
        "is built from it (a-{agency}-{businessIdentityCode}).")


def test_unknown_company_type_is_412(srv: SandboxServer) -> None:
    assert _error(FsClient(srv).put(C, {"CompanyTypeId": "XX"})) == (
        412, "PreconditionFailed", "CompanyType 'XX' does not exist in the agency.")


def test_fortnox_codes_never_together_and_only_for_fortnox_companies(srv: SandboxServer) -> None:
    api = FsClient(srv)
    assert _error(api.put(C, {"fortnoxAuthorizationCode": "a", "fortnoxExtendedAuthorizationCode": "b"})) == (
        400, "BadRequest", "Give fortnoxAuthorizationCode or fortnoxExtendedAuthorizationCode, never both.")
    assert _error(api.put(C, {"fortnoxAuthorizationCode": "a"})) == (
        400, "BadRequest", "Fortnox authorization codes are only for a company whose typeOfCompany is FortnoxCompany.")
    r = api.put(C, {"typeOfCompany": "FortnoxCompany", "fortnoxAuthorizationCode": "abc-123"})
    assert r.status_code == 200
    assert r.json()["typeOfCompany"] == "FortnoxCompany" and "fortnoxAuthorizationCode" not in r.json()


def test_locked_fiscal_year_is_412(srv: SandboxServer) -> None:
    api = FsClient(srv)
    oldest = api.get(f"{C}/FiscalYear").json()[0]["id"]
    message = f"Fiscal year '{oldest}' is locked (its books are closed) and cannot be changed."
    assert _error(api.put(f"{C}/FiscalYear/{oldest}", {"currency": "nb-NO"})) == (412, "PreconditionFailed", message)
    assert _error(api.put(f"{C}/FiscalYear/{oldest}/KeyFigureData", [])) == (412, "PreconditionFailed", message)
    assert _error(api.delete(f"{C}/FiscalYear/{oldest}")) == (412, "PreconditionFailed", message)
    assert control(srv, "finsit", {"unlock": [FIRST_COMPANY, oldest]}).status_code == 200
    assert api.put(f"{C}/FiscalYear/{oldest}", {"currency": "nb-NO"}).status_code == 200


def test_fiscal_year_rules_are_412(srv: SandboxServer) -> None:
    api = FsClient(srv)
    years = api.get(f"{C}/FiscalYear").json()
    last = years[2]
    assert _error(api.put(f"{C}/FiscalYear/{last['id']}", {"start": years[1]["start"]})) == (
        412, "PreconditionFailed",
        f"Fiscal year {years[1]['start'][:10]}..{last['end'][:10]} overlaps fiscal year '{years[1]['id']}'.")
    assert _error(api.put(f"{C}/FiscalYear/{last['id']}", {"chartOfAccountsId": "BAS1999"})) == (
        412, "PreconditionFailed", "ChartOfAccounts 'BAS1999' does not exist.")
    assert _error(api.put(f"{C}/FiscalYear/{last['id']}", {"lastActiveDate": "1999-01-01T00:00:00"})) == (
        412, "PreconditionFailed", "lastActiveDate lies outside the fiscal year.")
    assert _error(api.put(f"{C}/FiscalYear/{last['id']}", {"end": "1999-01-01T00:00:00"})) == (
        400, "BadRequest", "'end' is before 'start'.")


def test_fiscal_year_delete_removes_its_key_figure_data(srv: SandboxServer) -> None:
    api = FsClient(srv)
    year = api.get(f"{C}/FiscalYear").json()[1]["id"]
    assert api.delete(f"{C}/FiscalYear/{year}").status_code == 204
    assert _error(api.get(f"{C}/FiscalYear/{year}/KeyFigureData")) == (
        404, "NotFound", f"Fiscal year '{year}' not found")


def test_company_user_may_change_its_company_but_not_create_or_delete(srv: SandboxServer) -> None:
    api = FsClient(srv, COMPANY_USER)
    assert api.put(C, {"name": "Åkesson Bygg & Måleri AB"}).status_code == 200
    assert _error(api.post("/Company/", {"businessIdentityCode": "559999-0001"})) == (
        403, "Forbidden", f"User '{COMPANY_USER.user_name}' may not create companies: only an AgencyDirector may.")
    assert _error(api.delete(C))[:2] == (403, "Forbidden")
    assert _error(api.post("/User/", {"userName": "x", "type": "CompanyUser"}))[:2] == (403, "Forbidden")
    assert _error(FsClient(srv, CONSULTANT).put("/User/", {"userName": "x"}))[:2] == (403, "Forbidden")


def test_user_type_cannot_change_and_unknown_companies_are_412(srv: SandboxServer) -> None:
    api = FsClient(srv)
    name = CONSULTANT.user_name
    assert _error(api.put("/User/", {"userName": name, "type": "AgencyDirector"})) == (
        412, "PreconditionFailed", f"The type of user '{name}' cannot change: a user's type decides its fields.")
    assert _error(api.put("/User/", {"userName": name, "customers": ["a-testagency-000000-0000"]})) == (
        412, "PreconditionFailed", "Company 'a-testagency-000000-0000' does not exist (in customers).")
    assert _error(api.put("/User/", {"userName": "nobody@x.se", "name": "x"})) == (
        404, "NotFound", "User 'nobody@x.se' not found")


def test_put_to_an_unknown_item_is_404_not_a_create(srv: SandboxServer) -> None:
    api = FsClient(srv)
    assert _error(api.put(f"{C}/Comment/", {"id": "no-such-comment", "message": "x"})) == (
        404, "NotFound", "Comment 'no-such-comment' not found")
    assert _error(api.put(f"{C}/KeyFigurePreset/VisibleKeyFigures", {"name": "x"})) == (
        404, "NotFound", "KeyFigurePreset 'VisibleKeyFigures' not found")
