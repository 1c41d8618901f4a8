"""Per-server mutable state: tokens, rate windows, fault settings, request statistics."""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections import deque
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from .config import SandboxConfig
from .store import Store

if TYPE_CHECKING:
    from .app import SandboxApp

_FAULT_KEYS = {
    "failrate": "fail_rate",
    "dropaftercommit": "drop_after_commit",
    "burst429": "burst_429",
    "latency": "latency",
}


@dataclass
class Faults:
    fail_rate: float = 0.0
    drop_after_commit: float = 0.0
    burst_429: float = 0.0
    latency: float = 0.0


def normalise_faults(raw: dict[str, Any]) -> dict[str, float]:
    """Accept fail_rate / failRate / fail-rate spellings; reject unknown keys and bad values."""
    out: dict[str, float] = {}
    for key, value in raw.items():
        name = _FAULT_KEYS.get(str(key).replace("_", "").replace("-", "").lower())
        if name is None:
            raise ValueError(f"unknown fault {key!r}; use fail_rate, drop_after_commit, burst_429 or latency")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"{name} must be a number")
        if name != "latency" and not 0.0 <= value <= 1.0:
            raise ValueError(f"{name} must be between 0 and 1")
        if name == "latency" and value < 0:
            raise ValueError("latency must be >= 0 seconds")
        out[name] = float(value)
    return out


class Runtime:
    def __init__(self, config: SandboxConfig, store: Store, others: Sequence[Store] = (), *, app: SandboxApp) -> None:
        self.config = config
        self.app = app
        self.store = store  # account 1's data
        self.stores = [store, *others]  # account k's data is stores[k - 1]
        self.clock_offset = float(config.clock_offset_seconds)
        self.faults = Faults(config.fail_rate, config.drop_after_commit, config.burst_429, config.latency)
        normalise_faults(asdict(self.faults))
        self._lock = threading.Lock()
        self._rng = random.Random(f"{config.seed}:faults")
        self._tokens: dict[str, tuple[float, int]] = {}  # token -> (expiry, account number)
        self.token_requests = 0  # calls to the app's auth endpoint, answered or failed
        self._windows: dict[str, deque[float]] = {}
        self._periods: dict[str, tuple[float, int]] = {}  # fixed windows: key -> (period start, requests)
        limit, period = app.rate_default
        self.rate_limit = int(config.rate_limit if config.rate_limit is not None else limit)
        self.rate_period = float(config.rate_period if config.rate_period is not None else period)
        self.rate_window = app.rate_window  # "sliding" (Blikk) or "fixed" (Tripletex's periods)
        self._counts: dict[str, int] = {}
        self._log: list[list[Any]] = []
        self._bodies: list[dict[str, Any]] = []
        self.reset_stats()

    # -- faults ------------------------------------------------------------------
    def set_faults(self, **changes: float) -> dict[str, float]:
        clean = normalise_faults(changes)
        with self._lock:
            for key, value in clean.items():
                setattr(self.faults, key, value)
            return asdict(self.faults)

    def fault_settings(self) -> dict[str, float]:
        with self._lock:
            return asdict(self.faults)

    def roll(self, name: str) -> bool:
        with self._lock:
            p = float(getattr(self.faults, name))
            return p > 0 and (p >= 1 or self._rng.random() < p)

    # -- accounts -------------------------------------------------------------------
    def account_store(self, account: str | int | None) -> Store:
        """The data of account ``account`` (1 when not given); ValueError for an unknown one."""
        text = "1" if account is None or account == "" else str(account).strip()
        if not text.isdigit() or not 1 <= int(text) <= len(self.stores):
            raise ValueError(f"no account {account!r}; this sandbox has accounts 1 to {len(self.stores)}")
        return self.stores[int(text) - 1]

    # -- tokens and rate limit -------------------------------------------------------
    def token_requested(self) -> bool:
        """Count a token request; False while the configured token_fail answers are still due."""
        with self._lock:
            self.token_requests += 1
            return self.token_requests > self.config.token_fail

    def issue_token(self, account: int = 1) -> tuple[str, datetime]:
        """A new token for ``account`` and its expiry on the server's clock (naive UTC; the app formats it)."""
        token = f"pk_{uuid.uuid4()}.pa_{uuid.uuid4()}"
        ttl = float(self.config.token_ttl)
        with self._lock:
            now = time.time()
            self._tokens = {t: (exp, acc) for t, (exp, acc) in self._tokens.items() if exp > now}
            self._tokens[token] = (now + ttl, account)
        expires = datetime.now(UTC).replace(microsecond=0, tzinfo=None) + timedelta(seconds=ttl + self.clock_offset)
        return token, expires

    def token_account(self, token: str) -> int | None:
        """The account a live token was issued to; None for an unknown or expired token."""
        with self._lock:
            expiry, account = self._tokens.get(token, (0.0, 0))
            return account if time.time() < expiry else None

    def token_valid(self, token: str) -> bool:
        return self.token_account(token) is not None

    def admit(self, token: str) -> bool:
        """One request against ``token``'s limit; rejected requests do not count.

        "sliding": at most ``rate_limit`` in any ``rate_period`` seconds. "fixed": periods start at a
        caller's first request and every request past the limit is refused until the period ends.
        """
        with self._lock:
            now = time.monotonic()
            if self.rate_window == "fixed":
                start, used = self._period(token, now)
                if used >= self.rate_limit:
                    return False
            else:
                window = self._windows.setdefault(token, deque())
                while window and window[0] <= now - self.rate_period:
                    window.popleft()
                if len(window) >= self.rate_limit:
                    return False
            p = self.faults.burst_429
            if p > 0 and (p >= 1 or self._rng.random() < p):
                return False
            if self.rate_window == "fixed":
                self._periods[token] = (start, used + 1)
            else:
                window.append(now)
            return True

    def _period(self, token: str, now: float) -> tuple[float, int]:
        start, used = self._periods.get(token, (now, 0))
        if now - start >= self.rate_period:
            start, used = now, 0
        self._periods[token] = (start, used)
        return start, used

    def rate_status(self, token: str | None) -> tuple[int, int, int]:
        """(limit, remaining, whole seconds left in the period) for ``token`` (None: a caller not yet known)."""
        with self._lock:
            now = time.monotonic()
            if token is None:
                return self.rate_limit, self.rate_limit, round(self.rate_period)
            if self.rate_window == "fixed":
                start, used = self._period(token, now)
                left = self.rate_period - (now - start)
            else:
                window = self._windows.get(token, deque())
                used = sum(1 for t in window if t > now - self.rate_period)
                left = (window[0] + self.rate_period - now) if window else self.rate_period
            return self.rate_limit, max(0, self.rate_limit - used), max(0, int(-(-left // 1)))

    # -- statistics ---------------------------------------------------------------
    def arrived(self, method: str, path: str) -> list[Any]:
        entry: list[Any] = [method, path, 0]
        with self._lock:
            if method in ("GET", "POST", "PUT", "DELETE"):
                self._counts[method] += 1
            self._counts["total"] += 1
            self._log.append(entry)
        return entry

    def answered(self, entry: list[Any], status: int) -> None:
        with self._lock:
            entry[2] = status
            if status == 429:
                self._counts["429"] += 1

    def stats(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)

    def request_log(self) -> list[tuple[str, str, int]]:
        with self._lock:
            return [(str(m), str(p), int(s)) for m, p, s in self._log]

    def reset_stats(self) -> None:
        with self._lock:
            self._counts = {"GET": 0, "POST": 0, "PUT": 0, "DELETE": 0, "429": 0, "total": 0}
            self._log = []
            self._bodies = []

    # -- request bodies (an app that checks them against a spec records its verdicts) --------
    def record_body(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self._bodies.append(entry)

    def bodies(self) -> dict[str, Any]:
        """Every recorded request body with its verdict: {"total", "violations", "bodies": [...]}."""
        with self._lock:
            bodies = [dict(b) for b in self._bodies]
        bad = sum(1 for b in bodies if b.get("violations"))
        return {"total": len(bodies), "violations": bad, "bodies": bodies}
