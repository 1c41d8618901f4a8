"""Tripletex's error envelope as one clear, secret-free sentence (and per-item messages for a batch).

The envelope: ``{status, code, message, link, developerMessage, validationMessages: [{field,
message, path, rootId}] | null, requestId}``; the header ``x-tlx-request-id`` carries the same id.
``path`` is ``null.<field>`` on a single object and ``[i].<field>`` in a bulk (``/list``) request,
which is all-or-nothing: a 422 naming positions becomes ``BatchRejected`` with those positions'
messages, the server's Norwegian text verbatim. Codes seen (tripletex-facts.md): 3000 auth, 6000 not
found, 7000 duplicate, 8000 revision (stale ``version``), 9000 permission, 11000 illegal field in a
``fields`` filter, 14000 duplicate, 15000 validation, 16000 request mapping, 18000 business rules,
23000 result set too large, 1000 server error.
"""

from __future__ import annotations

import re
from typing import Any

import requests

from ...errors import (
    ApiError,
    AuthenticationError,
    BatchRejected,
    NotFound,
    PermissionDenied,
    RateLimited,
    ServerError,
    ValidationFailed,
    VersionConflict,
)
from ...http.reasons import describe_body

SESSION_PATH = "/token/session/:create"
_POSITION = re.compile(r"^\[(\d+)\]\.?(.*)$")


def _path_only(url: str) -> str:
    if "//" in url:
        rest = url.split("//", 1)[1]
        url = "/" + rest.split("/", 1)[1] if "/" in rest else "/"
    return url.split("?", 1)[0]


def _field_of(vm: dict[str, Any]) -> tuple[int | None, str]:
    """(batch position or None, field name) of one validation message."""
    path = vm.get("path")
    name = str(vm.get("field") or "")
    if isinstance(path, str) and path:
        found = _POSITION.match(path)
        if found:
            return int(found.group(1)), found.group(2) or name
        return None, path.removeprefix("null.") or name
    return None, name


def _messages(body: dict[str, Any]) -> list[tuple[int | None, str, str]]:
    out: list[tuple[int | None, str, str]] = []
    for vm in body.get("validationMessages") or []:
        if isinstance(vm, dict):
            pos, name = _field_of(vm)
            out.append((pos, name, str(vm.get("message") or "").strip()))
    return out


def _token_error(body: dict[str, Any], messages: list[tuple[int | None, str, str]], kw: dict[str, Any]) -> ApiError:
    fields = " ".join(name for _, name, _ in messages) + " " + str(body.get("message") or "")
    which = [t for t, label in (("consumer", "consumerToken"), ("employee", "employeeToken")) if label in fields]
    named = " and the ".join(which) or "consumer or employee"
    env = " / ".join(f"TRIPLETEX_{w.upper()}_TOKEN" for w in which or ("consumer", "employee"))
    code = body.get("code")
    return AuthenticationError(
        f"Tripletex refused to open a session: the {named} token is invalid or does not exist "
        f"(HTTP {kw['status']}{f', code {code}' if code else ''}). Check {env} or the profile's tokens, "
        "and that they belong to this environment (--base-url).", **kw)


def tripletex_error(response: requests.Response, method: str, url: str) -> ApiError:
    """The envelope as the error tree's branch, with the requestId in every message."""
    status = response.status_code
    try:
        parsed: Any = response.json() if response.content else None
    except ValueError:
        parsed = None
    body: dict[str, Any] = parsed if isinstance(parsed, dict) else {}
    code = body.get("code") if isinstance(body.get("code"), int) else None
    message = str(body.get("message") or "").strip()
    developer = str(body.get("developerMessage") or "").strip()
    request_id = body.get("requestId") or response.headers.get("x-tlx-request-id")
    request_id = str(request_id) if request_id else None
    path = _path_only(url)
    where = f"{method} {path}"
    rid = f" (requestId {request_id})" if request_id else ""
    tag = f"HTTP {status}" + (f", code {code}" if code is not None else "")
    messages = _messages(body)
    field_errors: dict[str, list[str]] = {}
    items: dict[int, list[str]] = {}
    for pos, name, text in messages:
        field_errors.setdefault(name or "(record)", []).append(text)
        if pos is not None:
            items.setdefault(pos, []).append(f"{name}: {text}" if name else text)
    detail = "; ".join(f"{'[' + str(p) + '] ' if p is not None else ''}{n + ': ' if n else ''}{t}"
                       for p, n, t in messages)
    said = detail or message or developer or (describe_body(response) if parsed is None else "no message")
    kw: dict[str, Any] = {"status": status, "method": method, "url": url, "body": parsed,
                          "request_id": request_id, "field_errors": field_errors}

    if path.rstrip("/").endswith(SESSION_PATH) and status in (400, 401, 404, 422):
        return _token_error(body, messages, kw)
    if status == 401:
        if "username" in developer.lower():
            return AuthenticationError(
                f"{where}: Tripletex refused the company id as the login user ({tag}: {developer}). "
                f"--company (or TRIPLETEX_COMPANY_ID) must be a company id number{rid}.", **kw)
        return AuthenticationError(
            f"{where}: not authenticated ({tag}: {developer or message or 'Unauthorized'}); the session "
            f"token was refused even after a new session was made{rid}.", **kw)
    if status == 403:
        return PermissionDenied(
            f"{where}: no access ({tag}: {message or 'forbidden'}). The employee token lacks this "
            "permission, or (with --company) access to that client company: an accounting office can "
            f"use only the companies GET /company/>withLoginAccess lists{rid}.", **kw)
    if status == 404:
        return NotFound(f"{where}: not found ({tag}: {message or 'Object not found'}). "
                        f"Check the path and --base-url (the API root ends in /v2){rid}.", **kw)
    if status == 429:
        return RateLimited(f"{where}: rate limited ({tag}){rid}.", **kw)
    if code == 8000 or (status == 409 and code is None and "revision" in (message + developer).lower()):
        return VersionConflict(
            f"{where}: the record was changed by someone else after it was read: the update carried an "
            f"older version ({tag}: {message or 'RevisionException'}){rid}.", **kw)
    if status >= 500:
        hint = " The API may be restarting or down for maintenance; try again later." if status in (502, 503) else ""
        return ServerError(f"{where} failed ({tag}: {message or developer or 'server error'}){rid}.{hint}", **kw)
    text = _wording(code, tag, said)
    if items:
        return BatchRejected(f"{where}: the batch was rejected whole, nothing in it was saved; {text}{rid}",
                             items=items, **kw)
    if status in (400, 409, 422):
        return ValidationFailed(f"{where} was rejected: {text}{rid}", **kw)
    return ApiError(f"{where} failed: {text}{rid}", **kw)


def _wording(code: int | None, tag: str, said: str) -> str:
    """Each documented code in plain words, the server's own text after it."""
    if code in (7000, 14000):
        return f"it would duplicate a record that exists ({tag}): {said}"
    if code == 15000:
        return f"a value is invalid ({tag}): {said}"
    if code == 18000:
        return f"a business rule refused it ({tag}): {said}"
    if code == 16000:
        return (f"the body does not fit the API's model, an unknown field or a value of the wrong type "
                f"({tag}): {said}")
    if code == 11000:
        return (f"the request asked for a field this Tripletex does not have ({tag}): {said}. "
                "The endpoint template may not match this API version")
    if code == 23000:
        return f"the result set is too large ({tag}): {said}. Narrow it with --filter"
    if code in (3000, 9000):
        return f"not allowed ({tag}): {said}"
    return f"{tag}: {said}"
