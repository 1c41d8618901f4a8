"""The HTTP side: auth, rate limit, faults and envelopes in the order the real API applies them.

Order for a /v1 request: injected 503 -> route (404/405) -> bearer token (401) -> rate limit
and injected 429 -> permission (403) -> latency -> body (400) -> handler (400/500) ->
injected drop after commit. The token endpoint is exempt from faults, limits and stats so a
rehearsal can always authenticate.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hmac
import json
import logging
import socket
import time
import uuid
from http.server import BaseHTTPRequestHandler
from typing import Any, cast
from urllib.parse import parse_qsl, unquote

from .api import Call, resolve
from .control import control
from .jsonbody import parse_body
from .listing import Invalid
from .runtime import Runtime
from .util import server_clock

log = logging.getLogger("bulktool.sandbox")
TOKEN_PATH = "/v1/auth/token"
MAINTENANCE = (
    b"<!DOCTYPE html>\n<html><head><title>503 Service Unavailable</title></head>\n<body><h1>Service "
    b"Unavailable</h1><p>The API is restarting or down for planned maintenance.</p></body></html>\n"
)
WRITES = ("POST", "PUT", "DELETE")


class SandboxHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "BlikkSandbox/1.0"
    timeout = 120  # idle keep-alive connections are closed eventually
    disable_nagle_algorithm = True  # headers and body go out in separate writes: no 40 ms delayed-ACK stalls

    _entry: list[Any] | None = None  # this request's line in the request log, until answered

    @property
    def runtime(self) -> Runtime:
        return cast(Runtime, self.server.runtime)  # type: ignore[attr-defined]

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("sandbox: " + format, *args)

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The ``Date`` header, on the server's clock (which may be set to run ahead or behind)."""
        return super().date_time_string((time.time() if timestamp is None else timestamp) + self.runtime.clock_offset)

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def do_PATCH(self) -> None:
        self._dispatch("PATCH")

    # -- plumbing ------------------------------------------------------------------
    def _read_body(self) -> bytes:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        return self.rfile.read(length) if length > 0 else b""

    def _send(
        self,
        status: int,
        body: bytes = b"",
        content_type: str = "application/json; charset=utf-8",
        headers: dict[str, str] | None = None,
    ) -> None:
        entry, self._entry = self._entry, None
        if entry is not None:  # logged before the client can see the answer
            self.runtime.answered(entry, status)
        try:
            self.send_response(status)
            if body:
                self.send_header("Content-Type", content_type)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if body:
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        body = b"" if payload is None else json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self._send(status, body, headers=headers)

    def _drop(self, status: int) -> None:
        """Close the socket without a response: the write happened, the client cannot know."""
        entry, self._entry = self._entry, None
        if entry is not None:
            self.runtime.answered(entry, status)
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    # -- dispatch ------------------------------------------------------------------
    def _dispatch(self, method: str) -> None:
        with server_clock(self.runtime.clock_offset):
            self._route(method)

    def _route(self, method: str) -> None:
        body = self._read_body()
        path, _, qs = self.path.partition("?")
        path = unquote(path)
        low = path.lower().rstrip("/")
        if low == "/_sandbox" or low.startswith("/_sandbox/"):
            account = dict(parse_qsl(qs)).get("account")
            status, payload = control(self.runtime, method, low, path, body, account=account)
            self._json(status, payload)
            return
        if low == TOKEN_PATH:
            self._token(method)
            return
        self._entry = self.runtime.arrived(method, self.path)
        self._api(method, path, qs, body)

    def _token(self, method: str) -> None:
        if method != "POST":
            self._json(405, {"message": f"The requested resource does not support http method '{method}'."})
            return
        scheme, _, value = (self.headers.get("Authorization") or "").partition(" ")
        try:
            app_id, sep, secret = (
                base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")
            )
        except (binascii.Error, UnicodeDecodeError):
            app_id, sep, secret = "", "", ""
        account = None
        for acc in self.runtime.config.account_list():  # every account checked: no early exit to time
            id_ok = hmac.compare_digest(app_id.encode(), acc.app_id.encode())
            secret_ok = hmac.compare_digest(secret.encode(), acc.app_secret.encode())
            if id_ok and secret_ok:
                account = acc.number
        if not (scheme.lower() == "basic" and sep and account is not None):
            self._json(401, {"message": "Invalid credentials"})
            return
        token, expires = self.runtime.issue_token(account)
        self._json(200, {"objectName": "auth.token", "accessToken": token, "expires": expires})

    def _api(self, method: str, path: str, qs: str, raw_body: bytes) -> int:
        rt = self.runtime
        if rt.roll("fail_rate"):
            self._send(503, MAINTENANCE, "text/html; charset=utf-8")
            return 503
        match = resolve(path)
        if match is None:
            self._send(404)
            return 404
        route, ids = match
        if method not in route.methods:
            if route.not_allowed == 404:
                self._send(404)
            else:
                self._json(
                    405, {"message": f"The requested resource does not support http method '{method}'."}
                )
            return route.not_allowed
        scheme, _, token = (self.headers.get("Authorization") or "").partition(" ")
        token = token.strip()
        account = rt.token_account(token) if scheme.lower() == "bearer" else None
        if account is None:
            self._json(401, {"message": "Invalid token"})
            return 401
        store = rt.stores[account - 1]  # each account sees only its own data
        if not rt.admit(token):
            self._json(429, {"waitInSeconds": 1}, headers={"Retry-After": "1"})
            return 429
        permission, handler = route.methods[method]
        granted = rt.config.permissions
        if permission and granted is not None and permission.lower() not in {p.lower() for p in granted}:
            self._json(
                403,
                {
                    "message": "You dont have the nessecery permissions to perform this action",
                    "ipAddressAllowed": True,
                    "permissionsRequired": [permission],
                },
            )
            return 403
        latency = rt.fault_settings()["latency"]
        if latency > 0:
            time.sleep(latency)
        query = dict(parse_qsl(qs, keep_blank_values=True))
        try:
            body = parse_body(raw_body) if method in ("POST", "PUT") else None
            with store.lock:
                status, payload = handler(Call(store, ids, query, body))
        except Invalid as exc:
            self._json(400, exc.body())
            return 400
        except Exception:
            request_id = f"r-{uuid.uuid4()}"
            log.exception("sandbox: unexpected error in %s %s (requestId %s)", method, path, request_id)
            self._json(500, {"message": "An unexpected error has occurred.", "requestId": request_id})
            return 500
        if method in WRITES and 200 <= status < 300 and rt.roll("drop_after_commit"):
            self._drop(status)
            return status
        self._json(status, payload)
        return status
