"""The 412 PreconditionFailed rules ("violating a rule of the resource") and the checks beside them.

From the fact sheet: a ChartOfAccounts cannot be deleted while a fiscal year uses it (§3.6), a
fiscal year's ``chartOfAccountsId`` refers to a chart, a company's ``CompanyTypeId`` to a
CompanyType of the agency, Fortnox codes never come together (§3.1). Sandbox rules (not from the
vendor, chosen to rehearse 412s and documented in the banner): the oldest seeded fiscal year of
each company is locked (closed books): its FiscalYear and KeyFigureData refuse PUT and DELETE; a
company's ``businessIdentityCode`` and a user's ``type`` cannot change; fiscal years may not
overlap; KeyFigureData periods lie inside their fiscal year.
"""

from __future__ import annotations

import re
from typing import Any

from .call import Call, period_bounds
from .data import Row
from .errors import FsError, bad_request, precondition

_ORG = re.compile(r"\d{6}-\d{4}")
_DIMENSION = re.compile(r"\d+(_\d+)*")  # a number path joined by "_": "2_12" = object 12 in dimension 2


def fixed(what: str, why: str) -> None:
    raise precondition(f"The {what} cannot change: {why}.")


def org_number(code: str) -> None:
    if not _ORG.fullmatch(code):
        raise bad_request(f"businessIdentityCode must look like 556898-6787, not '{code}'.")


def is_company_admin(call: Call) -> bool:
    user = call.data.find("User", None, call.caller.user_name)
    roles = (user.obj.get("companies") or []) if user is not None else []
    return any(r.get("companyId") == call.company and r.get("typeOfRole") == "Admin" for r in roles)


def company(call: Call, merged: dict[str, Any]) -> None:
    if merged.get("fortnoxAuthorizationCode") and merged.get("fortnoxExtendedAuthorizationCode"):
        raise bad_request("Give fortnoxAuthorizationCode or fortnoxExtendedAuthorizationCode, never both.")
    if (merged.get("fortnoxAuthorizationCode") or merged.get("fortnoxExtendedAuthorizationCode")) and \
            merged.get("typeOfCompany") != "FortnoxCompany":
        raise bad_request("Fortnox authorization codes are only for a company whose typeOfCompany is FortnoxCompany.")
    merged.pop("fortnoxAuthorizationCode", None)  # write-only: used once, never stored or served
    merged.pop("fortnoxExtendedAuthorizationCode", None)
    type_id = merged.get("CompanyTypeId")
    if type_id is not None and call.data.find("CompanyType", "testagency", str(type_id)) is None:
        raise precondition(f"CompanyType '{type_id}' does not exist in the agency.")


def unlocked(year: Row) -> None:
    if year.obj.get("_locked"):
        raise precondition(f"Fiscal year '{year.key}' is locked (its books are closed) and cannot be changed.")


def period_order(period: Any, name: str) -> None:
    if isinstance(period, dict) and "start" in period and "end" in period:
        start, end = period_bounds(period)
        if end < start:
            raise bad_request(f"'{name}.end' is before '{name}.start'.")


def fiscal_year(call: Call, row: Row, merged: dict[str, Any]) -> None:
    start, end = str(merged["start"])[:19], str(merged["end"])[:19]
    if end < start:
        raise bad_request("'end' is before 'start'.")
    for other in call.data.rows("FiscalYear", call.company):
        if other.key != row.key and str(other.obj["start"])[:19] <= end and str(other.obj["end"])[:19] >= start:
            raise precondition(f"Fiscal year {start[:10]}..{end[:10]} overlaps fiscal year '{other.key}'.")
    chart = merged.get("chartOfAccountsId")
    if chart is not None and call.data.find("ChartOfAccounts", call.company, str(chart)) is None:
        raise precondition(f"ChartOfAccounts '{chart}' does not exist.")
    active = merged.get("lastActiveDate")
    if active is not None and not start <= str(active)[:19] <= end:
        raise precondition("lastActiveDate lies outside the fiscal year.")


def key_figure_data(year: Row, items: list[dict[str, Any]]) -> None:
    ys, ye = str(year.obj["start"])[:19], str(year.obj["end"])[:19]
    seen: set[tuple[Any, ...]] = set()
    for i, item in enumerate(items):
        start, end = period_bounds(item["period"])
        if end < start:
            raise bad_request(f"KeyFigureData [{i}]: 'period.end' is before 'period.start'.")
        if start < ys or end > ye:
            raise precondition(f"KeyFigureData [{i}]: the period {start}..{end} lies outside fiscal year "
                               f"'{year.key}' ({ys}..{ye}).")
        dimension = item.get("dimensionId")
        if dimension is not None and not _DIMENSION.fullmatch(str(dimension)):
            raise bad_request(f"KeyFigureData [{i}]: dimensionId must be a number path like 2_12, not '{dimension}'.")
        key = (item["keyFigureInfoId"], start, end, dimension)
        if key in seen:
            raise bad_request(f"KeyFigureData [{i}]: {item['keyFigureInfoId']} for this period and dimension is "
                              "already in the list.")
        seen.add(key)


def chart_unused(call: Call, chart: Row) -> None:
    users = [y.key for y in call.data.rows("FiscalYear", call.company) if y.obj.get("chartOfAccountsId") == chart.key]
    if users:
        raise precondition(f"ChartOfAccounts '{chart.key}' is used by fiscal year '{users[0]}' and cannot be deleted.")


def user(call: Call, body: dict[str, Any]) -> None:
    known = {r.key for r in call.data.rows("Company")}
    for cid in body.get("customers") or []:
        if cid not in known:
            raise precondition(f"Company '{cid}' does not exist (in customers).")
    for role in body.get("companies") or []:
        if role.get("companyId") not in known:
            raise precondition(f"Company '{role.get('companyId')}' does not exist (in companies).")


__all__ = ["FsError"]
