"""POST, PUT and DELETE: partial PUTs, client-given ids with 409, and the 412 rules (``rules.py``).

PUT goes to the item URL for Company, agency companies, FiscalYear and KeyFigurePreset, and to
the collection URL with the id in the body for Comment and User (fact sheet §1.1; User writes
are in ``writes_users``). KeyFigureData is one JSON array per fiscal year, and the sandbox takes
the strict reading of its undocumented semantics: the PUT **replaces** the year's list, so a
client that sends a partial list loses the items it left out (send the complete list, which is
right under either reading).
"""

from __future__ import annotations

from typing import Any

from bulktool.sandbox.app import Reply
from bulktool.sandbox.clock import server_now

from . import rules
from .call import Call, company_row, no_content, ok, require_director
from .errors import bad_request, conflict, forbidden, not_found
from .model import KEY_FIGURE_DATA, RESOURCES
from .reads import fiscal_year
from .seed_people import AGENCY, company_id
from .validate import check, merge


def _now() -> str:
    return server_now().isoformat(timespec="seconds")


def _body_id(call: Call, field: str, body: dict[str, Any]) -> None:
    """On an item URL the body's id, if given, must be the URL's."""
    given = body.get(field)
    if given is not None and given != call.key:
        raise bad_request(f"The {field} in the body ('{given}') does not match the URL ('{call.key}').")


# -- Company (and agency companies) ---------------------------------------------------------------
def company_post(call: Call) -> Reply:
    require_director(call, "create companies")
    body = check("Company", RESOURCES["Company"].fields, call.body, partial=False)
    if call.key:
        _body_id(call, "id", body)
    code = str(body["businessIdentityCode"])
    rules.org_number(code)
    cid = company_id(code)
    given = body.get("id") or call.key
    if given and given != cid:
        raise bad_request(f"A company of agency '{AGENCY}' has the id 'a-{AGENCY}-{{businessIdentityCode}}' "
                          f"= '{cid}', not '{given}'.")
    if call.data.find("Company", None, cid) is not None:
        raise conflict(f"Company '{cid}' already exists")
    rules.company(call, body)
    stored = {"id": cid, "typeOfCompany": "Company", "name": None, "businessIdentityCode": code,
              "contactInfo": None, "isVirtualFarmerCompany": None, "CompanyTypeId": None,
              **{k: v for k, v in body.items() if k != "id"}}
    call.data.add("Company", None, cid, stored)
    director = call.data.find("User", None, call.caller.user_name)
    if director is not None:
        director.obj["customers"] = [*(director.obj.get("customers") or []), cid]
        call.data.save("User", director)
        call.caller.companies.add(cid)
    return ok(stored)


def company_put(call: Call) -> Reply:
    row = company_row(call)
    if call.caller.type == "CompanyUser" and not rules.is_company_admin(call):
        raise forbidden(f"User '{call.caller.user_name}' may not change company '{call.company}'.")
    body = check("Company", RESOURCES["Company"].fields, call.body, partial=True)
    _body_id(call, "id", body)
    if "businessIdentityCode" in body and body["businessIdentityCode"] != row.obj.get("businessIdentityCode"):
        rules.fixed(f"businessIdentityCode of company '{call.company}'",
                    "its id is built from it (a-{agency}-{businessIdentityCode})")
    merged = merge(row.obj, body)
    rules.company(call, merged)
    row.obj = merged
    call.data.save("Company", row)
    return ok(merged)


def company_delete(call: Call) -> Reply:
    company_row(call)
    require_director(call, "delete companies")
    for resource in ("FiscalYear", "KeyFigureData", "Comment", "KeyFigurePreset", "KeyFigureValue",
                     "ChartOfAccounts", "PeriodReport"):
        for r in call.data.rows(resource, call.company):
            call.data.drop(resource, r)
    row = call.data.find("Company", None, call.company)
    assert row is not None
    call.data.drop("Company", row)
    return no_content()


# -- FiscalYear and its KeyFigureData -----------------------------------------------------------------
def fiscal_year_put(call: Call) -> Reply:
    company_row(call)
    call.parent = call.key
    row = fiscal_year(call)
    body = check("FiscalYear", RESOURCES["FiscalYear"].fields, call.body, partial=True)
    _body_id(call, "id", body)
    rules.unlocked(row)
    merged = merge(row.obj, body)
    rules.fiscal_year(call, row, merged)
    row.obj = merged
    call.data.save("FiscalYear", row)
    return ok(merged)


def fiscal_year_delete(call: Call) -> Reply:
    company_row(call)
    call.parent = call.key
    row = fiscal_year(call)
    rules.unlocked(row)
    data = call.data.find("KeyFigureData", call.company, row.key)
    if data is not None:
        call.data.drop("KeyFigureData", data)
    call.data.drop("FiscalYear", row)
    return no_content()


def key_figure_data_put(call: Call) -> Reply:
    company_row(call)
    year = fiscal_year(call)
    rules.unlocked(year)
    if not isinstance(call.body, list):
        raise bad_request("The body must be a JSON array of KeyFigureData (the whole list of the fiscal year).")
    items = [check("KeyFigureData", KEY_FIGURE_DATA, item, partial=True, where=f" [{i}]")
             for i, item in enumerate(call.body)]
    for i, item in enumerate(items):
        for name in ("keyFigureInfoId", "period"):
            if name not in item:
                raise bad_request(f"KeyFigureData [{i}]: '{name}' is required.")
    clean = [{"keyFigureInfoId": it["keyFigureInfoId"], "period": it["period"], "value": it.get("value"),
              "dimensionId": it.get("dimensionId")} for it in items]
    rules.key_figure_data(year, clean)
    row = call.data.find("KeyFigureData", call.company, year.key)
    if row is None:
        call.data.add("KeyFigureData", call.company, year.key, clean)
    else:
        row.obj = clean  # the strict reading: the PUT replaces the year's list
        call.data.save("KeyFigureData", row)
    return ok(clean)


def key_figure_data_delete(call: Call) -> Reply:
    company_row(call)
    year = fiscal_year(call)
    rules.unlocked(year)
    row = call.data.find("KeyFigureData", call.company, year.key)
    if row is not None:
        row.obj = []
        call.data.save("KeyFigureData", row)
    return no_content()


# -- Comment (collection PUT, client-given ids) ----------------------------------------------------------
def comment_post(call: Call) -> Reply:
    company_row(call)
    fields = RESOURCES["Comment"].fields
    if isinstance(call.body, dict) and call.body.get("id") in (None, ""):
        raise bad_request("Comment ids are given by the client: 'id' is required.")
    body = check("Comment", {**fields, "created": "datetime?", "lastModified": "datetime?"}, call.body,
                 partial=False)
    if call.data.find("Comment", call.company, str(body["id"])) is not None:
        raise conflict(f"Comment '{body['id']}' already exists")
    now = _now()
    stored = {"id": body["id"], "type": body["type"], "message": None, "created": now, "lastModified": now,
              "author": None, "period": None, "keyFigureType": None, **{k: v for k, v in body.items()}}
    stored["lastModified"] = now  # the server stamps it
    if body.get("created") is None:
        stored["created"] = now
    rules.period_order(stored.get("period"), "period")
    call.data.add("Comment", call.company, str(body["id"]), stored)
    return ok(stored)


def comment_put(call: Call) -> Reply:
    company_row(call)
    if not isinstance(call.body, dict) or call.body.get("id") in (None, ""):
        raise bad_request("PUT .../Comment/ takes the comment's 'id' in the body.")
    body = check("Comment", RESOURCES["Comment"].fields, call.body, partial=True)
    row = call.data.find("Comment", call.company, str(body["id"]))
    if row is None:
        raise not_found(f"Comment '{body['id']}' not found")
    merged = merge(row.obj, body)
    merged["lastModified"] = _now()
    rules.period_order(merged.get("period"), "period")
    row.obj = merged
    call.data.save("Comment", row)
    return ok(merged)


# -- KeyFigurePreset (item URL; six fixed ids) -------------------------------------------------------------
def preset_post(call: Call) -> Reply:
    company_row(call)
    if not call.key:
        raise bad_request("KeyFigurePreset ids are fixed names: POST to .../KeyFigurePreset/{id}.")
    body = check("KeyFigurePreset", RESOURCES["KeyFigurePreset"].fields, {"id": call.key, **obj(call.body)},
                 partial=False)
    _body_id(call, "id", obj(call.body))
    if call.data.find("KeyFigurePreset", call.company, call.key) is not None:
        raise conflict(f"KeyFigurePreset '{call.key}' already exists")
    stored = {"id": call.key, "name": None, "description": None, "keyFigureTypes": [], **body}
    call.data.add("KeyFigurePreset", call.company, call.key, stored)
    return ok(stored)


def preset_put(call: Call) -> Reply:
    company_row(call)
    row = call.data.find("KeyFigurePreset", call.company, call.key)
    if row is None:
        raise not_found(f"KeyFigurePreset '{call.key}' not found")
    body = check("KeyFigurePreset", RESOURCES["KeyFigurePreset"].fields, call.body, partial=True)
    _body_id(call, "id", body)
    row.obj = merge(row.obj, body)
    call.data.save("KeyFigurePreset", row)
    return ok(row.obj)


def scoped_delete(resource: str) -> Any:
    def handle(call: Call) -> Reply:
        company_row(call)
        row = call.data.find(resource, call.company, call.key)
        if row is None:
            raise not_found(f"{resource} '{call.key}' not found")
        if resource == "ChartOfAccounts":
            rules.chart_unused(call, row)
        call.data.drop(resource, row)
        return no_content()

    return handle


def obj(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise bad_request("The body must be a JSON object.")
    return body
