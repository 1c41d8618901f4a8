"""What a vendor's sandbox app gives the shared kit (server, store, faults, stats, controls, pipeline).

The kit runs every request through the same pipeline, in the order real APIs apply it:
injected 503 -> route (404/405) -> credentials (401) -> rate limit and injected 429 -> permission (403)
-> latency -> body (400) -> route handler (400/500) -> injected drop after commit. Everything a vendor
does differently (its paths, its auth flow, its envelopes and its seed data) is the app's, so adding a
vendor's sandbox means adding one app in its package, beside its connector.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from .invalid import Invalid
from .store import Record, Store

if TYPE_CHECKING:
    from .config import SandboxConfig
    from .runtime import Runtime


@dataclass
class Reply:
    """One answer: a JSON payload (None = empty body) or raw bytes with their content type."""

    status: int
    payload: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None
    content_type: str = "application/json; charset=utf-8"


class Headers(Protocol):
    """Request headers, looked up case-insensitively (``http.server``'s ``Message``)."""

    def get(self, name: str, /) -> str | None: ...


RouteHandler = Callable[[Store, list[int], dict[str, str], Any], tuple[int, Any]]


@dataclass(frozen=True)
class Matched:
    """A request the app recognised: the permission it needs and what it does to the account's store."""

    permission: str | None
    handler: RouteHandler
    ids: list[int]


class SandboxApp(Protocol):
    """One vendor's API, as the kit's pipeline sees it."""

    title: str  # "Blikk", for banners
    server_version: str  # the Server header
    resources: tuple[str, ...]  # what /_sandbox/edit, /delete and /records accept
    rate_default: tuple[int, float]  # (requests, seconds) unless SandboxConfig says otherwise
    rate_window: str  # "sliding" or "fixed" (see Runtime.admit)
    min_accounts: int  # stores the app needs whatever SandboxConfig.accounts says
    credential_names: tuple[str, str]  # what app_id / app_secret are called in the banner
    describes_accounts: bool  # True: banner_lines name every account (the kit prints none)

    def seeder(self, seed: int, size: int) -> Callable[[], dict[str, list[Record]]]: ...
    def is_auth_path(self, low_path: str) -> bool: ...
    def authenticate(self, rt: Runtime, method: str, headers: Headers) -> Reply: ...
    def account(self, rt: Runtime, headers: Headers) -> tuple[int, str] | Reply | None:
        """(account, rate-limit key) of the caller; None = 401 via ``unauthorized``; a Reply = that answer."""
        ...

    def response_headers(self, rt: Runtime, status: int) -> dict[str, str]:
        """Headers on every API answer (and the auth path's), e.g. announced rate limits and a request id."""
        ...

    def route(self, method: str, path: str) -> Matched | Reply: ...
    def parse_body(self, raw: bytes) -> Any: ...
    def maintenance(self) -> Reply: ...
    def unauthorized(self) -> Reply: ...
    def rate_limited(self) -> Reply: ...
    def forbidden(self, permission: str) -> Reply: ...
    def invalid(self, exc: Invalid) -> Reply: ...
    def server_error(self, request_id: str) -> Reply: ...
    def edit(self, store: Store, resource: str, rid: int, changes: dict[str, Any]) -> dict[str, Any]: ...
    def delete(self, store: Store, resource: str, rid: int) -> dict[str, Any]: ...
    def records(self, store: Store, resource: str) -> list[dict[str, Any]]: ...
    def banner_lines(self, url: str, config: SandboxConfig) -> list[str]: ...


def app_for(system: str) -> SandboxApp:
    """The sandbox app of ``system``, from the vendor registry."""
    from ..vendors import vendor  # the registry imports vendor packages, which import this kit

    return vendor(system).sandbox_app()
