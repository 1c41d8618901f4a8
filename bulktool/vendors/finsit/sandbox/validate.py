"""Request bodies against the models (``model.py``): exact names, types, nulls; and partial merges.

Strict where the fact sheet gives no leeway: a name in another casing, an unknown name or a
client-computed flag is a 400 naming it; a JSON number where a string belongs is a 400 (Json.NET
would coerce some of these; the sandbox is at least as strict as the documentation).
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Any

from .errors import bad_request
from .model import COMPUTED, OBJECTS, ROLES, Fields

_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?(Z|[+-]\d{2}:\d{2})?")


def check(model: str, fields: Fields, body: Any, *, partial: bool, where: str = "") -> dict[str, Any]:
    """``body`` checked against ``fields``; with ``partial`` a field may be absent (a PUT), else every
    non-nullable one must be there (a create)."""
    if not isinstance(body, dict):
        raise bad_request(f"The body{where} must be a JSON object (a {model}).")
    by_lower = {name.lower(): name for name in fields}
    for key, value in body.items():
        if key in COMPUTED.get(model, ()):
            raise bad_request(f"{where.strip(' :') + ': ' if where else ''}'{key}' is computed by the client, not a "
                              f"{model} field; leave it out.")
        if key not in fields:
            near = by_lower.get(key.lower())
            hint = f" (the field is '{near}'; names are case-sensitive)" if near else ""
            at = f" at '{where.strip()}'" if where else ""
            raise bad_request(f"Unknown field '{key}' in {model}{at}{hint}.")
        _value(fields[key], value, f"{where.strip(' :') + '.' if where else ''}{key}", partial=partial)
    if not partial:
        for name, kind in fields.items():
            if not kind.endswith("?") and name not in body:
                raise bad_request(f"{model}{where}: '{name}' is required.")
    return body


def _value(kind: str, value: Any, name: str, *, partial: bool) -> None:
    nullable = kind.endswith("?")
    base = kind.rstrip("?")
    if value is None:
        if not nullable:
            raise bad_request(f"'{name}' cannot be null.")
        return
    if base == "string":
        ok = isinstance(value, str)
    elif base == "bool":
        ok = isinstance(value, bool)
    elif base == "int":
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif base == "decimal":
        ok = isinstance(value, (int, Decimal)) and not isinstance(value, bool)
    elif base == "datetime":
        ok = isinstance(value, str) and _is_datetime(value)
        if not ok:
            raise bad_request(f"'{name}' must be a date and time as yyyy-MM-ddTHH:mm:ss, not {value!r}.")
    elif base.startswith("enum:"):
        allowed = base[5:].split("|")
        if value not in allowed:
            raise bad_request(f"'{name}' must be one of {', '.join(allowed)}, not {value!r}.")
        ok = True
    elif base == "list:string":
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
    elif base == "list:role":
        ok = isinstance(value, list)
        for i, role in enumerate(value if ok else []):
            check("CompanyRole", {"companyId": "string", "typeOfRole": "enum:" + "|".join(ROLES)}, role,
                  partial=False, where=f" {name}[{i}]")
    elif base.startswith("object:"):
        check(base[7:], OBJECTS[base[7:]], value, partial=partial, where=f" {name}")
        ok = True
    else:  # pragma: no cover - a model typo
        raise AssertionError(kind)
    if not ok:
        raise bad_request(f"'{name}' must be {_article(base)}, not {_json_type(value)}.")


def _is_datetime(text: str) -> bool:
    if not _DATETIME.fullmatch(text):
        return False
    try:
        datetime.fromisoformat(text[:19])
    except ValueError:
        return False
    return True


def _article(base: str) -> str:
    return {"string": "a string", "bool": "true or false", "int": "a whole number", "decimal": "a number",
            "list:string": "a list of strings", "list:role": "a list of {companyId, typeOfRole}"}.get(base, base)


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, Decimal)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"


def merge(stored: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """A partial PUT: absent fields stay, ``null`` clears, nested objects merge, lists replace."""
    out = dict(stored)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out
