"""Tripletex sandbox: every resource the templates use, with the operations the spec gives it."""

from __future__ import annotations

from typing import Any

import pytest
from tt_fixtures import TtClient

from bulktool.vendors.tripletex.sandbox.model import spec


def _new(path: str, k: int) -> dict[str, Any]:
    """A minimal valid body for a new record of ``path`` (k keeps numbers and keys unique)."""
    return {
        "/customer": {"name": f"Kunde {k} Å"},
        "/supplier": {"name": f"Leverandør {k}"},
        "/contact": {"firstName": "Åsa", "lastName": f"Kontakt{k}", "email": f"k{k}@kunde.no",
                     "customer": {"id": 1000001}},
        "/product": {"name": f"Vare {k}", "number": f"V-{k}"},
        "/project": {"name": f"Prosjekt {k}", "projectManager": {"id": 101}, "startDate": "2026-01-05"},
        "/employee": {"firstName": "Ny", "lastName": f"Ansatt{k}", "userType": "STANDARD", "email": f"a{k}@firma.no"},
        "/department": {"name": f"Avdeling {k}", "departmentNumber": f"D{k}"},
        "/activity": {"name": f"Aktivitet {k}", "activityType": "GENERAL_ACTIVITY"},
        "/ledger/account": {"number": 8000 + k, "name": f"Konto {k}"},
        "/timesheet/entry": {"employee": {"id": 101}, "activity": {"id": 301}, "project": {"id": 5000001},
                             "date": f"2026-02-{k:02d}", "hours": 2.5},
        "/product/unit": {"name": f"Enhet {k}", "nameShort": f"e{k}"},
    }[path]


CHANGE = {"/customer": {"description": "endret"}, "/supplier": {"description": "endret"},
          "/contact": {"phoneNumberMobile": "90000000"}, "/product": {"description": "endret"},
          "/project": {"description": "endret"}, "/employee": {"phoneNumberMobile": "90000000"},
          "/department": {"name": "Endret avdeling"}, "/ledger/account": {"description": "endret"},
          "/timesheet/entry": {"comment": "endret"}, "/product/unit": {"nameShort": "end"}}
WRITABLE = ["/customer", "/supplier", "/contact", "/product", "/project", "/employee", "/department", "/activity",
            "/ledger/account", "/timesheet/entry", "/product/unit"]


def _ops(path: str) -> set[str]:
    return {m.upper() for m in spec()["paths"].get(path, {})}


@pytest.mark.parametrize("path", WRITABLE)
def test_create_then_partial_update_where_the_spec_allows(api: TtClient, path: str) -> None:
    made = api.post(path, _new(path, 1))
    assert made.status_code == 201, made.text
    value = made.json()["value"]
    assert value["version"] == 0
    if "PUT" in _ops(path + "/{id}"):
        r = api.put(f"{path}/{value['id']}", {"version": 0, **CHANGE[path]})
        assert r.status_code == 200, r.text
        got = r.json()["value"]
        assert got["version"] == 1 and all(got[k] == v for k, v in CHANGE[path].items())
    else:
        assert api.put(f"{path}/{value['id']}", CHANGE.get(path, {})).status_code == 405


@pytest.mark.parametrize("path", WRITABLE)
def test_bulk_create_and_update_where_the_spec_has_them(api: TtClient, path: str) -> None:
    ops = _ops(path + "/list")
    if "POST" not in ops:
        assert api.post(path + "/list", [_new(path, 2)]).status_code == 405
        return
    made = api.post(path + "/list", [_new(path, 3), _new(path, 4)])
    assert made.status_code == 201, made.text
    values = made.json()["values"]
    assert len(values) == 2
    if "PUT" in ops:
        r = api.put(path + "/list", [{"id": v["id"], "version": v["version"], **CHANGE[path]} for v in values])
        assert r.status_code == 200, r.text
        assert [v["version"] for v in r.json()["values"]] == [1, 1]
    else:
        assert api.put(path + "/list", [{"id": values[0]["id"]}]).status_code == 405


@pytest.mark.parametrize("path", ["/country", "/currency", "/ledger/vatType"])
def test_reference_tables_are_read_only(api: TtClient, path: str) -> None:
    assert api.post(path, {"name": "x"}).status_code == 405
    first = api.get(path, count=1).json()["values"][0]
    assert api.put(f"{path}/{first['id']}", {"name": "x"}).status_code == 405


def test_reference_tables_have_norwegian_values(api: TtClient) -> None:
    norway = api.get("/country", code="NO", fields="id,name,isoAlpha2Code").json()["values"]
    assert norway == [{"id": 161, "name": "Norge", "isoAlpha2Code": "NO"}]
    assert api.get("/currency", code="NOK", fields="code").json()["values"] == [{"code": "NOK"}]
    assert api.get("/ledger/vatType", number="3", fields="percentage").json()["values"] == [{"percentage": 25.0}]
    units = api.get("/product/unit", fields="nameShort").json()["values"]
    assert {"nameShort": "stk"} in units


def test_resource_specific_search_parameters(api: TtClient) -> None:
    assert all(v["customer"]["id"] == 1000001 for v in
               api.get("/project", customerId="1000001", fields="customer").json()["values"])
    emails = [v["email"] for v in api.get("/employee", email="eksempel", fields="email").json()["values"]]
    assert emails and all("eksempel" in e for e in emails)
    assert [v["number"] for v in api.get("/ledger/account", number="1920", fields="number").json()["values"]] == [1920]
    assert api.get("/product", productNumber="0002", fields="number").json()["values"] == [{"number": "0002"}]
    assert all(v["departmentManager"]["id"] == 101 for v in
               api.get("/department", departmentManagerId="101", fields="departmentManager").json()["values"])
    rows = api.get("/timesheet/entry", employeeId="101", dateFrom="2025-01-01", dateTo="2027-01-01",
                   fields="employee").json()["values"]
    assert rows and all(r["employee"]["id"] == 101 for r in rows)


def test_delivery_address_is_updated_through_its_own_path(api: TtClient) -> None:
    ref = api.get("/customer/1000001", fields="deliveryAddress").json()["value"]["deliveryAddress"]
    r = api.put(f"/deliveryAddress/{ref['id']}", {"city": "Hammerfest"})
    assert r.status_code == 200
    assert api.get("/customer/1000001", fields="deliveryAddress(city)").json()["value"]["deliveryAddress"] == \
        {"city": "Hammerfest"}


def test_project_bulk_delete_by_ids_and_by_body(api: TtClient) -> None:
    made = api.post("/project/list", [_new("/project", 5), _new("/project", 6), _new("/project", 7)]).json()["values"]
    assert api.delete("/project/list", ids=f"{made[0]['id']},{made[1]['id']}").status_code == 204
    r = api.request("DELETE", "/project", json=[{"id": made[2]["id"], "version": made[2]["version"]}])
    assert r.status_code == 204
    assert all(api.get(f"/project/{m['id']}").status_code == 404 for m in made)
