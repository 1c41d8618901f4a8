"""Partial update bodies: the id, the live version, the changed fields in write shape, and nothing else.

On a partial-PUT API a field sent back unchanged is not harmless (a reported case flips a customer
to a supplier), so an update body holds exactly what the user changed, plus what the server needs
to apply it in place: the record's id, its live version, and the live id of each nested object
whose fields change. A full-replacement body is unchanged by all this.
"""

from __future__ import annotations

from typing import Any

from bulktool.plan.diff import build_body, check_values, partial_frame, three_way
from bulktool.plan.model import ImportResult
from bulktool.plan.normalize import normalizer
from bulktool.plan.requests import count_requests
from bulktool.schema.model import Column, Endpoint, WriteOnlyField

COLUMNS = (
    Column("id", "integer", read_only=True),
    Column("version", "integer", read_only=True),
    Column("name", write="name", required_update=True),
    Column("customerNumber", "integer", write="customerNumber"),
    Column("email", write="email"),
    Column("postalAddress.addressLine1", write="postalAddress.addressLine1"),
    Column("postalAddress.city", write="postalAddress.city"),
    Column("postalAddress.postalCode", write="postalAddress.postalCode"),
    Column("physicalAddress.city", write="physicalAddress.city"),
    Column("accountManager.id", "integer", write="accountManager.id"),
    Column("isCustomer", "boolean", read_only=True),
    Column("startDate", "date", write="start", write_part="date"),
    Column("startTime", "time", write="start", write_part="time"),
)
CUSTOMERS = Endpoint(
    name="customers", system="test", version=1, title="Customers", list_path="/customer",
    get_path="/customer/{id}", create_path="/customer", update_path="/customer/{id}",
    bulk_create_path="/customer/list", bulk_update_path="/customer/list", natural_key=("customerNumber",),
    columns=COLUMNS, version_field="version", nested_ids=("postalAddress.id", "physicalAddress.id"),
    write_only=(WriteOnlyField("isPrivateIndividual", from_column="email", rule="not_null"),),
)
LIVE: dict[str, Any] = {
    "id": 7, "version": 3, "name": "Fjord AS", "customerNumber": 10001, "email": "post@fjord.no",
    "isCustomer": True, "isSupplier": True,
    "postalAddress": {"id": 55, "addressLine1": "Storgata 1", "city": "Oslo", "postalCode": "0150"},
    "physicalAddress": {"id": 56, "city": "Oslo"}, "accountManager": {"id": 3},
    "startDate": "2026-01-05", "startTime": "08:30",
}
FLAT = {"id": 7, "version": 3, "name": "Fjord AS", "customerNumber": 10001, "email": "post@fjord.no",
        "postalAddress.addressLine1": "Storgata 1", "postalAddress.city": "Oslo", "postalAddress.postalCode": "0150",
        "physicalAddress.city": "Oslo", "accountManager.id": 3, "isCustomer": True,
        "startDate": "2026-01-05", "startTime": "08:30"}


def partial(changes: dict[str, Any], record: dict[str, Any] | None = None) -> dict[str, Any]:
    diff = three_way(COLUMNS, {**FLAT, **changes}, FLAT, FLAT, CUSTOMERS.natural_key)
    return build_body(CUSTOMERS, FLAT, diff.changes, for_create=False, full_replacement=False,
                      record=LIVE if record is None else record)


def test_a_changed_name_sends_id_version_and_the_name_only() -> None:
    assert partial({"name": "Fjord og Fjell AS"}) == {"id": 7, "version": 3, "name": "Fjord og Fjell AS"}


def test_a_changed_city_carries_its_addresss_live_id_and_no_other_address_field() -> None:
    body = partial({"postalAddress.city": "Bergen"})
    assert body == {"id": 7, "version": 3, "postalAddress": {"id": 55, "city": "Bergen"}}
    assert "physicalAddress" not in body  # untouched nested objects are not sent at all


def test_a_reference_is_sent_in_write_shape_and_cleared_with_null() -> None:
    assert partial({"accountManager.id": 9}) == {"id": 7, "version": 3, "accountManager": {"id": 9}}
    assert partial({"accountManager.id": None}) == {"id": 7, "version": 3, "accountManager": None}


def test_the_address_id_is_left_out_when_the_record_has_no_address_yet() -> None:
    record = {**LIVE, "physicalAddress": None}
    flat = {**FLAT, "physicalAddress.city": None}
    diff = three_way(COLUMNS, {**flat, "physicalAddress.city": "Tromsø"}, flat, flat)
    body = build_body(CUSTOMERS, flat, diff.changes, for_create=False, full_replacement=False, record=record)
    assert body == {"id": 7, "version": 3, "physicalAddress": {"city": "Tromsø"}}


def test_a_derived_write_only_field_follows_only_its_own_column() -> None:
    assert "isPrivateIndividual" not in partial({"name": "Nytt"})
    assert partial({"email": ""})["isPrivateIndividual"] is False


def test_half_of_a_date_time_field_is_written_with_the_live_other_half() -> None:
    assert partial({"startTime": "09:15"}) == {"id": 7, "version": 3, "start": "2026-01-05T09:15:00"}


def test_the_version_comes_from_the_flat_values_when_the_raw_record_is_missing() -> None:
    """A record not in a changed-since list is as exported: the export's values stand for live ones."""
    assert partial_frame(CUSTOMERS, {"name": "x"}, FLAT, {}) == {"id": 7, "version": 3}


def test_a_full_replacement_body_is_as_before() -> None:
    diff = three_way(COLUMNS, {**FLAT, "name": "Nytt"}, FLAT, FLAT)
    body = build_body(CUSTOMERS, FLAT, diff.changes, for_create=False, full_replacement=True, record=LIVE)
    assert "version" not in body and "id" not in body and body["name"] == "Nytt"
    assert body["postalAddress"] == {"addressLine1": "Storgata 1", "city": "Oslo", "postalCode": "0150"}
    assert body["email"] == "post@fjord.no" and body["start"] == "2026-01-05T08:30:00"


def test_plan_time_values_are_normalised_for_the_writers_recheck() -> None:
    diff = three_way(COLUMNS, {**FLAT, "postalAddress.city": " Bergen ", "customerNumber": "10002"}, FLAT, FLAT)
    base, want = check_values(CUSTOMERS, diff.changes)
    number = normalizer(CUSTOMERS.column("customerNumber"))
    assert base == {"postalAddress.city": "Oslo", "customerNumber": number(10001)}
    assert want == {"postalAddress.city": "Bergen", "customerNumber": number(10002)}
    assert number("10002") == number(10002.0)  # a re-read's 10002 compares equal to the cell's "10002"


def _writes(creates: int, updates: int, deletes: int) -> list[str]:
    return ["create"] * creates + ["update"] * updates + ["delete"] * deletes


def test_the_request_estimate_counts_batches() -> None:
    writes = _writes(150, 1000, 3)
    assert count_requests(CUSTOMERS, writes, 100) == 2 + 10 + 3
    assert count_requests(CUSTOMERS, writes, 1) == 1153
    single = Endpoint(name="x", system="test", version=1, title="X", list_path="/x", columns=COLUMNS)
    assert count_requests(single, writes, 100) == 1153  # no bulk paths: one request per write
    result = ImportResult("test", "customers", "in.xlsx", "Customers", [], [], write_requests=1153,
                          read_requests=5, rate_per_second=20 / 5, write_batches=15)
    assert result.estimated_seconds == (15 + 5) / 4
    from bulktool.reports._common import estimate_text

    assert estimate_text(result).startswith("1,153 writes in 15 requests (+ 5 reads), estimated apply time")
    single_result = ImportResult("test", "x", "in.xlsx", "X", [], [], write_requests=3, write_batches=3)
    assert estimate_text(single_result).startswith("3 write requests,")
