"""Regenerate the spec-derived facts of the Tripletex endpoint templates (``templates/tripletex/*.toml``).

The official spec is the authority on types, enums, maximum lengths and ``readOnly``; this script
copies those facts into the templates so nobody types them by hand, and ``tests/test_tt_templates.py``
runs it in memory to check the templates still match the packaged spec.

Usage (from the repository root):

    python scripts/tripletex_templates.py             # rewrite the templates from the trimmed spec
    python scripts/tripletex_templates.py --check     # change nothing; exit 1 naming stale templates
    python scripts/tripletex_templates.py --spec ../shared/api-specs/tripletex-openapi-2.74.00.json

The default spec is the packaged ``bulktool/vendors/tripletex/spec/openapi-trimmed.json`` (cut from the
official one by ``scripts/trim_tripletex_spec.py``, which keeps the resource schemas verbatim, so
either spec gives the same templates). After a new spec release: re-run the trim script, then this
one, and review the diff.

The resource of a template is the schema of the ``values`` items that its list path's GET answers
(``/customer`` -> ``Customer``). Regenerated from the spec, for every column (dotted read names walk
nested objects: ``postalAddress.country.id`` is Customer -> Address -> Country -> ``id``):

- ``type``: string, integer, decimal (``number``), boolean, datetime (``format: date-time``), date
  (``format: date``, or a plain string listed in ``DATES`` below: the spec types most dates as bare
  strings, the overview says dates are ``YYYY-MM-DD``), string_list (an array of strings). A
  reference is named by its id (``accountManager.id``), an integer;
- ``enum`` and ``max_length`` (the spec's ``maxLength``);
- ``read_only``: true when the spec marks the field (or an object on its path) ``readOnly``, and then
  the hand-written ``write`` is dropped; also true for a column the template gives no ``write``
  (a deliberate choice, explained in its description, e.g. ``isCustomer``);
- ``refers_to``: the template whose schema a ``<ref>.id`` column points at (Employee -> employees).

Also regenerated: ``[filters]`` (the list GET's query parameters, less from/count/sorting/fields; the
template's ``changed_since_filter`` is typed datetime) and ``create_status`` (the POST's 2xx code).

Everything else is hand-written in the template and kept as it is: title, description, natural
keys, ``list_passes``, ``nested_ids``, paths, which columns a template has and in what order, write
names, ``required``, ``create_default``, ``server_assigns``, ``nullable``, column descriptions, and the
lookup declarations (``lookup``: which list columns a reference can be named by) and ``match`` kinds,
which the spec cannot know (that a customer is found by its org number, that ``isoAlpha2Code`` is a code).
To add a column, add ``[[columns]]`` with ``name`` (and ``write`` when it is writable) and a
``description``, then run the script. The output is canonical TOML (``bulktool.schema.toml_text``:
fixed key order, one header comment), so a re-run with the same spec is a no-op; comments other
than the header are not kept. Nothing is written unless every regenerated template passes the
strict loader (a column the spec turns ``readOnly`` but the template still marks required stops it).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's loader, not whichever bulktool is installed

from bulktool.errors import TemplateError  # noqa: E402
from bulktool.schema.loader import load_template_file  # noqa: E402
from bulktool.schema.toml_text import render_template  # noqa: E402

SPEC = ROOT / "bulktool" / "vendors" / "tripletex" / "spec" / "openapi-trimmed.json"
TEMPLATES = ROOT / "templates" / "tripletex"

# Plain ``type: string`` fields that hold a date (the overview: "Date follows ISO 8601, YYYY-MM-DD").
DATES = frozenset({
    ("Project", "startDate"), ("Project", "endDate"), ("TimesheetEntry", "date"), ("Employee", "dateOfBirth"),
})
# Query parameters that are paging and field selection, not search filters.
NOT_FILTERS = frozenset({"from", "count", "sorting", "fields"})
HEADER = (
    "# Endpoint template: {title} (Tripletex). Schema: bulktool/schema/model.py; loader: bulktool/schema/loader.py.\n"
    "# type, enum, max_length, minimum, maximum, read_only, refers_to, [filters] and create_status come from\n"
    "# the spec:\n"
    "# regenerate them with scripts/tripletex_templates.py instead of editing them here.\n"
)
DERIVED = ("type", "enum", "max_length", "minimum", "maximum", "read_only", "refers_to")


class SpecMismatch(Exception):
    """A template names something the spec does not have (a column, a path, a reference)."""


# ----------------------------------------------------------------------------- the spec


def load_spec(path: Path = SPEC) -> dict[str, Any]:
    return json.loads(Path(path).read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _ref_name(node: Mapping[str, Any]) -> str | None:
    ref = node.get("$ref")
    return ref.rsplit("/", 1)[1] if isinstance(ref, str) else None


def resource_schema(spec: Mapping[str, Any], list_path: str) -> str:
    """The schema of the records ``GET list_path`` answers with (its ``values`` items)."""
    try:
        answer = spec["paths"][list_path]["get"]["responses"]["200"]["content"]
    except KeyError:
        raise SpecMismatch(f"the spec has no GET {list_path} with a 200 answer") from None
    envelope = _ref_name(next(iter(answer.values()))["schema"])
    values = spec["components"]["schemas"][envelope]["properties"].get("values", {})
    name = _ref_name(values.get("items", {}))
    if name is None:
        raise SpecMismatch(f"GET {list_path} answers {envelope}, which has no 'values' list of records")
    return name


def _column_facts(spec: Mapping[str, Any], schema: str, column: str) -> dict[str, Any]:
    """type/enum/max_length/readOnly of one dotted column, and the schema of the object holding it."""
    schemas = spec["components"]["schemas"]
    owner, read_only = schema, False
    parts = column.split(".")
    for i, part in enumerate(parts):
        prop = schemas[owner].get("properties", {}).get(part)
        if prop is None:
            raise SpecMismatch(f"{'.'.join(parts[:i + 1])!r} is not a field of {owner} (column {column!r})")
        read_only = read_only or bool(prop.get("readOnly"))
        target = _ref_name(prop)
        if i < len(parts) - 1:
            if target is None:
                raise SpecMismatch(f"{part!r} in column {column!r} is not an object in {owner}")
            owner = target
            continue
        if target is not None:
            raise SpecMismatch(f"column {column!r} is a whole {target} object: name its id ({column}.id)")
        return {"type": _column_type(owner, part, prop, column), "enum": prop.get("enum"),
                "max_length": prop.get("maxLength"), "minimum": prop.get("minimum"),
                "maximum": prop.get("maximum"), "read_only": read_only,
                "object": owner if len(parts) > 1 else None}
    raise SpecMismatch(f"empty column name in {schema}")


def _column_type(owner: str, prop_name: str, prop: Mapping[str, Any], column: str) -> str:
    kind, fmt = prop.get("type"), prop.get("format")
    if kind == "string":
        if fmt == "date-time":
            return "datetime"
        if fmt == "date" or (owner, prop_name) in DATES:
            return "date"
        if fmt is not None:
            raise SpecMismatch(f"column {column!r}: string format {fmt!r} has no column type")
        return "string"
    if (owner, prop_name) in DATES:
        raise SpecMismatch(f"{owner}.{prop_name} is listed in DATES but the spec types it {kind!r}")
    simple = {"integer": "integer", "number": "decimal", "boolean": "boolean"}
    if kind in simple:
        return simple[kind]
    if kind == "array" and prop.get("items", {}).get("type") == "string":
        return "string_list"
    raise SpecMismatch(f"column {column!r}: spec type {kind!r} has no column type")


def _filter_type(param: Mapping[str, Any]) -> str:
    sch = param.get("schema", {})
    kind = sch.get("type")
    if kind == "array":
        return "integer array" if sch.get("items", {}).get("type") == "integer" else "string"
    return {"boolean": "boolean", "integer": "integer", "number": "decimal"}.get(kind or "", "string")


# ----------------------------------------------------------------------------- regeneration


def generate_all(templates: Mapping[str, Mapping[str, Any]], spec: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Every template with its spec-derived facts recomputed; the hand-written rest untouched."""
    schemas = {name: resource_schema(spec, t["paths"]["list"]) for name, t in templates.items()}
    owners = {schema: name for name, schema in schemas.items()}
    return {name: generate(t, spec, schemas[name], owners) for name, t in templates.items()}


def generate(template: Mapping[str, Any], spec: Mapping[str, Any], schema: str,
             owners: Mapping[str, str]) -> dict[str, Any]:
    out = {k: v for k, v in template.items() if k not in ("columns", "filters", "create_status")}
    paths = template.get("paths", {})
    if paths.get("create"):
        out["create_status"] = _create_status(spec, paths["create"])
    filters = _filters(spec, paths["list"], template.get("changed_since_filter"))
    if filters:
        out["filters"] = filters
    out["columns"] = [_regenerate_column(spec, schema, c, owners) for c in template.get("columns", [])]
    return out


def _create_status(spec: Mapping[str, Any], path: str) -> int:
    try:
        codes = spec["paths"][path]["post"]["responses"]
    except KeyError:
        raise SpecMismatch(f"the spec has no POST {path}") from None
    return min(int(c) for c in codes if c.startswith("2"))


def _filters(spec: Mapping[str, Any], list_path: str, changed_since: str | None) -> dict[str, str]:
    params = spec["paths"][list_path]["get"].get("parameters", [])
    out = {p["name"]: _filter_type(p) for p in params if p.get("in") == "query" and p["name"] not in NOT_FILTERS}
    if changed_since is not None:
        if changed_since not in out:
            raise SpecMismatch(f"changed_since_filter {changed_since!r} is not a parameter of GET {list_path}")
        out[changed_since] = "datetime"
    return out


def _regenerate_column(spec: Mapping[str, Any], schema: str, column: Mapping[str, Any],
                       owners: Mapping[str, str]) -> dict[str, Any]:
    facts = _column_facts(spec, schema, column["name"])
    col = {k: v for k, v in column.items() if k not in DERIVED}
    col["type"] = facts["type"]
    if facts["enum"]:
        col["enum"] = list(facts["enum"])
    if facts["max_length"] is not None:
        col["max_length"] = facts["max_length"]
    for bound in ("minimum", "maximum"):
        if facts[bound] is not None and col["type"] in ("integer", "decimal"):
            col[bound] = facts[bound]
    if facts["read_only"]:
        col.pop("write", None)
    if "write" not in col:
        col["read_only"] = True
    target = owners.get(facts["object"] or "")
    if target is not None and column["name"].endswith(".id"):
        col["refers_to"] = target
    return col


# ----------------------------------------------------------------------------- command line


def read_templates(folder: Path = TEMPLATES) -> dict[str, dict[str, Any]]:
    return {f.stem: tomllib.loads(f.read_text(encoding="utf-8")) for f in sorted(folder.glob("*.toml"))}


def regenerated_texts(folder: Path = TEMPLATES, spec_path: Path = SPEC) -> dict[Path, str]:
    """Each template file and the text it should have."""
    fresh = generate_all(read_templates(folder), load_spec(spec_path))
    return {folder / f"{name}.toml": render(t) for name, t in fresh.items()}


def render(template: Mapping[str, Any]) -> str:
    """The template's one text form, under the header that says which facts are generated."""
    return render_template(template, HEADER.format(title=template.get("title", template.get("name", "?"))))


def check_loadable(texts: Mapping[Path, str]) -> None:
    """Every regenerated template must pass the strict loader before anything is written.

    (A column the spec now marks readOnly loses its ``write``; a ``required`` left on it is refused.)
    """
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "tripletex"
        folder.mkdir()
        for path, text in texts.items():
            trial = folder / path.name
            trial.write_text(text, encoding="utf-8")
            try:
                load_template_file(trial)
            except TemplateError as exc:  # name the real file, not the trial copy
                raise TemplateError(str(exc).replace(str(trial), f"{path} (as regenerated)")) from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0] if __doc__ else None)
    parser.add_argument("--spec", type=Path, default=SPEC, help="OpenAPI spec (default: the packaged trimmed copy)")
    parser.add_argument("--templates", type=Path, default=TEMPLATES, help="template folder")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a template is stale")
    args = parser.parse_args(argv)
    try:
        texts = regenerated_texts(args.templates, args.spec)
        check_loadable(texts)
    except (SpecMismatch, TemplateError) as exc:
        print(f"tripletex_templates: {exc}", file=sys.stderr)
        return 1
    stale = [p for p, text in texts.items() if p.read_text(encoding="utf-8") != text]
    if args.check:
        for p in stale:
            print(f"stale: {p} (run scripts/tripletex_templates.py)", file=sys.stderr)
        return 1 if stale else 0
    for p in stale:
        p.write_text(texts[p], encoding="utf-8")
        print(f"updated {p}")
    print(f"{len(texts)} templates, {len(stale)} changed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
