"""The rate limiter and retry helpers, driven by an injectable clock (no real sleeping)."""

from __future__ import annotations

import random
import threading
from datetime import UTC, datetime

import pytest

from bulktool.http.throttle import RateLimiter, backoff_delay, parse_retry_after


class FakeClock:
    """Time only moves when someone sleeps; records every sleep."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def monotonic(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.now += seconds


def sends_in_any_window(times: list[float], window: float) -> int:
    return max(sum(1 for u in times if t <= u < t + window) for t in times)


def test_first_four_go_immediately_then_the_fifth_waits_for_the_window() -> None:
    clock = FakeClock()
    lim = RateLimiter(4, 1.0, margin=0.05, clock=clock)
    waits = [lim.acquire() for _ in range(5)]
    assert waits == [0.0, 0.0, 0.0, 0.0, pytest.approx(1.05)]
    assert clock.sleeps == [pytest.approx(1.05)]


def test_never_more_than_rate_in_any_window_over_a_long_run() -> None:
    clock = FakeClock()
    lim = RateLimiter(4, 1.0, margin=0.05, clock=clock)
    times = []
    for _ in range(400):
        lim.acquire()
        times.append(clock.monotonic())
    assert sends_in_any_window(times, 1.0) <= 4
    # ...while still running close to the ceiling: 400 sends in ~105 s is 95% of 4/s.
    elapsed = times[-1] - times[0]
    assert 400 / elapsed == pytest.approx(4 / 1.05, rel=0.02)


def test_spaced_requests_never_wait() -> None:
    clock = FakeClock()
    lim = RateLimiter(4, 1.0, margin=0.0, clock=clock)
    for _ in range(20):
        assert lim.acquire() == 0.0
        clock.now += 0.3
    assert clock.sleeps == []


def test_pause_holds_everyone_back_for_the_servers_wait() -> None:
    clock = FakeClock()
    lim = RateLimiter(4, 1.0, clock=clock)
    lim.acquire()
    lim.pause(3.0)
    waited = lim.acquire()
    assert waited == pytest.approx(3.0)
    assert lim.waited == pytest.approx(3.0)


def test_pause_never_shortens_a_longer_pause() -> None:
    clock = FakeClock()
    lim = RateLimiter(4, 1.0, clock=clock)
    lim.pause(5.0)
    lim.pause(1.0)
    assert lim.acquire() == pytest.approx(5.0)


def test_threads_share_one_limiter() -> None:
    clock = FakeClock()
    lim = RateLimiter(4, 1.0, margin=0.05, clock=clock)
    stamps: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(10):
            lim.acquire()
            with lock:
                stamps.append(clock.monotonic())

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(stamps) == 40
    # With a fake clock several threads may sleep concurrently and push time further, but the invariant
    # "at most 4 sends in any window" must hold whatever the interleaving.
    assert sends_in_any_window(sorted(stamps), 1.0) <= 4


def test_rate_must_be_positive() -> None:
    with pytest.raises(ValueError):
        RateLimiter(0)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("3", 3.0),
        ("0", 0.0),
        ("1.5", 1.5),
        ("-4", 0.0),
        ("100000", 120.0),  # capped
        ("Wed, 21 Oct 2015 07:28:10 GMT", 10.0),
        ("garbage", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    now = datetime(2015, 10, 21, 7, 28, 0, tzinfo=UTC)
    assert parse_retry_after(value, now=now) == expected


def test_backoff_is_capped_exponential_with_full_jitter() -> None:
    rng = random.Random(7)
    for attempt in range(12):
        ceiling = min(20.0, 0.5 * 2**attempt)
        samples = [backoff_delay(attempt, rng=rng) for _ in range(200)]
        assert all(0 <= s <= ceiling for s in samples)
        assert max(samples) > ceiling * 0.8  # full jitter spans the range
