"""Every /Api/v2 path and verb the sandbox serves (the fact sheet's endpoint summary, §4).

Resource names match case-insensitively (ASP.NET routing), ids exactly; a trailing slash is
optional. A verb the API lacks is 405 (e.g. POST FiscalYear: years come from SIE import); a PUT
on the wrong URL (item vs collection) is a 405 saying where it goes; a part of the API the
sandbox does not emulate (Document, SieImport, writes to ChartOfAccounts and Agency) is 501.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import reads, writes, writes_users
from .call import Handler
from .errors import FsError, not_allowed, not_found

PREFIX = "/api/v2"
COMPANY_SCOPED = {"fiscalyear": "FiscalYear", "comment": "Comment", "keyfigurepreset": "KeyFigurePreset",
                  "chartofaccounts": "ChartOfAccounts", "periodreport": "PeriodReport",
                  "keyfigurevalue": "KeyFigureValue", "document": "Document"}


@dataclass
class Found:
    handler: Handler
    company: str = ""
    key: str = ""
    parent: str = ""
    agency: str = ""  # /Agency/{shortName}/...: checked once the caller is known


def _pick(method: str, what: str, verbs: dict[str, Handler], **ids: str) -> Found | FsError:
    handler = verbs.get(method)
    if handler is None:
        return not_allowed(f"{what} does not support {method} (it takes {', '.join(verbs)}).")
    return Found(handler, **ids)


def _unemulated(what: str) -> FsError:
    return FsError(501, "NotImplemented", f"{what} is not emulated by the sandbox.")


def resolve(method: str, path: str) -> Found | FsError:
    if not path.lower().startswith(PREFIX + "/") and path.lower() != PREFIX:
        return not_found(f"No resource at '{path}'")
    segs = [s for s in path[len(PREFIX):].split("/") if s]
    low = [s.lower() for s in segs]
    n = len(segs)
    if n >= 1 and low[0] == "company":
        return _company(method, segs, low)
    if n >= 1 and low[0] == "agency":
        return _agency(method, segs, low)
    if low == ["user"]:
        return _pick(method, "/Api/v2/User/", {"GET": reads.user_list, "POST": writes_users.user_post,
                                               "PUT": writes_users.user_put})
    if n == 2 and low[0] == "user":
        if method == "PUT":
            return not_allowed("PUT goes to /Api/v2/User/ with the userName in the body, not to the item URL.")
        return _pick(method, "/Api/v2/User/{userName}", {"GET": reads.user_get, "DELETE": writes_users.user_delete},
                     key=segs[1])
    if low == ["me"]:
        return _pick(method, "/Api/v2/Me", {"GET": reads.me})
    if n >= 1 and low[0] == "sieimport":
        return _unemulated("SieImport")
    return not_found(f"No resource at '{path}'")


def _company(method: str, segs: list[str], low: list[str]) -> Found | FsError:
    n = len(segs)
    if n == 1:
        return _pick(method, "/Api/v2/Company", {"GET": reads.company_list, "POST": writes.company_post})
    cid = segs[1]
    if n == 2:
        return _pick(method, "/Api/v2/Company/{companyId}", {
            "GET": reads.company_get, "PUT": writes.company_put, "DELETE": writes.company_delete,
            "POST": writes.company_post}, company=cid, key=cid)
    resource = COMPANY_SCOPED.get(low[2])
    if resource is None:
        return not_found(f"No resource '{segs[2]}' under a company")
    if resource == "Document":
        return _unemulated("Document")
    if resource == "FiscalYear" and n == 5 and low[4] == "keyfiguredata":
        return _pick(method, "KeyFigureData", {"GET": reads.key_figure_data, "PUT": writes.key_figure_data_put,
                                               "DELETE": writes.key_figure_data_delete}, company=cid, parent=segs[3])
    if n == 3:
        return _collection(method, resource, cid)
    if n == 4:
        return _item(method, resource, cid, segs[3])
    return not_found(f"No resource at '/{'/'.join(segs)}'")


def _collection(method: str, resource: str, cid: str) -> Found | FsError:
    what = f"/Api/v2/Company/{{companyId}}/{resource}/"
    verbs: dict[str, Handler] = {"GET": reads.scoped_list(resource)}
    if resource == "Comment":
        verbs.update(POST=writes.comment_post, PUT=writes.comment_put)
    elif resource == "KeyFigurePreset":
        verbs["POST"] = writes.preset_post
        if method == "PUT":
            return not_allowed("PUT goes to .../KeyFigurePreset/{id}, the item URL.")
    elif resource == "FiscalYear":
        if method == "POST":
            return not_allowed("FiscalYear has no POST: fiscal years come from SIE import; PUT updates one.")
        if method == "PUT":
            return not_allowed("PUT goes to .../FiscalYear/{fiscalYearId}, the item URL.")
    elif resource == "ChartOfAccounts" and method in ("POST", "PUT"):
        return _unemulated("Writing a ChartOfAccounts")
    return _pick(method, what, verbs, company=cid)


def _item(method: str, resource: str, cid: str, key: str) -> Found | FsError:
    what = f"/Api/v2/Company/{{companyId}}/{resource}/{{id}}"
    verbs: dict[str, Handler] = {"GET": reads.scoped_get(resource)}
    if resource in ("Comment", "KeyFigurePreset", "ChartOfAccounts"):
        verbs["DELETE"] = writes.scoped_delete(resource)
    if resource == "Comment" and method in ("PUT", "POST"):
        return not_allowed(f"{method} goes to .../Comment/ with the id in the body, not to the item URL.")
    if resource == "KeyFigurePreset":
        verbs.update(POST=writes.preset_post, PUT=writes.preset_put)
    if resource == "FiscalYear":
        verbs.update(PUT=writes.fiscal_year_put, DELETE=writes.fiscal_year_delete)
        if method == "POST":
            return not_allowed("FiscalYear has no POST: fiscal years come from SIE import; PUT updates one.")
    if resource == "ChartOfAccounts" and method in ("POST", "PUT"):
        return _unemulated("Writing a ChartOfAccounts")
    return _pick(method, what, verbs, company=cid, key=key)


def _agency(method: str, segs: list[str], low: list[str]) -> Found | FsError:
    n = len(segs)
    if n == 1:
        if method in ("POST", "PUT", "DELETE"):
            return _unemulated("Writing an Agency")
        return _pick(method, "/Api/v2/Agency", {"GET": reads.agency_list})
    short = segs[1]
    if n == 2:
        if method in ("POST", "PUT", "DELETE"):
            return _unemulated("Writing an Agency")
        return _pick(method, "/Api/v2/Agency/{shortName}", {"GET": reads.agency_get}, key=short)
    if low[2] == "companytype" and n in (3, 4):
        return _pick(method, "CompanyType", {"GET": reads.company_types}, company=short,
                     key=segs[3] if n == 4 else "")
    if low[2] == "company" and n == 3:
        return _pick(method, "/Api/v2/Agency/{shortName}/Company", {
            "GET": reads.agency_company_list, "POST": writes.company_post}, agency=short)
    if low[2] == "company" and n == 4:
        return _pick(method, "/Api/v2/Agency/{shortName}/Company/{companyId}", {
            "GET": reads.company_get, "PUT": writes.company_put, "DELETE": writes.company_delete,
            "POST": writes.company_post}, company=segs[3], key=segs[3], agency=short)
    return not_found(f"No resource at '/{'/'.join(segs)}'")
