"""Header-announced rate pacing (http/pacing.py), driven by an injectable clock against a model server.

The model counts requests in fixed periods the way Tripletex is documented to: ``Limit`` per
period, 429 for everything past it until the period ends, and ``Remaining``/``Reset`` on every
answer. Requests take ``latency`` seconds to arrive; several "threads" are interleaved by time.
"""

from __future__ import annotations

import heapq
import math
import threading

import pytest

from bulktool.http.pacing import AnnouncedRateLimiter
from bulktool.http.throttle import RateLimiter


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self._lock = threading.Lock()

    def monotonic(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.now += max(0.0, seconds)


class PeriodServer:
    """Fixed periods starting at the first request after the last one ended (Reset rounded up)."""

    def __init__(self, limit: int, period: float, *, rounding: str = "ceil", send_reset_on_429: bool = True) -> None:
        self.limit, self.period = limit, period
        self.rounding = rounding
        self.send_reset_on_429 = send_reset_on_429
        self.start: float | None = None
        self.used = 0
        self.arrivals: list[float] = []
        self.rejected = 0

    def hit(self, t: float) -> tuple[int, dict[str, str]]:
        if self.start is None or t >= self.start + self.period:
            self.start, self.used = t, 0
        left_s = self.start + self.period - t
        reset = math.ceil(round(left_s, 3)) if self.rounding == "ceil" else round(left_s, 3)  # from ms clocks
        if self.used >= self.limit:
            self.rejected += 1
            headers = {"X-Rate-Limit-Limit": str(self.limit), "X-Rate-Limit-Remaining": "0"}
            if self.send_reset_on_429:
                headers["X-Rate-Limit-Reset"] = str(reset)
            return 429, headers
        self.used += 1
        self.arrivals.append(t)
        return 200, {"X-Rate-Limit-Limit": str(self.limit), "X-Rate-Limit-Remaining": str(self.limit - self.used),
                     "X-Rate-Limit-Reset": str(reset)}


def drive(lim: AnnouncedRateLimiter, server: PeriodServer, clock: FakeClock, *, requests: int, threads: int,
          latency: float) -> float:
    """Run ``threads`` sequential callers to ``requests`` successful answers; returns the elapsed time.

    Each caller asks the limiter for a slot (the limiter tells us how long it would wait, which we
    turn into an event), sends, and sees the answer ``2 * latency`` later.
    """
    t0 = clock.now
    done = 0
    events: list[tuple[float, int, str, float]] = [(clock.now, i, "ask", 0.0) for i in range(threads)]
    heapq.heapify(events)
    pending: dict[int, tuple[int, dict[str, str], float]] = {}
    while done < requests:
        at, who, kind, released = heapq.heappop(events)
        clock.now = max(clock.now, at)
        if kind == "ask":
            wait = lim._reserve()
            if wait > 0:
                heapq.heappush(events, (clock.now + wait, who, "ask", 0.0))
                continue
            status, headers = server.hit(clock.now + latency)
            pending[who] = (status, headers, clock.now)
            heapq.heappush(events, (clock.now + 2 * latency, who, "answer", clock.now))
        else:
            status, headers, released = pending.pop(who)
            lim.observe(headers, released, status=status)
            if status == 429:
                lim.pause(lim.wait_after_limit(headers))
            else:
                done += 1
            heapq.heappush(events, (clock.now, who, "ask", 0.0))
    return clock.now - t0


@pytest.mark.parametrize("rounding", ["ceil", "exact"])
@pytest.mark.parametrize("threads", [1, 4])
def test_steady_state_never_hits_the_limit_and_runs_near_it(rounding: str, threads: int) -> None:
    clock = FakeClock()
    server = PeriodServer(20, 5.0, rounding=rounding)
    lim = AnnouncedRateLimiter(50, clock=clock)
    elapsed = drive(lim, server, clock, requests=400, threads=threads, latency=0.15 if threads > 1 else 0.01)
    assert server.rejected == 0
    achieved = 400 / elapsed
    assert achieved >= 0.9 * 20 / 5.0, achieved  # at least 90 % of 4 requests/second
    assert lim.limit == 20 and lim.period == pytest.approx(5.0, abs=0.3)


def test_requests_are_spread_over_the_period_not_burst_at_its_start() -> None:
    clock = FakeClock()
    server = PeriodServer(20, 5.0)
    lim = AnnouncedRateLimiter(50, clock=clock)
    drive(lim, server, clock, requests=100, threads=4, latency=0.1)
    gaps = [b - a for a, b in zip(server.arrivals[20:], server.arrivals[21:], strict=False)]
    assert min(gaps) > 0.2  # 5 s / 20, less the margin: no bursts once the period is known


def test_the_remaining_count_slows_us_when_someone_else_uses_the_same_token() -> None:
    clock = FakeClock()
    server = PeriodServer(20, 5.0)
    lim = AnnouncedRateLimiter(50, clock=clock)
    server.hit(clock.now)  # the period starts, and another program spends 14 of its 20 requests
    server.used = 15
    drive(lim, server, clock, requests=30, threads=2, latency=0.05)
    assert server.rejected <= 1  # at most the first probe, sent before anything was announced


def test_a_429_without_reset_waits_out_the_period_learnt_earlier() -> None:
    clock = FakeClock()
    lim = AnnouncedRateLimiter(50, clock=clock)
    lim.observe({"X-Rate-Limit-Limit": "10", "X-Rate-Limit-Remaining": "9", "X-Rate-Limit-Reset": "8"}, clock.now)
    clock.now += 3
    assert lim.wait_after_limit({"X-Rate-Limit-Limit": "10"}) == pytest.approx(5.0)  # the estimated end
    clock.now += 10  # past that end: a whole period
    assert lim.wait_after_limit({}) == pytest.approx(8.0)
    assert AnnouncedRateLimiter(50, clock=clock, fallback_wait=2.0).wait_after_limit({}) == 2.0  # nothing learnt yet


def test_a_429_with_reset_waits_exactly_that() -> None:
    lim = AnnouncedRateLimiter(50, clock=FakeClock())
    assert lim.wait_after_limit({"X-Rate-Limit-Reset": "3"}) == 3.0


def test_without_reset_on_429_the_server_is_still_never_hammered() -> None:
    clock = FakeClock()
    server = PeriodServer(20, 5.0, send_reset_on_429=False)
    lim = AnnouncedRateLimiter(50, clock=clock)
    server.hit(clock.now)
    server.used = 20  # another program spent the whole period: our first request gets a 429 without Reset
    drive(lim, server, clock, requests=40, threads=2, latency=0.05)
    assert server.rejected <= 3  # nothing announced yet: waits of 1, 2, 4 s reach the next period


def test_an_api_that_announces_nothing_gets_the_plain_sliding_window() -> None:
    clock = FakeClock()
    lim = AnnouncedRateLimiter(4, clock=clock)
    waits = []
    for _ in range(5):
        waits.append(lim.acquire())
        lim.observe({"Content-Type": "application/json"}, clock.now)  # the answer, instantly
    assert waits[:4] == [0.0] * 4 and waits[4] == pytest.approx(1.05)


def test_until_the_first_answer_only_one_request_is_in_flight() -> None:
    """The first answer says what the period has left; a burst before it could overrun it."""
    clock = FakeClock()
    lim = AnnouncedRateLimiter(50, clock=clock)
    assert lim._reserve() == 0.0
    assert lim._reserve() > 0  # held back: no answer yet
    lim.observe({"X-Rate-Limit-Limit": "100", "X-Rate-Limit-Remaining": "99", "X-Rate-Limit-Reset": "60"}, clock.now)
    assert lim._reserve() == 0.0


def test_the_fixed_rate_limiter_ignores_announcements() -> None:
    """Blikk keeps its documented 4 per sliding second whatever headers say."""
    clock = FakeClock()
    lim = RateLimiter(4, clock=clock)
    lim.observe({"X-Rate-Limit-Limit": "1", "X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": "60"}, clock.now)
    assert lim.wait_after_limit({"X-Rate-Limit-Reset": "60"}) is None
    assert [lim.acquire() for _ in range(4)] == [0.0] * 4


def test_out_of_order_answers_never_raise_the_budget_within_a_period() -> None:
    clock = FakeClock()
    lim = AnnouncedRateLimiter(50, clock=clock)
    hdr = {"X-Rate-Limit-Limit": "100", "X-Rate-Limit-Reset": "60"}
    lim.observe({**hdr, "X-Rate-Limit-Remaining": "50"}, clock.now)
    lim.observe({**hdr, "X-Rate-Limit-Remaining": "70"}, clock.now)  # an older answer arriving late
    assert lim._left == 50


def test_a_429_we_could_not_have_foreseen_does_not_slow_the_rest_of_the_run() -> None:
    clock = FakeClock()
    lim = AnnouncedRateLimiter(50, clock=clock)
    hdr = {"X-Rate-Limit-Limit": "20", "X-Rate-Limit-Reset": "5"}
    lim.observe({**hdr, "X-Rate-Limit-Remaining": "0"}, clock.now, status=429)  # the first answer: spent already
    lim.widen(clock.now)
    assert lim.spacing_margin == 0.05
    clock.now += 6
    lim.observe({**hdr, "X-Rate-Limit-Remaining": "10"}, clock.now)
    lim.observe({**hdr, "X-Rate-Limit-Remaining": "0"}, clock.now, status=429)  # we thought 10 were left
    lim.widen(clock.now)
    assert lim.spacing_margin == 0.1


def test_the_effective_rate_is_the_announced_one_once_known() -> None:
    from bulktool.cli import rate_warning

    clock = FakeClock()
    lim = AnnouncedRateLimiter(50, clock=clock)
    assert lim.effective_rate == pytest.approx(50 / 1.05)  # nothing announced: the ceiling
    lim.observe({"X-Rate-Limit-Limit": "20", "X-Rate-Limit-Remaining": "19", "X-Rate-Limit-Reset": "5"}, clock.now)
    assert lim.effective_rate == pytest.approx(4 / 1.05)
    assert RateLimiter(4, clock=clock).effective_rate == pytest.approx(4 / 1.05)
    # --rate is only a cap for an API that announces its limit: no "above the limit" warning
    assert rate_warning("tripletex", "https://tripletex.no/v2", 200) is None
    assert rate_warning("blikk", "https://publicapi.blikk.com", 10) is not None
