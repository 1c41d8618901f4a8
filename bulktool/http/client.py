"""The one HTTP client: throttled, retrying only where it is safe, never leaking secrets.

Retry policy (why): GETs are idempotent, so 502/503/504 and connection errors
are retried with capped, jittered backoff. A 429 means the server did not
process the request, so any method is retried after the wait it asked for.
A POST/PUT/DELETE that fails after it may have reached the server is never
retried here: it surfaces as ``ConnectionDropped`` and the journal-aware
writer decides (look up by natural key before any re-create). A caller that
knows a POST has no side effect (a token request) passes ``retry_safe=True``
and gets the GET policy. A 502/503/504 that carries ``Retry-After`` waits at
least that long before the retry.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from email.utils import parsedate_to_datetime
from typing import Any, Protocol

import requests
from requests.adapters import HTTPAdapter

from .. import __version__
from ..errors import ApiError, ConnectionDropped, RateLimited, TransportError, UsageError
from .reasons import connect_reason, never_connected, tls_message
from .security import RedactingFilter, check_base_url, redact_url
from .throttle import Clock, RateLimiter, SystemClock, backoff_delay, parse_retry_after

log = logging.getLogger("bulktool.http")
log.addFilter(RedactingFilter())

RETRYABLE_STATUS = {502, 503, 504}


class Auth(Protocol):
    """Adds credentials to a request; may refresh itself once after a 401."""

    def apply(self, headers: dict[str, str]) -> None: ...
    def refresh(self) -> bool: ...


class JsonCodec(Protocol):
    """A vendor's JSON text form (Finsit: exact decimals and bare NaN/Infinity); the default is ``json``."""

    def loads(self, text: str) -> Any: ...
    def dumps(self, value: Any) -> str: ...


ErrorMapper = Callable[[requests.Response, str, str], ApiError]


@dataclass
class RequestStats:
    """Counts for --json summaries and benchmarks; thread-safe enough via a lock."""

    by_method: Counter[str] = field(default_factory=Counter)
    status_429: int = 0
    retries: int = 0
    # The server's clock as of the latest response that carried a Date header: export times come from
    # here, never from this machine's clock, which may be off by any amount.
    last_server_date: datetime | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count(self, method: str) -> None:
        with self._lock:
            self.by_method[method] += 1

    def saw_date(self, header: str | None) -> None:
        when = http_date(header)
        if when is not None:
            with self._lock:
                self.last_server_date = when

    @property
    def total(self) -> int:
        return sum(self.by_method.values())

    @property
    def writes(self) -> int:
        return sum(n for m, n in self.by_method.items() if m != "GET")


def http_date(header: str | None) -> datetime | None:
    """An HTTP ``Date`` header as an aware UTC datetime; None when absent or unreadable."""
    if not header:
        return None
    try:
        when = parsedate_to_datetime(header)
    except (TypeError, ValueError, IndexError):
        return None
    return when.astimezone(UTC) if when.tzinfo is not None else when.replace(tzinfo=UTC)


def default_error(response: requests.Response, method: str, url: str) -> ApiError:
    return ApiError(
        f"{method} {url} failed: HTTP {response.status_code}", status=response.status_code, method=method, url=url
    )


# Seconds a vendor asks for in a 429's body (None: it did not say); the client takes the longer of it and
# Retry-After, capped at 2 minutes.
WaitHint = Callable[[requests.Response], float | None]


class HttpClient:
    def __init__(
        self,
        base_url: str,
        *,
        auth: Auth | None = None,
        limiter: RateLimiter | None = None,
        error_mapper: ErrorMapper = default_error,
        wait_hint: WaitHint | None = None,
        timeout: tuple[float, float] = (10.0, 120.0),
        max_retries: int = 5,
        max_429_retries: int = 20,
        clock: Clock | None = None,
        rng: random.Random | None = None,
        pool_size: int = 16,
        json_codec: JsonCodec | None = None,
    ) -> None:
        self.base_url = check_base_url(base_url)
        self.json_codec = json_codec
        self.auth = auth
        self.limiter = limiter or RateLimiter(4)
        self.error_mapper = error_mapper
        self.wait_hint = wait_hint  # the vendor's own "wait this long" in a 429 body, beside Retry-After
        self.timeout = timeout
        self.max_retries = max_retries
        self.max_429_retries = max_429_retries
        self.clock: Clock = clock or SystemClock()
        self.rng = rng or random.Random()
        self.stats = RequestStats()
        self.session = requests.Session()
        self.session.trust_env = False  # never pick up netrc credentials or proxies with secrets
        adapter = HTTPAdapter(pool_connections=2, pool_maxsize=pool_size, max_retries=0)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers["User-Agent"] = f"bulktool/{__version__}"
        self.session.headers["Accept"] = "application/json"

    def url(self, path: str) -> str:
        if path.startswith(("http://", "https://")):
            return path
        return self.base_url + "/" + path.lstrip("/")

    def close(self) -> None:
        self.session.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        authenticated: bool = True,
        headers: Mapping[str, str] | None = None,
        throttled: bool = True,
        retry_safe: bool = False,
        accept: Collection[int] = (),
    ) -> requests.Response:
        """Send one logical request and return a 2xx response, or raise a BulktoolError.

        ``retry_safe``: the request changes nothing on the server, whatever its method (a token POST).
        ``accept``: other statuses returned as answers, not errors (304 Not Modified to a checksum).
        """
        method = method.upper()
        url = self.url(path)
        shown = redact_url(url)
        idempotent = retry_safe or method in ("GET", "HEAD", "OPTIONS")
        attempt = retried_429 = 0
        refreshed = False
        body: dict[str, Any] = (
            {"data": self.json_codec.dumps(json_body).encode("utf-8")}
            if self.json_codec is not None and json_body is not None else {"json": _plain_numbers(json_body)})
        while True:
            hdrs = dict(headers or {})
            if authenticated and self.auth is not None:
                self.auth.apply(hdrs)
            if throttled:
                self.limiter.acquire()
            released = self.limiter.clock.monotonic()
            self.stats.count(method)
            started = time.monotonic()
            if "data" in body:
                hdrs.setdefault("Content-Type", "application/json")
            try:
                resp = self.session.request(
                    method, url, params=params, headers=hdrs, timeout=self.timeout, allow_redirects=False, **body,
                )
            except requests.exceptions.RequestException as exc:
                err = self._transport_error(exc, method, shown)
                if isinstance(exc, requests.exceptions.SSLError):
                    raise err from None  # a TLS mismatch is not transient: retrying only delays the message
                if (idempotent or not isinstance(err, ConnectionDropped)) and attempt < self.max_retries:
                    self._backoff(attempt, f"{method} {shown}: {err}")
                    attempt += 1
                    continue
                raise err from None
            log.debug("%s %s -> %s in %.0f ms", method, shown, resp.status_code, (time.monotonic() - started) * 1000)
            self.stats.saw_date(resp.headers.get("Date"))
            status = resp.status_code
            self.limiter.observe(resp.headers, released, status=status)
            if status == 429:
                self.stats.status_429 += 1
                if retried_429 >= self.max_429_retries:
                    raise RateLimited(
                        f"{method} {shown}: still rate limited (HTTP 429) after {retried_429} retries",
                        status=429, method=method, url=shown,
                    )
                self.limiter.pause(self._retry_after(resp))
                margin = self.limiter.widen(released if throttled else None)
                log.info("HTTP 429 on %s %s: pacing margin now %.2f s for the rest of the run", method, shown, margin)
                retried_429 += 1
                self.stats.retries += 1
                continue
            if status == 401 and authenticated and self.auth is not None and not refreshed and self.auth.refresh():
                refreshed = True
                continue
            if status in RETRYABLE_STATUS and idempotent and attempt < self.max_retries:
                asked = parse_retry_after(resp.headers.get("Retry-After"))
                self._backoff(attempt, f"{method} {shown}: HTTP {status}", at_least=asked or 0.0)
                attempt += 1
                continue
            if 200 <= status < 300 or status in accept:
                return resp
            raise self.error_mapper(resp, method, shown)

    def request_json(self, method: str, path: str, **kw: Any) -> Any:
        resp = self.request(method, path, **kw)
        if not resp.content:
            return None
        try:
            if self.json_codec is not None:
                return self.json_codec.loads(resp.content.decode("utf-8-sig"))
            return resp.json()
        except ValueError:
            raise ApiError(
                f"{method} {redact_url(self.url(path))}: expected JSON, got {resp.headers.get('Content-Type', '?')}",
                status=resp.status_code, method=method,
            ) from None

    def _retry_after(self, resp: requests.Response) -> float:
        wait = parse_retry_after(resp.headers.get("Retry-After"))
        announced = self.limiter.wait_after_limit(resp.headers)  # a period-counting server's own reset
        if announced is not None:
            wait = max(wait or 0.0, min(announced, 120.0))
        hinted = self.wait_hint(resp) if self.wait_hint else None
        if hinted is not None:
            wait = max(wait or 0.0, min(hinted, 120.0))
        return 1.0 if wait is None else wait

    def _backoff(self, attempt: int, why: str, *, at_least: float = 0.0) -> None:
        delay = max(at_least, backoff_delay(attempt, rng=self.rng))
        self.stats.retries += 1
        log.info("retrying after %.2f s (%s)", delay, why)
        self.clock.sleep(delay)

    def _transport_error(self, exc: requests.exceptions.RequestException, method: str, url: str) -> TransportError:
        host = url.split("/")[2] if "//" in url else url
        if isinstance(exc, requests.exceptions.SSLError):
            return TransportError(tls_message(host, str(exc)), method=method, url=url)
        if isinstance(exc, requests.exceptions.ConnectTimeout):
            return TransportError(f"Could not connect to {host}: connection timed out", method=method, url=url)
        if isinstance(exc, requests.exceptions.ConnectionError) and never_connected(exc):
            return TransportError(
                f"Could not connect to {host}: {connect_reason(exc)}. Check --base-url and your network.",
                method=method, url=url,
            )
        if isinstance(exc, requests.exceptions.ReadTimeout):
            return ConnectionDropped(
                f"{method} {url}: no answer within {self.timeout[1]:.0f} s; the outcome is unknown",
                method=method, url=url,
            )
        return ConnectionDropped(
            f"{method} {url}: the connection closed before an answer arrived; the outcome is unknown",
            method=method, url=url,
        )


def _plain_numbers(value: Any) -> Any:
    """Without a vendor codec, exact decimals go as JSON numbers (floats), as plain ``json`` can write them."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise UsageError(f"{value} cannot be sent: this API's JSON has no NaN or Infinity (type a number)")
        return float(value)
    if isinstance(value, dict):
        return {k: _plain_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_numbers(v) for v in value]
    return value
