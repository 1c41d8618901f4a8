"""Records as the API shows them: ``fields`` selection, sub-objects as ``{id, url}`` unless expanded.

``fields`` grammar (overview "Fields"): a comma list of names, ``*`` for all, ``name(...)`` to expand
a sub-object with its own selection (``postalAddress(city)``, ``accountManager(*)``). Fields come
back in the API's own order (id, version, url first, then the model's), whatever order they are
named in. An unknown name is 400/11000 naming the model (tripletex-facts.md "Lists and fields").
"""

from __future__ import annotations

from typing import Any

from bulktool.sandbox.store import Record, Store

from .errors import TxError
from .model import BY_SCHEMA, OWNED, ref_name, schemas, url_for

Selection = dict[str, "Selection | None"]  # name -> sub-selection (None = not expanded)
ALL: Selection = {"*": None}
_FIRST = ("id", "version", "changes", "url")


def parse_fields(text: str | None) -> Selection:
    """``a,b(c,d(*)),*`` -> {"a": None, "b": {"c": None, "d": {"*": None}}, "*": None}."""
    text = (text or "").strip()
    if not text:
        return dict(ALL)
    pos = 0

    def parse_list() -> Selection:
        nonlocal pos
        out: Selection = {}
        while pos < len(text):
            start = pos
            while pos < len(text) and text[pos] not in ",()":
                pos += 1
            name = text[start:pos].strip()
            sub: Selection | None = None
            if pos < len(text) and text[pos] == "(":
                pos += 1
                sub = parse_list()
                if pos >= len(text) or text[pos] != ")":
                    raise TxError(400, 11000, f"Illegal fields filter: {text}", f"Unbalanced parentheses in {text}")
                pos += 1
            if name:
                out[name] = sub if sub is not None else out.get(name)
            if pos < len(text) and text[pos] == ",":
                pos += 1
                continue
            if pos < len(text) and text[pos] == ")":
                return out
        return out

    result = parse_list()
    if pos < len(text):
        raise TxError(400, 11000, f"Illegal fields filter: {text}", f"Unbalanced parentheses in {text}")
    return result or dict(ALL)


def check_fields(schema: str, sel: Selection) -> None:
    """400/11000 for a name the model lacks, at any depth."""
    props = schemas()[schema]["properties"]
    for name, sub in sel.items():
        if name == "*":
            continue
        if name not in props:
            raise TxError(
                400, 11000,
                f"Illegal field in fields filter: {name}. {name} does not match a field in the model: {schema}DTO",
                f"Illegal field in fields filter: {name}. {name} does not match a field in the model: {schema}DTO",
            )
        target = _target(props[name])
        if sub is not None and target is not None:
            check_fields(target, sub)


def _target(prop: dict[str, Any]) -> str | None:
    """The object schema a property holds (directly or as array items)."""
    name = ref_name(prop)
    if name is None and prop.get("type") == "array":
        name = ref_name(prop.get("items") or {})
    return name if name in schemas() else None


def order(schema: str) -> list[str]:
    props = list(schemas()[schema]["properties"])
    return [p for p in _FIRST if p in props] + [p for p in props if p not in _FIRST]


def default_value(prop: dict[str, Any]) -> Any:
    """What the API shows for a property never set: "" for text, null for references and dates."""
    if "$ref" in prop:
        return None
    kind = prop.get("type")
    if kind == "string":
        if prop.get("format") in ("date", "date-time"):
            return None
        enum = prop.get("enum")
        return enum[0] if enum else ""
    if kind == "boolean":
        return False
    if kind in ("integer", "number"):
        return 0
    if kind == "array":
        return []
    return None


def render(store: Store, schema: str, rec: Record, sel: Selection | None = None) -> dict[str, Any]:
    """``rec`` as the API shows it under ``sel`` (None = everything, sub-objects as {id, url})."""
    sel = ALL if sel is None else sel
    props = schemas()[schema]["properties"]
    star = "*" in sel
    out: dict[str, Any] = {}
    for name in order(schema):
        if not star and name not in sel:
            continue
        prop = props[name]
        sub = sel.get(name)
        if name == "url":
            out[name] = url_for(schema, rec.get("id"))
            continue
        if name == "changes":  # only when asked for: "*,changes" (overview "Changes")
            if name in sel:
                out[name] = rec.get("_changes", [])
            continue
        value = rec.get(name, default_value(prop)) if name in rec else computed(schema, name, rec, prop)
        out[name] = _show(store, prop, value, sub)
    return out


def computed(schema: str, name: str, rec: Record, prop: dict[str, Any]) -> Any:
    """Read-only values the server derives (displayName and friends)."""
    if name == "displayName":
        if "firstName" in rec or "lastName" in rec:
            return f"{rec.get('firstName', '')} {rec.get('lastName', '')}".strip()
        number = rec.get("number") or rec.get("customerNumber") or rec.get("departmentNumber")
        label = rec.get("name", "")
        return f"{number} {label}".strip() if number and schema in ("Project", "Account", "Department") else label
    if name == "addressAsString":
        place = f"{rec.get('postalCode', '')} {rec.get('city', '')}".strip()
        return ", ".join(x for x in (rec.get("addressLine1"), place) if x)
    return default_value(prop)


def _show(store: Store, prop: dict[str, Any], value: Any, sub: Selection | None) -> Any:
    target = _target(prop)
    if target is None or value is None:
        return value
    if isinstance(value, list):
        return [_object(store, target, v, sub) for v in value]
    return _object(store, target, value, sub)


def _object(store: Store, schema: str, value: Any, sub: Selection | None) -> Any:
    if not isinstance(value, dict):
        return value
    rid = value.get("id")
    if sub is None:
        return {"id": rid, "url": url_for(schema, rid)}
    if schema in OWNED or BY_SCHEMA.get(schema) is None:
        return render(store, schema, value, sub)
    rec = store.get(BY_SCHEMA[schema].name, rid)
    return render(store, schema, rec if rec is not None else {"id": rid}, sub)
