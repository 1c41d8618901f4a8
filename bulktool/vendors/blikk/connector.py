"""Blikk and Visma Tid (one API): token auth, page/pageSize paging, error envelopes, 4 req/s.

Envelopes, as documented:
  400 {"message", "modelState": {field: [messages]}}
  403 {"message", "ipAddressAllowed", "permissionsRequired": [...]}
  429 {"waitInSeconds": n} + Retry-After
  500 {"message", "requestId"}
  404 and proxy/maintenance pages: empty or non-JSON bodies.
"""

from __future__ import annotations

import base64
import email.utils
import hashlib
import threading
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import urlsplit

import requests

from ...connectors.base import (
    Connector,
    CredentialField,
    Credentials,
    PageNumberPaginator,
    Tenant,
    fingerprint,
    sheet_name_for_path,
)
from ...connectors.wire import DatetimeWire
from ...connectors.write_policy import FULL_REPLACEMENT, WritePolicy
from ...errors import (
    ApiError,
    AuthenticationError,
    NotFound,
    PermissionDenied,
    RateLimited,
    ServerError,
    UsageError,
    ValidationFailed,
)
from ...http.client import HttpClient
from ...http.reasons import describe_body
from ...http.security import check_base_url, redact_url, register_secret_pattern
from ...http.throttle import Clock, RateLimiter, shared_limiter
from ...schema.model import Endpoint

TOKEN_PATH = "/v1/Auth/Token"
# Blikk's access tokens ("pk_<uuid>.pa_<uuid>"), scrubbed from every log line and message.
register_secret_pattern(r"\bpk_[0-9a-fA-F-]{8,}\.pa_[0-9a-fA-F-]{8,}")
REFRESH_MARGIN = timedelta(minutes=2)
CHANGE_FEED_MARGIN = timedelta(minutes=30)
# Blikk's datetime spelling. The reference writes every instant as "2022-07-01 05:43:12 +00:00" (a space,
# then the offset with a colon), and a task's start and end as "2022-07-11 04:43:00" without one. The
# core holds ISO 8601 ("2022-07-01T05:43:12Z"); bodies are respelt on the way out (Connector.to_wire).
# Reading needs nothing: the core parses this form as it is.
API_DATETIME = "%Y-%m-%d %H:%M:%S"
BLIKK_DATETIMES = DatetimeWire(instant=API_DATETIME + " +00:00", local=API_DATETIME)


def parse_api_datetime(value: str) -> datetime:
    """'2022-07-01 05:43:12 +00:00' (the documented form) -> aware datetime."""
    return datetime.strptime(value.strip(), API_DATETIME + " %z")


def refresh_margin(lifetime: timedelta) -> timedelta:
    """How long before expiry to fetch a new token: 2 min, or a quarter of a short lifetime.

    A fixed 2 min margin on a 1-minute token would mean a token request before every call.
    """
    return min(REFRESH_MARGIN, max(lifetime, timedelta(0)) / 4)


class BlikkTokenAuth:
    """Exchanges app id + secret for a bearer token; refreshes before expiry and once after a 401.

    The token POST has no side effect, so a 503 or a dropped connection on it is retried with backoff
    (honouring Retry-After) like a GET. Expiry is judged on the server's clock: the offset between the
    token answer's ``Date`` header and this machine's clock is kept, so a PC whose clock runs ahead
    does not take every token for stale.
    """

    def __init__(self, client: HttpClient, credentials: Credentials, *, now: Any = None) -> None:
        self._client = client
        self._credentials = credentials
        self._token: str | None = None
        self._expires: datetime | None = None
        self._lock = threading.Lock()
        self._now = now or (lambda: datetime.now(UTC))
        self._skew = timedelta(0)  # server clock minus ours, from the token answer's Date header
        self._margin = REFRESH_MARGIN
        self.fetches = 0

    def _fetch(self) -> None:
        raw = f"{self._credentials['app_id']}:{self._credentials['app_secret']}".encode()
        resp = self._client.request(
            "POST", TOKEN_PATH, authenticated=False, throttled=False, retry_safe=True,
            headers={"Authorization": "Basic " + base64.b64encode(raw).decode("ascii")},
        )
        try:
            body = resp.json()
            token = body["accessToken"]
            expires = parse_api_datetime(body["expires"]) if body.get("expires") else None
        except (ValueError, KeyError, TypeError):
            raise AuthenticationError(
                "The token endpoint answered without an accessToken; is --base-url a Blikk API?",
                status=resp.status_code, method="POST", url=TOKEN_PATH,
            ) from None
        now = self._now()
        server_now = _server_date(resp.headers.get("Date")) or now
        self._skew = server_now - now
        if expires is not None and expires <= server_now:
            # Expired on arrival means the server's clocks disagree (Date vs expires): going by
            # them would fetch a token before every call, so rely on the refresh after a 401.
            expires = None
        self._margin = refresh_margin(expires - server_now) if expires is not None else REFRESH_MARGIN
        self._token, self._expires = str(token), expires
        self.fetches += 1

    def token(self) -> str:
        with self._lock:
            stale = self._expires is not None and self._now() + self._skew >= self._expires - self._margin
            if self._token is None or stale:
                self._fetch()
            assert self._token is not None
            return self._token

    def apply(self, headers: dict[str, str]) -> None:
        headers["Authorization"] = "Bearer " + self.token()

    def refresh(self) -> bool:
        with self._lock:
            self._token = None
        return True


def _server_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def blikk_error(response: requests.Response, method: str, url: str) -> ApiError:
    """Turn Blikk's error envelopes into one clear, secret-free sentence."""
    status = response.status_code
    try:
        body: Any = response.json() if response.content else None
    except ValueError:
        body = None
    message = body.get("message") if isinstance(body, dict) else None
    where = f"{method} {_path_only(url)}"
    kw: dict[str, Any] = {"status": status, "method": method, "url": url, "body": body}
    if status == 400:
        fields = body.get("modelState") if isinstance(body, dict) else None
        field_errors = {str(k): [str(m) for m in v] if isinstance(v, list) else [str(v)]
                        for k, v in (fields or {}).items()}
        detail = "; ".join(f"{k}: {' '.join(v)}" for k, v in field_errors.items())
        text = f"{where} was rejected (HTTP 400): {message or 'bad request'}" + (f" {detail}" if detail else "")
        return ValidationFailed(text, field_errors=field_errors, **kw)
    if status == 401:
        if _path_only(url).lower().rstrip("/").endswith(TOKEN_PATH.lower()):
            return AuthenticationError(
                f"The API rejected the app id/secret (HTTP 401{f': {message}' if message else ''}). "
                "Check the credentials (environment variables or profile).", **kw)
        return AuthenticationError(f"{where}: not authenticated (HTTP 401{f': {message}' if message else ''}).", **kw)
    if status == 403:
        perms = [str(p) for p in (body.get("permissionsRequired") or [])] if isinstance(body, dict) else []
        if isinstance(body, dict) and body.get("ipAddressAllowed") is False:
            return PermissionDenied(
                f"{where}: this machine's IP address is not on the API application's allow-list "
                f"(HTTP 403: {message or 'forbidden'}). Add it in the admin panel under Integrations > "
                "API applications.", permissions=perms, **kw)
        need = f"permission {', '.join(perms)}" if perms else "a permission it does not have"
        return PermissionDenied(
            f"{where}: the API application lacks {need} (HTTP 403). Grant it in the admin panel under "
            "Integrations > API applications.", permissions=perms, **kw)
    if status == 404:
        return NotFound(f"{where}: not found (HTTP 404). Check the path and --base-url.", **kw)
    if status == 429:
        return RateLimited(f"{where}: rate limited (HTTP 429).", **kw)
    request_id = body.get("requestId") if isinstance(body, dict) else None
    if status >= 500:
        shown = message or (f"the server sent {describe_body(response)}" if body is None else "server error")
        rid = f" (requestId {request_id})" if request_id else ""
        hint = " The API may be restarting or down for maintenance; try again later." if status in (502, 503) else ""
        return ServerError(f"{where} failed (HTTP {status}): {shown}{rid}.{hint}", request_id=request_id, **kw)
    shown = message or describe_body(response)
    return ApiError(f"{where} failed (HTTP {status}): {shown}", request_id=request_id, **kw)


def wait_in_seconds(response: requests.Response) -> float | None:
    """The 429 body's ``{"waitInSeconds": n}``, as documented (the client also honours Retry-After)."""
    try:
        body = response.json()
    except ValueError:
        return None
    wait = body.get("waitInSeconds") if isinstance(body, dict) else None
    return float(wait) if isinstance(wait, int | float) and not isinstance(wait, bool) else None


def strip_type_tags(value: Any) -> Any:
    """Without Blikk's ``objectName`` type tags ("contact.detail", "generic.name_id"), at any depth.

    They are the server's noise: never a column, never compared, never written back.
    """
    if isinstance(value, dict):
        return {k: strip_type_tags(v) if isinstance(v, dict | list) else v
                for k, v in value.items() if k != "objectName"}
    if isinstance(value, list):
        return [strip_type_tags(v) if isinstance(v, dict | list) else v for v in value]
    return value


def _path_only(url: str) -> str:
    if "//" in url:
        rest = url.split("//", 1)[1]
        return "/" + rest.split("/", 1)[1] if "/" in rest else "/"
    return url


class BlikkConnector(Connector):
    system: ClassVar[str] = "blikk"
    title: ClassVar[str] = "Blikk"
    default_base_url: ClassVar[str | None] = "https://publicapi.blikk.com"
    env_prefix: ClassVar[str] = "BLIKK"
    rate_per_second: ClassVar[int] = 4
    # An API application's id and secret (Admin > Integrations > API applications): BLIKK_APP_ID, BLIKK_APP_SECRET.
    credential_fields: ClassVar[tuple[CredentialField, ...]] = (
        CredentialField("app_id", "app id", "APP_ID"),
        CredentialField("app_secret", "app secret", "APP_SECRET", secret=True),
    )
    # The reference describes every update body as the whole object: a PUT replaces the record, and the
    # server assigns ids (a blank id cell is a create).
    write_policy: ClassVar[WritePolicy] = FULL_REPLACEMENT
    datetime_wire: ClassVar[DatetimeWire] = BLIKK_DATETIMES

    def __init__(
        self,
        base_url: str,
        credentials: Credentials,
        *,
        clock: Clock | None = None,
        limiter: RateLimiter | None = None,
        page_size: int = 100,
        rate: int | None = None,
    ) -> None:
        key = "blikk:" + hashlib.sha256(f"{base_url}|{credentials['app_id']}".encode()).hexdigest()[:16]
        per_second = rate or self.rate_per_second
        lim = limiter or shared_limiter(key, per_second, lambda: RateLimiter(per_second, clock=clock))
        client = HttpClient(self.check_base_url(base_url), limiter=lim, error_mapper=blikk_error,
                            wait_hint=wait_in_seconds, clock=clock)
        client.auth = BlikkTokenAuth(client, credentials)
        super().__init__(client, PageNumberPaginator(page_size=page_size))
        self._app_id = credentials["app_id"]

    @classmethod
    def check_base_url(cls, url: str) -> str:
        """Every path bulktool sends already starts with /v1, so a base URL ending in /v1 would 404."""
        root = check_base_url(url)
        if urlsplit(root).path.rstrip("/").lower().endswith("/v1"):
            bare = root[: -len("/v1")]
            raise UsageError(
                f"The base URL {redact_url(url)} ends in /v1, but bulktool's paths already start with /v1: "
                f"use --base-url {redact_url(bare)}"
            )
        return root

    @classmethod
    def connect(cls, base_url: str, credentials: Credentials, *, rate: int | None = None) -> Connector:
        return cls(base_url, credentials, rate=rate)

    def tenant(self) -> Tenant:
        """Host plus the API application: every customer shares the host, each has its own applications.

        The Blikk reference documents no company or account endpoint, so the app id is the
        account's only handle. It is written down only as a fingerprint (the vendor asks
        that app ids be kept private too).
        """
        app = fingerprint("blikk-app", self._app_id)[:8]  # the same app shows the same digits on any host
        return Tenant(fingerprint("blikk", self.server_key, self._app_id), self._label(f"app {app} on {self.host}"))

    # -- the wire codec ---------------------------------------------------------------------
    def from_wire(self, record: dict[str, Any]) -> dict[str, Any]:
        return dict(strip_type_tags(record))

    def sheet_name_for_path(self, path: str) -> str:
        """Without ``/v1`` and the ``Core``/``Admin`` area every Blikk path starts with: TaskBoards."""
        return sheet_name_for_path(path, drop=("core", "admin"))

    # -- the query dialect ------------------------------------------------------------------
    def list_filter_params(self, filters: Mapping[str, Any]) -> dict[str, Any]:
        """``filter.<name>``, as the reference spells list filters; a given ``filter.`` prefix is kept once."""
        return {f"filter.{str(k).removeprefix('filter.')}": v for k, v in filters.items()}

    def sort_params(self, field_name: str, descending: bool) -> dict[str, Any]:
        return {"sortBy": field_name, "sortOrder": "descending" if descending else "ascending"}

    def changed_since_params(self, endpoint: Endpoint, since: datetime) -> dict[str, Any]:
        """``filter.createdOrUpdatedSince`` (the template's ``changed_since_filter``), 30 minutes early.

        The margin covers Blikk's clocks disagreeing among themselves: the web front that sends
        ``Date`` (which the export time is taken from) versus the database that stamps ``lastUpdated``.
        The filter takes the server's local form without an offset, which is UTC.
        """
        if not endpoint.changed_since_filter:
            return {}
        when = (since - CHANGE_FEED_MARGIN).astimezone(UTC)
        return {f"filter.{endpoint.changed_since_filter}": when.strftime(API_DATETIME)}

    def key_search_params(self, endpoint: Endpoint, key_field: str, value: str) -> dict[str, Any]:
        """The list's free-text ``filter.query`` narrows a key lookup where the template has it."""
        return {"filter.query": value} if "query" in endpoint.filters else {}


def blikk_credentials(app_id: str, secret: str) -> Credentials:
    """Blikk's (and Visma Tid's) credentials: the API application's id and secret."""
    return BlikkConnector.credentials(app_id=app_id, app_secret=secret)


class VismaTidConnector(BlikkConnector):
    """Visma Tid runs the Blikk API; only the name, credentials and base URL differ."""

    system: ClassVar[str] = "vismatid"
    title: ClassVar[str] = "Visma Tid"
    # The vendor docs bulktool ships with do not state Visma Tid's host, so we do not guess one.
    default_base_url: ClassVar[str | None] = None
    env_prefix: ClassVar[str] = "VISMATID"
