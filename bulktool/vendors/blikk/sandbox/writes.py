"""Write bodies -> stored fields for contacts, projects, tasks and task comments.

Every PUT is a full replacement, as the reference describes the update body as the whole
object: a writable property that is absent becomes null (false for booleans, [] for id
lists). Only read-only data (created*, computed counts) survives an update (api.SERVER_KEPT); a
project's location, whose write shape is undocumented, does not. A create applies the defaults
a person gets in Blikk's UI: a new contact is active, a new project invoices "ongoing".
"""

from __future__ import annotations

from typing import Any

from bulktool.sandbox.store import Record, Store

from .reader import Reader

CONTACT_TEXT = (
    "organizationalOrSocialSecurityNumber",
    "email",
    "invoiceEmail",
    "phoneNumber",
    "cellPhoneNumber",
    "importantInformation",
)
CONTACT_FLAGS = (
    "isActive",
    "isSupplier",
    "isWholeSale",
    "isRetailer",
    "isSubContractor",
    "isPartner",
    "isCustomer",
    "useReverseBuildTax",
)
ADDRESSES = ("visitingAddress", "deliveryAddress", "invoiceAddress")


def next_customer_number(store: Store) -> str:
    """The next free number as text: one above the largest numeric customer number."""
    numbers = [
        int(c["customerNumber"])
        for c in store.values("contacts")
        if isinstance(c.get("customerNumber"), str) and c["customerNumber"].isdigit()
    ]
    return str(max(numbers, default=0) + 1)


def _company(rd: Reader, name: str, self_id: int | None) -> int | None:
    rid = rd.ref(name, "contacts", what="contact")
    if rid is None:
        return None
    target = rd.store.get("contacts", rid) or {}
    if target.get("contactType") != "company":
        rd.error(name, f"The contact with id {rid} is not a company.")
        return None
    if rid == self_id:
        rd.error(name, "A contact cannot be its own parent company.")
        return None
    return rid


def contact_fields(store: Store, body: dict[str, Any], self_id: int | None = None) -> Record:
    rd = Reader(store, body)
    out: Record = {
        "name": rd.string("name", required=True),
        "customerNumber": rd.string("customerNumber"),
        "contactType": rd.enum("contactType", ("person", "company"), required=True),
    }
    for key in CONTACT_TEXT:
        out[key] = rd.string(key)
    company = _company(rd, "companyId", self_id)
    parent = _company(rd, "parentCompanyId", self_id)
    for key in CONTACT_FLAGS:
        out[key] = rd.boolean(key)
    if self_id is None and (not rd.has("isActive") or rd.raw("isActive") is None):
        out["isActive"] = True  # a new contact is active, as in Blikk's own UI; an update sets what it sends
    out["responsible"] = rd.ref("responsibleId", "users", required=True)
    # The field table says "tags", the example says "tagIds": both bind.
    out["tags"] = rd.ref_list("tagIds" if rd.has("tagIds") else "tags", "contact-tags", what="contact tag")
    for key in ADDRESSES:
        out[key] = rd.address(key)
    rd.finish()
    # "otherwise it should be null": the link that does not fit the type is dropped.
    out["company"] = company if out["contactType"] == "person" else None
    out["parentCompany"] = parent if out["contactType"] == "company" else None
    if not (out["customerNumber"] or "").strip():  # "If not provided, the API will assign a customer number"
        out["customerNumber"] = next_customer_number(store)
    return out


def project_fields(store: Store, body: dict[str, Any], creating: bool) -> Record:
    # Inferred: the reference documents only the project list; the body follows the list fields.
    rd = Reader(store, body)
    out: Record = {
        "title": rd.string("title", required=True),
        "orderNumber": rd.string("orderNumber"),
        "customer": rd.ref("customerId", "contacts", what="contact"),
        "projectManager": rd.ref("projectManagerId", "users", what="user"),
        "status": rd.ref("statusId", "project-statuses", what="project status"),
        "startDate": rd.date("startDate"),
        "endDate": rd.date("endDate"),
        "invoiceType": rd.enum("invoiceType", ("ongoing", "fixedPrice", "none")),
        "projectCollection": rd.ref("projectCollectionId", "project-collections", what="project collection"),
        "description": rd.string("description"),
    }
    rd.finish()
    if creating:
        out["invoiceType"] = "ongoing"  # "All projects are created with the invoice method set to Ongoing."
    return out


def task_fields(store: Store, body: dict[str, Any], existing: Record | None, now: str) -> Record:
    rd = Reader(store, body)
    completed = rd.boolean("isCompleted")
    out: Record = {
        "title": rd.string("title", required=True),
        "description": rd.string("description"),
        "timeReportingEnabled": rd.boolean("timeReportingEnabled"),
        "estimate": rd.decimal("estimate"),
        "startDate": rd.datetime("startDate"),
        "endDate": rd.datetime("endDate"),
        "tags": rd.ref_list("tagIds", "task-tags", what="task tag"),
        "members": rd.ref_list("memberIds", "users", what="user"),
        "boardColumn": rd.ref("taskBoardColumnId", "task-board-columns", what="task board column"),
        "project": rd.ref("projectId", "projects", what="project"),
    }
    rd.finish()
    previous = existing.get("completedDate") if existing else None
    out["completedDate"] = (previous or now) if completed else None
    return out


def comment_fields(store: Store, body: dict[str, Any]) -> Record:
    rd = Reader(store, body)
    out: Record = {"text": rd.string("text", required=True)}
    rd.finish()
    return out
