"""Each list endpoint's documented sortBy values and filters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bulktool.sandbox.store import Record, Store

from .listing import Filter, ListSpec, SortKey
from .model import display_name
from .util import stored_dt


def key(name: str) -> SortKey:
    return lambda _s, r: r.get(name)


def _contains(needle: str, *values: Any) -> bool:
    n = needle.strip().casefold()
    return any(isinstance(v, str) and n in v.casefold() for v in values)


def _at_or_after(stored: Any, since: datetime) -> bool:
    dt = stored_dt(stored)
    return dt is not None and dt >= since


def _at_or_before(stored: Any, until: datetime) -> bool:
    dt = stored_dt(stored)
    return dt is not None and dt <= until


def _ref_name(resource: str, field: str) -> SortKey:
    def get(s: Store, r: Record) -> Any:
        target = s.get(resource, r.get(field))
        return display_name(resource, target) if target else None

    return get


def _customer_name(s: Store, r: Record) -> Any:
    return _ref_name("contacts", "customer")(s, r)


def _project_customer(s: Store, r: Record) -> Any:
    p = s.get("projects", r.get("project"))
    return p.get("customer") if p else None


def _task_board(s: Store, r: Record) -> Any:
    column = s.get("task-board-columns", r.get("boardColumn"))
    return column.get("board") if column else None


def _project_type(_s: Store, r: Record, value: Any) -> bool:
    field = {"project": "project", "internalProject": "internalProject", "absenceProject": "absenceProject"}[
        value
    ]
    return r.get(field) is not None


CONTACTS = ListSpec(
    "contacts",
    {
        "name": key("name"),
        "customerNumber": key("customerNumber"),
        "created": key("created"),
        "updated": key("lastUpdated"),
    },
    (
        Filter("query", "string", lambda s, r, v: _contains(v, r.get("name"), r.get("customerNumber"))),
        # "whose list of tags contains the specified array": every listed tag must be present.
        Filter("tagIds", "intarray", lambda s, r, v: set(v) <= set(r.get("tags") or [])),
        Filter(
            "createdOrUpdatedSince",
            "datetime",
            lambda s, r, v: _at_or_after(r.get("created"), v) or _at_or_after(r.get("lastUpdated"), v),
        ),
        Filter("contactType", "enum", lambda s, r, v: r.get("contactType") == v, ("person", "company")),
    ),
)
PROJECTS = ListSpec(
    "projects",
    {
        "orderNumber": key("orderNumber"),
        "title": key("title"),
        "createdDate": key("created"),
        "updatedDate": key("updated"),
    },
    (
        Filter(
            "query",
            "string",
            lambda s, r, v: _contains(v, r.get("orderNumber"), r.get("title"), _customer_name(s, r)),
        ),
    ),
)
TASK_BOARDS = ListSpec(
    "task-boards",
    {"createdDate": key("createdDate"), "updatedDate": key("updatedDate"), "name": key("name")},
    (
        Filter("query", "string", lambda s, r, v: _contains(v, r.get("name"))),
        Filter("projectIds", "intarray", lambda s, r, v: r.get("project") in v),
    ),
)
TASKS = ListSpec(
    "tasks",
    {
        "createdDate": key("createdDate"),
        "title": key("title"),
        "startDate": key("startDate"),
        "endDate": key("endDate"),
    },
    (
        Filter("from", "datetime", lambda s, r, v: _at_or_after(r.get("startDate"), v)),
        Filter("to", "datetime", lambda s, r, v: _at_or_before(r.get("endDate"), v)),
        Filter("memberIds", "intarray", lambda s, r, v: bool(set(v) & set(r.get("members") or []))),
        Filter("createdByUserIds", "intarray", lambda s, r, v: r.get("createdByUser") in v),
        Filter("taskIds", "intarray", lambda s, r, v: r["id"] in v),
        Filter(
            "taskBoardId",
            "int",
            lambda s, r, v: _task_board(s, r) is None if v == -1 else _task_board(s, r) == v,
        ),
        Filter("taskBoardColumnId", "int", lambda s, r, v: r.get("boardColumn") == v),
    ),
)
TASK_COMMENTS = ListSpec(
    "task-comments", {"createdDate": key("createdDate")}, scope=lambda s, r, a: r.get("task") == a.get("task")
)
TIME_REPORTS = ListSpec(
    "time-reports",
    {
        "date": key("date"),
        "userName": _ref_name("users", "user"),
        "hours": key("hours"),
        "invoiceableHours": key("invoiceableHours"),
        "sentToAttestDate": key("sentToAttestDate"),
        "attestedDate": key("attestedDate"),
        "createdDate": key("createdDate"),
        "updatedDate": key("updatedDate"),
    },
    (
        Filter("from", "datetime", lambda s, r, v: _at_or_after(r.get("date"), v)),
        Filter("to", "datetime", lambda s, r, v: _at_or_before(r.get("date"), v)),
        Filter("userIds", "intarray", lambda s, r, v: r.get("user") in v),
        Filter("projectId", "int", lambda s, r, v: r.get("project") == v),
        Filter("internalProjectId", "int", lambda s, r, v: r.get("internalProject") == v),
        Filter("absenceProjectId", "int", lambda s, r, v: r.get("absenceProject") == v),
        Filter("contactId", "int", lambda s, r, v: _project_customer(s, r) == v),
        Filter("isSentToAttest", "bool", lambda s, r, v: (r.get("sentToAttestDate") is not None) == v),
        Filter("isAttested", "bool", lambda s, r, v: (r.get("attestedDate") is not None) == v),
        Filter("projectType", "enum", _project_type, ("project", "internalProject", "absenceProject")),
    ),
)
USERS = ListSpec(
    "users",
    {"name": lambda s, r: display_name("users", r)},
    (Filter("query", "string", lambda s, r, v: _contains(v, display_name("users", r), r.get("email"))),),
)

_NAME = {"name": key("name")}
_NAME_DATES = {"name": key("name"), "createdDate": key("created"), "updatedDate": key("updated")}
ADMIN: dict[str, ListSpec] = {
    "absence-projects": ListSpec("absence-projects", _NAME),
    "activities": ListSpec("activities", _NAME_DATES),
    "allowances": ListSpec("allowances", _NAME_DATES),
    "articles": ListSpec(
        "articles",
        {
            "name": key("name"),
            "articleNumber": key("articleNumber"),
            "createdDate": key("created"),
            "updatedDate": key("updated"),
        },
        (Filter("query", "string", lambda s, r, v: _contains(v, r.get("articleNumber"), r.get("name"))),),
    ),
    "company-cars": ListSpec("company-cars", _NAME_DATES),
    "contact-tags": ListSpec("contact-tags", {"name": key("title"), "createdDate": key("createdDate")}),
    "countries": ListSpec("countries", _NAME),
    "equipments": ListSpec("equipments", _NAME_DATES),
    "internal-projects": ListSpec("internal-projects", _NAME),
    "time-additions": ListSpec("time-additions", _NAME_DATES),
    "time-articles": ListSpec("time-articles", _NAME_DATES),
    "time-codes": ListSpec("time-codes", _NAME_DATES),
}
