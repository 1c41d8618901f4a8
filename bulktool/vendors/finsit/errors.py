"""Finsit's error object ``{typeOfError, message, identifier}`` as one clear, secret-free line.

Every non-2xx answer carries it (finsit-api-overview.txt, "Error messages"); ``identifier`` is a
GUID for the vendor's support and goes into every message (and ``request_id``) so a per-row
failure names it. ``typeOfError`` is one of NotFound, Forbidden, BadRequest, NotImplemented,
Conflict, Unknown, PreconditionFailed, InternalServerError and OperationCancelled (the last added to
the vendor's client in 2023-04, not in the overview); each is named as such in the message. A proxy
or web server may answer the same statuses "without the object" (an HTML 502/503): the line then
says what came back, and the HTTP client has already retried it when the request was a read.
Missing fields are empty, as in the vendor's client; a typeOfError bulktool does not know is kept.
"""

from __future__ import annotations

from typing import Any

import requests

from ...errors import (
    ApiError,
    AuthenticationError,
    NotFound,
    PermissionDenied,
    RateLimited,
    ServerError,
    ValidationFailed,
)
from ...http.reasons import describe_body

# What each documented typeOfError means, in the user's terms (the overview's "Error types").
MEANING = {
    "NotFound": "it does not exist",
    "Forbidden": "the user lacks permission for it (or the session ended)",
    "BadRequest": "a parameter or value is invalid",
    "NotImplemented": "the API does not implement this operation",
    "Conflict": "the element already exists",
    "Unknown": "something unexpected happened",
    "PreconditionFailed": "it would break a rule of the resource",
    "InternalServerError": "the server failed",
    "OperationCancelled": "the server cancelled the operation before it finished",
}
BY_STATUS = {400: "BadRequest", 403: "Forbidden", 404: "NotFound", 409: "Conflict", 412: "PreconditionFailed",
             500: "InternalServerError", 501: "NotImplemented"}


def error_object(response: requests.Response) -> dict[str, str] | None:
    """``{typeOfError, message, identifier}`` (names in any case, missing ones empty); None without one."""
    try:
        parsed: Any = response.json() if response.content else None
    except ValueError:
        return None
    if not isinstance(parsed, dict):
        return None
    lower = {str(k).lower(): v for k, v in parsed.items()}
    if not any(k in lower for k in ("typeoferror", "message", "identifier")):
        return None
    return {k: str(lower.get(k.lower()) or "").strip() for k in ("typeOfError", "message", "identifier")}


def _path_only(url: str) -> str:
    if "//" in url:
        rest = url.split("//", 1)[1]
        url = "/" + rest.split("/", 1)[1] if "/" in rest else "/"
    return url.split("?", 1)[0]


def finsit_error(response: requests.Response, method: str, url: str) -> ApiError:
    """The error object as the error tree's branch, its ``typeOfError`` and ``identifier`` in the line."""
    status = response.status_code
    obj = error_object(response)
    kind = (obj or {}).get("typeOfError") or ""
    said = (obj or {}).get("message") or ""
    ident = (obj or {}).get("identifier") or None
    where = f"{method} {_path_only(url)}"
    named = kind or BY_STATUS.get(status, "")
    meaning = MEANING.get(named, "")
    tag = f"HTTP {status}" + (f" {named}" if named else "")
    if obj is None:
        detail = f"the server sent {describe_body(response)} instead of Finsit's error object"
    else:
        detail = said or meaning or "no message"
        if said and meaning:
            detail = f"{meaning}: {said}"
    rid = f" (identifier {ident})" if ident else ""
    kw: dict[str, Any] = {"status": status, "method": method, "url": url, "body": obj, "request_id": ident,
                          "field_errors": {"(record)": [said]} if said else {}}
    line = f"{where}: {tag}: {detail}{rid}"
    if status == 401:
        return AuthenticationError(f"{line}. Check FINSIT_USER/FINSIT_PASSWORD or the OAuth values "
                                   "(or the profile).", **kw)
    if status == 403 or kind == "Forbidden":
        return PermissionDenied(f"{line}. The user may not see this company or resource: 'bulktool --system "
                                "finsit export companies' lists the companies it can.", **kw)
    if status == 404 or kind == "NotFound":
        return NotFound(f"{line}.", **kw)
    if status == 429:
        return RateLimited(f"{line}.", **kw)
    if kind == "OperationCancelled":
        return ServerError(f"{line}. Whether a write took effect is unknown; the next run reads it again.", **kw)
    if status >= 500:
        proxy = status in (502, 503, 504)
        hint = " The API (or a proxy before it) may be restarting; try again later." if proxy else ""
        return ServerError(f"{line}.{hint}", **kw)
    if status in (400, 409, 412, 422) or kind in ("BadRequest", "Conflict", "PreconditionFailed"):
        return ValidationFailed(f"{line}.", **kw)
    return ApiError(f"{line}.", **kw)
