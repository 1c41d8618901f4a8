"""Tripletex sandbox: POST, partial PUT with version, DELETE, all-or-nothing bulk /list, business rules."""

from __future__ import annotations

from typing import Any

from tt_fixtures import TtClient

from bulktool.sandbox import SandboxServer


def _err(r: Any) -> tuple[int, int, list[tuple[str, str, str]]]:
    body = r.json()
    msgs = [(m["field"], m["message"], m["path"]) for m in body.get("validationMessages") or []]
    return r.status_code, body["code"], msgs


def test_post_creates_at_version_0_and_answers_201_value(api: TtClient) -> None:
    r = api.post("/customer", {"name": "Ny Kunde Ærlig AS", "organizationNumber": "012345678"})
    assert r.status_code == 201
    value = r.json()["value"]
    assert (value["version"], value["name"], value["organizationNumber"]) == (0, "Ny Kunde Ærlig AS", "012345678")
    assert api.get(f"/customer/{value['id']}").json()["value"]["name"] == "Ny Kunde Ærlig AS"


def test_new_customer_gets_the_next_customer_number(api: TtClient) -> None:
    rows = api.get("/customer", fields="customerNumber", isInactive="").json()["values"]
    numbers = [v["customerNumber"] for v in rows]
    value = api.post("/customer", {"name": "Nummer AS"}).json()["value"]
    assert value["customerNumber"] == max(numbers) + 1


def test_put_is_partial_and_raises_version(api: TtClient) -> None:
    before = api.get("/customer/1000002").json()["value"]
    r = api.put("/customer/1000002", {"id": 1000002, "phoneNumber": "22001122"})
    after = r.json()["value"]
    assert r.status_code == 200
    assert after["version"] == before["version"] + 1
    assert after["phoneNumber"] == "22001122"
    assert {k: v for k, v in after.items() if k not in ("version", "phoneNumber")} == \
        {k: v for k, v in before.items() if k not in ("version", "phoneNumber")}


def test_put_with_an_older_version_is_409_8000_and_changes_nothing(api: TtClient) -> None:
    current = api.get("/customer/1000003", fields="version,name").json()["value"]
    api.put("/customer/1000003", {"version": current["version"], "name": "Først Endret AS"})
    r = api.put("/customer/1000003", {"version": current["version"], "name": "Sist Endret AS"})
    assert (r.status_code, r.json()["code"]) == (409, 8000)
    assert api.get("/customer/1000003", fields="name").json()["value"]["name"] == "Først Endret AS"


def test_version_is_checked_only_when_present(api: TtClient) -> None:
    r = api.put("/customer/1000004", {"name": "Uten Versjon AS"})
    assert r.status_code == 200 and r.json()["value"]["name"] == "Uten Versjon AS"


def test_put_unknown_id_is_404_6000(api: TtClient) -> None:
    assert _err(api.put("/customer/99", {"name": "X"}))[:2] == (404, 6000)


def test_address_updated_in_place_only_with_its_id(api: TtClient) -> None:
    old = api.get("/customer/1000005", fields="postalAddress(*)").json()["value"]["postalAddress"]
    kept = api.put("/customer/1000005", {"postalAddress": {"id": old["id"], "city": "Tromsø"}})
    addr = api.get("/customer/1000005", fields="postalAddress(*)").json()["value"]["postalAddress"]
    assert kept.status_code == 200
    assert (addr["id"], addr["city"], addr["addressLine1"], addr["postalCode"]) == \
        (old["id"], "Tromsø", old["addressLine1"], old["postalCode"])
    api.put("/customer/1000005", {"postalAddress": {"city": "Bodø"}})
    fresh = api.get("/customer/1000005", fields="postalAddress(*)").json()["value"]["postalAddress"]
    assert fresh["id"] != old["id"] and fresh["city"] == "Bodø" and fresh["addressLine1"] == ""


def test_customer_name_required(api: TtClient) -> None:
    r = api.post("/customer", {"email": "a@b.no"})
    assert _err(r) == (422, 18000, [("name", "Kan ikke være null.", "null.name")])


def test_product_name_required(api: TtClient) -> None:
    assert _err(api.post("/product", {"number": "X1"})) == (422, 18000, [("name", "Feltet må fylles ut.", "null.name")])


def test_duplicate_customer_number(api: TtClient) -> None:
    status, code, msgs = _err(api.post("/customer", {"name": "Dobbel AS", "customerNumber": 10001}))
    assert (status, code, msgs) == (422, 18000, [("customerNumber", "Nummeret er i bruk.", "null.customerNumber")])


def test_duplicate_product_number_names_the_number(api: TtClient) -> None:
    number = api.get("/product/4000002", fields="number").json()["value"]["number"]
    assert _err(api.post("/product", {"name": "Kopi", "number": number}))[2] == \
        [("number", f"Produktnummeret {number} er i bruk.", "null.number")]


def test_product_number_sent_as_integer_is_stored_as_string(api: TtClient) -> None:
    value = api.post("/product", {"name": "Heltall", "number": 987654}).json()["value"]
    assert value["number"] == "987654"


def test_duplicate_department_and_supplier_numbers(api: TtClient) -> None:
    assert _err(api.post("/department", {"name": "Ny", "departmentNumber": "1"}))[2][0][1] == "Nummeret er i bruk."
    assert _err(api.post("/supplier", {"name": "Lev", "supplierNumber": 20001}))[2][0][1] == "Nummeret er i bruk."


def test_references_must_exist(api: TtClient) -> None:
    status, code, msgs = _err(api.post("/customer", {"name": "Ref AS", "accountManager": {"id": 999999}}))
    assert (status, code, msgs[0][0], msgs[0][2]) == (422, 18000, "accountManager.id", "null.accountManager.id")
    assert api.post("/customer", {"name": "Ref AS", "accountManager": {"id": 101}}).status_code == 201


def test_null_clears_a_reference(api: TtClient) -> None:
    value = api.put("/customer/1000001", {"accountManager": None}).json()["value"]
    assert value["accountManager"] is None


def test_project_manager_required(api: TtClient) -> None:
    assert _err(api.post("/project", {"name": "Uten leder"}))[2] == \
        [("projectManager", 'Feltet "Prosjektleder" må fylles ut.', "null.projectManager")]


def test_is_customer_is_read_only_and_ignored(api: TtClient) -> None:
    value = api.put("/customer/1000006", {"isCustomer": False, "description": "lest"}).json()["value"]
    assert value["isCustomer"] is True and value["description"] == "lest"


def test_bad_email_is_ugyldig_format(api: TtClient) -> None:
    assert _err(api.post("/contact", {"firstName": "A", "lastName": "B", "email": "ikke-epost"}))[:3] == \
        (422, 15000, [("email", "Ugyldig format.", "null.email")])


def test_employee_rules_user_type_and_unique_email(api: TtClient) -> None:
    assert _err(api.post("/employee", {"firstName": "Ny", "lastName": "Ansatt"}))[2][0][1] == \
        'Brukertype kan ikke være "0" eller tom.'
    taken = api.get("/employee/101", fields="email").json()["value"]["email"]
    msgs = _err(api.post("/employee", {"firstName": "Ny", "lastName": "A", "userType": "STANDARD", "email": taken}))[2]
    assert msgs[0][1] == "Det finnes allerede en bruker med denne e-postadressen."
    made = api.post("/employee", {"firstName": "Ny", "lastName": "A", "userType": "STANDARD", "email": "ny@a.no"})
    assert made.status_code == 201 and made.json()["value"]["userType"] is None  # reads back as null


def test_timesheet_hours_over_24_and_duplicate_entry(api: TtClient) -> None:
    base = {"employee": {"id": 101}, "activity": {"id": 301}, "project": {"id": 5000001}, "date": "2026-03-02"}
    assert _err(api.post("/timesheet/entry", {**base, "hours": 25}))[2][0][1] == "Kan ikke være over 24"
    assert api.post("/timesheet/entry", {**base, "hours": 7.5}).status_code == 201
    r = api.post("/timesheet/entry", {**base, "hours": 1})
    assert (r.status_code, r.json()["code"]) == (409, 7000)
    assert r.json()["message"].startswith("Det er allerede registrert timer på den ansatte på denne dagen")


def test_delete_where_the_spec_has_it(api: TtClient) -> None:
    assert api.delete("/customer/1000007").status_code == 204
    assert api.get("/customer/1000007").status_code == 404
    assert api.delete("/customer/1000007").status_code == 404
    assert api.delete("/contact/list", ids="3000001,3000002").status_code == 204
    assert api.get("/contact/3000001").status_code == 404


def test_bulk_post_creates_all_and_answers_values(api: TtClient) -> None:
    r = api.post("/customer/list", [{"name": f"Bulk {i} ØÆÅ"} for i in range(5)])
    assert r.status_code == 201
    values = r.json()["values"]
    assert [v["name"] for v in values] == [f"Bulk {i} ØÆÅ" for i in range(5)]
    assert len({v["customerNumber"] for v in values}) == 5 and {v["version"] for v in values} == {0}


def test_bulk_failure_saves_nothing_and_names_the_item_path(tt_sandbox: SandboxServer, api: TtClient) -> None:
    before = len(tt_sandbox.records("product"))
    r = api.post("/product/list", [{"name": "Ok 1", "number": "N-1"}, {"name": "Ok 2", "number": "N-2"},
                                   {"name": "Dup", "number": "N-1"}])
    assert _err(r) == (422, 18000, [("number", "Produktnummeret N-1 er i bruk.", "[2].number")])
    assert r.json()["validationMessages"][0]["rootId"] == 2
    assert len(tt_sandbox.records("product")) == before


def test_bulk_business_errors_name_only_the_first_failing_item(api: TtClient) -> None:
    r = api.post("/customer/list", [{"name": "Fin AS"}, {"email": "a@b.no"}, {"name": "Fin 2"}, {"email": "c@d.no"}])
    assert _err(r) == (422, 18000, [("name", "Kan ikke være null.", "[1].name")])


def test_bulk_put_is_partial_all_or_nothing_with_versions(api: TtClient) -> None:
    rows = api.get("/customer", fields="id,version,name", count=3).json()["values"]
    ok = api.put("/customer/list", [{"id": r["id"], "version": r["version"], "description": "bulk"} for r in rows])
    assert ok.status_code == 200
    assert [v["version"] for v in ok.json()["values"]] == [r["version"] + 1 for r in rows]
    assert [v["name"] for v in ok.json()["values"]] == [r["name"] for r in rows]
    stale = api.put("/customer/list", [{"id": rows[0]["id"], "version": rows[0]["version"] + 1, "description": "x"},
                                       {"id": rows[1]["id"], "version": rows[1]["version"], "description": "y"}])
    assert _err(stale)[:2] == (409, 8000)
    assert _err(stale)[2][0][2] == "[1].version"
    assert api.get(f"/customer/{rows[0]['id']}", fields="description").json()["value"]["description"] == "bulk"


def test_bulk_duplicate_inside_the_batch_is_caught(api: TtClient) -> None:
    r = api.post("/department/list", [{"name": "A", "departmentNumber": "77"}, {"name": "B", "departmentNumber": "77"}])
    assert _err(r) == (422, 18000, [("departmentNumber", "Nummeret er i bruk.", "[1].departmentNumber")])


def test_edit_as_another_user_raises_version_and_records_a_change(tt_sandbox: SandboxServer, api: TtClient) -> None:
    before = api.get("/customer/1000008", fields="version").json()["value"]["version"]
    edited = tt_sandbox.edit("customer", 1000008, {"postalAddress": {"city": "Tromsø"}})
    assert edited["version"] == before + 1 and edited["changes"][-1]["changeType"] == "UPDATE"
    value = api.get("/customer/1000008", fields="version,postalAddress(city),changes").json()["value"]
    assert value["version"] == before + 1 and value["postalAddress"]["city"] == "Tromsø"
    assert value["changes"][-1]["employeeId"] != 101  # another user


def test_edit_over_http_then_stale_put_is_409(tt_sandbox: SandboxServer, api: TtClient) -> None:
    import requests

    v = api.get("/customer/1000009", fields="version").json()["value"]["version"]
    r = requests.post(tt_sandbox.url + "/_sandbox/edit/customer/1000009", json={"name": "Kollega AS"}, timeout=10)
    assert r.status_code == 200 and r.json()["version"] == v + 1
    assert _err(api.put("/customer/1000009", {"version": v, "name": "Meg AS"}))[:2] == (409, 8000)
