"""Load endpoint templates (``templates/<system>/<name>.toml``) into the schema model.

Vendor quirks live in reviewed data files rather than code, so the loader is
strict: a typo in a template fails at load time with the file and key named,
instead of silently dropping a column from every export and import. The column
keys are read in ``column_keys``; the key-checking helper is ``toml_table.Table``.

Top-level keys beyond the obvious ones (name, title, version, paths, columns, ...):

    [paths] bulk_create, bulk_update
                      a bulk operation taking a JSON array of records (Tripletex's
                      ``/customer/list``); each needs the matching single-record path.
    list_passes       ``[{isInactive = "false"}, {isInactive = "true"}]``: a full read runs one list
                      request per pass, with these extra query parameters, and merges them by id.
    version_field     the optimistic-lock column a partial update carries (``version``).
    nested_ids        read names of nested objects' ids (``postalAddress.id``): an update that changes
                      a field under ``postalAddress.`` also sends that id, so the object is edited in place.
    scope             placeholders the connector fills in every path (``["companyId"]``: Finsit's
                      ``/Api/v2/Company/{companyId}/Comment/``), from the connection (``--company``).
    group_by          a column whose records are written together, one list per value (Finsit's
                      key-figure data: one PUT of the whole list per fiscal year); its paths name it
                      as a placeholder (``{fiscalYearId}``) instead of ``{id}``.
    update_on_collection  the update path is the collection's (no ``{id}``): the id travels in the body.

Column ``lookup`` declarations are checked across a system's templates in ``load_templates``
(schema.lookup_check): the looked-up template exists for the system and has the ``by`` list columns.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import replace
from functools import cache
from importlib import resources
from pathlib import Path

from ..errors import TemplateError, UnknownEndpoint, UnknownSystem
from .column_keys import check_columns, read_column, read_write_only
from .lookup_check import check_lookups
from .model import Column, Endpoint
from .toml_table import DOTTED, Table

FILTER_TYPES: tuple[str, ...] = ("string", "integer", "integer array", "datetime", "boolean", "decimal")

_TOP_KEYS = (
    "name", "title", "version", "description", "id_field", "natural_key", "systems", "sort_fields",
    "changed_since_filter", "last_updated_field", "read_permission", "write_permission", "create_status",
    "list_passes", "version_field", "nested_ids", "paths", "filters", "columns", "write_only",
    "scope", "group_by", "update_on_collection",
)
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_PATH_KEYS = ("list", "get", "create", "update", "delete", "bulk_create", "bulk_update")
_BULK_NEEDS = {"bulk_create": "create", "bulk_update": "update"}


def _check_paths(top: Table, filled: frozenset[str] = frozenset(), id_in_update: bool = True) -> dict[str, str | None]:
    """Each path's shape; ``filled`` names the placeholders the connector fills (scope, group_by)."""
    p = Table(top.path, top.data.get("paths", {}), "paths", _PATH_KEYS)
    out: dict[str, str | None] = {}
    for op in _PATH_KEYS:
        v = p.text(op, required=op == "list")
        if v is not None:
            if not v.startswith("/"):
                p.fail(op, f"{v!r} must start with '/'")
            bare = _PLACEHOLDER.sub(lambda m: "" if m.group(1) in filled else m.group(0), v)
            has_id = "{id}" in bare
            if op == "update" and not id_in_update:
                if has_id:
                    p.fail(op, f"{v!r} must not contain {{id}}: the template updates on the collection "
                               "(update_on_collection) or per group (group_by)")
            elif op in ("get", "update", "delete") and not has_id:
                p.fail(op, f"{v!r} must contain the {{id}} placeholder")
            if op in ("list", "create", *_BULK_NEEDS) and "{" in bare:
                p.fail(op, f"{v!r} must not contain a placeholder")
            stray = [n for n in _PLACEHOLDER.findall(bare) if n != "id"]
            if stray:
                p.fail(op, f"{v!r}: unknown placeholder {{{stray[0]}}} (declare it in scope or group_by)")
        out[op] = v
    for bulk, single in _BULK_NEEDS.items():
        if out[bulk] and not out[single]:
            p.fail(bulk, f"a bulk path needs the single-record '{single}' path too")
    return out


def _list_passes(top: Table, filters: dict[str, str]) -> tuple[dict[str, str], ...]:
    """Each pass is a non-empty table of query parameters with string values; no pass twice."""
    raw = top.get("list_passes", list, "an array of tables such as [{isInactive = \"false\"}]", False) or []
    out: list[dict[str, str]] = []
    for i, item in enumerate(raw):
        t = Table(top.path, item, f"list_passes[{i}]", item if isinstance(item, dict) else ())
        if not t.data:
            t.fail("", "must name at least one query parameter")
        for k, v in t.data.items():
            if not DOTTED.match(k):
                t.fail(k, "is not a query parameter name")
            if not isinstance(v, str):
                t.fail(k, f"must be a string (query parameters are text, e.g. \"false\"), got {type(v).__name__} {v!r}")
            if filters.get(k) == "boolean" and v not in ("true", "false"):
                t.fail(k, f"{v!r} must be \"true\" or \"false\" (a boolean filter)")
        if t.data in out:
            top.fail(f"list_passes[{i}]", f"repeats list_passes[{out.index(t.data)}]")
        out.append(dict(t.data))
    return tuple(out)


def _version_field(top: Table, by_name: dict[str, Column]) -> str | None:
    v = top.text("version_field", dotted=True)
    if v is not None:
        if v not in by_name:
            top.fail("version_field", f"{v!r} is not a column")
        if by_name[v].type != "integer":
            top.fail("version_field", f"{v!r} must be an integer column, not {by_name[v].type}")
    return v


def _nested_ids(top: Table, by_name: dict[str, Column]) -> tuple[str, ...]:
    """A nested id is a read-only integer column under an object some writable column edits."""
    out = top.strings("nested_ids")
    for n in out:
        parent = n.rpartition(".")[0]
        if not parent or not DOTTED.match(n):
            top.fail("nested_ids", f"{n!r} is not a nested object's id such as 'postalAddress.id'")
        if n not in by_name:
            top.fail("nested_ids", f"{n!r} is not a column")
        c = by_name[n]
        if c.type != "integer" or c.writable:
            top.fail("nested_ids", f"{n!r} must be a read-only integer column (the server's id of {parent!r})")
        if not any(o.writable and o.name.startswith(parent + ".") for o in by_name.values()):
            top.fail("nested_ids", f"{n!r}: no writable column under {parent + '.'!r}, so no update needs it")
    return out


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
    top = Table(path, raw, "", _TOP_KEYS)
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
    scope = top.strings("scope")
    for n in scope:
        if not _PLACEHOLDER.fullmatch("{" + n + "}") or n == "id":
            top.fail("scope", f"{n!r} is not a placeholder name such as 'companyId'")
    group_by = top.text("group_by")
    on_collection = top.get("update_on_collection", bool, "true or false", False) or False
    filled = frozenset((*scope, *([group_by] if group_by else [])))
    paths = _check_paths(top, filled, id_in_update=not (on_collection or group_by))
    filters = Table(path, top.data.get("filters", {}), "filters", top.data.get("filters", {}))
    for fname, ftype in filters.data.items():
        if ftype not in FILTER_TYPES:
            filters.fail(fname, f"{ftype!r} is not a documented filter datatype ({', '.join(FILTER_TYPES)})")
    raw_cols = top.get("columns", list, "an array of tables ([[columns]])", True)
    columns = [read_column(path, c, i) for i, c in enumerate(raw_cols)]
    raw_wo = top.get("write_only", list, "an array of tables ([[write_only]])", False) or []
    write_only = [read_write_only(path, w, i) for i, w in enumerate(raw_wo)]
    check_columns(top, columns, write_only, paths)
    by_name = {c.name: c for c in columns}
    id_field = top.text("id_field") or "id"
    if id_field not in by_name:
        top.fail("id_field", f"{id_field!r} is not a column")
    natural_key = top.strings("natural_key")
    for k in natural_key:
        if k not in by_name:
            top.fail("natural_key", f"{k!r} is not a column")
    last_updated = top.text("last_updated_field")
    if last_updated is not None and last_updated not in by_name:
        top.fail("last_updated_field", f"{last_updated!r} is not a column")
    if group_by is not None and group_by not in by_name:
        top.fail("group_by", f"{group_by!r} is not a column")
    changed_since = top.text("changed_since_filter")
    if changed_since is not None and filters.data.get(changed_since) != "datetime":
        top.fail("changed_since_filter", f"{changed_since!r} is not a datetime filter in [filters]")
    return Endpoint(
        name=name, system=home if home in systems else systems[0], version=version,
        title=top.text("title", required=True) or "", list_path=paths["list"] or "",
        get_path=paths["get"], create_path=paths["create"], update_path=paths["update"],
        delete_path=paths["delete"], bulk_create_path=paths["bulk_create"],
        bulk_update_path=paths["bulk_update"], id_field=id_field, natural_key=natural_key,
        columns=tuple(columns), write_only=tuple(write_only), sort_fields=top.strings("sort_fields"),
        filters=dict(filters.data), changed_since_filter=changed_since, last_updated_field=last_updated,
        list_passes=_list_passes(top, dict(filters.data)), version_field=_version_field(top, by_name),
        nested_ids=_nested_ids(top, by_name), read_permission=top.text("read_permission"),
        write_permission=top.text("write_permission"),
        create_status=top.number("create_status", minimum=200, maximum=299) or 200, systems=systems,
        description=top.text("description") or "", scope=scope, group_by=group_by,
        update_on_collection=bool(on_collection),
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
def _all_templates(root: Path) -> tuple[tuple[Path, Endpoint], ...]:
    out: list[tuple[Path, Endpoint]] = []
    for sub in sorted(p for p in root.iterdir() if p.is_dir()):
        out.extend((f, load_template_file(f)) for f in sorted(sub.glob("*.toml")))
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
    """Every endpoint ``system`` supports, by name; Visma Tid shares the Blikk templates that list it.

    The lookups are checked across the set (schema.lookup_check): each names a template of this system
    and list columns of it.
    """
    return dict(_system_templates(templates_dir(), _system(system)))


@cache
def _system_templates(root: Path, s: str) -> tuple[tuple[str, Endpoint], ...]:
    out: dict[str, Endpoint] = {}
    homes: dict[str, tuple[Path, str]] = {}
    for path, ep in _all_templates(root):
        if s not in ep.systems:
            continue
        if ep.name in out:
            raise TemplateError(f"Two endpoint templates for {s} are both named {ep.name!r}.")
        out[ep.name] = ep if ep.system == s else replace(ep, system=s)
        homes[ep.name] = (path, ep.system)
    return tuple(check_lookups(s, out, homes).items())


def _norm(name: str) -> str:
    return re.sub(r"[\s_\-]", "", name).lower()


def get_endpoint(system: str, name: str) -> Endpoint:
    """Look up by CLI name, forgiving case and separators: 'time-reports', 'time_reports', 'TimeReports'."""
    templates = load_templates(system)
    by_norm = {_norm(n): ep for n, ep in templates.items()}
    wanted = _norm(name)
    if wanted in by_norm:
        return by_norm[wanted]
    # Up to five names (close or a prefix), not ``messages.did_you_mean``'s one: the CLI lists them.
    close = difflib.get_close_matches(wanted, list(by_norm), n=3, cutoff=0.6)
    close += [k for k in by_norm if wanted and (k.startswith(wanted) or wanted.startswith(k))]
    suggestions = list(dict.fromkeys(by_norm[k].name for k in close))[:5]
    raise UnknownEndpoint(name, suggestions, _system(system))
