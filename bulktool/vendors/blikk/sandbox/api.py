"""The /v1 routes: which permission each needs and what it does to the store.

Paths match case-insensitively. A path that matches no route is a 404 with an empty body;
a known path with an unsupported verb is a 405 (ASP.NET Web API's message), except that
GET /v1/Core/Tasks/{id} is a 404 because the docs list no such endpoint.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bulktool.sandbox.invalid import Invalid
from bulktool.sandbox.store import Record, Store

from . import specs
from .listing import ListSpec, run_list
from .model import APP_USER_ID
from .renderers import DETAIL, LIST
from .util import now_dt
from .writes import comment_fields, contact_fields, project_fields, task_fields
from .writes_time import time_report_fields

Result = tuple[int, Any]
_INT = re.compile(r"-?\d{1,18}")


@dataclass
class Call:
    store: Store
    ids: list[int]
    query: dict[str, str]
    body: Any = None


Handler = Callable[[Call], Result]


@dataclass(frozen=True)
class Route:
    segments: tuple[str, ...]  # lower-case; "{id}" matches an integer
    methods: dict[str, tuple[str | None, Handler]] = field(default_factory=dict)
    not_allowed: int = 405


def not_found(what: str, rid: int) -> Invalid:
    return Invalid({"id": [f"The {what} with id {rid} could not be found."]})


def _lister(spec: ListSpec, scope: str | None = None, parent: tuple[str, str] | None = None) -> Handler:
    def handle(c: Call) -> Result:
        args: dict[str, Any] = {}
        if parent is not None:
            if not c.store.exists(parent[0], c.ids[0]):
                raise not_found(parent[1], c.ids[0])
            args[scope or "id"] = c.ids[0]
        return 200, run_list(c.store, spec, c.query, LIST[spec.resource], args)

    return handle


def _existing(c: Call, resource: str, what: str) -> Record:
    rec = c.store.get(resource, c.ids[-1])
    if rec is None:
        raise not_found(what, c.ids[-1])
    return rec


def _getter(resource: str, what: str) -> Handler:
    def handle(c: Call) -> Result:
        return 200, DETAIL[resource](c.store, _existing(c, resource, what))

    return handle


def _stamp_new(resource: str, rec: Record) -> Record:
    now = now_dt()
    if resource == "contacts":
        return {**rec, "created": now, "createdBy": APP_USER_ID, "lastUpdated": None, "lastUpdatedBy": None}
    if resource == "projects":
        return {
            "status": None,
            "location": None,
            **rec,
            "created": now,
            "createdBy": APP_USER_ID,
            "updated": None,
            "updatedBy": None,
        }
    if resource == "tasks":
        return {
            **rec,
            "numberOfAttachments": 0,
            "numberOfChecklistPoints": 0,
            "createdByUser": APP_USER_ID,
            "createdDate": now,
            "updatedDate": None,
        }
    if resource == "task-comments":
        return {
            **rec,
            "createdByUser": APP_USER_ID,
            "updatedByUser": None,
            "createdDate": now,
            "updatedDate": None,
        }
    return {**rec, "createdDate": now, "updatedDate": None}  # time reports


# What a full-replacement PUT leaves alone: ids, creation stamps and values the server computes or that
# no write can set (task counts, time-report cost/attest/invoice data). Everything else is the body's:
# a field the body leaves out is gone afterwards, as the reference describes the update body as the
# whole object. Projects' location is NOT kept: the write shape is undocumented, so a PUT clears it.
SERVER_KEPT: dict[str, tuple[str, ...]] = {
    "contacts": ("id", "created", "createdBy"),
    "projects": ("id", "created", "createdBy"),
    "tasks": ("id", "numberOfAttachments", "numberOfChecklistPoints", "createdByUser", "createdDate"),
    "task-comments": ("id", "task", "createdByUser", "createdDate"),
    "time-reports": (
        "id", "cost", "rate", "discount", "sentToAttestDate", "attestedDate", "attestedByUser", "costCenter",
        "invoiceId", "createdDate",
    ),
}


def _stamp_update(resource: str, old: Record, fields: Record) -> Record:
    now = now_dt()
    rec = {**{k: old[k] for k in SERVER_KEPT[resource] if k in old}, **fields}
    if resource == "contacts":
        rec.update(lastUpdated=now, lastUpdatedBy=APP_USER_ID)
    elif resource == "projects":
        rec.update(location=None, updated=now, updatedBy=APP_USER_ID)
    elif resource == "task-comments":
        rec.update(updatedDate=now, updatedByUser=APP_USER_ID)
    else:
        rec.update(updatedDate=now)
    return rec


def _fields(resource: str, c: Call, old: Record | None) -> Record:
    if resource == "contacts":
        return contact_fields(c.store, c.body, old["id"] if old else None)
    if resource == "projects":
        return project_fields(c.store, c.body, old is None)
    if resource == "tasks":
        return task_fields(c.store, c.body, old, now_dt())
    if resource == "task-comments":
        return comment_fields(c.store, c.body)
    return time_report_fields(c.store, c.body, old)


def _creator(resource: str, status: int, render: Callable[[Store, Record], Any]) -> Handler:
    def handle(c: Call) -> Result:
        extra: Record = {}
        if resource == "task-comments":
            if not c.store.exists("tasks", c.ids[0]):
                raise not_found("task", c.ids[0])
            extra = {"task": c.ids[0]}
        rec = c.store.insert(resource, _stamp_new(resource, {**_fields(resource, c, None), **extra}))
        return status, render(c.store, rec)

    return handle


def _updater(resource: str, what: str, render: Callable[[Store, Record], Any]) -> Handler:
    def handle(c: Call) -> Result:
        old = _existing(c, resource, what)
        if resource == "task-comments" and old.get("task") != c.ids[0]:
            raise not_found(what, c.ids[-1])
        rec = c.store.replace(resource, _stamp_update(resource, old, _fields(resource, c, old)))
        return 200, render(c.store, rec)

    return handle


def _deleter(resource: str, what: str) -> Handler:
    def handle(c: Call) -> Result:
        old = _existing(c, resource, what)
        if resource == "task-comments" and old.get("task") != c.ids[0]:
            raise not_found(what, c.ids[-1])
        if resource == "tasks" and any(t.get("task") == old["id"] for t in c.store.values("time-reports")):
            raise Invalid({"id": ["The task has time reported on it and cannot be deleted."]})
        if resource == "time-reports" and (old.get("attestedDate") or old.get("invoiceId")):
            raise Invalid({"id": ["The time report is attested or invoiced and cannot be deleted."]})
        c.store.delete(resource, old["id"])
        if resource == "tasks":
            for comment in [r for r in c.store.values("task-comments") if r.get("task") == old["id"]]:
                c.store.delete("task-comments", comment["id"])
        return 200, None

    return handle


def _routes() -> list[Route]:
    project, task = DETAIL["projects"], LIST["tasks"]
    report, comment = DETAIL["time-reports"], LIST["task-comments"]
    core = [
        Route(
            ("v1", "core", "contacts"),
            {
                "GET": ("Contact_Read", _lister(specs.CONTACTS)),
                "POST": ("Contact_Write", _creator("contacts", 201, DETAIL["contacts"])),
            },
        ),
        Route(
            ("v1", "core", "contacts", "{id}"),
            {
                "GET": ("Contact_Read", _getter("contacts", "contact")),
                "PUT": ("Contact_Write", _updater("contacts", "contact", DETAIL["contacts"])),
                "DELETE": ("Contact_Write", _deleter("contacts", "contact")),
            },
        ),
        Route(
            ("v1", "core", "projects"),
            {
                "GET": ("Project_Read", _lister(specs.PROJECTS)),
                "POST": ("Project_Write", _creator("projects", 201, project)),
            },
        ),
        Route(
            ("v1", "core", "projects", "{id}"),
            {
                "GET": ("Project_Read", _getter("projects", "project")),
                "PUT": ("Project_Write", _updater("projects", "project", project)),
            },
        ),
        Route(("v1", "core", "taskboards"), {"GET": ("Task_Read", _lister(specs.TASK_BOARDS))}),
        Route(
            ("v1", "core", "tasks"),
            {
                "GET": ("Task_Read", _lister(specs.TASKS)),
                "POST": ("Task_Write", _creator("tasks", 200, task)),
            },
        ),
        Route(
            ("v1", "core", "tasks", "{id}"),
            {
                "PUT": ("Task_Write", _updater("tasks", "task", task)),
                "DELETE": ("Task_Write", _deleter("tasks", "task")),
            },
            not_allowed=404,
        ),
        Route(
            ("v1", "core", "tasks", "{id}", "comments"),
            {
                "GET": ("Task_Read", _lister(specs.TASK_COMMENTS, "task", ("tasks", "task"))),
                "POST": ("Task_Write", _creator("task-comments", 200, comment)),
            },
        ),
        Route(
            ("v1", "core", "tasks", "{id}", "comments", "{id}"),
            {
                "PUT": ("Task_Write", _updater("task-comments", "task comment", comment)),
                "DELETE": ("Task_Write", _deleter("task-comments", "task comment")),
            },
        ),
        Route(
            ("v1", "core", "timereports"),
            {
                "GET": ("Timereport_Read", _lister(specs.TIME_REPORTS)),
                "POST": ("Timereport_Write", _creator("time-reports", 200, report)),
            },
        ),
        Route(
            ("v1", "core", "timereports", "{id}"),
            {
                "GET": ("Timereport_Read", _getter("time-reports", "time report")),
                "PUT": ("Timereport_Write", _updater("time-reports", "time report", report)),
                "DELETE": ("Timereport_Write", _deleter("time-reports", "time report")),
            },
        ),
        Route(("v1", "admin", "users"), {"GET": (None, _lister(specs.USERS))}),
        Route(("v1", "admin", "users", "{id}"), {"GET": (None, _getter("users", "user"))}),
    ]
    admin = [
        Route(("v1", "admin", name.replace("-", "")), {"GET": (None, _lister(spec))})
        for name, spec in specs.ADMIN.items()
    ]
    return core + admin


ROUTES = _routes()


def resolve(path: str) -> tuple[Route, list[int]] | None:
    parts = tuple(p for p in path.lower().split("/") if p)
    for route in ROUTES:
        if len(route.segments) != len(parts):
            continue
        ids: list[int] = []
        for want, got in zip(route.segments, parts, strict=True):
            if want == "{id}":
                if not _INT.fullmatch(got):
                    break
                ids.append(int(got))
            elif want != got:
                break
        else:
            return route, ids
    return None
