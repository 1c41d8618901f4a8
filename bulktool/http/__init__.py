"""The shared HTTP client, its throttles (fixed rate; announced by the server) and transport safety."""

from .client import HttpClient, RequestStats
from .pacing import AnnouncedRateLimiter, RateHeaders
from .security import check_base_url, is_loopback_host, redact
from .throttle import RateLimiter, SystemClock, backoff_delay, parse_retry_after, shared_limiter

__all__ = [
    "AnnouncedRateLimiter", "HttpClient", "RateHeaders", "RateLimiter", "RequestStats", "SystemClock",
    "backoff_delay", "check_base_url", "is_loopback_host", "parse_retry_after", "redact", "shared_limiter",
]
