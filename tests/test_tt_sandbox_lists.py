"""Tripletex sandbox: list envelopes, paging, fields, sorting, search parameters, checksum, seed data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from tt_fixtures import TtClient, tt_server

from bulktool.sandbox import SandboxServer


def test_list_envelope_and_from_count_paging(api: TtClient) -> None:
    first = api.get("/customer", fields="id", count=10).json()
    assert list(first) == ["fullResultSize", "from", "count", "versionDigest", "values"]
    assert (first["from"], first["count"], len(first["values"])) == (0, 10, 10)
    nxt = api.get("/customer", fields="id", **{"from": 10, "count": 10}).json()
    assert nxt["from"] == 10
    assert not {v["id"] for v in first["values"]} & {v["id"] for v in nxt["values"]}
    whole = api.get("/customer", fields="id").json()
    assert whole["fullResultSize"] == len(whole["values"]) <= 1000


def test_single_get_is_a_value_envelope_and_urls_have_no_scheme(api: TtClient) -> None:
    value = api.get("/customer/1000001").json()["value"]
    assert value["id"] == 1000001 and value["version"] >= 0
    assert value["url"] == "tripletex.no/v2/customer/1000001"
    assert value["postalAddress"] == {"id": value["postalAddress"]["id"],
                                      "url": f"tripletex.no/v2/address/{value['postalAddress']['id']}"}


def test_fields_nested_selection_returns_only_the_named_subfields(api: TtClient) -> None:
    v = api.get("/customer", fields="id,postalAddress(city,postalCode)", count=1).json()["values"][0]
    assert set(v) == {"id", "postalAddress"}
    assert set(v["postalAddress"]) == {"city", "postalCode"}


def test_fields_star_expansion_and_sub_objects_as_id_url(api: TtClient) -> None:
    v = api.get("/customer", fields="name,accountManager(*)", accountManagerId="101", count=1).json()["values"][0]
    assert v["accountManager"]["id"] == 101 and v["accountManager"]["firstName"]
    plain = api.get("/customer", fields="accountManager", accountManagerId="101", count=1).json()["values"][0]
    assert plain["accountManager"] == {"id": 101, "url": "tripletex.no/v2/employee/101"}


def test_fields_come_back_in_the_apis_order(api: TtClient) -> None:
    v = api.get("/customer", fields="name,version,id", count=1).json()["values"][0]
    assert list(v) == ["id", "version", "name"]


def test_unknown_field_is_400_11000_naming_the_model(api: TtClient) -> None:
    r = api.get("/customer", fields="id,x")
    assert (r.status_code, r.json()["code"]) == (400, 11000)
    assert r.json()["message"] == (
        "Illegal field in fields filter: x. x does not match a field in the model: CustomerDTO")
    nested = api.get("/customer", fields="postalAddress(zip)").json()
    assert nested["message"].endswith("does not match a field in the model: AddressDTO")


def test_sorting_ascending_descending_and_by_sub_object(api: TtClient) -> None:
    numbers = [v["customerNumber"] for v in api.get("/customer", fields="customerNumber",
                                                      sorting="-customerNumber").json()["values"]]
    assert numbers == sorted(numbers, reverse=True)
    rows = api.get("/timesheet/entry", fields="id,project(name)", sorting="project.name,-id",
                   dateFrom="2025-01-01", dateTo="2027-01-01").json()["values"]
    names = [r["project"]["name"].lower() for r in rows]
    assert names == sorted(names)


def test_unknown_sorting_field_is_rejected(api: TtClient) -> None:
    r = api.get("/customer", sorting="nope")
    assert (r.status_code, r.json()["code"]) == (422, 17000)


def test_search_by_id_list_number_and_organization_number(api: TtClient) -> None:
    ids = [v["id"] for v in api.get("/customer", id="1000002,1000004", fields="id").json()["values"]]
    assert ids == [1000002, 1000004]
    by_number = api.get("/customer", customerAccountNumber="10003", fields="customerNumber").json()["values"]
    assert by_number == [{"customerNumber": 10003}]
    zero = [v for v in api.get("/customer", fields="organizationNumber").json()["values"]
            if v["organizationNumber"].startswith("0")]
    assert zero, "seed data has organisation numbers with leading zeros"
    found = api.get("/customer", organizationNumber=zero[0]["organizationNumber"], fields="organizationNumber")
    assert found.json()["values"][0] == zero[0]


def test_search_by_email_and_name_containing(api: TtClient) -> None:
    first = api.get("/customer/1000001", fields="email,name").json()["value"]
    emails = [v["email"] for v in api.get("/customer", email=first["email"], fields="email").json()["values"]]
    assert emails == [first["email"]]
    word = first["name"].split()[1].upper()
    names = [v["name"] for v in api.get("/customer", customerName=word, fields="name").json()["values"]]
    assert first["name"] in names and all(word.lower() in n.lower() for n in names)


def test_is_inactive_defaults_to_false_on_customer_and_supplier(api: TtClient) -> None:
    for path in ("/customer", "/supplier"):
        active = api.get(path, fields="id,isInactive").json()["values"]
        inactive = api.get(path, fields="id,isInactive", isInactive="true").json()["values"]
        assert active and inactive
        assert not any(v["isInactive"] for v in active) and all(v["isInactive"] for v in inactive)
    products = api.get("/product", fields="isInactive").json()["values"]  # no such default elsewhere
    assert any(p["isInactive"] for p in products)


def test_changed_since_returns_records_changed_at_or_after(tt_sandbox: SandboxServer, api: TtClient) -> None:
    before = (datetime.now(UTC) - timedelta(seconds=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert api.get("/customer", changedSince=before, fields="id").json()["values"] == []
    tt_sandbox.edit("customer", 1000003, {"phoneNumber": "22334455"})
    assert [v["id"] for v in api.get("/customer", changedSince=before, fields="id").json()["values"]] == [1000003]


def test_checksum_and_304_when_nothing_changed(tt_sandbox: SandboxServer, api: TtClient) -> None:
    plain = api.get("/customer", fields="id,version")
    assert plain.json()["versionDigest"] == "'If-None-Match' header not specified"
    first = api.get("/customer", fields="id,version", headers={"If-None-Match": "0"})
    digest = first.json()["versionDigest"]
    assert first.status_code == 200 and digest != "'If-None-Match' header not specified"
    again = api.get("/customer", fields="id,version", headers={"If-None-Match": digest})
    assert again.status_code == 304 and again.content == b""
    tt_sandbox.edit("customer", 1000005, {"name": "Endret Ærlig AS"})
    changed = api.get("/customer", fields="id,version", headers={"If-None-Match": digest})
    assert changed.status_code == 200 and changed.json()["versionDigest"] != digest


def test_employee_and_contact_have_no_checksum(api: TtClient) -> None:
    for path in ("/employee", "/contact"):
        r = api.get(path, fields="id", headers={"If-None-Match": "abc"})
        assert r.status_code == 200
        assert r.json()["versionDigest"] == "Checksum not yet supported for this endpoint"


def test_timesheet_list_needs_its_date_range(api: TtClient) -> None:
    assert api.get("/timesheet/entry").status_code == 422
    rows = api.get("/timesheet/entry", dateFrom="2025-09-01", dateTo="2025-09-02", fields="date").json()["values"]
    assert rows and {r["date"] for r in rows} == {"2025-09-01"}


def test_seed_is_norwegian_deterministic_with_leading_zero_postal_codes() -> None:
    with tt_server() as one, tt_server() as two:
        a = TtClient(one).get("/customer", fields="name,postalAddress(postalCode,city)").json()["values"]
        b = TtClient(two).get("/customer", fields="name,postalAddress(postalCode,city)").json()["values"]
    assert a == b
    assert any(ch in "".join(v["name"] for v in a) for ch in "æøåÆØÅ")
    codes = [v["postalAddress"]["postalCode"] for v in a]
    assert "0150" in codes or any(c.startswith("0") for c in codes)
    assert all(isinstance(c, str) for c in codes)


@pytest.mark.parametrize("path", ["/supplier", "/contact", "/product", "/project", "/employee", "/department",
                                  "/activity", "/ledger/account", "/country", "/currency", "/ledger/vatType",
                                  "/product/unit", "/deliveryAddress"])
def test_every_resource_lists_and_gets_by_id(api: TtClient, path: str) -> None:
    values = api.get(path).json()["values"]
    assert values
    one = api.get(f"{path}/{values[0]['id']}")
    assert one.status_code == 200 and one.json()["value"]["id"] == values[0]["id"]


def test_sorting_text_follows_the_norwegian_alphabet(api: TtClient) -> None:
    for name in ("Åsen AS", "Ørsta AS", "Ærfugl AS", "Zeta AS"):
        assert api.post("/customer", {"name": name}).status_code == 201
    names = [v["name"] for v in api.get("/customer", fields="name", sorting="name").json()["values"]]
    picked = [n for n in names if n in ("Åsen AS", "Ørsta AS", "Ærfugl AS", "Zeta AS")]
    assert picked == ["Zeta AS", "Ærfugl AS", "Ørsta AS", "Åsen AS"]
