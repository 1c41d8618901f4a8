"""Pacing by a rate limit the server announces in its response headers.

Some APIs (Tripletex) count requests in fixed periods and say on every response how many the
period allows (``Limit``), how many are left (``Remaining``) and how many seconds the period has
to run (``Reset``). Past the limit every request gets 429 until the period ends, so the aim is
never to get there: the requests left are spread evenly over the seconds left, across every
thread sharing the limiter, and never faster than ``limit / period`` (plus a small margin for
the jitter between our release of a request and its arrival).

How the headers are read, and why:
- ``Reset`` is taken as an upper bound of the time left: the server computed it before we
  received the answer, so ``receive time + Reset`` is at or after the true end. The smallest such
  bound over a period's answers is its end estimate.
- ``Remaining`` counts what the server had seen when it answered; requests we released after that
  one are still in flight, so they are subtracted. Answers may come out of order: within a period
  the budget only ever goes down.
- The period's length is not announced: it is the largest ``Reset`` seen. When our estimate of the
  end passes, a fresh period is assumed (its end a guess until the next answer bounds it).
- A 429 without ``Reset`` (reported of the real Tripletex) waits until the period's estimated end,
  or one period, or ``fallback_wait`` before anything was learnt.

Before the first answer (and for servers that announce nothing) the plain sliding window of
``RateLimiter`` applies, which also caps the pace at ``--rate``.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass

from .throttle import Clock, RateLimiter

MAX_SPACING_MARGIN = 0.5


@dataclass(frozen=True)
class RateHeaders:
    """The names a vendor gives its announcement headers (case-insensitive on the wire)."""

    limit: str = "X-Rate-Limit-Limit"
    remaining: str = "X-Rate-Limit-Remaining"
    reset: str = "X-Rate-Limit-Reset"


def _number(headers: Mapping[str, str], name: str) -> float | None:
    raw = headers.get(name)
    if raw is None:
        return None
    try:
        value = float(str(raw).strip())
    except ValueError:
        return None
    return value if math.isfinite(value) and value >= 0 else None


class AnnouncedRateLimiter(RateLimiter):
    """A ``RateLimiter`` that also paces by the server's ``Limit``/``Remaining``/``Reset`` headers."""

    def __init__(
        self,
        rate: int = 20,
        per: float = 1.0,
        *,
        headers: RateHeaders | None = None,
        spacing_margin: float = 0.05,
        fallback_wait: float = 1.0,
        margin: float = 0.05,
        clock: Clock | None = None,
    ) -> None:
        super().__init__(rate, per, margin=margin, clock=clock)
        self.headers = headers or RateHeaders()
        self.spacing_margin = spacing_margin
        self.fallback_wait = fallback_wait
        self.limit: int | None = None  # as announced
        self.period: float | None = None  # as inferred
        self._end: float | None = None  # the current period's estimated end (monotonic)
        self._left = 0  # requests we may still send in the current period
        self._next = float("-inf")  # the earliest next release
        self._released: deque[float] = deque()  # release times in the current period (for in-flight counts)
        self._started = float("-inf")  # when the current period began, as far as we know
        self._probe_at: float | None = None
        self._granularity = 0.0  # 1.0 once Reset has been seen in whole seconds (it may be rounded up)
        self._first_sent = False
        self._answered = False
        self._surprised = False  # the last 429 came while we thought the period had room
        self._provisional = False  # the end is our guess after a roll, not yet an answer's bound
        self._blind_429s = 0  # 429s in a row with nothing learnt about the period (the wait doubles)
        self._pace_lock = threading.Lock()

    # -- what the server said --------------------------------------------------------------
    def observe(self, headers: Mapping[str, str], released_at: float | None = None, *, status: int = 200) -> None:
        """Learn from one answer; ``released_at`` is when its request left this limiter."""
        limit = _number(headers, self.headers.limit)
        remaining = _number(headers, self.headers.remaining)
        reset = _number(headers, self.headers.reset)
        now = self.clock.monotonic()
        with self._pace_lock:
            had_room = self.limit is not None and self._left > 0
            self._answered = True
            self._blind_429s = self._blind_429s + 1 if status == 429 else 0
            if reset is not None and reset == int(reset):
                self._granularity = 1.0
            if limit is not None and limit >= 1:
                self.limit = int(limit)
            if reset is not None:
                self.period = max(self.period or 0.0, reset)
            if self.limit is None:
                return
            end = now + reset if reset is not None else None
            in_flight = self._in_flight(released_at)
            gap = max(0.5, (self.period or 0.0) / 2)
            if self._end is None or (end is not None and end > self._end + gap):
                # The first answer, or a new period: its end is far beyond the one we knew.
                self._end = end
                self._provisional = False
                self._started = released_at if released_at is not None else now
                self._released = deque(t for t in self._released if t > self._started)
                left = self.limit - len(self._released) if remaining is None else int(remaining) - in_flight
                self._left = left
            elif released_at is None or released_at >= self._started:
                # Same period (answers to requests sent before it began say nothing about it).
                if end is not None and self._end is not None:
                    # After a roll the end was a guess (our end plus a period); the first answer replaces it.
                    self._end = end if self._provisional else min(self._end, end)
                    self._provisional = False
                if remaining is not None:
                    self._left = min(self._left, int(remaining) - in_flight)
            if status == 429:
                # Our fault only when we thought the period had room: then the spacing is too tight.
                self._surprised = had_room
                self._left = 0

    def _in_flight(self, released_at: float | None) -> int:
        if released_at is None:
            return 0
        return sum(1 for t in self._released if t > released_at)

    def wait_after_limit(self, headers: Mapping[str, str]) -> float:
        """How long a 429 should hold everyone: ``Reset``, else the period's estimated end, else a period."""
        reset = _number(headers, self.headers.reset)
        if reset is not None:
            return reset
        now = self.clock.monotonic()
        with self._pace_lock:
            if self._end is not None and self._end > now:
                return self._end - now
            if self.period:
                return self.period
            return float(self.fallback_wait * 2 ** max(0, min(self._blind_429s - 1, 6)))

    def widen(self, released_at: float | None = None) -> float:
        """A 429 despite the pacing: the release-to-arrival jitter is larger than the spacing margin."""
        with self._pace_lock:
            if not self._surprised:  # another program spent the period, or we knew nothing yet
                return self.margin
            self._surprised = False
            self.spacing_margin = min(MAX_SPACING_MARGIN, max(0.1, self.spacing_margin * 2))
        return super().widen(released_at)

    # -- when the next request may go ------------------------------------------------------
    def _reserve(self) -> float:
        with self._pace_lock:
            wait = self._paced_wait()
            if wait > 0:
                return wait
            wait = super()._reserve()  # the sliding window (--rate) and any 429 pause
            if wait > 0:
                return wait
            now = self.clock.monotonic()
            self._first_sent = True
            if self.limit is not None:
                self._next = now + self._spacing(now)
                self._left -= 1
                self._released.append(now)
            return 0.0

    def _paced_wait(self) -> float:
        if self.limit is None:
            # Until the first answer, one request at a time: it tells us what the period allows
            # (another program may already have spent it).
            return 0.02 if self._first_sent and not self._answered else 0.0
        now = self.clock.monotonic()
        if self._end is not None and now >= self._end:
            self._roll(now)
        if self._left > 0:
            return max(0.0, self._next - now)
        if self._end is not None:
            return max(self._end - now, 0.001)
        # No Reset announced and the budget is spent: one probe after a pause learns the new budget.
        if self._probe_at is None:
            self._probe_at = now + self.fallback_wait
        if now < self._probe_at:
            return self._probe_at - now
        self._probe_at = None
        self._left = 1
        return 0.0

    def _roll(self, now: float) -> None:
        """Our estimate of the period's end has passed: assume a fresh period until an answer says more."""
        assert self.limit is not None and self._end is not None
        period = self.period or 1.0
        while self._end <= now:
            self._end += period
        self._provisional = True
        self._left = self.limit
        self._started = now
        self._released.clear()

    def _spacing(self, now: float) -> float:
        """Seconds until the release after this one: the budget spread over the time left, never faster
        than the announced rate."""
        assert self.limit is not None
        floor = (self.period or 0.0) / self.limit * (1 + self.spacing_margin)
        if self._end is None or self._left <= 0:
            return floor
        # The end estimate is an upper bound; with Reset in whole seconds the true end may be up to a
        # second earlier. Spreading over the earlier end is safe: the floor still caps the pace.
        return max(floor, (self._end - self._granularity - now) / self._left)

    @property
    def effective_rate(self) -> float:
        """The announced rate (less the spacing margin) once known, capped by the sliding window."""
        announced = self.announced_rate
        window = self.rate / self.window
        return window if announced is None else min(window, announced / (1 + self.spacing_margin))

    @property
    def announced_rate(self) -> float | None:
        """Requests per second the server allows, once it has said (for estimates and benchmarks)."""
        if self.limit is None or not self.period:
            return None
        return self.limit / self.period
