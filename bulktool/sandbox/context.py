"""What the request in progress is, for an app whose answers depend on more than the route handler sees.

The kit's route handlers get (store, ids, query, body); some vendors also need the request's headers
(Tripletex's ``If-None-Match``), its query on the auth path (Tripletex's session tokens travel in the
query), the signed-in session, or one request id shared by an error body and a response header. The
handler sets one ``RequestContext`` per request (each request runs in its own thread).
"""

from __future__ import annotations

import uuid
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from .app import Headers


@dataclass
class RequestContext:
    method: str
    path: str
    query: dict[str, str]
    headers: Headers
    body: bytes = b""
    request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    rate_key: str | None = None  # the rate-limit window this request counts against, once known
    session: Any = None  # whatever the app's ``account`` found out about the caller
    runtime: Any = None  # the serving Runtime (for an app's request-body log)
    target: str = ""  # the request target as sent (path still escaped, raw query): what OAuth 1.0a signs


REQUEST: ContextVar[RequestContext | None] = ContextVar("sandbox_request", default=None)


def current() -> RequestContext:
    """The request in progress (a bare context outside of one, e.g. in a Python-side control)."""
    ctx = REQUEST.get()
    if ctx is None:
        ctx = RequestContext("GET", "/", {}, _NoHeaders())
    return ctx


class _NoHeaders:
    def get(self, name: str, /) -> str | None:
        return None
