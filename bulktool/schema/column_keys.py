"""Reading ``[[columns]]`` and ``[[write_only]]`` and the checks that span columns.

Column keys beyond the obvious ones (name, type, shapes, read_only, write, required, ...):

    write_part        "date" or "time": a date column and a time column that share one ``write``
                      name and are sent together as "YYYY-MM-DD HH:MM:SS" (tasks' startDate/startTime).
    cleared_by_update true: the record holds this field but no write can resend it, so a
                      full-replacement update clears it. Such rows are refused unless the user
                      passes ``--allow-clear`` with the column (or its top-level name, "location").
    create_default    a value sent on create when the row leaves the cell empty: what the vendor's
                      UI would give a new record (contacts' isActive = true). Writable columns only.
    server_assigns    true: when a write leaves this field empty the server assigns a value
                      (Blikk's customerNumber); the dry run says so on each such row.
    create_server_value  the value the server gives this field on every create, whatever the body
                      says (projects' invoiceType "ongoing"); the dry run shows it, and a different
                      value in the row gets a note.
    refers_to         the template name whose record id an integer ``*.id`` column holds (contacts'
                      company.id refers to contacts), so a delete can name the records that point at it.
    lookup            { column = "responsible", endpoint = "users", by = ["name", "email"] }: the sheet
                      may name the referenced record in ``column`` by a human value, compared with the
                      ``by`` list columns of ``endpoint`` (see schema.model.Lookup). Writable integer,
                      int_list and string (code or GUID) id columns.
    match             how values compare when they name a record: text, number, orgnr, email, phone or
                      code (see schema.model.MatchKind); default by type.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import pairwise
from pathlib import Path
from typing import Any, cast

from .model import COLUMN_TYPES, MATCH_KINDS, Column, ColumnType, Lookup, MatchKind, Shape, WriteOnlyField
from .toml_table import Table

COLUMN_KEYS = (
    "name", "type", "shapes", "read_only", "write", "required", "enum", "max_length", "decimals",
    "pattern", "minimum", "maximum", "nullable", "description", "write_part", "cleared_by_update", "create_default",
    "server_assigns", "create_server_value", "refers_to", "lookup", "match",
)
WRITE_ONLY_KEYS = ("write", "type", "from_column", "rule", "default", "required", "description")


def read_column(path: Path, data: object, i: int) -> Column:
    t = Table(path, data, f"columns[{i}]", COLUMN_KEYS)
    name = t.text("name", required=True, dotted=True) or ""
    t.where = f"columns[{i}] ({name})"
    ctype = t.text("type") or "string"
    if ctype not in COLUMN_TYPES:
        t.fail("type", f"unknown column type {ctype!r} (expected one of: {', '.join(COLUMN_TYPES)})")
    shapes = t.strings("shapes", choices=("list", "detail")) if "shapes" in t.data else ("list", "detail")
    if not shapes:
        t.fail("shapes", "must name at least one of 'list', 'detail'")
    read_only = t.flag("read_only", False)
    write = t.text("write", dotted=True)
    if read_only and write is not None:
        t.fail("write", "a read_only column cannot have a write name")
    required = t.strings("required", choices=("create", "update"))
    if required and write is None:
        t.fail("required", "only a writable column (one with 'write') can be required")
    enum = t.strings("enum") if "enum" in t.data else None
    if enum is not None and (not enum or ctype != "string"):
        t.fail("enum", "must be a non-empty array and only applies to string columns")
    max_length = t.number("max_length", minimum=1)
    if max_length is not None and ctype != "string":
        t.fail("max_length", "only applies to string columns")
    decimals = t.number("decimals", minimum=0)
    if decimals is not None and ctype != "decimal":
        t.fail("decimals", "only applies to decimal columns")
    pattern = t.text("pattern")
    if pattern is not None:
        if ctype not in ("string", "time"):
            t.fail("pattern", "only applies to string and time columns")
        try:
            re.compile(pattern)
        except re.error as exc:
            t.fail("pattern", f"is not a valid regular expression: {exc}")
    bounds: dict[str, float | None] = {}
    for k in ("minimum", "maximum"):
        v = t.data.get(k)
        if v is not None and (isinstance(v, bool) or not isinstance(v, int | float)):
            t.fail(k, f"must be a number, got {v!r}")
        if v is not None and ctype not in ("integer", "decimal"):
            t.fail(k, "only applies to integer and decimal columns")
        bounds[k] = float(v) if v is not None else None
    write_part = t.text("write_part")
    if write_part is not None:
        if write_part not in ("date", "time") or write_part != ctype:
            t.fail("write_part", f"{write_part!r} must be 'date' on a date column or 'time' on a time column")
        if write is None:
            t.fail("write_part", "only a writable column (one with 'write') can be part of a write")
    cleared = t.flag("cleared_by_update", False)
    if cleared and write is not None and ctype != "json":
        t.fail("cleared_by_update", "a writable column is resent by every update; only read-only or json "
                                    "columns can be cleared by one")
    default = t.data.get("create_default")
    if default is not None:
        if write is None:
            t.fail("create_default", "only a writable column (one with 'write') can have a create default")
        if ctype == "boolean" and not isinstance(default, bool):
            t.fail("create_default", f"must be true or false for a boolean column, got {default!r}")
        if ctype == "string" and not isinstance(default, str):
            t.fail("create_default", f"must be a string for a string column, got {default!r}")
    assigns = t.flag("server_assigns", False)
    if assigns and write is None:
        t.fail("server_assigns", "only a writable column (one with 'write') can be assigned by the server")
    refers_to = t.text("refers_to")
    if refers_to is not None and ctype != "integer":
        t.fail("refers_to", "only an integer id column can refer to another endpoint's records")
    return Column(
        name=name, type=cast(ColumnType, ctype), shapes=cast("tuple[Shape, ...]", shapes),
        read_only=read_only, write=write, required_create="create" in required,
        required_update="update" in required, enum=enum, max_length=max_length, decimals=decimals,
        pattern=pattern, minimum=bounds["minimum"], maximum=bounds["maximum"], nullable=t.flag("nullable", True),
        description=t.text("description") or "",
        write_part=cast(Any, write_part), cleared_by_update=cleared, create_default=default,
        server_assigns=assigns, create_server_value=_create_server_value(t, write, ctype),
        refers_to=refers_to, lookup=_lookup(path, t, ctype, write, i, name),
        match=cast("MatchKind | None", _match(t)),
    )


def _match(t: Table) -> str | None:
    match = t.text("match")
    if match is not None and match not in MATCH_KINDS:
        t.fail("match", f"{match!r} is not one of: {', '.join(MATCH_KINDS)}")
    return match


def _lookup(path: Path, t: Table, ctype: str, write: str | None, i: int, name: str) -> Lookup | None:
    if "lookup" not in t.data:
        return None
    if ctype not in ("integer", "int_list", "string") or write is None:
        t.fail("lookup", "only a writable id column (integer, int_list, or string for ids such as codes) can be "
                         "looked up by a human value")
    lt = Table(path, t.data["lookup"], f"columns[{i}] ({name}).lookup", ("column", "endpoint", "by"))
    column = lt.text("column", required=True) or ""
    endpoint = lt.text("endpoint", required=True) or ""
    by = lt.strings("by")
    if not by:
        lt.fail("by", "must name at least one column of the looked-up endpoint")
    return Lookup(column=column, endpoint=endpoint, by=by)


def _create_server_value(t: Table, write: str | None, ctype: str) -> object:
    value = t.data.get("create_server_value")
    if value is not None and (write is None or ctype != "string" or not isinstance(value, str)):
        t.fail("create_server_value", "only a writable string column can have a value the server sets on create")
    return value


def read_write_only(path: Path, data: object, i: int) -> WriteOnlyField:
    t = Table(path, data, f"write_only[{i}]", WRITE_ONLY_KEYS)
    write = t.text("write", required=True, dotted=True) or ""
    t.where = f"write_only[{i}] ({write})"
    wtype = t.text("type") or "boolean"
    if wtype not in COLUMN_TYPES:
        t.fail("type", f"unknown column type {wtype!r} (expected one of: {', '.join(COLUMN_TYPES)})")
    rule = t.text("rule") or "copy"
    if rule not in ("not_null", "copy"):
        t.fail("rule", f"{rule!r} is not one of: not_null, copy")
    required = t.strings("required", choices=("create", "update"))
    return WriteOnlyField(
        write=write, type=cast(ColumnType, wtype), from_column=t.text("from_column", dotted=True),
        rule=cast(Any, rule), default=t.data.get("default"), required_create="create" in required,
        required_update="update" in required, description=t.text("description") or "",
    )


def check_columns(top: Table, columns: list[Column], write_only: list[WriteOnlyField],
                   paths: dict[str, str | None]) -> None:
    seen: set[str] = set()
    for c in columns:
        if c.name in seen:
            top.fail("columns", f"duplicate column name {c.name!r}")
        seen.add(c.name)
    no_prefix_clash(top, "columns", [c.name for c in columns], "column")
    _check_write_parts(top, columns)
    whole = [c.write for c in columns if c.write and c.write_part != "time"]
    writes = whole + [w.write for w in write_only]
    dup = sorted({w for w in writes if writes.count(w) > 1})
    if dup:
        top.fail("columns", f"write name {dup[0]!r} is used by more than one column/write_only field")
    no_prefix_clash(top, "columns", writes, "write name")
    writable = bool(paths["create"] or paths["update"])
    for c in columns:
        where = f"columns ({c.name})"
        if c.write and not writable:
            top.fail(where, "has a write name but the template has no create or update path")
        if c.required_create and not paths["create"]:
            top.fail(where, "is required on create but the template has no create path")
        if c.required_update and not paths["update"]:
            top.fail(where, "is required on update but the template has no update path")
    for w in write_only:
        if not writable:
            top.fail(f"write_only ({w.write})", "the template has no create or update path")
        if w.from_column is not None and w.from_column not in seen:
            top.fail(f"write_only ({w.write}).from_column", f"{w.from_column!r} is not a column")


def _check_write_parts(top: Table, columns: list[Column]) -> None:
    """A write name used twice must be one date part and one time part; a part never stands alone."""
    by_write: dict[str, list[Column]] = {}
    for c in columns:
        if c.write:
            by_write.setdefault(c.write, []).append(c)
    for write, cols in by_write.items():
        parts = sorted(c.write_part or "" for c in cols)
        if any(c.write_part for c in cols) and parts != ["date", "time"]:
            top.fail("columns", f"write name {write!r}: a write_part needs exactly one 'date' and one 'time' "
                                f"column sharing it (got {', '.join(c.name for c in cols)})")


def no_prefix_clash(top: Table, key: str, names: Iterable[str], what: str) -> None:
    """`a` and `a.b` cannot both exist: flattening and unflattening would overwrite one with the other."""
    ordered = sorted(set(names))
    for a, b in pairwise(ordered):
        if b.startswith(a + "."):
            top.fail(key, f"{what} {a!r} collides with {b!r} (one is a parent of the other)")
