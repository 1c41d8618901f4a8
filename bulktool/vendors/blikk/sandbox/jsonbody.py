"""Request bodies parsed as leniently as JSON.NET: trailing commas (as in the docs' own examples) pass."""

from __future__ import annotations

import json
from typing import Any

from bulktool.sandbox.invalid import Invalid


def strip_trailing_commas(text: str) -> str:
    """Remove commas directly before } or ], outside strings."""
    out: list[str] = []
    in_string = escaped = False
    pending_comma = -1
    for ch in text:
        if in_string:
            out.append(ch)
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
            continue
        if ch in "}]" and pending_comma >= 0:
            del out[pending_comma]
        if not ch.isspace():
            pending_comma = -1
        if ch == ",":
            pending_comma = len(out)
        elif ch == '"':
            in_string = True
        out.append(ch)
    return "".join(out)


def parse_body(raw: bytes) -> dict[str, Any]:
    """A JSON object, or a 400 the way the API words it."""
    if not raw.strip():
        raise Invalid({"body": ["A non-empty request body is required."]})
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid({"body": ["The request body is not valid UTF-8."]}) from None
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        try:
            value = json.loads(strip_trailing_commas(text))
        except json.JSONDecodeError as exc:
            raise Invalid(
                {"body": [f"Invalid JSON: {exc.msg} at line {exc.lineno}, position {exc.colno}."]}
            ) from None
    if not isinstance(value, dict):
        raise Invalid({"body": ["The request body must be a JSON object."]})
    return value
