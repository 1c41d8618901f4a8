"""The serving sandbox's clock, which may be set to run ahead of or behind real time.

Shared by every vendor's sandbox app: the handler sets the offset per request, and every stamp
an app writes reads ``server_now()``, so a client whose clock is off can be rehearsed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta

# How far the serving sandbox's clock is off real time, for the request (or control call) in progress. Set
# per request by the handler (each request runs in its own thread), so every stamp honours the server's clock.
CLOCK_OFFSET: ContextVar[float] = ContextVar("sandbox_clock_offset", default=0.0)


@contextmanager
def server_clock(offset_seconds: float) -> Iterator[None]:
    """Stamps made inside run on a clock ``offset_seconds`` ahead of (or, negative, behind) real time."""
    token = CLOCK_OFFSET.set(offset_seconds)
    try:
        yield
    finally:
        CLOCK_OFFSET.reset(token)


def server_now() -> datetime:
    """The server's time: naive UTC, whole seconds."""
    return (datetime.now(UTC) + timedelta(seconds=CLOCK_OFFSET.get())).replace(microsecond=0, tzinfo=None)
