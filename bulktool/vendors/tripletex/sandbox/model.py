"""The resources the sandbox serves, read from the shipped trimmed spec (paths, schemas, parameters).

Each resource is one table in the kit's store, keyed by the API's field names. References to other
records are stored as ``{"id": n}``; addresses are owned objects stored inside their record with their
own ids (tripletex-facts.md "Addresses"). Hidden bookkeeping keys start with ``_`` (``_changed``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

SPEC_PATH = Path(__file__).resolve().parent.parent / "spec" / "openapi-trimmed.json"
HOST = "tripletex.no/v2"  # url values carry no scheme


@cache
def spec() -> dict[str, Any]:
    with SPEC_PATH.open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


def schemas() -> dict[str, Any]:
    out: dict[str, Any] = spec()["components"]["schemas"]
    return out


def ref_name(prop: dict[str, Any]) -> str | None:
    """The schema a property refers to (``Employee`` for ``accountManager``), or None."""
    ref = prop.get("$ref")
    return str(ref).rsplit("/", 1)[-1] if ref else None


@dataclass(frozen=True)
class Resource:
    """One served resource. Which verbs it has (bulk, delete, read-only) is the spec's: see routes.py."""

    name: str  # store table and /_sandbox name
    path: str  # "/customer"
    schema: str  # "Customer"
    checksum: bool = True  # False: versionDigest says "Checksum not yet supported for this endpoint"
    defaults: dict[str, str] = field(default_factory=dict)  # query defaults (isInactive=false)
    number_field: str | None = None  # unique per account ("Nummeret er i bruk.")
    required: tuple[str, ...] = ()  # business rule: these must be given on create
    search: dict[str, tuple[str, str]] = field(default_factory=dict)  # param -> (kind, field) overrides


RESOURCES: tuple[Resource, ...] = (
    Resource("customer", "/customer", "Customer",
             defaults={"isInactive": "false"}, number_field="customerNumber", required=("name",),
             search={"customerAccountNumber": ("in", "customerNumber"), "customerName": ("like", "name"),
                     "phoneNumberMobile": ("eq", "phoneNumberMobile")}),
    Resource("supplier", "/supplier", "Supplier",
             defaults={"isInactive": "false"}, number_field="supplierNumber", required=("name",)),
    Resource("contact", "/contact", "Contact", checksum=False),
    Resource("product", "/product", "Product",
             number_field="number", required=("name",),
             search={"number": ("in", "number"), "productNumber": ("in", "number"), "ids": ("in", "id"),
                     "supplierId": ("ref", "supplier"), "currencyId": ("ref", "currency"),
                     "vatTypeId": ("ref", "vatType"), "productUnitId": ("ref", "productUnit"),
                     "departmentId": ("ref", "department"), "accountId": ("ref", "account")}),
    Resource("project", "/project", "Project",
             number_field="number", required=("name", "projectManager"),
             search={"customerId": ("ref", "customer"), "externalAccountsNumber": ("like", "externalAccountsNumber")}),
    Resource("employee", "/employee", "Employee", checksum=False, required=("firstName", "lastName"),
             search={"employeeNumber": ("eq", "employeeNumber")}),
    Resource("department", "/department", "Department",
             number_field="departmentNumber", required=("name",),
             search={"departmentNumber": ("like", "departmentNumber"),
                     "departmentManagerId": ("ref", "departmentManager")}),
    Resource("activity", "/activity", "Activity", required=("name",)),
    Resource("account", "/ledger/account", "Account",
             number_field="number", required=("number", "name"), search={"number": ("in", "number")}),
    Resource("timesheetEntry", "/timesheet/entry", "TimesheetEntry",
             required=("employee", "activity", "date", "hours"),
             search={"dateFrom": ("from", "date"), "dateTo": ("to", "date"), "comment": ("like", "comment")}),
    Resource("deliveryAddress", "/deliveryAddress", "DeliveryAddress"),
    Resource("country", "/country", "Country", search={"code": ("in", "isoAlpha2Code")}),
    Resource("currency", "/currency", "Currency", search={"code": ("in", "code")}),
    Resource("vatType", "/ledger/vatType", "VatType", search={"number": ("in", "number")}),
    Resource("productUnit", "/product/unit", "ProductUnit",
             search={"name": ("in", "name"), "nameShort": ("in", "nameShort"), "commonCode": ("in", "commonCode")}),
)
BY_NAME = {r.name: r for r in RESOURCES}
BY_SCHEMA = {r.schema: r for r in RESOURCES}
# Objects a record owns (stored inside it, with their own ids), and where their url points.
OWNED = {"Address": "address"}
PUBLIC = tuple(r.name for r in RESOURCES)


def url_for(schema: str, rid: Any) -> str:
    res = BY_SCHEMA.get(schema)
    path = res.path if res is not None else "/" + OWNED.get(schema, schema[:1].lower() + schema[1:])
    return f"{HOST}{path}/{rid}"


def resource(name: str) -> Resource:
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown resource {name!r}; use one of {', '.join(PUBLIC)}") from None
