"""The canonical TOML text of an endpoint template, for scripts that regenerate templates.

``scripts/tripletex_templates.py`` parses a template (``tomllib``), recomputes the facts it owns and
writes it back with ``render_template``: the same data always gives the same bytes, so a re-run
with nothing changed is a no-op and a diff shows only real changes. Comments are not kept, except
the header the caller passes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

TOP_ORDER = (
    "name", "title", "version", "description", "systems", "id_field", "natural_key", "sort_fields",
    "changed_since_filter", "last_updated_field", "version_field", "nested_ids", "list_passes",
    "read_permission", "write_permission", "create_status",
)
TABLE_ORDER = ("paths", "filters")
ARRAY_ORDER = ("columns", "write_only")
PATH_ORDER = ("list", "get", "create", "update", "delete", "bulk_create", "bulk_update")
COLUMN_ORDER = (
    "name", "type", "enum", "max_length", "decimals", "pattern", "minimum", "maximum", "read_only", "write",
    "write_part", "refers_to", "required", "nullable", "create_default", "server_assigns", "create_server_value",
    "cleared_by_update", "shapes", "description",
)
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(k: str) -> str:
    return k if _BARE_KEY.match(k) else json.dumps(k, ensure_ascii=False)


def _scalar(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)  # a JSON string is a TOML basic string
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_key(k)} = {_scalar(x)}" for k, x in v.items()) + "}"
    if isinstance(v, list):
        one_line = "[" + ", ".join(_scalar(x) for x in v) + "]"
        if len(one_line) <= 100:
            return one_line
        return "[\n" + "".join(f"    {_scalar(x)},\n" for x in v) + "]"
    raise TypeError(f"cannot write {type(v).__name__} {v!r} as TOML")


def _value(v: Any) -> str:
    if isinstance(v, str) and "\n" in v and '"""' not in v and "\\" not in v:
        return '"""\n' + v + '"""'  # TOML drops the newline that follows the opening quotes
    return _scalar(v)


def _ordered(d: Mapping[str, Any], order: tuple[str, ...]) -> list[str]:
    return [k for k in order if k in d] + sorted(k for k in d if k not in order)


def render_template(template: Mapping[str, Any], header: str = "") -> str:
    """The one text form of a parsed template (``header``: its leading comment lines).

    Fixed key order, one line per key, arrays of more than 100 characters one item a line: a
    re-run that changes no fact changes no byte.
    """
    out = [header.rstrip("\n"), ""] if header else []
    for k in _ordered({k: v for k, v in template.items() if k not in (*TABLE_ORDER, *ARRAY_ORDER)}, TOP_ORDER):
        out.append(f"{_key(k)} = {_value(template[k])}")
    for table in TABLE_ORDER:
        if table in template:
            body = template[table]
            out += ["", f"[{table}]"]
            out += [f"{_key(k)} = {_value(body[k])}" for k in _ordered(body, PATH_ORDER if table == "paths" else ())]
    for array in ARRAY_ORDER:
        for item in template.get(array, []):
            out += ["", f"[[{array}]]"]
            out += [f"{_key(k)} = {_value(item[k])}" for k in _ordered(item, COLUMN_ORDER)]
    return "\n".join(out) + "\n"
