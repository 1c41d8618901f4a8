"""Tripletex's rate limit: announced on every answer, counted per fixed period.

Every response carries ``X-Rate-Limit-Limit`` (100 in recorded answers), ``-Remaining`` and
``-Reset`` (seconds left in the period); past the limit every request gets 429 until the period
ends, and a 429 may come without ``Reset`` (a reported issue). The documentation states no fixed
figure, so bulktool paces by what the server announces (``http.pacing``) and caps the pace only
at ``--rate`` when given. One limiter per session credentials and host, shared by every thread.
"""

from __future__ import annotations

import hashlib

from ...http.pacing import AnnouncedRateLimiter, RateHeaders
from ...http.throttle import Clock, RateLimiter, shared_limiter

HEADERS = RateHeaders("X-Rate-Limit-Limit", "X-Rate-Limit-Remaining", "X-Rate-Limit-Reset")
# Before the first answer, and the ceiling when the server announces more: far above what any
# announced limit allows, so the announcement is what paces.
CEILING_PER_SECOND = 50


def tripletex_limiter(base_url: str, who: str, rate: int | None, *, clock: Clock | None = None) -> RateLimiter:
    """The shared limiter for one employee token on one host (``who`` is hashed, never kept)."""
    key = "tripletex:" + hashlib.sha256(f"{base_url}|{who}".encode()).hexdigest()[:16]
    per_second = rate or CEILING_PER_SECOND

    def make() -> RateLimiter:
        return AnnouncedRateLimiter(per_second, headers=HEADERS, clock=clock)

    lim = shared_limiter(key, per_second, make)
    return lim if isinstance(lim, AnnouncedRateLimiter) else make()
