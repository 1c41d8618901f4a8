"""The /v2 routes: every path and verb of the shipped trimmed spec, matched to a handler.

A path the spec lacks is 404/6000; a known path with a verb the spec lacks is 405. Literal
segments win over ``{id}`` (``/product/unit`` is not product "unit").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bulktool.sandbox.context import current
from bulktool.sandbox.store import Store

from . import writes
from .errors import TxError, bad_param, not_found
from .listing import run_list
from .model import RESOURCES, Resource, spec
from .render import check_fields, parse_fields, render
from .session import Caller, company

Result = tuple[int, Any]
Handler = Callable[[Store, list[int], dict[str, str], Any], Result]
_INT = re.compile(r"\d{1,18}")
PREFIX = "/v2"


@dataclass(frozen=True)
class Route:
    template: tuple[str, ...]
    methods: dict[str, Handler]


def _caller() -> Caller:
    caller = current().session
    assert isinstance(caller, Caller)
    return caller


def _list(res: Resource) -> Handler:
    def handle(store: Store, ids: list[int], query: dict[str, str], body: Any) -> Result:
        if res.name == "timesheetEntry":
            for name in ("dateFrom", "dateTo"):
                if not query.get(name):
                    raise bad_param(f"Missing required parameter: {name}")
        return run_list(store, res, query)

    return handle


def _get(res: Resource) -> Handler:
    def handle(store: Store, ids: list[int], query: dict[str, str], body: Any) -> Result:
        rec = store.get(res.name, ids[-1])
        if rec is None:
            raise not_found(res.schema)
        sel = parse_fields(query.get("fields"))
        check_fields(res.schema, sel)
        return 200, {"value": render(store, res.schema, rec, sel)}

    return handle


def _login_access(store: Store, ids: list[int], query: dict[str, str], body: Any) -> Result:
    """The companies the session may act for, its own first (Client shape)."""
    sel = parse_fields(query.get("fields"))
    check_fields("Client", sel)
    rows = [company(a) for a in _caller().companies]
    first, count = int(query.get("from") or 0), int(query.get("count") or 1000)
    page = rows[first:first + count]
    return 200, {"fullResultSize": len(rows), "from": first, "count": len(page),
                 "versionDigest": "'If-None-Match' header not specified",
                 "values": [render(store, "Client", r, sel) for r in page]}


def _who_am_i(store: Store, ids: list[int], query: dict[str, str], body: Any) -> Result:
    caller = _caller()
    sel = parse_fields(query.get("fields"))
    check_fields("LoggedInUserInfo", sel)
    emp = caller.session.employee_id
    info = {"employeeId": emp, "actualEmployeeId": emp, "companyId": company(caller.account)["id"],
            "employee": {"id": emp}, "company": company(caller.account), "language": "no",
            "employeeIsProxy": False, "loggedInWithConnect": False}
    return 200, {"value": render(store, "LoggedInUserInfo", info, sel)}


def _routes() -> list[Route]:
    paths = spec()["paths"]
    out: list[Route] = []
    for res in RESOURCES:
        for suffix, verbs in (("", {"get": _list(res), "post": writes.creator(res),
                                    "delete": writes.bulk_deleter(res)}),
                              ("/{id}", {"get": _get(res), "put": writes.updater(res), "delete": writes.deleter(res)}),
                              ("/list", {"post": writes.bulk_creator(res), "put": writes.bulk_updater(res),
                                         "delete": writes.list_deleter(res)})):
            ops = paths.get(res.path + suffix, {})
            methods = {m.upper(): h for m, h in verbs.items() if m in ops}
            if methods:
                out.append(Route(tuple(s for s in (res.path + suffix).split("/") if s), methods))
    out.append(Route(("company", ">withloginaccess"), {"GET": _login_access}))
    out.append(Route(("token", "session", ">whoami"), {"GET": _who_am_i}))
    return out


ROUTES: list[Route] = _routes()


def resolve(method: str, path: str) -> tuple[Handler, list[int]] | TxError:
    """The handler for ``method path`` (under /v2), or the error to answer."""
    low = path.lower()
    if not (low == PREFIX or low.startswith(PREFIX + "/")):
        return not_found("Path")
    parts = [p for p in path[len(PREFIX):].split("/") if p]
    best: tuple[Route, list[int]] | None = None
    for route in ROUTES:
        if len(route.template) != len(parts):
            continue
        ids: list[int] = []
        ok = True
        for want, got in zip(route.template, parts, strict=True):
            if want == "{id}":
                if not _INT.fullmatch(got):
                    ok = False
                    break
                ids.append(int(got))
            elif want.lower() != got.lower():
                ok = False
                break
        if ok and (best is None or len(ids) < len(best[1])):
            best = (route, ids)
    if best is None:
        return not_found("Path")
    route, ids = best
    handler = route.methods.get(method)
    if handler is None:
        return TxError(405, 4000, "HTTP 405 Method Not Allowed", f"{method} is not supported on {path}")
    return handler, ids
