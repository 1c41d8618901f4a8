"""The Blikk API as a sandbox app on the shared kit: its paths, token flow, envelopes and seed data.

As documented (and as the real API answers):
  POST /v1/Auth/Token with Basic app id:secret -> {"accessToken", "expires"} (exempt from faults and limits)
  401 {"message": "Invalid token"}; 429 {"waitInSeconds": 1} + Retry-After: 1;
  403 {"message", "ipAddressAllowed", "permissionsRequired"}; 400 {"message", "modelState"};
  500 {"message", "requestId"}; 404 with an empty body; 405 with ASP.NET Web API's message;
  503 during maintenance as an HTML page.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from bulktool.sandbox.app import Headers, Matched, Reply
from bulktool.sandbox.invalid import Invalid
from bulktool.sandbox.store import Record, Store

from . import edit as _edit
from .api import Call, Handler, resolve
from .jsonbody import parse_body
from .model import PUBLIC
from .seed import build
from .util import fmt_dt

if TYPE_CHECKING:
    from bulktool.sandbox.config import SandboxConfig
    from bulktool.sandbox.runtime import Runtime

TOKEN_PATH = "/v1/auth/token"
MAINTENANCE = (
    b"<!DOCTYPE html>\n<html><head><title>503 Service Unavailable</title></head>\n<body><h1>Service "
    b"Unavailable</h1><p>The API is restarting or down for planned maintenance.</p></body></html>\n"
)


def _not_allowed(method: str) -> Reply:
    return Reply(405, {"message": f"The requested resource does not support http method '{method}'."})


def _bind(handler: Handler) -> Callable[[Store, list[int], dict[str, str], Any], tuple[int, Any]]:
    return lambda store, ids, query, body: handler(Call(store, ids, query, body))


class BlikkSandboxApp:
    """Blikk (and Visma Tid, which runs the same API)."""

    title = "Blikk"
    server_version = "BlikkSandbox/1.0"
    resources: tuple[str, ...] = PUBLIC
    rate_default = (4, 1.0)  # 4 requests in any sliding second, per token
    rate_window = "sliding"
    min_accounts = 1
    credential_names = ("app id", "app secret")
    describes_accounts = False

    def seeder(self, seed: int, size: int) -> Callable[[], dict[str, list[Record]]]:
        return partial(build, seed, size)

    # -- the token endpoint ------------------------------------------------------------
    def is_auth_path(self, low_path: str) -> bool:
        return low_path == TOKEN_PATH

    def authenticate(self, rt: Runtime, method: str, headers: Headers) -> Reply:
        if method != "POST":
            return _not_allowed(method)
        if not rt.token_requested():
            return Reply(503, raw=MAINTENANCE, content_type="text/html; charset=utf-8", headers={"Retry-After": "1"})
        scheme, _, value = (headers.get("Authorization") or "").partition(" ")
        try:
            app_id, sep, secret = base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            app_id, sep, secret = "", "", ""
        account = None
        for acc in rt.config.account_list():  # every account checked: no early exit to time
            id_ok = hmac.compare_digest(app_id.encode(), acc.app_id.encode())
            secret_ok = hmac.compare_digest(secret.encode(), acc.app_secret.encode())
            if id_ok and secret_ok:
                account = acc.number
        if not (scheme.lower() == "basic" and sep and account is not None):
            return Reply(401, {"message": "Invalid credentials"})
        token, expires = rt.issue_token(account)
        return Reply(200, {"objectName": "auth.token", "accessToken": token, "expires": fmt_dt(expires)})

    def account(self, rt: Runtime, headers: Headers) -> tuple[int, str] | None:
        """(account, rate-limit key) of a live bearer token: the limit is per token."""
        scheme, _, token = (headers.get("Authorization") or "").partition(" ")
        token = token.strip()
        account = rt.token_account(token) if scheme.lower() == "bearer" else None
        return None if account is None else (account, token)

    def response_headers(self, rt: Runtime, status: int) -> dict[str, str]:
        return {}  # Blikk announces no limits; 429 carries Retry-After (rate_limited)

    # -- routes and envelopes ------------------------------------------------------------
    def route(self, method: str, path: str) -> Matched | Reply:
        match = resolve(path)
        if match is None:
            return Reply(404)
        route, ids = match
        if method not in route.methods:
            return Reply(404) if route.not_allowed == 404 else _not_allowed(method)
        permission, handler = route.methods[method]
        return Matched(permission, _bind(handler), ids)

    def parse_body(self, raw: bytes) -> Any:
        return parse_body(raw)

    def maintenance(self) -> Reply:
        return Reply(503, raw=MAINTENANCE, content_type="text/html; charset=utf-8")

    def unauthorized(self) -> Reply:
        return Reply(401, {"message": "Invalid token"})

    def rate_limited(self) -> Reply:
        return Reply(429, {"waitInSeconds": 1}, headers={"Retry-After": "1"})

    def forbidden(self, permission: str) -> Reply:
        return Reply(403, {
            "message": "You dont have the nessecery permissions to perform this action",
            "ipAddressAllowed": True,
            "permissionsRequired": [permission],
        })

    def invalid(self, exc: Invalid) -> Reply:
        return Reply(400, {"message": exc.message, "modelState": exc.model_state})

    def server_error(self, request_id: str) -> Reply:
        return Reply(500, {"message": "An unexpected error has occurred.", "requestId": request_id})

    # -- "another user" controls -----------------------------------------------------------
    def edit(self, store: Store, resource: str, rid: int, changes: dict[str, Any]) -> dict[str, Any]:
        return _edit.apply_edit(store, resource, rid, changes)

    def delete(self, store: Store, resource: str, rid: int) -> dict[str, Any]:
        return _edit.delete_record(store, resource, rid)

    def records(self, store: Store, resource: str) -> list[dict[str, Any]]:
        return _edit.current_records(store, resource)

    def banner_lines(self, url: str, config: SandboxConfig) -> list[str]:
        return [
            "Point bulktool at it:",
            f"  export BLIKK_APP_ID={config.app_id} BLIKK_APP_SECRET={config.app_secret}",
            f"  bulktool --system blikk --base-url {url} export contacts -o contacts.xlsx",
            "",
            "Change a record as another user would (to rehearse a conflict):",
            f"  curl -X POST {url}/_sandbox/edit/contacts/12 -H 'Content-Type: application/json' \\",
            '       -d \'{"email": "ny@example.com", "visitingAddress": {"city": "Luleå"}}\'',
        ]
