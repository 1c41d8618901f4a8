"""The Tripletex API v2 as a sandbox app on the shared kit: its paths, session flow, envelopes and data.

As documented (overview, spec) and as the real API answers (tripletex-facts.md):
  PUT /v2/token/session/:create?consumerToken=&employeeToken=&expirationDate= (no auth header)
  Basic ``0:<session>`` or ``<companyId>:<session>``; 401/3000, 403/9000, 404/6000, 409/8000, 422/...
  every answer carries X-Rate-Limit-Limit/-Remaining/-Reset and x-tlx-request-id; over the limit
  every request is 429 until the period ends (fixed periods, ``rate_limit`` per ``rate_period``).
  503 during maintenance as an HTML page.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from bulktool.sandbox.app import Headers, Matched, Reply
from bulktool.sandbox.context import current
from bulktool.sandbox.invalid import Invalid
from bulktool.sandbox.store import Record, Store

from . import edit as _edit
from .errors import TxError, envelope
from .model import PUBLIC
from .routes import resolve
from .seed import build
from .session import FIRST_CLIENT, Caller, Sessions, company_id

if TYPE_CHECKING:
    from bulktool.sandbox.config import SandboxConfig
    from bulktool.sandbox.runtime import Runtime

SESSION_PATH = "/v2/token/session/:create"
MAINTENANCE = (
    b"<!DOCTYPE html>\n<html><head><title>503 Service Unavailable</title></head>\n<body><h1>Service "
    b"Unavailable</h1><p>Tripletex is down for maintenance.</p></body></html>\n"
)


def _error(exc: TxError) -> Reply:
    return Reply(exc.status, exc.envelope())


class TripletexSandboxApp:
    title = "Tripletex"
    server_version = "TripletexSandbox/1.0"
    resources: tuple[str, ...] = PUBLIC
    rate_default = (100, 60.0)  # X-Rate-Limit-Limit 100 in the recordings; periods of a minute
    rate_window = "fixed"
    min_accounts = 4  # 1: accounting office, 2: a company of its own, 3 and 4: the office's clients
    credential_names = ("consumer token", "employee token")
    describes_accounts = True

    def __init__(self) -> None:
        self.sessions = Sessions()

    def seeder(self, seed: int, size: int) -> Callable[[], dict[str, list[Record]]]:
        return partial(build, seed, size)

    # -- sessions -----------------------------------------------------------------------------
    def is_auth_path(self, low_path: str) -> bool:
        return low_path == SESSION_PATH

    def authenticate(self, rt: Runtime, method: str, headers: Headers) -> Reply:
        if method not in ("PUT", "POST"):
            return _error(TxError(405, 4000, "HTTP 405 Method Not Allowed", f"{method} is not supported"))
        if not rt.token_requested():
            return Reply(503, raw=MAINTENANCE, content_type="text/html; charset=utf-8", headers={"Retry-After": "1"})
        query = dict(current().query)
        if method == "POST":  # the spec's other form: the same three values in a JSON body
            try:
                body = json.loads(current().body or b"{}")
            except ValueError:
                body = {}
            query.update({k: str(v) for k, v in body.items() if isinstance(body, dict) and v is not None})
        try:
            value = self.sessions.create(rt.config, query)
        except TxError as exc:
            return _error(exc)
        return Reply(200 if method == "PUT" else 201, {"value": value})

    def account(self, rt: Runtime, headers: Headers) -> tuple[int, str] | Reply | None:
        try:
            caller = self.sessions.caller(headers.get("Authorization"), len(rt.stores))
        except TxError as exc:
            return _error(exc)
        current().session = caller
        # The limit is per employee per API consumer: one window per token pair, whatever company it reaches.
        return caller.account, f"account-{caller.session.account}"

    def response_headers(self, rt: Runtime, status: int) -> dict[str, str]:
        ctx = current()
        limit, remaining, reset = rt.rate_status(ctx.rate_key)
        out = {"X-Rate-Limit-Limit": str(limit), "X-Rate-Limit-Remaining": str(remaining),
               "X-Rate-Limit-Reset": str(reset), "x-tlx-request-id": ctx.request_id}
        if status == 429 and not rt.config.rate_reset_on_429:
            del out["X-Rate-Limit-Reset"]
        return out

    # -- routes and envelopes -----------------------------------------------------------------
    def route(self, method: str, path: str) -> Matched | Reply:
        found = resolve(method, path)
        if isinstance(found, TxError):
            return _error(found)
        handler, ids = found
        return Matched(None, handler, ids)

    def parse_body(self, raw: bytes) -> Any:
        try:
            return json.loads(raw.decode("utf-8")) if raw.strip() else None
        except (UnicodeDecodeError, ValueError) as exc:
            raise TxError(422, 22000, "Invalid JSON", f"Could not parse the request body: {exc}") from None

    def maintenance(self) -> Reply:
        return Reply(503, raw=MAINTENANCE, content_type="text/html; charset=utf-8")

    def unauthorized(self) -> Reply:
        return _error(TxError(401, 3000, "Unauthorized", "Could not log in"))

    def rate_limited(self) -> Reply:
        return _error(TxError(429, 429, "Too Many Requests", "Request rate limit hit"))

    def forbidden(self, permission: str) -> Reply:
        return _error(TxError(403, 9000, "You do not have permission to access this feature.", permission))

    def invalid(self, exc: Invalid) -> Reply:
        if isinstance(exc, TxError):
            return _error(exc)
        return Reply(422, envelope(422, 15000, "Validation failed", None, [
            {"field": f, "message": m, "path": f"null.{f}", "rootId": None}
            for f, msgs in exc.model_state.items() for m in msgs]))

    def server_error(self, request_id: str) -> Reply:
        return Reply(500, envelope(500, 1000, None, None, None))

    # -- "another user" controls --------------------------------------------------------------
    def edit(self, store: Store, resource: str, rid: int, changes: dict[str, Any]) -> dict[str, Any]:
        return _edit.apply_edit(store, resource, rid, changes)

    def delete(self, store: Store, resource: str, rid: int) -> dict[str, Any]:
        return _edit.delete_record(store, resource, rid)

    def records(self, store: Store, resource: str) -> list[dict[str, Any]]:
        return _edit.current_records(store, resource)

    def banner_lines(self, url: str, config: SandboxConfig) -> list[str]:
        accounts = config.account_list()
        lines = ["Companies (each with its own data: same ids, other values):"]
        for acc in accounts:
            clients = ", ".join(str(company_id(a.number)) for a in accounts[FIRST_CLIENT - 1:])
            role = (f"accounting office; its clients: {clients}" if acc.number == 1
                    else "client of the accounting office" if acc.number >= FIRST_CLIENT
                    else "a company of its own (another account)")
            lines.append(f"  {company_id(acc.number)} (account {acc.number}, {role}):"
                         f" consumer token {acc.app_id}, employee token {acc.app_secret}")
        first = accounts[0]
        return [
            *lines,
            "",
            "Point bulktool at it:",
            f"  export TRIPLETEX_CONSUMER_TOKEN={first.app_id} TRIPLETEX_EMPLOYEE_TOKEN={first.app_secret}",
            f"  bulktool --system tripletex --base-url {url}/v2 export customers -o customers.xlsx",
            f"  (a client company: add --company {company_id(FIRST_CLIENT)})",
            "",
            "Change a record as another user would (raises its version):",
            f"  curl -X POST {url}/_sandbox/edit/customer/1000012 -H 'Content-Type: application/json' \\",
            '       -d \'{"name": "Fjordkraft Øst AS", "postalAddress": {"city": "Tromsø"}}\'',
            f"  (?account=3 for company {company_id(FIRST_CLIENT)}'s data)",
        ]


__all__ = ["Caller", "TripletexSandboxApp"]
