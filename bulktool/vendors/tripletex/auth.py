"""Tripletex sessions: consumer + employee token -> a session token, sent as Basic ``<company>:<token>``.

``PUT /token/session/:create?consumerToken=…&employeeToken=…&expirationDate=…`` takes no auth
header and answers ``{"value": {..., "token": "<base64 of a small JSON>", "expirationDate"}}``.
A session stops working at midnight Oslo time at the *start* of its ``expirationDate``, so one
made with today's date fails at once (tripletex-facts.md): sessions here are asked for two days
ahead (24-48 h of life) by the server's day (the session answer's ``Date`` gives the offset from
our clock), renewed an hour before they end, and once after a 401. The Basic user
is ``0`` (the token's own company) or a client company id for an accounting office (``--company``).

The create request carries both tokens in its query string (the legacy form the issue names; the
spec also has a POST with a body). Every token is registered with the redaction filter the moment
it is known, as itself and URL-encoded, and query parameters named like tokens are scrubbed from
any URL a log line prints, so no token reaches output, logs, reports or journals.
"""

from __future__ import annotations

import base64
import contextlib
import re
import threading
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import quote, quote_plus
from zoneinfo import ZoneInfo

from ...connectors.base import Credentials
from ...errors import AuthenticationError
from ...http.client import HttpClient, http_date
from ...http.security import register_secret_pattern
from .errors import SESSION_PATH

OSLO = ZoneInfo("Europe/Oslo")
SESSION_DAYS = 2  # expirationDate = today + 2 in Oslo: never "today", which fails at once
RENEW_MARGIN = timedelta(hours=1)
MIN_EXACT_TOKEN = 16  # real tokens are long base64 text; the shape patterns below cover them too

# Token shapes: Tripletex tokens are base64 text of a small JSON object ("eyJ..." is '{"'), and the
# create URL names them as query parameters.
register_secret_pattern(r"\beyJ[A-Za-z0-9+/_%-]{8,}(?:=|%3D){0,2}")
register_secret_pattern(r"(?i)((?:consumer|employee|session)?token=)[^&\s'\"]+", r"\1***")


def register_token(value: str) -> None:
    """Scrub this exact token (and its URL-encoded forms) from everything printed from now on."""
    value = value.strip()
    if len(value) < MIN_EXACT_TOKEN:
        return  # shorter than any real token (the sandbox's "sandbox-app"): redacting it would mangle text
    for form in {value, quote(value, safe=""), quote_plus(value, safe="")}:
        register_secret_pattern(re.escape(form))


def session_expiry(expiration: date) -> datetime:
    """When a session with this ``expirationDate`` stops working: midnight Oslo time starting that day."""
    return datetime(expiration.year, expiration.month, expiration.day, tzinfo=OSLO)


class TripletexSessionAuth:
    """Makes a session on first use, renews it before it ends and once after a 401."""

    def __init__(
        self,
        client: HttpClient,
        credentials: Credentials,
        company: str = "0",
        *,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self._client = client
        self._consumer = credentials["consumer_token"]
        self._employee = credentials["employee_token"]
        register_token(self._consumer)
        register_token(self._employee)
        self.company = company or "0"
        self._now = now or (lambda: datetime.now(OSLO))
        self._token: str | None = None
        self._basic = ""
        self._expires: datetime | None = None
        self._skew = timedelta(0)  # the server's clock minus ours, from the session answer's Date header
        self._lock = threading.Lock()
        self.sessions = 0  # how many were made (tests and benchmarks count them)
        self.employee_token_id: int | None = None  # the session answer's employeeToken.id: not a secret

    def _server_now(self) -> datetime:
        """Now on the server's clock: ours plus the offset its last session answer's Date showed."""
        return self._now() + self._skew

    def _create(self) -> None:
        self._create_once()
        assert self._expires is not None
        if self._server_now() >= self._expires:
            # Our clock is days behind the server's: the session was dead on arrival. The Date header
            # of its answer gave the offset, so a second one is dated by the server's day.
            self._create_once()

    def _create_once(self) -> None:
        today = self._server_now().astimezone(OSLO).date()
        expiration = today + timedelta(days=SESSION_DAYS)
        resp = self._client.request(
            "PUT", SESSION_PATH, authenticated=False, retry_safe=True,
            params={"consumerToken": self._consumer, "employeeToken": self._employee,
                    "expirationDate": expiration.isoformat()},
        )
        try:
            body: Any = resp.json()
            value = body["value"]
            token = str(value["token"])
        except (ValueError, KeyError, TypeError):
            raise AuthenticationError(
                "The session endpoint answered without a token; is --base-url the Tripletex API root "
                "(ending in /v2)?", status=resp.status_code, method="PUT", url=SESSION_PATH,
            ) from None
        register_token(token)
        server_date = http_date(resp.headers.get("Date"))
        if server_date is not None:
            self._skew = server_date - self._now()
        stated = value.get("expirationDate")
        with contextlib.suppress(ValueError):  # the server's own date wins; an unreadable one: ours
            expiration = date.fromisoformat(str(stated)[:10]) if stated else expiration
        employee = value.get("employeeToken")
        if isinstance(employee, dict) and isinstance(employee.get("id"), int):
            self.employee_token_id = employee["id"]
        self._token, self._expires = token, session_expiry(expiration)
        self._basic = base64.b64encode(f"{self.company}:{token}".encode()).decode("ascii")
        register_token(self._basic)
        self.sessions += 1

    def apply(self, headers: dict[str, str]) -> None:
        """Basic ``<company>:<session token>``, making or renewing the session first when due."""
        with self._lock:
            self._ensure()
            headers["Authorization"] = "Basic " + self._basic

    def _ensure(self) -> None:
        stale = self._expires is not None and self._server_now() >= self._expires - RENEW_MARGIN
        if self._token is None or stale:
            self._create()

    def basic_for(self, company: str) -> str:
        """The Basic credentials of another company on this same session (an accounting office's client)."""
        with self._lock:
            self._ensure()
            token = self._token
        value = base64.b64encode(f"{company}:{token}".encode()).decode("ascii")
        register_token(value)
        return value

    def for_company(self, company: str) -> CompanyAuth:
        """Auth for client company ``company`` sharing this session: one session for every company."""
        return CompanyAuth(self, company)

    def refresh(self) -> bool:
        """A 401: the session ended early (or was revoked); the retry makes a new one."""
        with self._lock:
            self._token = None
        return True


class CompanyAuth:
    """Basic ``<company>:<session token>`` on a session made by another auth (``for_company``)."""

    def __init__(self, session: TripletexSessionAuth, company: str) -> None:
        self.session = session
        self.company = company
        self.employee_token_id = session.employee_token_id

    def apply(self, headers: dict[str, str]) -> None:
        headers["Authorization"] = "Basic " + self.session.basic_for(self.company)

    def refresh(self) -> bool:
        return self.session.refresh()
