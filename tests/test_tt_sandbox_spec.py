"""Tripletex sandbox: request bodies validated against the shipped spec, and the body log."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from tt_fixtures import TtClient

from bulktool.sandbox import SandboxServer
from bulktool.vendors.tripletex.sandbox.validate import violations

UNKNOWN = "Feltet eksisterer ikke i objektet."
WRONG = "Verdien er ikke av korrekt type for dette feltet."


def _msgs(r: Any) -> tuple[int, int, str, list[tuple[str, str, str]]]:
    b = r.json()
    return r.status_code, b["code"], b["message"], [(m["field"], m["message"], m["path"])
                                                    for m in b["validationMessages"] or []]


def test_unknown_property_is_422_16000_request_mapping_failed(api: TtClient) -> None:
    assert _msgs(api.post("/customer", {"name": "A", "zip": "0150"})) == \
        (422, 16000, "Request mapping failed", [("zip", UNKNOWN, "null.zip")])


def test_wrong_type_is_16000_verdien_er_ikke_av_korrekt_type(api: TtClient) -> None:
    assert _msgs(api.post("/customer", {"name": {"first": "A"}}))[3] == [("name", WRONG, "null.name")]
    assert _msgs(api.post("/product", {"name": "A", "priceExcludingVatCurrency": "billig"}))[3] == \
        [("priceExcludingVatCurrency", WRONG, "null.priceExcludingVatCurrency")]


def test_enum_value_outside_the_spec_is_16000(api: TtClient) -> None:
    assert _msgs(api.post("/customer", {"name": "A", "invoiceSendMethod": "FAX"}))[:2] == (422, 16000)


def test_nested_unknown_property_names_its_path(api: TtClient) -> None:
    assert _msgs(api.put("/customer/1000001", {"postalAddress": {"town": "Oslo"}}))[3] == \
        [("postalAddress.town", UNKNOWN, "null.postalAddress.town")]


def test_bulk_violation_names_the_item_and_saves_nothing(tt_sandbox: SandboxServer, api: TtClient) -> None:
    before = len(tt_sandbox.records("customer"))
    r = api.post("/customer/list", [{"name": "A"}, {"name": "B", "colour": "blå"}])
    assert _msgs(r)[3] == [("colour", UNKNOWN, "[1].colour")]
    assert r.json()["validationMessages"][0]["rootId"] == 1
    assert len(tt_sandbox.records("customer")) == before


def test_value_below_the_spec_minimum_is_15000(api: TtClient) -> None:
    status, code, _, msgs = _msgs(api.post("/customer", {"name": "A", "invoicesDueIn": -1}))
    assert (status, code, msgs[0][0]) == (422, 15000, "invoicesDueIn")


def test_the_schema_check_comes_before_business_rules(api: TtClient) -> None:
    assert _msgs(api.post("/customer", {"nope": 1}))[1] == 16000  # no name either, but mapping fails first


def test_read_only_properties_are_accepted_and_ignored(api: TtClient) -> None:
    r = api.put("/customer/1000002", {"isCustomer": False, "url": "x", "changes": [], "email": "a@b.no"})
    assert r.status_code == 200
    value = r.json()["value"]
    assert value["isCustomer"] is True and value["url"] == "tripletex.no/v2/customer/1000002"
    assert value["email"] == "a@b.no"


@pytest.mark.parametrize("path", ["/customer/1000003", "/supplier/2000001", "/product/4000002", "/project/5000001",
                                  "/employee/101", "/contact/3000001", "/department/201", "/ledger/account/401",
                                  "/timesheet/entry/6000001", "/product/unit/1", "/deliveryAddress/7000001"])
def test_a_whole_object_read_back_validates(api: TtClient, path: str) -> None:
    """GET then PUT the same object unchanged: read-only fields and {id, url} references included."""
    for fields in ("*", "*,postalAddress(*)" if path.startswith("/customer") else "*"):
        value = api.get(path, fields=fields).json()["value"]
        assert api.put(path, value).status_code == 200


def test_null_reference_and_integer_for_a_string_are_accepted(api: TtClient) -> None:
    assert api.put("/customer/1000004", {"accountManager": None}).status_code == 200
    assert api.post("/product", {"name": "Tall", "number": 424242}).json()["value"]["number"] == "424242"


def test_required_is_relaxed_on_put() -> None:
    assert violations("PUT", "/customer/{id}", {"email": "a@b.no"}) == []


def test_every_body_and_its_verdict_is_in_the_body_log(tt_sandbox: SandboxServer, api: TtClient) -> None:
    api.post("/customer", {"name": "God AS"})
    api.put("/customer/1000005", {"email": "ok@b.no"})
    api.post("/customer", {"name": "A", "bogus": True})
    log = requests.get(tt_sandbox.url + "/_sandbox/bodies", timeout=10).json()
    assert (log["total"], log["violations"]) == (3, 1)
    assert [b["operation"] for b in log["bodies"]] == ["POST /customer", "PUT /customer/{id}", "POST /customer"]
    bad = requests.get(tt_sandbox.url + "/_sandbox/bodies?violations=1", timeout=10).json()["bodies"]
    assert [b["body"] for b in bad] == [{"name": "A", "bogus": True}]
    assert bad[0]["violations"][0]["message"] == UNKNOWN
    requests.post(tt_sandbox.url + "/_sandbox/reset-stats", timeout=10)
    assert tt_sandbox.bodies()["total"] == 0
