"""The HTTP side of the shared kit: one request pipeline for every vendor's sandbox app.

Order for an API request: injected 503 -> route (404/405) -> credentials (401) -> rate limit
and injected 429 -> permission (403) -> latency -> body (400) -> handler (400/500) ->
injected drop after commit. The app's auth endpoint is exempt from faults, limits and stats so a
rehearsal can always authenticate. What each answer looks like is the app's (``app.py``).
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import time
import uuid
from http.server import BaseHTTPRequestHandler
from typing import Any, cast
from urllib.parse import parse_qsl, unquote

from .app import Reply, SandboxApp
from .clock import server_clock
from .context import REQUEST, RequestContext
from .control import control
from .invalid import Invalid
from .runtime import Runtime

log = logging.getLogger("bulktool.sandbox")
WRITES = ("POST", "PUT", "DELETE")


class SandboxHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Sandbox/1.0"  # the app's, once a request arrives
    timeout = 120  # idle keep-alive connections are closed eventually
    disable_nagle_algorithm = True  # headers and body go out in separate writes: no 40 ms delayed-ACK stalls

    _entry: list[Any] | None = None  # this request's line in the request log, until answered
    _api_call = False  # an API or auth request: the app adds its headers to the answer

    @property
    def runtime(self) -> Runtime:
        return cast(Runtime, self.server.runtime)  # type: ignore[attr-defined]

    @property
    def app(self) -> SandboxApp:
        return self.runtime.app

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
        if self._api_call:
            headers = {**self.app.response_headers(self.runtime, status), **(headers or {})}
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

    def _reply(self, reply: Reply) -> int:
        if reply.raw is not None:
            self._send(reply.status, reply.raw, reply.content_type, headers=reply.headers)
        else:
            self._json(reply.status, reply.payload, headers=reply.headers)
        return reply.status

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
        self.server_version = self.app.server_version
        self._api_call = False
        with server_clock(self.runtime.clock_offset):
            self._route(method)

    def _route(self, method: str) -> None:
        body = self._read_body()
        path, _, qs = self.path.partition("?")
        path = unquote(path)
        low = path.lower().rstrip("/")
        if low == "/_sandbox" or low.startswith("/_sandbox/"):
            args = dict(parse_qsl(qs))
            status, payload = control(self.runtime, method, low, path, body, account=args.get("account"),
                                      only_bad=args.get("violations", "") not in ("", "0", "false"), query=args)
            if isinstance(payload, Reply):  # an app's control answering in its own JSON dialect
                self._reply(payload)
                return
            self._json(status, payload)
            return
        ctx = RequestContext(method, path, dict(parse_qsl(qs, keep_blank_values=True)), self.headers, body)
        ctx.runtime = self.runtime
        ctx.target = self.path
        token = REQUEST.set(ctx)
        self._api_call = True
        try:
            if self.app.is_auth_path(low):
                self._reply(self.app.authenticate(self.runtime, method, self.headers))
                return
            self._entry = self.runtime.arrived(method, self.path)
            self._api(method, path, qs, body)
        finally:
            REQUEST.reset(token)

    def _api(self, method: str, path: str, qs: str, raw_body: bytes) -> int:
        rt, app = self.runtime, self.app
        if rt.roll("fail_rate"):
            return self._reply(app.maintenance())
        matched = app.route(method, path)
        if isinstance(matched, Reply):
            return self._reply(matched)
        who = app.account(rt, self.headers)
        if who is None:
            return self._reply(app.unauthorized())
        if isinstance(who, Reply):
            return self._reply(who)
        account, limit_key = who
        ctx = REQUEST.get()
        if ctx is not None:
            ctx.rate_key = limit_key
        store = rt.stores[account - 1]  # each account sees only its own data
        if not rt.admit(limit_key):
            return self._reply(app.rate_limited())
        permission = matched.permission
        granted = rt.config.permissions
        if permission and granted is not None and permission.lower() not in {p.lower() for p in granted}:
            return self._reply(app.forbidden(permission))
        latency = rt.fault_settings()["latency"]
        if latency > 0:
            time.sleep(latency)
        query = dict(parse_qsl(qs, keep_blank_values=True))
        try:
            has_body = method in ("POST", "PUT") or (method == "DELETE" and raw_body.strip())
            body = app.parse_body(raw_body) if has_body else None  # Tripletex DELETEs can carry a list
            with store.lock:
                status, payload = matched.handler(store, matched.ids, query, body)
        except Invalid as exc:
            return self._reply(app.invalid(exc))
        except Exception:
            ctx = REQUEST.get()
            request_id = ctx.request_id if ctx is not None else f"r-{uuid.uuid4()}"
            log.exception("sandbox: unexpected error in %s %s (requestId %s)", method, path, request_id)
            return self._reply(app.server_error(request_id))
        if method in WRITES and 200 <= status < 300 and rt.roll("drop_after_commit"):
            self._drop(status)
            return status
        if isinstance(payload, Reply):  # an answer with its own headers or raw body
            return self._reply(payload)
        self._json(status, payload)
        return status
