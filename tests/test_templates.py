"""Endpoint templates: loader strictness, the shipped Blikk templates, and a cross-check against the docs."""

from __future__ import annotations

import importlib.resources
import json
import re
from pathlib import Path
from typing import Any

import pytest

from bulktool.errors import TemplateError, UnknownEndpoint, UnknownSystem
from bulktool.schema import (
    Endpoint,
    get_endpoint,
    load_template_file,
    load_templates,
    templates_dir,
)
from bulktool.vendors import SYSTEMS

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO.parent / "shared" / "api-docs" / "blikk-api-reference.txt"

ALL = {
    "contacts", "projects", "tasks", "time-reports", "users", "contact-tags", "articles", "activities",
    "time-codes", "countries", "absence-projects", "internal-projects", "company-cars", "equipments",
    "allowances", "time-articles", "time-additions",
}
# Resources the Visma Tid endpoint index also lists.
VISMATID = {"contacts", "projects", "tasks", "time-reports", "absence-projects", "activities", "articles"}

# ----------------------------------------------------------------------------- loader strictness

BASE = """\
name = "widgets"
title = "Widgets"
version = 1
systems = ["blikk"]
natural_key = ["code"]
changed_since_filter = "since"

[paths]
list = "/v1/Core/Widgets"
get = "/v1/Core/Widgets/{id}"
create = "/v1/Core/Widgets"
update = "/v1/Core/Widgets/{id}"

[filters]
since = "datetime"

[[columns]]
name = "id"
type = "integer"
read_only = true

[[columns]]
name = "code"
write = "code"
required = ["create"]

[[columns]]
name = "owner.id"
type = "integer"
write = "ownerId"
"""


def _edit(old: str, new: str) -> str:
    assert old in BASE, old
    return BASE.replace(old, new, 1)


BAD: list[tuple[str, str, str]] = [
    ("unknown top-level key", _edit("version = 1\n", "version = 1\ncolour = 'red'\n"),
     r"colour: unknown key"),
    ("version as text", _edit("version = 1", 'version = "1"'), r"version: must be an integer, got str"),
    ("version as bool", _edit("version = 1", "version = true"), r"version: must be an integer, got bool"),
    ("version zero", _edit("version = 1", "version = 0"), r"version: must be >= 1"),
    ("missing title", _edit('title = "Widgets"\n', ""), r"title: is required"),
    ("name vs file", _edit('name = "widgets"', 'name = "gadgets"'), r"name: 'gadgets' does not match"),
    ("unknown system", _edit('systems = ["blikk"]', 'systems = ["fortnox"]'),
     r"systems: 'fortnox' is not one of: blikk, vismatid, tripletex"),
    ("no list path", _edit('list = "/v1/Core/Widgets"\n', ""), r"paths\.list: is required"),
    ("get without {id}", _edit('get = "/v1/Core/Widgets/{id}"', 'get = "/v1/Core/Widgets"'),
     r"paths\.get: .* must contain the \{id\} placeholder"),
    ("unknown path op", _edit("[paths]\n", "[paths]\npatch = '/x'\n"), r"paths\.patch: unknown key"),
    ("bad filter type", _edit('since = "datetime"', 'since = "date"'),
     r"filters\.since: 'date' is not a documented filter datatype"),
    ("changed-since not a filter", _edit('changed_since_filter = "since"', 'changed_since_filter = "mod"'),
     r"changed_since_filter: 'mod' is not a datetime filter"),
    ("unknown column key", _edit('name = "code"\n', 'name = "code"\nwirte = "x"\n'),
     r"columns\[1\]\.wirte: unknown key"),
    ("unknown column type", _edit('type = "integer"\nread_only', 'type = "int"\nread_only'),
     r"columns\[0\] \(id\)\.type: unknown column type 'int'"),
    ("bad shape", _edit('name = "code"\n', 'name = "code"\nshapes = ["grid"]\n'),
     r"columns\[1\] \(code\)\.shapes: 'grid' is not one of: list, detail"),
    ("empty shapes", _edit('name = "code"\n', 'name = "code"\nshapes = []\n'),
     r"shapes: must name at least one"),
    ("read_only as text", _edit("read_only = true", 'read_only = "yes"'),
     r"columns\[0\] \(id\)\.read_only: must be true or false"),
    ("read_only with write", _edit("read_only = true", 'read_only = true\nwrite = "id"'),
     r"columns\[0\] \(id\)\.write: a read_only column cannot have a write name"),
    ("required without write", _edit("read_only = true", 'required = ["create"]'),
     r"\(id\)\.required: only a writable column"),
    ("required on delete", _edit('required = ["create"]', 'required = ["delete"]'),
     r"\(code\)\.required: 'delete' is not one of: create, update"),
    ("column name with space", _edit('name = "code"', 'name = "item code"'),
     r"columns\[1\]\.name: 'item code' is not a field name"),
    ("enum on integer", _edit('type = "integer"\nwrite', 'type = "integer"\nenum = ["a"]\nwrite'),
     r"\(owner\.id\)\.enum: .*only applies to string columns"),
    ("decimals on string", _edit('required = ["create"]', 'required = ["create"]\ndecimals = 2'),
     r"\(code\)\.decimals: only applies to decimal columns"),
    ("bad regex", _edit('required = ["create"]', 'required = ["create"]\npattern = "("'),
     r"\(code\)\.pattern: is not a valid regular expression"),
    ("duplicate column", BASE + '\n[[columns]]\nname = "code"\nread_only = true\n',
     r"columns: duplicate column name 'code'"),
    ("parent and child columns", BASE + '\n[[columns]]\nname = "owner"\nread_only = true\n',
     r"column 'owner' collides with 'owner\.id'"),
    ("two columns write one name", BASE + '\n[[columns]]\nname = "code2"\nwrite = "code"\n',
     r"write name 'code' is used by more than one"),
    ("write paths nest", BASE + '\n[[columns]]\nname = "sub"\nwrite = "code.sub"\n',
     r"write name 'code' collides with 'code\.sub'"),
    ("natural key not a column", _edit('natural_key = ["code"]', 'natural_key = ["sku"]'),
     r"natural_key: 'sku' is not a column"),
    ("id field not a column", _edit("version = 1\n", 'version = 1\nid_field = "uuid"\n'),
     r"id_field: 'uuid' is not a column"),
    ("required on create without create path", _edit('create = "/v1/Core/Widgets"\n', ""),
     r"columns \(code\): is required on create but the template has no create path"),
    ("write on a read-only endpoint",
     _edit('create = "/v1/Core/Widgets"\nupdate = "/v1/Core/Widgets/{id}"\n', "").replace(
         'required = ["create"]\n', ""),
     r"has a write name but the template has no create or update path"),
    ("write_only from unknown column",
     BASE + '\n[[write_only]]\nwrite = "isDone"\nfrom_column = "doneDate"\nrule = "not_null"\n',
     r"write_only \(isDone\)\.from_column: 'doneDate' is not a column"),
    ("write_only bad rule", BASE + '\n[[write_only]]\nwrite = "isDone"\nrule = "maybe"\n',
     r"write_only\[0\] \(isDone\)\.rule: 'maybe' is not one of"),
    ("columns not an array",
     BASE.split("[[columns]]")[0].replace("version = 1\n", 'version = 1\ncolumns = "id"\n'),
     r"columns: must be an array of tables"),
    ("not TOML", BASE + "\nthis is = = not toml\n", r"not valid TOML"),
]


@pytest.mark.parametrize(("label", "text", "message"), BAD, ids=[b[0] for b in BAD])
def test_loader_rejects_broken_template(tmp_path: Path, label: str, text: str, message: str) -> None:
    path = tmp_path / "widgets.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TemplateError) as info:
        load_template_file(path)
    assert str(path) in str(info.value), "the message must name the file"
    assert re.search(message, str(info.value)), str(info.value)


def test_loader_accepts_the_base_template(tmp_path: Path) -> None:
    path = tmp_path / "widgets.toml"
    path.write_text(BASE, encoding="utf-8")
    ep = load_template_file(path)
    assert ep.operations == ("list", "get", "create", "update")
    assert ep.column("code").required_create and not ep.column("code").required_update
    assert ep.column("owner.id").write == "ownerId"
    assert ep.column("id").read_only and not ep.column("id").writable
    assert ep.system == "blikk" and ep.filters == {"since": "datetime"}


def test_missing_file_is_a_template_error(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match=r"nope\.toml"):
        load_template_file(tmp_path / "nope.toml")


# ----------------------------------------------------------------------------- shipped templates


def test_every_shipped_template_loads() -> None:
    files = sorted((templates_dir() / "blikk").glob("*.toml"))
    assert {f.stem for f in files} == ALL
    for f in files:
        ep = load_template_file(f)
        assert ep.version >= 1 and ep.title and ep.description
        assert "no maximum lengths" in " ".join(ep.description.split())  # no invented limits, and it says so
        assert all(c.max_length is None and c.decimals is None for c in ep.columns)
    assert set(load_templates("blikk")) == ALL
    assert set(load_templates("vismatid")) == VISMATID
    assert load_templates("vismatid")["contacts"].system == "vismatid"
    assert load_templates("blikk")["contacts"].system == "blikk"


def test_templates_dir_prefers_packaged_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert templates_dir() == REPO / "templates"  # editable install: the repo copy
    (tmp_path / "_templates").mkdir()
    monkeypatch.setattr(importlib.resources, "files", lambda _pkg: tmp_path)
    assert templates_dir() == tmp_path / "_templates"


REQUIRED = {  # write names the reference marks required on create and update
    "contacts": {"name", "contactType", "responsibleId"},
    "projects": {"title"},
    "tasks": {"title"},
    "time-reports": {
        "date", "hours", "invoiceableHours", "userId", "activityId", "timeCodeId", "timeArticleId",
    },
}


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_required_write_fields_are_flagged(name: str) -> None:
    ep = get_endpoint("blikk", name)
    assert {c.write for c in ep.columns if c.required_create} == REQUIRED[name]
    assert {c.write for c in ep.columns if c.required_update} == REQUIRED[name]


def test_only_core_resources_are_writable() -> None:
    writable = {n for n, ep in load_templates("blikk").items() if not ep.read_only}
    assert writable == set(REQUIRED)
    for ep in load_templates("blikk").values():
        if ep.read_only:
            assert all(c.read_only and c.write is None for c in ep.columns), ep.name
            assert ep.get_path is None or ep.name == "users"


@pytest.mark.parametrize(("endpoint", "column", "write"), [
    ("contacts", "responsible.id", "responsibleId"),
    ("contacts", "company.id", "companyId"),
    ("contacts", "parentCompany.id", "parentCompanyId"),
    ("contacts", "tags.id", "tagIds"),
    ("contacts", "visitingAddress.countryId", "visitingAddress.countryId"),
    ("contacts", "invoiceAddress.streetAddress", "invoiceAddress.streetAddress"),
    ("projects", "customer.id", "customerId"),
    ("projects", "projectCollection.id", "projectCollectionId"),
    ("tasks", "members.userId", "memberIds"),
    ("tasks", "boardColumn.id", "taskBoardColumnId"),
    ("time-reports", "user.id", "userId"),
    ("time-reports", "materials", "materials"),
])
def test_read_to_write_mapping(endpoint: str, column: str, write: str) -> None:
    assert get_endpoint("blikk", endpoint).column(column).write == write


@pytest.mark.parametrize(("endpoint", "column"), [
    ("contacts", "visitingAddress.countryName"), ("contacts", "tags.name"), ("contacts", "created"),
    ("contacts", "createdBy.name"), ("contacts", "lastUpdated"), ("projects", "updatedBy.id"),
    ("tasks", "numberOfComments"), ("tasks", "completedDate"), ("time-reports", "contact.id"),
])
def test_server_maintained_columns_are_read_only(endpoint: str, column: str) -> None:
    c = get_endpoint("blikk", endpoint).column(column)
    assert c.read_only and c.write is None


def test_contact_list_and_detail_shapes() -> None:
    ep = get_endpoint("blikk", "contacts")
    assert ep.column("email").shapes == ("detail",)
    assert "email" not in ep.column_names() and "email" in ep.column_names(detail=True)
    assert ep.column_names()[:4] == ["id", "name", "customerNumber", "contactType"]
    assert "responsible.id" in {c.name for c in ep.detail_only_columns}
    assert ep.column("visitingAddress.city").shapes == ("list", "detail")
    assert ep.column_names(detail=True)[-1] == "lastUpdatedBy.name"


def test_endpoint_quirks() -> None:
    contacts = get_endpoint("blikk", "contacts")
    assert (contacts.create_status, contacts.natural_key) == (201, ("customerNumber",))
    assert contacts.changed_since_filter == "createdOrUpdatedSince"
    assert (contacts.read_permission, contacts.write_permission) == ("Contact_Read", "Contact_Write")
    assert contacts.column("contactType").enum == ("person", "company")
    tasks = get_endpoint("blikk", "tasks")
    assert tasks.get_path is None and all(c.shapes == ("list",) for c in tasks.columns)
    (done,) = tasks.write_only
    assert (done.write, done.from_column, done.rule) == ("isCompleted", "completedDate", "not_null")
    tr = get_endpoint("blikk", "time-reports")
    assert tr.operations == ("list", "get", "create", "update", "delete")
    pattern = re.compile(tr.column("clockStart").pattern or "")
    assert pattern.match("08:30") and pattern.match("23:59")
    assert not pattern.match("24:00") and not pattern.match("8:30")
    assert tr.column("travelReportId").shapes == ("list",) and tr.column("materials").shapes == ("detail",)
    assert get_endpoint("blikk", "projects").natural_key == ("orderNumber",)
    assert get_endpoint("blikk", "company-cars").column("type").enum == ("companyCar", "officalCar")
    assert {ep.create_status for n, ep in load_templates("blikk").items() if n != "contacts"} == {200}


def test_last_updated_fields() -> None:
    eps = load_templates("blikk")
    assert eps["contacts"].last_updated_field == "lastUpdated"
    assert eps["projects"].last_updated_field == "updated"
    for n in ("tasks", "time-reports", "users"):
        assert eps[n].last_updated_field == "updatedDate"
    assert eps["countries"].last_updated_field is None and eps["contact-tags"].last_updated_field is None


# ----------------------------------------------------------------------------- lookup


@pytest.mark.parametrize("alias", ["time-reports", "time_reports", "TimeReports", "TIME REPORTS"])
def test_get_endpoint_forgives_case_and_separators(alias: str) -> None:
    assert get_endpoint("blikk", alias).name == "time-reports"


def test_unknown_endpoint_suggests_close_names() -> None:
    with pytest.raises(UnknownEndpoint) as info:
        get_endpoint("blikk", "contact")
    assert info.value.suggestions[0] == "contacts" and "Did you mean: contacts" in str(info.value)
    with pytest.raises(UnknownEndpoint) as info:
        get_endpoint("blikk", "time")
    assert {"time-reports", "time-codes"} <= set(info.value.suggestions)
    with pytest.raises(UnknownEndpoint) as info:
        get_endpoint("vismatid", "users")  # Blikk-only
    assert "for vismatid" in str(info.value)


def test_unknown_system_lists_valid_ones() -> None:
    with pytest.raises(UnknownSystem, match="blikk, vismatid, tripletex"):
        load_templates("fortnox")
    assert get_endpoint("Blikk", "contacts").name == "contacts"
    assert SYSTEMS == ("blikk", "vismatid", "tripletex", "finsit")


# ----------------------------------------------------------------------------- docs cross-check

TYPES = {"string", "int", "integer", "decimal", "boolean", "object", "object array", "string array",
         "integer array", "datetime", "datetime utc"}
DATETIME = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d\d:\d\d"  # "2022-07-01 04:43:12 +00:00"
GET_SECTIONS = {"contacts": "Get contact", "time-reports": "Get time report", "users": "Get user"}
CREATE_SECTIONS = {"contacts": "Create contact", "tasks": "Create task", "time-reports": "Create time report"}
WRITE_ALIASES = {"contacts": {"tags": "tagIds"}}  # documented table name -> name the examples (and we) send
NOT_WRITTEN = {"time-reports": {"travelReport", "allowanceReport"}}  # read shape cannot be sent back


@pytest.fixture(scope="module")
def doc_lines() -> list[str]:
    if not DOCS.is_file():
        pytest.skip(f"vendor docs not present at {DOCS}")
    return DOCS.read_text(encoding="utf-8").splitlines()


def _section(lines: list[str], heading: str, start_marker: tuple[str, ...]) -> tuple[dict[str, bool], Any]:
    """Fields (name -> documented required) of the block after ``start_marker``, and its JSON example."""
    i = lines.index(heading)
    while lines[i] not in start_marker:
        i += 1
    fields: dict[str, bool] = {}
    i += 1
    while i < len(lines) and lines[i] != "Status codes" and not re.match(r"^(GET|POST|PUT) /", lines[i]):
        name, nxt = lines[i], i + 1
        required = nxt < len(lines) and lines[nxt] == "required"
        if required:
            nxt += 1
        if re.fullmatch(r"[a-zA-Z]+", name) and nxt < len(lines) and lines[nxt] in TYPES:
            fields[name] = required
            i = nxt
        i += 1
    example = None
    for line in lines[i:]:
        if line.startswith("{ "):
            example = json.loads(line)
            break
        if line and line[0].isupper() and " " in line and not line.startswith(("GET", "Example", "Response",
                                                                                  "Indicates", "Status")):
            break  # next section: no example
    fields.pop("objectName", None)
    return fields, example


def _flat(obj: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in obj.items():
        if k == "objectName":
            continue
        p = prefix + k
        if isinstance(v, dict):
            out.update(_flat(v, p + "."))
        elif isinstance(v, list) and v and all(isinstance(x, dict) for x in v):
            for x in v:  # a list of objects: each child path collects the items' values
                for child, cv in _flat(x, p + ".").items():
                    out.setdefault(child, []).append(cv)
        else:
            out[p] = v
    return out


def _check_shape(ep: Endpoint, shape: str, fields: dict[str, bool], example: dict[str, Any] | None) -> None:
    cols = [c for c in ep.columns if shape in c.shapes]
    tops = {c.name.split(".")[0] for c in cols}
    assert set(fields) - tops == set(), f"{ep.name} {shape}: documented fields without a column"
    assert tops - set(fields) == set(), f"{ep.name} {shape}: columns the docs do not list"
    # Column order follows the docs: list fields in list order, then detail-only ones in detail order.
    own = [c for c in cols if shape == "list" or not c.in_list]
    order = list(dict.fromkeys(c.name.split(".")[0] for c in own))
    assert order == [f for f in fields if f in order], f"{ep.name} {shape}: columns out of documented order"
    if example is None:
        return
    paths = _flat(example)
    names = {c.name: c for c in cols}
    for p in paths:
        assert any(n == p or n.startswith(p + ".") or (p.startswith(n + ".") and names[n].type == "json")
                   for n in names), f"{ep.name} {shape}: example field {p} has no column"
    for c in cols:
        parts = c.name.split(".")
        ancestors = [".".join(parts[:k]) for k in range(1, len(parts))]
        assert c.name in paths or any(paths.get(a, 0) in (None, []) for a in ancestors), \
            f"{ep.name} {shape}: column {c.name} is not in the example"
        if c.name in paths:
            _check_value(ep, c.name, c.type, c.enum, paths[c.name])


def _check_value(ep: Endpoint, name: str, ctype: str, enum: tuple[str, ...] | None, v: Any) -> None:
    where = f"{ep.name}.{name} = {v!r}"
    if v is None:
        return
    ok = {
        "string": isinstance(v, str), "integer": isinstance(v, int) and not isinstance(v, bool),
        "decimal": isinstance(v, int | float) and not isinstance(v, bool), "boolean": isinstance(v, bool),
        "date": isinstance(v, str) and re.fullmatch(r"\d{4}-\d\d-\d\d", v) is not None,
        "datetime": isinstance(v, str) and re.fullmatch(DATETIME, v) is not None,
        "json": isinstance(v, list | dict),
        "string_list": isinstance(v, list) and all(isinstance(x, str | None) for x in v),
        "int_list": isinstance(v, list) and all(isinstance(x, int) and not isinstance(x, bool) for x in v),
        "time": isinstance(v, str),
    }[ctype]
    assert ok, f"{where} does not look like a {ctype}"
    if enum:
        assert v.casefold() in {e.casefold() for e in enum}, f"{where} is not one of {enum}"


@pytest.mark.parametrize("name", sorted(ALL))
def test_list_shape_matches_docs(doc_lines: list[str], name: str) -> None:
    ep = get_endpoint("blikk", name)
    fields, example = _section(doc_lines, f"List {ep.title.lower()}", ("Response object",))
    assert example is not None and example["items"], f"no list example for {name}"
    _check_shape(ep, "list", fields, example["items"][0])


@pytest.mark.parametrize("name", sorted(GET_SECTIONS))
def test_detail_shape_matches_docs(doc_lines: list[str], name: str) -> None:
    ep = get_endpoint("blikk", name)
    fields, example = _section(doc_lines, GET_SECTIONS[name], ("Response object",))
    _check_shape(ep, "detail", fields, example)


@pytest.mark.parametrize("name", sorted(CREATE_SECTIONS))
def test_write_fields_match_docs(doc_lines: list[str], name: str) -> None:
    ep = get_endpoint("blikk", name)
    fields, _ = _section(doc_lines, CREATE_SECTIONS[name],
                         ("Request object", "Contact creation properties"))
    aliases = WRITE_ALIASES.get(name, {})
    documented = {aliases.get(f, f) for f in fields} - NOT_WRITTEN.get(name, set())
    ours = {c.write.split(".")[0] for c in ep.columns if c.write} | {w.write for w in ep.write_only}
    assert ours == documented
    required = {aliases.get(f, f) for f, req in fields.items() if req}
    assert required == REQUIRED[name]


def test_unlisted_get_sections_have_no_get_path(doc_lines: list[str]) -> None:
    """Endpoints whose get-one the reference documents are exactly those with a detail shape (+ projects)."""
    with_get = {n for n, ep in load_templates("blikk").items() if ep.get_path}
    assert with_get == set(GET_SECTIONS) | {"projects"}
    assert "Get project" not in doc_lines  # inferred from the endpoint index; see projects.toml
