"""Load endpoint templates (``templates/<system>/<name>.toml``) into the schema model.

Vendor quirks live in reviewed data files rather than code, so the loader is
strict: a typo in a template fails at load time with the file and key named,
instead of silently dropping a column from every export and import.

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
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Collection, Iterable
from dataclasses import replace
from functools import cache
from importlib import resources
from itertools import pairwise
from pathlib import Path
from typing import Any, NoReturn, cast

from ..errors import TemplateError, UnknownEndpoint, UnknownSystem
from .model import COLUMN_TYPES, Column, ColumnType, Endpoint, Shape, WriteOnlyField

FILTER_TYPES: tuple[str, ...] = ("string", "integer", "integer array", "datetime", "boolean", "decimal")

_TOP_KEYS = (
    "name", "title", "version", "description", "id_field", "natural_key", "systems", "sort_fields",
    "changed_since_filter", "last_updated_field", "read_permission", "write_permission", "create_status",
    "paths", "filters", "columns", "write_only",
)
_PATH_KEYS = ("list", "get", "create", "update", "delete")
_COLUMN_KEYS = (
    "name", "type", "shapes", "read_only", "write", "required", "enum", "max_length", "decimals",
    "pattern", "nullable", "description", "write_part", "cleared_by_update", "create_default",
    "server_assigns", "create_server_value", "refers_to",
)
_WRITE_ONLY_KEYS = ("write", "type", "from_column", "rule", "default", "required", "description")
_DOTTED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


class _Table:
    """One TOML table and where it sits, so every error names the file and the key."""

    def __init__(self, path: Path, data: object, where: str, allowed: Collection[str]) -> None:
        self.path, self.where = path, where
        if not isinstance(data, dict):
            self.fail("", f"must be a table, got {type(data).__name__}")
        self.data: dict[str, Any] = data
        for k in self.data:
            if k not in allowed:
                self.fail(k, f"unknown key (allowed: {', '.join(allowed)})")

    def key(self, k: str) -> str:
        return ".".join(p for p in (self.where, k) if p) or "<top level>"

    def fail(self, k: str, problem: str) -> NoReturn:
        raise TemplateError(f"Bad endpoint template {self.path}: {self.key(k)}: {problem}")

    def _get(self, k: str, kind: type | tuple[type, ...], what: str, required: bool) -> Any:
        if k not in self.data:
            if required:
                self.fail(k, "is required")
            return None
        v = self.data[k]
        if not isinstance(v, kind) or (isinstance(v, bool) and bool not in _as_tuple(kind)):
            self.fail(k, f"must be {what}, got {type(v).__name__} {v!r}")
        return v

    def text(self, k: str, *, required: bool = False, dotted: bool = False) -> str | None:
        v = cast("str | None", self._get(k, str, "a string", required))
        if v is not None and (dotted or required) and not v.strip():
            self.fail(k, "must not be empty")
        if v is not None and dotted and not _DOTTED.match(v):
            self.fail(k, f"{v!r} is not a field name or dotted path such as 'visitingAddress.city'")
        return v

    def flag(self, k: str, default: bool) -> bool:
        v = self._get(k, bool, "true or false", False)
        return default if v is None else bool(v)

    def number(self, k: str, *, minimum: int, maximum: int | None = None) -> int | None:
        v = cast("int | None", self._get(k, int, "an integer", False))
        if v is not None and (v < minimum or (maximum is not None and v > maximum)):
            self.fail(k, f"must be between {minimum} and {maximum}" if maximum else f"must be >= {minimum}")
        return v

    def strings(self, k: str, *, choices: Collection[str] | None = None) -> tuple[str, ...]:
        v = self._get(k, list, "an array of strings", False) or []
        for item in v:
            if not isinstance(item, str) or not item:
                self.fail(k, f"must be an array of non-empty strings, got item {item!r}")
            if choices is not None and item not in choices:
                self.fail(k, f"{item!r} is not one of: {', '.join(choices)}")
        if len(set(v)) != len(v):
            self.fail(k, f"has duplicate entries: {v!r}")
        return tuple(v)


def _as_tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _read_column(path: Path, data: object, i: int) -> Column:
    t = _Table(path, data, f"columns[{i}]", _COLUMN_KEYS)
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
        pattern=pattern, nullable=t.flag("nullable", True), description=t.text("description") or "",
        write_part=cast(Any, write_part), cleared_by_update=cleared, create_default=default,
        server_assigns=assigns, create_server_value=_create_server_value(t, write, ctype),
        refers_to=refers_to,
    )


def _create_server_value(t: _Table, write: str | None, ctype: str) -> object:
    value = t.data.get("create_server_value")
    if value is not None and (write is None or ctype != "string" or not isinstance(value, str)):
        t.fail("create_server_value", "only a writable string column can have a value the server sets on create")
    return value


def _read_write_only(path: Path, data: object, i: int) -> WriteOnlyField:
    t = _Table(path, data, f"write_only[{i}]", _WRITE_ONLY_KEYS)
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


def _check_paths(top: _Table) -> dict[str, str | None]:
    p = _Table(top.path, top.data.get("paths", {}), "paths", _PATH_KEYS)
    out: dict[str, str | None] = {}
    for op in _PATH_KEYS:
        v = p.text(op, required=op == "list")
        if v is not None:
            if not v.startswith("/"):
                p.fail(op, f"{v!r} must start with '/'")
            has_id = "{id}" in v
            if op in ("get", "update", "delete") and not has_id:
                p.fail(op, f"{v!r} must contain the {{id}} placeholder")
            if op in ("list", "create") and "{" in v:
                p.fail(op, f"{v!r} must not contain a placeholder")
        out[op] = v
    return out


def _check_columns(top: _Table, columns: list[Column], write_only: list[WriteOnlyField],
                   paths: dict[str, str | None]) -> None:
    seen: set[str] = set()
    for c in columns:
        if c.name in seen:
            top.fail("columns", f"duplicate column name {c.name!r}")
        seen.add(c.name)
    _no_prefix_clash(top, "columns", [c.name for c in columns], "column")
    _check_write_parts(top, columns)
    whole = [c.write for c in columns if c.write and c.write_part != "time"]
    writes = whole + [w.write for w in write_only]
    dup = sorted({w for w in writes if writes.count(w) > 1})
    if dup:
        top.fail("columns", f"write name {dup[0]!r} is used by more than one column/write_only field")
    _no_prefix_clash(top, "columns", writes, "write name")
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


def _check_write_parts(top: _Table, columns: list[Column]) -> None:
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


def _no_prefix_clash(top: _Table, key: str, names: Iterable[str], what: str) -> None:
    """`a` and `a.b` cannot both exist: flattening and unflattening would overwrite one with the other."""
    ordered = sorted(set(names))
    for a, b in pairwise(ordered):
        if b.startswith(a + "."):
            top.fail(key, f"{what} {a!r} collides with {b!r} (one is a parent of the other)")


def load_template_file(path: Path) -> Endpoint:
    """Parse and validate one template; every problem raises TemplateError naming file and key."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            raw = tomllib.load(fh)
    except OSError as exc:
        raise TemplateError(f"Cannot read endpoint template {path}: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise TemplateError(f"Bad endpoint template {path}: not valid TOML: {exc}") from exc
    top = _Table(path, raw, "", _TOP_KEYS)
    name = top.text("name", required=True) or ""
    if name != path.stem:
        top.fail("name", f"{name!r} does not match the file name {path.name!r}")
    known = _systems()
    systems = top.strings("systems", choices=known)
    if not systems:
        top.fail("systems", f"must list at least one of: {', '.join(known)}")
    home = path.parent.name
    if home in known and home not in systems:
        top.fail("systems", f"must include {home!r}, the directory the template is in")
    version = top.number("version", minimum=1)
    if version is None:
        top.fail("version", "is required")
    paths = _check_paths(top)
    filters = _Table(path, top.data.get("filters", {}), "filters", top.data.get("filters", {}))
    for fname, ftype in filters.data.items():
        if ftype not in FILTER_TYPES:
            filters.fail(fname, f"{ftype!r} is not a documented filter datatype ({', '.join(FILTER_TYPES)})")
    raw_cols = top._get("columns", list, "an array of tables ([[columns]])", True)
    columns = [_read_column(path, c, i) for i, c in enumerate(raw_cols)]
    raw_wo = top._get("write_only", list, "an array of tables ([[write_only]])", False) or []
    write_only = [_read_write_only(path, w, i) for i, w in enumerate(raw_wo)]
    _check_columns(top, columns, write_only, paths)
    names = {c.name for c in columns}
    id_field = top.text("id_field") or "id"
    if id_field not in names:
        top.fail("id_field", f"{id_field!r} is not a column")
    natural_key = top.strings("natural_key")
    for k in natural_key:
        if k not in names:
            top.fail("natural_key", f"{k!r} is not a column")
    last_updated = top.text("last_updated_field")
    if last_updated is not None and last_updated not in names:
        top.fail("last_updated_field", f"{last_updated!r} is not a column")
    changed_since = top.text("changed_since_filter")
    if changed_since is not None and filters.data.get(changed_since) != "datetime":
        top.fail("changed_since_filter", f"{changed_since!r} is not a datetime filter in [filters]")
    return Endpoint(
        name=name, system=home if home in systems else systems[0], version=version,
        title=top.text("title", required=True) or "", list_path=paths["list"] or "",
        get_path=paths["get"], create_path=paths["create"], update_path=paths["update"],
        delete_path=paths["delete"], id_field=id_field, natural_key=natural_key, columns=tuple(columns),
        write_only=tuple(write_only), sort_fields=top.strings("sort_fields"), filters=dict(filters.data),
        changed_since_filter=changed_since, last_updated_field=last_updated,
        read_permission=top.text("read_permission"), write_permission=top.text("write_permission"),
        create_status=top.number("create_status", minimum=200, maximum=299) or 200, systems=systems,
        description=top.text("description") or "",
    )


def templates_dir() -> Path:
    """Installed wheels carry templates as package data; a source checkout has them at the repo root."""
    packaged = resources.files("bulktool").joinpath("_templates")
    if isinstance(packaged, Path) and packaged.is_dir():
        return packaged
    repo = Path(__file__).resolve().parents[2] / "templates"
    if repo.is_dir():
        return repo
    raise TemplateError(f"No endpoint templates found (looked in {packaged} and {repo}); reinstall bulktool.")


@cache
def _all_templates(root: Path) -> tuple[Endpoint, ...]:
    out: list[Endpoint] = []
    for sub in sorted(p for p in root.iterdir() if p.is_dir()):
        out.extend(load_template_file(f) for f in sorted(sub.glob("*.toml")))
    return tuple(out)


def _systems() -> tuple[str, ...]:
    """The system names templates may list: the vendor registry's (read late: vendors import schema)."""
    from ..vendors import SYSTEMS

    return SYSTEMS


def _system(system: str) -> str:
    s = system.strip().lower()
    if s not in _systems():
        raise UnknownSystem(f"Unknown system {system!r}. Valid systems: {', '.join(_systems())}.")
    return s


def load_templates(system: str) -> dict[str, Endpoint]:
    """Every endpoint ``system`` supports, by name; Visma Tid shares the Blikk templates that list it."""
    s = _system(system)
    out: dict[str, Endpoint] = {}
    for ep in _all_templates(templates_dir()):
        if s not in ep.systems:
            continue
        if ep.name in out:
            raise TemplateError(f"Two endpoint templates for {s} are both named {ep.name!r}.")
        out[ep.name] = ep if ep.system == s else replace(ep, system=s)
    return out


def _norm(name: str) -> str:
    return re.sub(r"[\s_\-]", "", name).lower()


def get_endpoint(system: str, name: str) -> Endpoint:
    """Look up by CLI name, forgiving case and separators: 'time-reports', 'time_reports', 'TimeReports'."""
    templates = load_templates(system)
    by_norm = {_norm(n): ep for n, ep in templates.items()}
    wanted = _norm(name)
    if wanted in by_norm:
        return by_norm[wanted]
    close = difflib.get_close_matches(wanted, list(by_norm), n=3, cutoff=0.6)
    close += [k for k in by_norm if wanted and (k.startswith(wanted) or wanted.startswith(k))]
    suggestions = list(dict.fromkeys(by_norm[k].name for k in close))[:5]
    raise UnknownEndpoint(name, suggestions, _system(system))
