"""Client-side rate limiting, shared by every request made with one credential.

Blikk counts requests per access token in any one-second window and answers
429 past four. A sliding-window log (not a token bucket) matches that rule
exactly, so we can run close to the ceiling without tripping it. A small
``margin`` widens our window to absorb network jitter between our clock and
the server's.

The margin adapts: a request reaches the server some time after the limiter
released it, and on a loaded machine that delay varies by more than the
default margin, so two releases 1.05 s apart can arrive under 1 s apart. A
429 is proof of that, so ``widen`` grows the margin (0.25 s, then doubling up
to ``MAX_MARGIN``) for the rest of the run: one 429, then none.
"""

from __future__ import annotations

import email.utils
import random
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Protocol

MAX_RETRY_AFTER = 120.0
FIRST_WIDENED_MARGIN = 0.25  # covers the release-to-arrival jitter of a busy 2-core machine
MAX_MARGIN = 1.0  # at worst half the vendor's rate: still far better than a stream of 429s


class Clock(Protocol):
    def monotonic(self) -> float: ...
    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


class RateLimiter:
    """Allow at most ``rate`` sends in any ``per + margin`` seconds; thread-safe."""

    def __init__(
        self, rate: int = 4, per: float = 1.0, *, margin: float = 0.05, clock: Clock | None = None
    ) -> None:
        if rate < 1:
            raise ValueError("rate must be at least 1")
        self.rate = rate
        self.per = per
        self.margin = margin
        self.window = per + margin
        self.widened = 0  # how many times a 429 widened the margin
        self._widened_at = float("-inf")
        self.clock: Clock = clock or SystemClock()
        self._sent: deque[float] = deque()
        self._paused_until = 0.0
        self._lock = threading.Lock()
        self.waited = 0.0  # total seconds callers spent waiting (for reports/benchmarks)

    def _reserve(self) -> float:
        """Record a send and return 0, or return how long to wait before trying again."""
        with self._lock:
            now = self.clock.monotonic()
            while self._sent and self._sent[0] <= now - self.window:
                self._sent.popleft()
            if now < self._paused_until:
                return self._paused_until - now
            if len(self._sent) >= self.rate:
                return self._sent[0] + self.window - now
            self._sent.append(now)
            return 0.0

    def acquire(self) -> float:
        """Block until a request may be sent; return the seconds waited."""
        waited = 0.0
        while True:
            wait = self._reserve()
            if wait <= 0:
                if waited:
                    with self._lock:
                        self.waited += waited
                return waited
            self.clock.sleep(wait)
            waited += wait

    def widen(self, released_at: float | None = None) -> float:
        """A 429 arrived: requests reach the server later than we release them. Return the new margin.

        ``released_at`` is when the rejected request left the limiter: one released before the last
        widening was paced by the old margin, so it is no evidence that the new one is too narrow
        (several requests in flight during one burst widen the margin once, not once each).
        """
        with self._lock:
            if released_at is not None and released_at < self._widened_at:
                return self.margin
            self._widened_at = self.clock.monotonic()
            grown = max(FIRST_WIDENED_MARGIN, self.margin * 2)
            self.margin = min(MAX_MARGIN, max(self.margin, grown))
            self.window = self.per + self.margin
            self.widened += 1
            return self.margin

    @property
    def effective_rate(self) -> float:
        """Requests per second this limiter lets through in steady state (for time estimates)."""
        return self.rate / self.window

    def observe(self, headers: Mapping[str, str], released_at: float | None = None, *, status: int = 200) -> None:
        """An answer arrived (its headers; when its request was released). This limiter keeps its fixed
        rate; ``pacing.AnnouncedRateLimiter`` learns the server's announced limit here."""

    def wait_after_limit(self, headers: Mapping[str, str]) -> float | None:
        """Seconds a 429 should hold every caller, if this limiter knows better than the answer's Retry-After."""
        return None

    def pause(self, seconds: float) -> None:
        """Hold every caller back for ``seconds`` (the server said 429)."""
        with self._lock:
            until = self.clock.monotonic() + max(0.0, seconds)
            self._paused_until = max(self._paused_until, until)


_registry: dict[str, RateLimiter] = {}
_registry_lock = threading.Lock()


def shared_limiter(key: str, rate: int, factory: Callable[[], RateLimiter] | None = None) -> RateLimiter:
    """One limiter per credential (key = host + app id digest), shared across threads and clients."""
    with _registry_lock:
        lim = _registry.get(key)
        if lim is None or lim.rate != rate:
            lim = factory() if factory else RateLimiter(rate)
            _registry[key] = lim
        return lim


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Retry-After as delta-seconds or an HTTP-date; capped, never negative."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    if seconds != seconds:  # NaN
        return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def backoff_delay(attempt: int, *, base: float = 0.5, cap: float = 20.0, rng: random.Random | None = None) -> float:
    """Capped exponential backoff with full jitter (attempt counts from 0)."""
    ceiling = min(cap, base * (2 ** max(0, attempt)))
    return (rng or random).uniform(0, ceiling)
