"""Finsit sandbox: each v2 resource as the fact sheet describes it (URLs, verbs, casing, id origin)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
import requests
from fs_fixtures import FIRST_COMPANY, FsClient, company_ids, fs_server, parse

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


def _years(api: FsClient) -> list[dict[str, str]]:
    return list(api.get(f"{C}/FiscalYear").json())


def test_agency_companies_and_agency(srv: SandboxServer) -> None:
    api = FsClient(srv)
    assert [c["id"] for c in api.get("/Agency/testagency/Company").json()] == company_ids(3)
    assert api.get(f"/Agency/testagency/Company/{FIRST_COMPANY}").json()["name"] == "Åkesson Bygg AB"
    assert _error(api.get("/Agency/otheragency/Company")) == (404, "NotFound", "Agency 'otheragency' not found")
    agency = api.get("/Agency/testagency").json()
    assert agency["shortName"] == "testagency" and agency["numberOfLicences"] == 250
    assert [a["shortName"] for a in api.get("/Agency").json()] == ["testagency"]


def test_company_type_is_served_pascal_case(srv: SandboxServer) -> None:
    api = FsClient(srv)
    types = api.get("/Agency/testagency/CompanyType").json()
    assert types[0] == {"Id": "AB", "Name": "Aktiebolag"}
    assert api.get("/Agency/testagency/CompanyType/HB").json() == {"Id": "HB", "Name": "Handelsbolag"}
    assert _error(api.get("/Agency/testagency/CompanyType/XX")) == (404, "NotFound", "CompanyType 'XX' not found")
    assert api.get(C).json()["CompanyTypeId"] == "AB"


def test_fiscal_year_has_no_post_and_put_goes_to_the_item(srv: SandboxServer) -> None:
    api = FsClient(srv)
    years = _years(api)
    assert len(years) == 3
    assert set(years[0]) == {"id", "start", "end", "chartOfAccountsId", "lastLedgerDate", "currency",
                             "lastActiveDate", "activePeriodLastUpdate"}
    assert _error(api.post(f"{C}/FiscalYear", {"start": "2030-01-01T00:00:00"})) == (
        405, "NotImplemented", "FiscalYear has no POST: fiscal years come from SIE import; PUT updates one.")
    assert _error(api.put(f"{C}/FiscalYear/", {"id": years[2]["id"], "currency": "nb-NO"})) == (
        405, "NotImplemented", "PUT goes to .../FiscalYear/{fiscalYearId}, the item URL.")
    r = api.put(f"{C}/FiscalYear/{years[2]['id']}", {"currency": "nb-NO"})
    assert r.status_code == 200 and r.json()["currency"] == "nb-NO"
    assert api.get(f"{C}/FiscalYear/{years[2]['id']}").json()["currency"] == "nb-NO"


def test_comment_put_goes_to_the_collection_with_the_id_in_the_body(srv: SandboxServer) -> None:
    api = FsClient(srv)
    comment = api.get(f"{C}/Comment/").json()[0]
    assert _error(api.put(f"{C}/Comment/{comment['id']}", {"message": "x"})) == (
        405, "NotImplemented", "PUT goes to .../Comment/ with the id in the body, not to the item URL.")
    assert _error(api.put(f"{C}/Comment/", {"message": "x"})) == (
        400, "BadRequest", "PUT .../Comment/ takes the comment's 'id' in the body.")
    r = api.put(f"{C}/Comment/", {"id": comment["id"], "message": "Ny kommentar om å/ä/ö"})
    assert r.status_code == 200
    assert api.get(f"{C}/Comment/{comment['id']}").json()["message"] == "Ny kommentar om å/ä/ö"


def test_comment_ids_are_given_by_the_client_and_collide_with_409(srv: SandboxServer) -> None:
    api = FsClient(srv)
    new = {"id": "7c9e6679-7425-40de-944b-e07fc1f90ae7", "type": "KeyFigureComment", "message": "Hej",
           "period": {"start": "2026-01-01T00:00:00", "end": "2026-01-31T23:59:59"}, "keyFigureType": "Turnover"}
    r = api.post(f"{C}/Comment/", new)
    assert r.status_code == 200
    assert r.json()["id"] == new["id"] and r.json()["created"] == r.json()["lastModified"]
    assert _error(api.post(f"{C}/Comment/", new)) == (
        409, "Conflict", "Comment '7c9e6679-7425-40de-944b-e07fc1f90ae7' already exists")
    no_id = {k: v for k, v in new.items() if k != "id"}
    assert _error(api.post(f"{C}/Comment/", no_id)) == (
        400, "BadRequest", "Comment ids are given by the client: 'id' is required.")
    # the same id in another company is another comment
    assert api.post(f"/Company/{company_ids(3)[1]}/Comment/", new).status_code == 200


def test_comment_type_must_be_key_figure_comment(srv: SandboxServer) -> None:
    r = FsClient(srv).post(f"{C}/Comment/", {"id": "c-1", "type": "Note", "message": "x"})
    assert _error(r) == (400, "BadRequest", "'type' must be one of KeyFigureComment, not 'Note'.")


def test_key_figure_data_put_replaces_the_years_list(srv: SandboxServer) -> None:
    api = FsClient(srv)
    year = _years(api)[2]["id"]
    url = f"{C}/FiscalYear/{year}/KeyFigureData"
    before = parse(api.get(url))
    assert len(before) == 8
    one = [{"keyFigureInfoId": "NumberOfEmployees", "period": before[0]["period"], "value": 17, "dimensionId": None}]
    r = api.put(url, one)
    assert r.status_code == 200
    after = parse(api.get(url))
    assert after == [{**one[0], "value": Decimal(17)}]  # the strict reading: the other seven are gone


def test_key_figure_data_items_are_checked(srv: SandboxServer) -> None:
    api = FsClient(srv)
    year = _years(api)[2]
    url = f"{C}/FiscalYear/{year['id']}/KeyFigureData"
    whole = {"start": year["start"], "end": year["end"]}
    assert _error(api.put(url, {"keyFigureInfoId": "TaxRate"})) == (
        400, "BadRequest", "The body must be a JSON array of KeyFigureData (the whole list of the fiscal year).")
    assert _error(api.put(url, [{"keyFigureInfoId": "Staff", "period": whole}])) == (
        400, "BadRequest", "'[0].keyFigureInfoId' must be one of NumberOfEmployees, TaxRate, BankOverdraftLimit, "
        "CreditSalesVATIncluded, SeparableCosts, InvestmentsInPropertyPlantAndEquipmentForTheYear, "
        "CostsForResearchAndDevelopment, InterestBearingLiabilities, not 'Staff'.")
    twice = [{"keyFigureInfoId": "TaxRate", "period": whole, "value": 1}] * 2
    assert _error(api.put(url, twice)) == (
        400, "BadRequest", "KeyFigureData [1]: TaxRate for this period and dimension is already in the list.")
    dimension = [{"keyFigureInfoId": "TaxRate", "period": whole, "dimensionId": "2-12"}]
    assert _error(api.put(url, dimension)) == (
        400, "BadRequest", "KeyFigureData [0]: dimensionId must be a number path like 2_12, not '2-12'.")
    outside = [{"keyFigureInfoId": "TaxRate", "period": {"start": "2001-01-01T00:00:00", "end": year["end"]}}]
    status, kind, _ = _error(api.put(url, outside))
    assert (status, kind) == (412, "PreconditionFailed")
    assert _error(api.put(f"{C}/FiscalYear/nosuchyear/KeyFigureData", [])) == (
        404, "NotFound", "Fiscal year 'nosuchyear' not found")


def test_key_figure_data_delete_clears_the_year(srv: SandboxServer) -> None:
    api = FsClient(srv)
    year = _years(api)[1]["id"]
    url = f"{C}/FiscalYear/{year}/KeyFigureData"
    r = api.delete(url)
    assert r.status_code == 204 and r.content == b""
    assert api.get(url).json() == []


def test_key_figure_preset_ids_are_the_six_names_and_post_goes_to_the_item(srv: SandboxServer) -> None:
    api = FsClient(srv)
    assert [p["id"] for p in api.get(f"{C}/KeyFigurePreset/").json()] == [
        "Overview", "MyKeyFigures", "ProfitStructure", "EquityStructure"]
    assert _error(api.post(f"{C}/KeyFigurePreset/", {"id": "VisibleKeyFigures", "name": "x"})) == (
        400, "BadRequest", "KeyFigurePreset ids are fixed names: POST to .../KeyFigurePreset/{id}.")
    r = api.post(f"{C}/KeyFigurePreset/VisibleKeyFigures", {"name": "Synliga", "keyFigureTypes": ["Profit"]})
    assert r.status_code == 200 and r.json()["id"] == "VisibleKeyFigures"
    assert _error(api.post(f"{C}/KeyFigurePreset/Overview", {"name": "x"})) == (
        409, "Conflict", "KeyFigurePreset 'Overview' already exists")
    assert _error(api.post(f"{C}/KeyFigurePreset/Favourites", {"name": "x"}))[:2] == (400, "BadRequest")
    assert _error(api.put(f"{C}/KeyFigurePreset/", {"id": "Overview"})) == (
        405, "NotImplemented", "PUT goes to .../KeyFigurePreset/{id}, the item URL.")
    assert api.put(f"{C}/KeyFigurePreset/Overview", {"description": None}).json()["description"] is None


def test_key_figure_value_by_period_and_by_preset(srv: SandboxServer) -> None:
    api = FsClient(srv)
    everything = parse(api.get(f"{C}/KeyFigureValue"))
    assert [r["keyFigure"]["id"] for r in everything] == [
        "Turnover", "Profit", "GrossProfitMargin", "NetSalesPerEmployee", "QuickRatio"]
    assert all(len(r["keyFigureValues"]) == 3 for r in everything)
    year = _years(api)[2]["start"][:4]
    one_year = parse(api.get(f"{C}/KeyFigureValue/", startDate=f"{year}-01-01", endDate=f"{year}-12-31"))
    assert all(len(r["keyFigureValues"]) == 1 for r in one_year)
    by_preset = parse(api.get(f"{C}/KeyFigureValue/", numberOfYears="2", keyFigurePresetId="EquityStructure"))
    assert [r["keyFigure"]["id"] for r in by_preset] == ["QuickRatio"]
    assert len(by_preset[0]["keyFigureValues"]) == 2
    assert _error(api.get(f"{C}/KeyFigureValue/", startDate="2026-01-01")) == (
        400, "BadRequest", "startDate and endDate go together.")
    assert _error(api.get(f"{C}/KeyFigureValue/", startDate="01/01/2026", endDate="2026-12-31")) == (
        400, "BadRequest", "startDate must be a date as yyyy-MM-dd, not '01/01/2026'.")
    assert _error(api.get(f"{C}/KeyFigureValue/", numberOfYears="2")) == (
        400, "BadRequest", "numberOfYears and keyFigurePresetId go together.")
    single = parse(api.get(f"{C}/KeyFigureValue/Profit"))
    assert single["keyFigure"]["valueType"] == "Amount"
    assert _error(api.post(f"{C}/KeyFigureValue", {}))[:2] == (405, "NotImplemented")


def test_period_report_latest(srv: SandboxServer) -> None:
    api = FsClient(srv)
    reports = api.get(f"{C}/PeriodReport/").json()
    assert len(reports) == 2 and "isPublished" in reports[0] and "lastUpdated" in reports[0]
    latest = api.get(f"{C}/PeriodReport/", latest="1").json()
    assert [r["id"] for r in latest] == [reports[1]["id"]]
    assert api.get(f"{C}/PeriodReport/{reports[0]['id']}").json() == reports[0]
    assert _error(api.put(f"{C}/PeriodReport/", reports[0]))[:2] == (405, "NotImplemented")


def test_chart_of_accounts_is_read_only_and_cannot_be_deleted_while_used(srv: SandboxServer) -> None:
    api = FsClient(srv)
    charts = api.get(f"{C}/ChartOfAccounts/").json()
    assert [c["id"] for c in charts] == ["BAS2024"]
    assert set(charts[0]["knownGroups"]) >= {"Income", "Costs", "Assets", "Liabilities"}
    assert charts[0]["children"][0]["type"] == "AccountGroup"
    assert api.get(f"{C}/ChartOfAccounts/", startDate="1990-01-01", endDate="1990-12-31").json() == []
    year = _years(api)[2]["start"][:4]
    assert len(api.get(f"{C}/ChartOfAccounts/", startDate=f"{year}-03-01", endDate=f"{year}-03-31").json()) == 1
    status, kind, message = _error(api.delete(f"{C}/ChartOfAccounts/BAS2024"))
    assert (status, kind) == (412, "PreconditionFailed")
    assert message.startswith("ChartOfAccounts 'BAS2024' is used by fiscal year ")
    assert _error(api.put(f"{C}/ChartOfAccounts/", charts[0])) == (
        501, "NotImplemented", "Writing a ChartOfAccounts is not emulated by the sandbox.")


def test_user_put_goes_to_the_collection_and_password_is_write_only(srv: SandboxServer) -> None:
    api = FsClient(srv)
    users = api.get("/User/").json()
    assert [u["type"] for u in users] == ["AgencyDirector", "AgencyConsultant", "CompanyUser"]
    assert all("password" not in u for u in users)
    name = users[2]["userName"]
    assert _error(api.put(f"/User/{name}", {"phone": "0"})) == (
        405, "NotImplemented", "PUT goes to /Api/v2/User/ with the userName in the body, not to the item URL.")
    r = api.put("/User/", {"userName": name, "phone": "08-000 00 00", "password": "Nytt-lösen-ä"})
    assert r.status_code == 200 and r.json()["phone"] == "08-000 00 00" and "password" not in r.json()
    assert FsClient(srv).http.get(srv.url + "/Api/v2/Me", auth=(name, "Nytt-lösen-ä"), timeout=9).status_code == 200
    new = {"userName": "ny.konsult@testbyran.se", "type": "AgencyConsultant", "name": "Örjan Nilsson",
           "customers": [FIRST_COMPANY]}
    assert api.post("/User/", new).status_code == 200
    assert _error(api.post("/User/", new)) == (409, "Conflict", "User 'ny.konsult@testbyran.se' already exists")
    assert api.get("/User/ny.konsult@testbyran.se").json()["customers"] == [FIRST_COMPANY]
    assert _error(api.put("/User/", {"userName": name, "customers": []})) == (
        400, "BadRequest", "Unknown field 'customers' in User.")
    assert api.delete("/User/ny.konsult@testbyran.se").status_code == 204


def test_company_post_builds_the_documented_id_and_collides_with_409(srv: SandboxServer) -> None:
    api = FsClient(srv)
    new = {"businessIdentityCode": "559012-3456", "name": "Nya Bolaget AB",
           "contactInfo": {"name": "Åsa", "address": "Ågatan 1", "postalAddress": "903 26 Umeå",
                           "phone": "090-12 34 56"}}
    r = api.post("/Company/", new)
    assert r.status_code == 200 and r.json()["id"] == "a-testagency-559012-3456"
    assert _error(api.post("/Company/a-testagency-559012-3456", new)) == (
        409, "Conflict", "Company 'a-testagency-559012-3456' already exists")
    assert _error(api.post("/Company/a-other-559012-3457", {**new, "businessIdentityCode": "559012-3457"})) == (
        400, "BadRequest", "A company of agency 'testagency' has the id 'a-testagency-{businessIdentityCode}' "
        "= 'a-testagency-559012-3457', not 'a-other-559012-3457'.")
    assert len(api.get("/Company/").json()) == 4
    assert api.delete("/Company/a-testagency-559012-3456").status_code == 204
    assert api.get("/Company/a-testagency-559012-3456").status_code == 404
