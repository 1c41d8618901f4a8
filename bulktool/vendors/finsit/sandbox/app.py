"""The Finsit (Företagsplatsen) API v2 as a sandbox app on the shared kit.

Serves ``/Api/v2`` at the host root, as https://web.foretagsplatsen.se does: one agency
(``testagency``) with ``SandboxConfig.companies`` companies (ids ``a-testagency-{orgno}``), each
with its own data, and the agency-level resources. Auth: HTTP Basic (ISO-8859-1) and OAuth 1.0a
(``auth.py``); an AgencyDirector sees every company, an AgencyConsultant its attached two, a
CompanyUser one (403 Forbidden on the others). Every non-200 answer is ``{typeOfError, message,
identifier}`` except the proxy pages (HTML 502/503). Modules: ``routes`` (paths and verbs),
``reads``/``writes``/``rules``/``validate`` (behaviour), ``fsjson`` (NaN/Infinity, exact decimals),
``data`` (string ids on the kit's store), ``seed``/``seed_people`` (Swedish data, credentials),
``controls`` (the Finsit-specific /_sandbox/ controls), ``banner``.
"""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from bulktool.sandbox.app import Headers, Matched, Reply
from bulktool.sandbox.context import current
from bulktool.sandbox.invalid import Invalid
from bulktool.sandbox.store import Record, Store

from . import controls, fsjson
from .auth import Authenticator, Caller
from .banner import banner_lines
from .call import Call, check_agency
from .data import Data
from .errors import FsError, bad_request, forbidden, proxy_page
from .routes import Found, resolve
from .seed import build
from .seed_people import company_id, org_number

if TYPE_CHECKING:
    from bulktool.sandbox.config import SandboxConfig
    from bulktool.sandbox.runtime import Runtime

DEFAULT_COMPANIES = 5


class FinsitSandboxApp:
    title = "Finsit (Företagsplatsen)"
    server_version = "Microsoft-IIS/10.0"
    resources: tuple[str, ...] = controls.RESOURCES
    rate_default = (50, 1.0)  # the API documents no limit; 50 in any second per user keeps 429 rehearsable
    rate_window = "sliding"
    rate_per = "user (the API documents no limit)"  # the banner's limits line
    delete_example = f"Comment/{company_id(org_number(0))}/<commentId>"  # the banner's delete line
    min_accounts = 1
    credential_names = ("user", "password")
    describes_accounts = True

    def __init__(self) -> None:
        self.companies = DEFAULT_COMPANIES
        self.auth = Authenticator()
        self.forbidden_companies: set[str] = set()  # answer 403 for these (acceptance: one company fails alone)
        self.proxy: dict[int, float] = {502: 0.0, 503: 0.0}  # share of requests a "proxy" answers in HTML
        # Share of requests answered OperationCancelled before doing anything. The type is in the client
        # (2023-04) but nothing says when or with which status; the sandbox uses 500 (see controls.py).
        self.cancel_share = 0.0
        self._rng = random.Random("finsit-proxy")
        self._lock = threading.Lock()

    def configure(self, config: SandboxConfig) -> None:
        """Read the Finsit settings from the config before seeding (how many companies)."""
        if config.companies is not None:
            if config.companies < 1:
                raise ValueError("companies must be at least 1")
            self.companies = config.companies

    def seeder(self, seed: int, size: int) -> Callable[[], dict[str, list[Record]]]:
        return partial(build, seed, self.companies)

    # -- auth --------------------------------------------------------------------------------------
    def is_auth_path(self, low_path: str) -> bool:
        return False  # no token endpoint: Basic and OAuth sign every request

    def authenticate(self, rt: Runtime, method: str, headers: Headers) -> Reply:  # pragma: no cover - never routed
        return self.unauthorized()

    def account(self, rt: Runtime, headers: Headers) -> tuple[int, str] | Reply | None:
        try:
            with rt.stores[0].lock:  # the users may be changing under another request
                caller = self.auth.caller(Data(rt.stores[0]), headers, rt.clock_offset)
        except FsError as exc:
            return exc.reply()
        current().session = caller
        return 1, f"user:{caller.user_name}"

    def response_headers(self, rt: Runtime, status: int) -> dict[str, str]:
        return {"X-Request-Id": current().request_id}

    # -- routes ------------------------------------------------------------------------------------
    def _roll(self, share: float) -> bool:
        with self._lock:
            return share > 0 and (share >= 1 or self._rng.random() < share)

    def route(self, method: str, path: str) -> Matched | Reply:
        for status, share in self.proxy.items():
            if self._roll(share):
                return proxy_page(status)
        if self._roll(self.cancel_share):
            return FsError(500, "OperationCancelled", "The operation was cancelled.").reply()
        found = resolve(method, path)
        if isinstance(found, FsError):
            return found.reply()
        return Matched(None, partial(self._run, found), [])

    def _run(self, found: Found, store: Store, ids: list[int], query: dict[str, str], body: Any) -> tuple[int, Any]:
        caller = current().session
        assert isinstance(caller, Caller)
        if found.agency:
            check_agency(found.agency)
        call = Call(Data(store), caller, query, body, found.company, found.key, found.parent,
                    set(self.forbidden_companies))
        reply = found.handler(call)
        return reply.status, reply

    def parse_body(self, raw: bytes) -> Any:
        ctx = current()
        text_ok = True
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text, text_ok = raw.decode("iso-8859-1"), False
        try:
            loose = json.loads(text) if text.strip() else None
        except ValueError:
            loose = None
        if ctx.runtime is not None:
            ctx.runtime.record_body({"method": ctx.method, "path": ctx.target or ctx.path, "operation": ctx.method,
                                     "text": text, "body": loose, "violations": []})
        if not raw.strip():
            raise bad_request("A JSON body is required.")
        ctype = (ctx.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ctype != "application/json":
            raise bad_request(f"Content-Type must be application/json, not '{ctype or 'none'}'.")
        if not text_ok:
            raise bad_request("The body is not UTF-8.")
        try:
            return fsjson.loads(text)
        except ValueError as exc:
            raise bad_request(f"The body is not valid JSON: {exc}") from None

    # -- answers -----------------------------------------------------------------------------------
    def maintenance(self) -> Reply:
        return proxy_page(503)

    def unauthorized(self) -> Reply:
        return FsError(401, "Forbidden", "Authentication required.").reply()

    def rate_limited(self) -> Reply:
        return FsError(429, "Unknown", "Too many requests; slow down.", {"Retry-After": "1"}).reply()

    def forbidden(self, permission: str) -> Reply:
        return forbidden(f"Missing permission {permission}.").reply()

    def invalid(self, exc: Invalid) -> Reply:
        if isinstance(exc, FsError):
            return exc.reply()
        return bad_request(exc.message).reply()

    def server_error(self, request_id: str) -> Reply:
        return FsError(500, "InternalServerError", "An unexpected error has occured.").reply()

    # -- controls ----------------------------------------------------------------------------------
    def control(self, rt: Runtime, method: str, parts: list[str], raw_parts: list[str], body: bytes,
                query: dict[str, str]) -> tuple[int, Any] | None:
        return controls.control(self, rt, method, parts, raw_parts, body, query)

    def edit(self, store: Store, resource: str, rid: int, changes: dict[str, Any]) -> dict[str, Any]:
        raise ValueError("Finsit ids are text: use POST /_sandbox/edit/<Resource>/<companyId>/<id>")

    def delete(self, store: Store, resource: str, rid: int) -> dict[str, Any]:
        raise ValueError("Finsit ids are text: use POST /_sandbox/delete/<Resource>/<companyId>/<id>")

    def records(self, store: Store, resource: str) -> list[dict[str, Any]]:
        return controls.records(Data(store), controls.resource_name(resource), None)

    def banner_lines(self, url: str, config: SandboxConfig) -> list[str]:
        return banner_lines(self, url, config)
