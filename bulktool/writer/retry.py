"""What a failed write means, and how long to wait before trying again.

The decision that matters is whether the server may have acted on the
request. Only answers that prove it did nothing (502/503, 429, connection
refused) make a blind retry safe; anything that may have been applied goes
through the natural-key lookup (creates) or an idempotent replay (updates,
deletes).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from ..errors import ApiError, BulktoolError, ConnectionDropped, RateLimited, TransportError
from ..http.throttle import backoff_delay

Kind = Literal["not_applied", "maybe_applied", "rejected"]

NOT_APPLIED_STATUS = frozenset({502, 503})  # the API is restarting: it did nothing (vendor docs)
MAYBE_APPLIED_STATUS = frozenset({504})  # a gateway gave up waiting; the backend may still finish


def outcome_kind(exc: BulktoolError) -> Kind:
    """not_applied: safe to resend; maybe_applied: outcome unknown; rejected: the server said no."""
    if isinstance(exc, ConnectionDropped):
        return "maybe_applied"
    if isinstance(exc, TransportError | RateLimited):
        return "not_applied"
    if isinstance(exc, ApiError):
        if exc.status in NOT_APPLIED_STATUS:
            return "not_applied"
        if exc.status in MAYBE_APPLIED_STATUS or 200 <= exc.status < 300:
            return "maybe_applied"  # 2xx with an unreadable body: it happened, we just lack the reply
        return "rejected"
    return "rejected"


@dataclass
class RetryPolicy:
    """Capped exponential backoff with full jitter; ``sleep`` and ``rng`` are injectable for tests."""

    max_attempts: int = 5
    base: float = 0.5
    cap: float = 20.0
    sleep: Callable[[float], None] | None = None  # None: the engine's interruptible wait
    rng: random.Random = field(default_factory=random.Random)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")

    def delay(self, attempt: int) -> float:
        return backoff_delay(attempt, base=self.base, cap=self.cap, rng=self.rng)
