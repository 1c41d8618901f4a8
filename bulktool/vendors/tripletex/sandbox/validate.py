"""Every request body checked against its operation's ``requestBody`` schema in the shipped spec.

The spec is OpenAPI 3.0; it becomes JSON Schema (draft 7) once per operation and method:
- ``$ref: #/components/schemas/X`` -> ``#/definitions/X``; every object model forbids properties it
  lacks (the real API's mapper: 422/16000 "Feltet eksisterer ikke i objektet.");
- a referenced object may be ``null``: the server accepts null to clear a reference although the spec
  marks almost nothing ``nullable`` (tripletex-facts.md "Nulls"); ``nullable: true`` allows null too;
- dates (by name: the spec gives them no ``format``) and enum values may be ``null`` as well: the
  server shows them as null when unset (employee
  ``userType`` always reads back null) and a record read back must be writable as it was read;
- a ``string`` also accepts a JSON number: the server's mapper coerces scalars (a JSON integer sent
  for a product ``number`` is stored as a string, tripletex-facts.md);
- ``readOnly`` properties are accepted with any value and ignored by the write: the real API answers
  whole objects read back and PUT unchanged, read-only fields included, and the facts' isCustomer
  report is of a PUT being applied, not rejected;
- ``required`` is dropped on PUT (partial update) and kept on POST (the spec has none today).
Wrong type or enum value: 422/16000 "Verdien er ikke av korrekt type for dette feltet."; a value
outside ``minimum``/``maximum``/length: 422/15000 "Validation failed". Each verdict is recorded in the
kit's body log (``GET /_sandbox/bodies``) so a test can assert a whole run sent 0 violations.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jsonschema import Draft7Validator

from bulktool.sandbox.context import current

from .errors import mapping_failed, value_invalid
from .model import schemas, spec

UNKNOWN = "Feltet eksisterer ikke i objektet."
WRONG_TYPE = "Verdien er ikke av korrekt type for dette feltet."
_RANGE = {"minimum", "maximum", "minLength", "maxLength", "exclusiveMinimum", "exclusiveMaximum"}


def _dated(name: str, prop: Any) -> Any:
    """A date property as a date: the spec gives Tripletex's dates no ``format`` (``Project.endDate`` is a
    bare string), yet they read back null when unset, so they must take null back like the others."""
    is_date = name == "date" or name.endswith("Date") or name.startswith("dateOf")
    if is_date and isinstance(prop, dict) and prop.get("type") == "string" and "format" not in prop:
        return {**prop, "format": "date"}
    return prop


def _convert(node: Any, put: bool) -> Any:
    if isinstance(node, list):
        return [_convert(n, put) for n in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return {"$ref": "#/definitions/" + str(node["$ref"]).rsplit("/", 1)[-1]}
    if node.get("readOnly"):
        return {}
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "properties":
            out[key] = {name: _convert(_dated(name, prop), put) for name, prop in value.items()}
        elif key not in ("readOnly", "nullable", "description", "example", "xml", "required" if put else ""):
            out[key] = _convert(value, put)
    kind = node.get("type")
    if kind == "string":
        out["type"] = ["string", "number"]
    # The server shows these as null when unset (dates, userType) and takes null back.
    nullable = node.get("nullable") or (kind == "string" and ("enum" in node or node.get("format") in
                                                              ("date", "date-time")))
    if nullable and kind:
        base = out.get("type", kind)
        out["type"] = [*(base if isinstance(base, list) else [base]), "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
    return out


def _model(schema: dict[str, Any], put: bool) -> dict[str, Any]:
    """A model; ``readOnly`` on a whole model (Currency, TimesheetEntry) is about its properties' use."""
    out = _convert({k: v for k, v in schema.items() if k != "readOnly"}, put)
    if "properties" in schema:
        out["type"] = ["object", "null"]
        out["additionalProperties"] = False
    return dict(out)


@cache
def _validator(method: str, op_path: str) -> Draft7Validator | None:
    op = spec()["paths"].get(op_path, {}).get(method.lower(), {})
    content = (op.get("requestBody") or {}).get("content") or {}
    if not content:
        return None
    body_schema = next(iter(content.values()))["schema"]
    put = method == "PUT"
    root = {"definitions": {name: _model(s, put) for name, s in schemas().items()}, **_convert(body_schema, put)}
    return Draft7Validator(root)


def _where(path: list[Any], bulk: bool) -> tuple[str, str, int | None]:
    """(field, path, rootId) in the API's notation: ``[2].postalAddress.city`` / ``null.name``."""
    index = path[0] if bulk and path and isinstance(path[0], int) else None
    rest = path[1:] if index is not None else path
    fld = ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in rest).replace(".[", "[")
    prefix = f"[{index}]" if index is not None else "null"
    return fld, f"{prefix}.{fld}" if fld else prefix, index


def _range_text(rule: str, limit: Any) -> str:
    if rule in ("minimum", "exclusiveMinimum"):
        return f"Verdien må være minst {limit}."
    if rule in ("maximum", "exclusiveMaximum"):
        return f"Verdien kan ikke være over {limit}."
    if rule == "maxLength":
        return f"Feltet kan ha maks {limit} tegn."
    return f"Feltet må ha minst {limit} tegn."


def violations(method: str, op_path: str, body: Any) -> list[dict[str, Any]]:
    """Validation messages (with ``code``) for ``body`` sent to ``method op_path``; [] when it is valid."""
    validator = _validator(method, op_path)
    if validator is None:
        return []
    bulk = op_path.endswith("/list") or (method == "DELETE" and not op_path.endswith("}"))
    out: list[dict[str, Any]] = []
    for err in sorted(validator.iter_errors(body), key=lambda e: [str(p) for p in e.absolute_path]):
        path = list(err.absolute_path)
        if err.validator == "additionalProperties" and isinstance(err.instance, dict):
            allowed = set(err.schema.get("properties", {}))
            for extra in sorted(k for k in err.instance if k not in allowed):
                fld, where, root = _where([*path, extra], bulk)
                out.append({"code": 16000, "field": fld, "message": UNKNOWN, "path": where, "rootId": root})
            continue
        fld, where, root = _where(path, bulk)
        code = 15000 if err.validator in _RANGE else 16000
        message = WRONG_TYPE if code == 16000 else _range_text(str(err.validator), err.validator_value)
        out.append({"code": code, "field": fld, "message": message, "path": where, "rootId": root})
    return out


def validate_body(method: str, op_path: str, body: Any) -> None:
    """Record the verdict in the body log, then answer 422 for a body the spec rejects."""
    found = violations(method, op_path, body)
    ctx = current()
    if ctx.runtime is not None:
        ctx.runtime.record_body({"method": method, "path": ctx.path, "operation": f"{method} {op_path}",
                                 "body": body, "violations": [dict(v) for v in found]})
    if not found:
        return
    codes = {v.pop("code") for v in found}
    raise mapping_failed(found) if 16000 in codes else value_invalid(found)
