"""User writes: POST and PUT on the collection ``/Api/v2/User/`` (the ``userName`` is the id, in the body).

Only an AgencyDirector writes users. ``password`` is write-only (kept, never served); a user's
``type`` cannot change (412), and ``customers``/``companies`` must name existing companies (412).
The subtype decides the extra field: ``customers`` (agency users), ``companies`` (CompanyUser),
``partnerId`` (PartnerUser); any other is an unknown field (400).
"""

from __future__ import annotations

from typing import Any

from bulktool.sandbox.app import Reply

from . import rules
from .call import Call, no_content, ok, require_director
from .errors import bad_request, conflict, not_found
from .model import USER_BASE, USER_EXTRA
from .validate import check, merge
from .writes import obj


# -- User (collection PUT, userName is the id) ---------------------------------------------------------
def _user_fields(kind: Any) -> dict[str, str]:
    return {**USER_BASE, **USER_EXTRA.get(str(kind), {})}


def user_post(call: Call) -> Reply:
    require_director(call, "create users")
    body = obj(call.body)
    if body.get("userName") in (None, ""):
        raise bad_request("User: 'userName' is required (it is the id).")
    kind = body.get("type")
    body = check("User", _user_fields(kind if kind in USER_EXTRA else "AgencyDirector"), body, partial=False)
    if call.data.find("User", None, str(body["userName"])) is not None:
        raise conflict(f"User '{body['userName']}' already exists")
    rules.user(call, body)
    password = body.pop("password", None)
    stored = {"userName": body["userName"], "type": kind, "name": None, "phone": None, "cellphone": None,
              "email": None, "language": None, **{k: None for k in USER_EXTRA[str(kind)]}, **body,
              "_password": password}
    call.data.add("User", None, str(body["userName"]), stored)
    return ok(stored)


def user_put(call: Call) -> Reply:
    require_director(call, "change users")
    body = obj(call.body)
    if body.get("userName") in (None, ""):
        raise bad_request("PUT /Api/v2/User/ takes the user's 'userName' in the body.")
    row = call.data.find("User", None, str(body["userName"]))
    if row is None:
        raise not_found(f"User '{body['userName']}' not found")
    body = check("User", _user_fields(row.obj.get("type")), body, partial=True)
    if "type" in body and body["type"] != row.obj.get("type"):
        rules.fixed(f"type of user '{row.key}'", "a user's type decides its fields")
    rules.user(call, body)
    if "password" in body:
        row.obj["_password"] = body.pop("password")
    row.obj = merge(row.obj, body)
    call.data.save("User", row)
    return ok(row.obj)


def user_delete(call: Call) -> Reply:
    require_director(call, "delete users")
    row = call.data.find("User", None, call.key)
    if row is None:
        raise not_found(f"User '{call.key}' not found")
    if row.key == call.caller.user_name:
        rules.fixed(f"user '{row.key}'", "a user cannot delete itself")
    call.data.drop("User", row)
    return no_content()
