"""Issue 7 point 21: after a 429 the limiter widens its margin, so a loaded machine sees no more 429s."""

from __future__ import annotations

import hashlib
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bulktool.cli import cli
from bulktool.http import throttle
from bulktool.http.throttle import FIRST_WIDENED_MARGIN, MAX_MARGIN, RateLimiter
from bulktool.sandbox import SandboxServer
from bulktool.vendors.blikk import BlikkConnector, blikk_credentials
from tests.test_import_e2e import Sheet
from tests.test_throttle import FakeClock, sends_in_any_window


def run(srv: SandboxServer, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--base-url", srv.url, *args], catch_exceptions=False)


def test_a_429_widens_the_window_for_every_later_send() -> None:
    clock = FakeClock()
    lim = RateLimiter(4, 1.0, margin=0.05, clock=clock)
    assert lim.widen() == pytest.approx(FIRST_WIDENED_MARGIN)
    times = []
    for _ in range(40):
        lim.acquire()
        times.append(clock.monotonic())
    # Releases now sit 1.25 s apart per 4, so arrivals delayed by up to 0.25 s more than the
    # earlier ones still never put 5 into one server second.
    assert sends_in_any_window(times, 1.0 + FIRST_WIDENED_MARGIN) <= 4
    assert times[-1] - times[0] == pytest.approx(9 * 1.25)  # 3.2 req/s: 80% of the limit, no 429s


def test_further_429s_keep_widening_up_to_a_cap() -> None:
    lim = RateLimiter(4, 1.0, margin=0.05, clock=FakeClock())
    margins = [lim.widen() for _ in range(6)]
    assert margins == pytest.approx([0.25, 0.5, 1.0, MAX_MARGIN, MAX_MARGIN, MAX_MARGIN])
    assert lim.window == pytest.approx(1.0 + MAX_MARGIN)
    assert lim.widened == 6


def test_a_margin_already_wider_is_never_narrowed() -> None:
    lim = RateLimiter(4, 1.0, margin=0.6, clock=FakeClock())
    assert lim.widen() == pytest.approx(1.0)


class LoadedLimiter(RateLimiter):
    """The real limiter, plus what a busy CPU does: each request leaves some time after its release.

    Every third release is held back 0.2 s (a thread that lost the CPU), the others go at once, so an
    early release can reach the server after a later one.
    """

    def __init__(self) -> None:
        super().__init__(4)
        self._n = 0
        self._count_lock = threading.Lock()

    def acquire(self) -> float:
        waited = super().acquire()
        with self._count_lock:
            self._n += 1
            late = self._n % 3 == 1
        time.sleep(0.2 if late else random.uniform(0.0, 0.01))
        return waited


def test_loaded_client_gets_no_429_after_the_first(sandbox: SandboxServer) -> None:
    limiter = LoadedLimiter()
    conn = BlikkConnector(sandbox.url, blikk_credentials(sandbox.app_id, sandbox.app_secret), limiter=limiter)
    ids = [c["id"] for c in sandbox.records("contacts")][:36]
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda i: conn.get(f"/v1/Core/Contacts/{i}"), ids))
    statuses = [status for method, path, status in sandbox.request_log() if "/Contacts/" in path]
    assert statuses.count(200) == len(ids)
    assert 429 in statuses, "the delay pattern must provoke a 429 with the default margin"
    first = statuses.index(429)
    # Requests already released (in flight) when the first 429 came back may still be too early;
    # everything released after it must pass.
    in_flight = 3
    late_429s = [n for n, s in enumerate(statuses) if s == 429 and n > first + in_flight]
    assert late_429s == [], statuses
    assert limiter.widened >= 1


def test_429s_of_requests_released_before_the_widening_widen_only_once() -> None:
    clock = FakeClock()
    lim = RateLimiter(4, 1.0, margin=0.05, clock=clock)
    released = []
    for _ in range(4):
        lim.acquire()
        released.append(clock.monotonic())
    clock.now += 0.1
    # All four were in flight together and all came back 429: one widening, not four.
    margins = [lim.widen(t) for t in released]
    assert margins == pytest.approx([0.25] * 4)
    assert lim.widened == 1
    clock.now += 2.0
    lim.acquire()
    # A request paced by the widened margin that still gets a 429 widens again.
    assert lim.widen(clock.monotonic()) == pytest.approx(0.5)


def test_an_apply_on_a_loaded_machine_sees_no_429_after_the_first(
    sandbox: SandboxServer, sandbox_env: None, tmp_path: Path,
) -> None:
    """The field-test scenario: `import --apply` at the vendor's 4 req/s, requests leaving late."""
    wb = tmp_path / "contacts.xlsx"
    assert run(sandbox, "export", "contacts", "-o", str(wb), "-q").exit_code == 0
    sheet = Sheet(wb)
    rows = list(range(2, sheet.ws.max_row + 1))[:32]
    for n, r in enumerate(rows):
        sheet.set(r, "name", f"Omdöpt kund {n:03d}")
    sheet.save()
    limiter = LoadedLimiter()
    key = "blikk:" + hashlib.sha256(f"{sandbox.url}|{sandbox.app_id}".encode()).hexdigest()[:16]
    with throttle._registry_lock:
        throttle._registry[key] = limiter  # the limiter the CLI's connector will share
    try:
        sandbox.reset_stats()
        res = run(sandbox, "import", str(wb), "--apply", "-q")
    finally:
        with throttle._registry_lock:
            throttle._registry.pop(key, None)
    assert res.exit_code == 0, res.output
    statuses = [s for m, _, s in sandbox.request_log()]
    assert sum(1 for m, _, s in sandbox.request_log() if m == "PUT" and s == 200) == len(rows)
    assert 429 in statuses, "the delay pattern must provoke a 429 with the default margin"
    first = statuses.index(429)
    assert [n for n, s in enumerate(statuses) if s == 429 and n > first + 3] == [], statuses
