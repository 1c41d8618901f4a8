"""How many requests a plan's writes take: what the dry run's apply-time estimate counts."""

from __future__ import annotations

from collections.abc import Iterable

from ..http.throttle import RateLimiter
from ..schema.model import Endpoint


def count_requests(ep: Endpoint | None, actions: Iterable[str], batch_size: int) -> int:
    """One request per batch where the endpoint has a bulk operation for the action, else one per write."""
    counts = {"create": 0, "update": 0, "delete": 0}
    for a in actions:
        counts[a] = counts.get(a, 0) + 1
    if ep is None or batch_size <= 1:
        return sum(counts.values())

    def requests(n: int, bulk_path: str | None) -> int:
        return -(-n // batch_size) if bulk_path else n

    return (requests(counts.pop("create"), ep.bulk_create_path) + requests(counts.pop("update"), ep.bulk_update_path)
            + sum(counts.values()))


def pace(limiter: RateLimiter) -> float:
    """Requests per second the apply will get: the limiter's own rate, or the rate the server announced
    in its answers (a limiter that learns it reports ``announced_rate``) when that is lower. Asked after
    the plan's reads, so a limiter that learns from the answers has heard the server by then."""
    rate = float(limiter.rate)
    announced = getattr(limiter, "announced_rate", None)
    if isinstance(announced, int | float) and not isinstance(announced, bool) and announced > 0:
        return min(rate, float(announced))
    return rate
