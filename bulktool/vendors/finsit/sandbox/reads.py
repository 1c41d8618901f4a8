"""The GETs: whole lists as bare JSON arrays (no paging) and single items, with the documented parameters."""

from __future__ import annotations

from typing import Any

from bulktool.sandbox.app import Reply

from .call import Call, allow_query, check_agency, company_row, date_range, ok, period_bounds
from .data import Row
from .errors import bad_request, forbidden, not_found

COMPANY_SCOPED_LABELS = {"FiscalYear": "Fiscal year", "Comment": "Comment", "KeyFigurePreset": "KeyFigurePreset",
                         "ChartOfAccounts": "ChartOfAccounts", "PeriodReport": "PeriodReport",
                         "KeyFigureValue": "KeyFigure"}


def _bool_param(call: Call, name: str) -> bool:
    text = call.query.get(name)
    if text is None:
        return False
    if text.lower() not in ("true", "false"):
        raise bad_request(f"{name} must be True or False, not '{text}'.")
    return text.lower() == "true"


def visible_companies(call: Call, show_all: bool) -> list[Row]:
    """Without showAll an agency user gets "My customers" (its ``customers``); showAll=True gives an
    AgencyDirector every company of the agency. Consultants and company users see only their own."""
    rows = call.data.rows("Company")
    if show_all and call.caller.agency_wide:
        return rows
    return [r for r in rows if r.key in call.caller.companies]


def company_list(call: Call) -> Reply:
    allow_query(call, "showAll")
    return ok([r.obj for r in visible_companies(call, _bool_param(call, "showAll"))])


def agency_company_list(call: Call) -> Reply:
    allow_query(call)
    return ok([r.obj for r in visible_companies(call, True)])


def company_get(call: Call) -> Reply:
    allow_query(call)
    return ok(company_row(call).obj)


def agency_list(call: Call) -> Reply:
    allow_query(call)
    return ok([r.obj for r in call.data.rows("Agency")])


def agency_get(call: Call) -> Reply:
    allow_query(call)
    check_agency(call.key)
    return ok(call.data.rows("Agency")[0].obj)


def company_types(call: Call) -> Reply:
    allow_query(call)
    check_agency(call.company)
    rows = call.data.rows("CompanyType")
    if call.key:
        found = [r for r in rows if r.key == call.key]
        if not found:
            raise not_found(f"CompanyType '{call.key}' not found")
        return ok(found[0].obj)
    return ok([r.obj for r in rows])


def user_list(call: Call) -> Reply:
    allow_query(call)
    rows = call.data.rows("User")
    if call.caller.type == "CompanyUser":
        rows = [r for r in rows if r.key == call.caller.user_name]
    return ok([r.obj for r in rows])


def user_get(call: Call) -> Reply:
    allow_query(call)
    if call.caller.type == "CompanyUser" and call.key != call.caller.user_name:
        raise forbidden(f"User '{call.caller.user_name}' may not read user '{call.key}'.")
    row = call.data.find("User", None, call.key)
    if row is None:
        raise not_found(f"User '{call.key}' not found")
    return ok(row.obj)


def me(call: Call) -> Reply:
    allow_query(call)
    row = call.data.find("User", None, call.caller.user_name)
    assert row is not None
    return ok(row.obj)


# -- company-scoped ----------------------------------------------------------------------------
def scoped_list(resource: str) -> Any:
    def handle(call: Call) -> Reply:
        company_row(call)
        if resource == "ChartOfAccounts":
            return _charts(call)
        if resource == "PeriodReport":
            return _period_reports(call)
        if resource == "KeyFigureValue":
            return _key_figure_values(call)
        allow_query(call)
        return ok([r.obj for r in call.data.rows(resource, call.company)])

    return handle


def scoped_get(resource: str) -> Any:
    def handle(call: Call) -> Reply:
        company_row(call)
        allow_query(call, *(("startDate", "endDate") if resource == "KeyFigureValue" else ()))
        row = call.data.find(resource, call.company, call.key)
        if row is None:
            raise not_found(f"{COMPANY_SCOPED_LABELS.get(resource, resource)} '{call.key}' not found")
        if resource == "KeyFigureValue":
            return ok(_values_in(row.obj, date_range(call)))
        return ok(row.obj)

    return handle


def key_figure_data(call: Call) -> Reply:
    company_row(call)
    allow_query(call)
    year = fiscal_year(call)
    row = call.data.find("KeyFigureData", call.company, year.key)
    return ok(row.obj if row is not None else [])


def fiscal_year(call: Call) -> Row:
    row = call.data.find("FiscalYear", call.company, call.parent)
    if row is None:
        raise not_found(f"Fiscal year '{call.parent}' not found")
    return row


def _charts(call: Call) -> Reply:
    allow_query(call, "startDate", "endDate")
    span = date_range(call)
    charts = call.data.rows("ChartOfAccounts", call.company)
    if span is None:
        return ok([r.obj for r in charts])
    lo, hi = span[0].isoformat(), span[1].isoformat() + "T23:59:59"
    used = {y.obj.get("chartOfAccountsId") for y in call.data.rows("FiscalYear", call.company)
            if str(y.obj["start"]) <= hi and str(y.obj["end"]) >= lo}
    return ok([r.obj for r in charts if r.key in used])


def _period_reports(call: Call) -> Reply:
    allow_query(call, "latest")
    rows = [r.obj for r in call.data.rows("PeriodReport", call.company)]
    latest = call.query.get("latest")
    if latest is not None:
        if not latest.isdigit() or int(latest) < 1:
            raise bad_request(f"latest must be a positive whole number, not '{latest}'.")
        rows = sorted(rows, key=lambda r: str(r["period"]["end"]), reverse=True)[: int(latest)]
    return ok(rows)


def _key_figure_values(call: Call) -> Reply:
    allow_query(call, "startDate", "endDate", "numberOfYears", "keyFigurePresetId")
    span = date_range(call)
    years, preset_id = call.query.get("numberOfYears"), call.query.get("keyFigurePresetId")
    rows = [r.obj for r in call.data.rows("KeyFigureValue", call.company)]
    if (years is None) != (preset_id is None):
        raise bad_request("numberOfYears and keyFigurePresetId go together.")
    if years is not None and preset_id is not None:
        if span is not None:
            raise bad_request("Give either startDate/endDate or numberOfYears/keyFigurePresetId, not both.")
        if not years.isdigit() or int(years) < 1:
            raise bad_request(f"numberOfYears must be a positive whole number, not '{years}'.")
        preset = call.data.find("KeyFigurePreset", call.company, preset_id)
        if preset is None:
            raise not_found(f"KeyFigurePreset '{preset_id}' not found")
        wanted = set(preset.obj.get("keyFigureTypes") or [])
        out = []
        for r in rows:
            if r["keyFigure"]["id"] in wanted:
                values = sorted(r["keyFigureValues"], key=lambda v: str(v["period"]["start"]))[-int(years):]
                out.append({**r, "keyFigureValues": values})
        return ok(out)
    return ok([_values_in(r, span) for r in rows])


def _values_in(result: dict[str, Any], span: Any) -> dict[str, Any]:
    if span is None:
        return result
    lo, hi = span[0].isoformat(), span[1].isoformat() + "T23:59:59"
    values = [v for v in result["keyFigureValues"]
              if period_bounds(v["period"])[0] <= hi and period_bounds(v["period"])[1] >= lo]
    return {**result, "keyFigureValues": values}
