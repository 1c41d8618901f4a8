"""Finsit sandbox JSON: bare NaN/Infinity/-Infinity tokens and exact decimals, served and accepted."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal

import pytest
from fs_fixtures import FIRST_COMPANY, FsClient, fs_server, parse

from bulktool.sandbox import SandboxServer
from bulktool.vendors.finsit.sandbox import fsjson

C = f"/Company/{FIRST_COMPANY}"
DIGITS_28 = "1234567890123456789012.345678"


@pytest.fixture
def srv() -> Iterator[SandboxServer]:
    with fs_server(companies=2) as server:
        yield server


def _current_year(api: FsClient) -> str:
    return str(api.get(f"{C}/FiscalYear").json()[-1]["id"])


def test_stored_special_numbers_are_served_as_bare_tokens_and_exact_text(srv: SandboxServer) -> None:
    api = FsClient(srv)
    r = api.get(f"{C}/FiscalYear/{_current_year(api)}/KeyFigureData")
    text = r.content.decode("utf-8")
    assert '"value": NaN' in text
    assert '"value": Infinity' in text
    assert '"value": -Infinity' in text
    assert f'"value": {DIGITS_28}' in text
    assert '"value": 0.206' in text
    values = {item["keyFigureInfoId"]: item["value"] for item in parse(r) if item["dimensionId"] is None}
    assert values["InterestBearingLiabilities"] == Decimal(DIGITS_28)
    assert values["SeparableCosts"].is_nan()
    assert values["CreditSalesVATIncluded"] == Decimal("Infinity")
    assert values["CostsForResearchAndDevelopment"] == Decimal("-Infinity")
    # the float reading loses the 28 digits: the sandbox never went through a float
    assert str(json.loads(text)[4]["value"]) != DIGITS_28


def test_key_figure_values_hold_nan_infinity_and_null(srv: SandboxServer) -> None:
    api = FsClient(srv)
    results = {r["keyFigure"]["id"]: r["keyFigureValues"] for r in parse(api.get(f"{C}/KeyFigureValue"))}
    quick = [v["value"] for v in results["QuickRatio"]]
    assert quick[0].is_nan() and quick[1] == Decimal("Infinity") and quick[2] == Decimal("-Infinity")
    assert results["Turnover"][2]["value"] == Decimal(DIGITS_28)
    assert results["NetSalesPerEmployee"][0]["value"] is None


def test_bodies_are_parsed_as_decimals_and_the_bare_tokens_are_accepted(srv: SandboxServer) -> None:
    api = FsClient(srv)
    url = f"{C}/FiscalYear/{_current_year(api)}/KeyFigureData"
    items = parse(api.get(url))
    period = items[0]["period"]
    text = ("[" + ", ".join(
        f'{{"keyFigureInfoId": "{kid}", "period": {fsjson.dumps(period)}, "value": {value}, "dimensionId": null}}'
        for kid, value in (("NumberOfEmployees", "12"), ("TaxRate", "0.2060"), ("SeparableCosts", "NaN"),
                           ("CreditSalesVATIncluded", "Infinity"), ("BankOverdraftLimit", "-Infinity"),
                           ("InterestBearingLiabilities", "9876543210987654321098.765432"))) + "]")
    r = api.put(url, text)
    assert r.status_code == 200
    served = api.get(url).content.decode("utf-8")
    for token in ('"value": 12,', '"value": 0.2060,', '"value": NaN,', '"value": Infinity,', '"value": -Infinity,',
                  '"value": 9876543210987654321098.765432,'):
        assert token in served


def test_a_number_where_text_belongs_is_refused_and_text_where_a_number_belongs(srv: SandboxServer) -> None:
    api = FsClient(srv)
    url = f"{C}/FiscalYear/{_current_year(api)}/KeyFigureData"
    period = parse(api.get(url))[0]["period"]
    r = api.put(url, [{"keyFigureInfoId": "TaxRate", "period": period, "value": "0,206"}])
    assert r.status_code == 400
    assert r.json()["message"] == "'[0].value' must be a number, not a string."


def test_responses_are_utf8_with_aring_unescaped(srv: SandboxServer) -> None:
    r = FsClient(srv).get(C)
    assert "Åkesson Bygg AB".encode() in r.content
    assert r.headers["Content-Type"] == "application/json; charset=utf-8"
