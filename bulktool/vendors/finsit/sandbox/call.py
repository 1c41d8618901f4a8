"""One API call as the route handlers see it, and the helpers every handler shares."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bulktool.sandbox.app import Reply

from . import fsjson
from .auth import Caller
from .data import Data, Row, public
from .errors import bad_request, forbidden, not_found
from .seed_people import AGENCY

_QUERY_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass
class Call:
    data: Data
    caller: Caller
    query: dict[str, str]
    body: Any
    company: str = ""  # the company in the path (company-scoped resources, Company items)
    key: str = ""  # the item id in the path
    parent: str = ""  # the fiscal year of KeyFigureData
    forbidden_companies: set[str] = field(default_factory=set)


Handler = Callable[[Call], Reply]


def ok(payload: Any, status: int = 200) -> Reply:
    """A JSON answer with exact numbers and bare NaN/Infinity tokens."""
    return Reply(status, raw=fsjson.dumps(public(payload)).encode("utf-8"),
                 content_type="application/json; charset=utf-8")


def no_content() -> Reply:
    return Reply(204)


def allow_query(call: Call, *names: str) -> None:
    """Only the documented query parameters; anything else is a 400 (the API has no paging or sorting)."""
    unknown = [k for k in call.query if k not in names and not k.startswith("oauth_")]  # OAuth in the query
    if unknown:
        allowed = ", ".join(names) if names else "none"
        raise bad_request(f"Unknown query parameter '{unknown[0]}' (this resource takes: {allowed}).")


def query_date(call: Call, name: str) -> date | None:
    """``startDate``/``endDate`` are ``yyyy-MM-dd`` (the vendor's client writes them so)."""
    text = call.query.get(name)
    if text is None:
        return None
    try:
        if not _QUERY_DATE.fullmatch(text):
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise bad_request(f"{name} must be a date as yyyy-MM-dd, not '{text}'.") from None


def date_range(call: Call) -> tuple[date, date] | None:
    start, end = query_date(call, "startDate"), query_date(call, "endDate")
    if (start is None) != (end is None):
        raise bad_request("startDate and endDate go together.")
    if start is None or end is None:
        return None
    if end < start:
        raise bad_request("endDate is before startDate.")
    return start, end


def company_row(call: Call) -> Row:
    """The path's company, if the caller may reach it: 403 for a company the caller cannot see
    (whether or not it exists) and for a company switched to 403, 404 for an unknown one."""
    cid = call.company
    if not call.caller.may_see(cid):
        raise forbidden(f"User '{call.caller.user_name}' has no access to company '{cid}'.")
    if cid in call.forbidden_companies:
        raise forbidden(f"Access to company '{cid}' is forbidden.")
    row = call.data.find("Company", None, cid)
    if row is None:
        raise not_found(f"Company '{cid}' not found")
    return row


def check_agency(short_name: str) -> None:
    if short_name.lower() != AGENCY:
        raise not_found(f"Agency '{short_name}' not found")


def require_director(call: Call, what: str) -> None:
    if not call.caller.agency_wide:
        raise forbidden(f"User '{call.caller.user_name}' may not {what}: only an AgencyDirector may.")


def period_bounds(period: Any) -> tuple[str, str]:
    """(start, end) as comparable ``yyyy-MM-ddTHH:mm:ss`` text."""
    return str(period["start"])[:19], str(period["end"])[:19]
