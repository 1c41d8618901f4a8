"""Issue 8: the Tripletex template keys (bulk paths, list passes, version field, nested ids) and the
Tripletex templates themselves, checked against the packaged spec."""

from __future__ import annotations

import copy
import importlib.util
import json
import re
import shutil
import sys
import tomllib
from pathlib import Path
from typing import Any, cast

import pytest
from click.testing import CliRunner

from bulktool.cli import cli
from bulktool.errors import TemplateError
from bulktool.schema import Endpoint, load_templates
from bulktool.schema.loader import load_template_file
from bulktool.schema.toml_text import render_template
from bulktool.workbook import ExportMeta, SheetData, flatten, read_table, write_csv, write_xlsx

# ----------------------------------------------------------------------------- loader keys

BASE = """\
name = "widgets"
title = "Widgets"
version = 1
systems = ["tripletex"]
id_field = "id"
version_field = "version"
last_updated_field = "version"
nested_ids = ["postalAddress.id"]
list_passes = [{isInactive = "false"}, {isInactive = "true"}]

[paths]
list = "/widget"
get = "/widget/{id}"
create = "/widget"
update = "/widget/{id}"
bulk_create = "/widget/list"
bulk_update = "/widget/list"

[filters]
isInactive = "boolean"

[[columns]]
name = "id"
type = "integer"
read_only = true

[[columns]]
name = "version"
type = "integer"
read_only = true

[[columns]]
name = "postalAddress.id"
type = "integer"
read_only = true

[[columns]]
name = "postalAddress.city"
write = "postalAddress.city"
"""


def _load(tmp_path: Path, text: str) -> Endpoint:
    path = tmp_path / "widgets.toml"
    path.write_text(text, encoding="utf-8")
    return load_template_file(path)


def test_loader_reads_the_tripletex_keys(tmp_path: Path) -> None:
    ep = _load(tmp_path, BASE)
    assert ep.bulk_create_path == "/widget/list" and ep.bulk_update_path == "/widget/list"
    assert ep.list_passes == ({"isInactive": "false"}, {"isInactive": "true"})
    assert ep.version_field == "version" and ep.last_updated_field == "version"
    assert ep.nested_ids == ("postalAddress.id",)


def test_list_passes_as_an_array_of_tables(tmp_path: Path) -> None:
    text = BASE.replace('list_passes = [{isInactive = "false"}, {isInactive = "true"}]\n', "") + (
        '\n[[list_passes]]\nisInactive = "false"\n\n[[list_passes]]\nisInactive = "true"\n')
    assert _load(tmp_path, text).list_passes == ({"isInactive": "false"}, {"isInactive": "true"})


def test_defaults_leave_a_template_without_the_keys_unchanged(tmp_path: Path) -> None:
    text = re.sub(r"(?m)^(version_field|nested_ids|list_passes|bulk_create|bulk_update) = .*\n", "", BASE)
    ep = _load(tmp_path, text)
    assert (ep.bulk_create_path, ep.bulk_update_path, ep.list_passes, ep.version_field,
            ep.nested_ids) == (None, None, (), None, ())
    for bl in load_templates("blikk").values():
        assert (bl.bulk_create_path, bl.bulk_update_path, bl.list_passes, bl.version_field, bl.nested_ids) == (
            None, None, (), None, ()), bl.name


BAD = [
    ("bulk path with a placeholder", BASE.replace('bulk_update = "/widget/list"', 'bulk_update = "/widget/{id}"'),
     r"paths\.bulk_update: '/widget/\{id\}' must not contain a placeholder"),
    ("bulk path not absolute", BASE.replace('bulk_create = "/widget/list"', 'bulk_create = "widget/list"'),
     r"paths\.bulk_create: 'widget/list' must start with '/'"),
    ("bulk update without update", BASE.replace('update = "/widget/{id}"\n', ""),
     r"paths\.bulk_update: a bulk path needs the single-record 'update' path too"),
    ("unknown path key", BASE.replace('bulk_create = "/widget/list"', 'bulk_insert = "/widget/list"'),
     r"paths\.bulk_insert: unknown key"),
    ("list_passes not an array", BASE.replace('list_passes = [{isInactive = "false"}, {isInactive = "true"}]',
                                              'list_passes = "isInactive=false"'),
     r"list_passes: must be an array of tables"),
    ("a pass that is not a table", BASE.replace('{isInactive = "true"}]', '"isInactive=true"]'),
     r"list_passes\[1\]: must be a table, got str"),
    ("an empty pass", BASE.replace('{isInactive = "true"}]', "{}]"),
     r"list_passes\[1\]: must name at least one query parameter"),
    ("a pass with a boolean value", BASE.replace('{isInactive = "true"}]', "{isInactive = true}]"),
     r"list_passes\[1\]\.isInactive: must be a string .*got bool True"),
    ("a pass with a bad boolean filter value", BASE.replace('{isInactive = "true"}]', '{isInactive = "yes"}]'),
     r"list_passes\[1\]\.isInactive: 'yes' must be \"true\" or \"false\""),
    ("a repeated pass", BASE.replace('{isInactive = "true"}]', '{isInactive = "false"}]'),
     r"list_passes\[1\]: repeats list_passes\[0\]"),
    ("version_field not a column", BASE.replace('version_field = "version"', 'version_field = "revision"'),
     r"version_field: 'revision' is not a column"),
    ("version_field not an integer",
     BASE.replace('name = "version"\ntype = "integer"', 'name = "version"\ntype = "string"'),
     r"version_field: 'version' must be an integer column, not string"),
    ("nested id not a column", BASE.replace('nested_ids = ["postalAddress.id"]', 'nested_ids = ["physicalAddress.id"]'),
     r"nested_ids: 'physicalAddress.id' is not a column"),
    ("nested id not nested", BASE.replace('nested_ids = ["postalAddress.id"]', 'nested_ids = ["id"]'),
     r"nested_ids: 'id' is not a nested object's id"),
    ("nested id writable", BASE.replace('name = "postalAddress.id"\ntype = "integer"\nread_only = true',
                                        'name = "postalAddress.id"\ntype = "integer"\nwrite = "postalAddress.id"'),
     r"nested_ids: 'postalAddress.id' must be a read-only integer column"),
    ("nested id with nothing to edit", BASE.replace('name = "postalAddress.city"\nwrite = "postalAddress.city"',
                                                    'name = "postalAddress.city"\nread_only = true'),
     r"nested_ids: 'postalAddress.id': no writable column under 'postalAddress\.'"),
    ("nested ids repeated", BASE.replace('nested_ids = ["postalAddress.id"]',
                                         'nested_ids = ["postalAddress.id", "postalAddress.id"]'),
     r"nested_ids: has duplicate entries"),
]


@pytest.mark.parametrize(("label", "text", "message"), BAD, ids=[b[0] for b in BAD])
def test_loader_refuses_broken_tripletex_keys(tmp_path: Path, label: str, text: str, message: str) -> None:
    with pytest.raises(TemplateError) as info:
        _load(tmp_path, text)
    text_of = str(info.value)
    assert re.search(message, text_of), text_of
    assert text_of.count("Bad endpoint template") == 1 and "widgets.toml" in text_of


# ----------------------------------------------------------------------------- the Tripletex templates

REPO = Path(__file__).resolve().parents[1]
FOLDER = REPO / "templates" / "tripletex"
_script = importlib.util.spec_from_file_location("tripletex_templates", REPO / "scripts" / "tripletex_templates.py")
assert _script is not None and _script.loader is not None
tt = importlib.util.module_from_spec(_script)
sys.modules["tripletex_templates"] = tt
_script.loader.exec_module(tt)

WRITABLE = {"customers", "suppliers", "contacts", "products", "projects", "employees", "departments", "activities",
            "accounts", "timesheet-entries"}
REFERENCES = {"countries", "currencies", "vat-types", "product-units"}
NATURAL_KEYS = {
    "customers": ("customerNumber", "organizationNumber"),
    "suppliers": ("supplierNumber",),
    "products": ("number",),
    "employees": ("employeeNumber", "email"),
    "departments": ("departmentNumber",),
    "projects": ("number",),
    "accounts": ("number",),
    "contacts": ("email",),
}
METHODS = {"list": "get", "get": "get", "create": "post", "update": "put", "delete": "delete",
           "bulk_create": "post", "bulk_update": "put"}


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return cast("dict[str, Any]", json.loads(tt.SPEC.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def templates() -> dict[str, Endpoint]:
    return load_templates("tripletex")


def _paths(ep: Endpoint) -> dict[str, str | None]:
    return {"list": ep.list_path, "get": ep.get_path, "create": ep.create_path, "update": ep.update_path,
            "delete": ep.delete_path, "bulk_create": ep.bulk_create_path, "bulk_update": ep.bulk_update_path}


def test_the_template_set_is_the_issues(templates: dict[str, Endpoint]) -> None:
    assert {f.stem for f in FOLDER.glob("*.toml")} == WRITABLE | REFERENCES
    assert set(templates) == WRITABLE | REFERENCES
    assert {n for n, ep in templates.items() if not ep.read_only} == WRITABLE
    for name in REFERENCES:
        ep = templates[name]
        assert ep.operations == ("list", "get"), name
        assert all(c.read_only and c.write is None for c in ep.columns), name


def test_every_template_loads_with_the_tripletex_keys(templates: dict[str, Endpoint]) -> None:
    for f in sorted(FOLDER.glob("*.toml")):
        ep = load_template_file(f)
        assert ep == templates[f.stem]
        assert ep.system == "tripletex" and ep.systems == ("tripletex",)
        assert ep.title and "no maximum lengths" in " ".join(ep.description.split()), ep.name
        assert (ep.id_field, ep.version_field, ep.last_updated_field) == ("id", "version", "version"), ep.name
        assert ep.column("id").read_only and ep.column("version").read_only, ep.name
        for c in ep.columns:  # API field names as headers, written under the same dotted name
            assert c.write in (None, c.name), (ep.name, c.name)


def test_templates_match_the_spec_as_the_script_generates_them(spec: dict[str, Any]) -> None:
    fresh = tt.generate_all(tt.read_templates(FOLDER), spec)
    assert set(fresh) == WRITABLE | REFERENCES
    for name, template in fresh.items():
        assert (FOLDER / f"{name}.toml").read_text(encoding="utf-8") == tt.render(template), (
            f"{name}.toml differs from the spec: run scripts/tripletex_templates.py")


def _stale(folder: Path, spec: dict[str, Any]) -> list[str]:
    fresh = tt.generate_all(tt.read_templates(folder), spec)
    return [n for n, t in fresh.items() if (folder / f"{n}.toml").read_text(encoding="utf-8") != tt.render(t)]


@pytest.mark.parametrize(("old", "new"), [
    ('name = "postalAddress.postalCode"\ntype = "string"', 'name = "postalAddress.postalCode"\ntype = "integer"'),
    ('name = "customerNumber"\ntype = "integer"', 'name = "customerNumber"\ntype = "string"'),
    ('enum = ["NO", "EN"]', 'enum = ["NO", "EN", "SV"]'),
    ('name = "isCustomer"\ntype = "boolean"\nread_only = true',
     'name = "isCustomer"\ntype = "boolean"\nwrite = "isCustomer"'),
    ('name = "email"\ntype = "string"', 'name = "email"\ntype = "string"\nmax_length = 100'),
])
def test_a_hand_edited_fact_is_caught(tmp_path: Path, spec: dict[str, Any], old: str, new: str) -> None:
    shutil.copytree(FOLDER, tmp_path / "tripletex")
    path = tmp_path / "tripletex" / "customers.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    assert _stale(tmp_path / "tripletex", spec) == ["customers"]


def test_a_changed_spec_is_caught(tmp_path: Path, spec: dict[str, Any]) -> None:
    changed = copy.deepcopy(spec)
    props = changed["components"]["schemas"]
    props["Customer"]["properties"]["name"]["maxLength"] = 255
    props["Address"]["properties"]["city"]["readOnly"] = True
    props["Product"]["properties"]["weightUnit"]["enum"].append("t")
    assert set(_stale(FOLDER, changed)) == {"customers", "suppliers", "employees", "products"}
    props["Customer"]["properties"].pop("website")
    with pytest.raises(tt.SpecMismatch, match=r"'website' is not a field of Customer"):
        tt.generate_all(tt.read_templates(FOLDER), changed)


SPOT = [  # a few facts read straight from the spec, so a generator bug cannot agree with itself
    ("customers", "customerNumber", "integer", False),
    ("customers", "organizationNumber", "string", False),
    ("customers", "postalAddress.postalCode", "string", False),
    ("customers", "postalAddress.country.id", "integer", False),
    ("customers", "isCustomer", "boolean", True),
    ("suppliers", "isSupplier", "boolean", True),
    ("products", "number", "string", False),
    ("products", "priceExcludingVatCurrency", "decimal", False),
    ("accounts", "number", "integer", False),
    ("accounts", "type", "string", True),
    ("projects", "startDate", "date", False),
    ("projects", "customerName", "string", True),
    ("timesheet-entries", "date", "date", False),
    ("timesheet-entries", "hours", "decimal", False),
    ("timesheet-entries", "chargeableHours", "decimal", True),
    ("employees", "employeeNumber", "string", False),
    ("departments", "departmentNumber", "string", False),
]


@pytest.mark.parametrize(("name", "column", "ctype", "read_only"), SPOT)
def test_spot_facts(templates: dict[str, Endpoint], name: str, column: str, ctype: str, read_only: bool) -> None:
    c = templates[name].column(column)
    assert (c.type, c.read_only, c.writable) == (ctype, read_only, not read_only)


def test_enums_come_from_the_spec(templates: dict[str, Endpoint], spec: dict[str, Any]) -> None:
    customer = spec["components"]["schemas"]["Customer"]["properties"]
    assert templates["customers"].column("language").enum == tuple(customer["language"]["enum"]) == ("NO", "EN")
    assert templates["employees"].column("userType").enum == ("STANDARD", "EXTENDED", "NO_ACCESS")
    assert templates["products"].column("weightUnit").enum == ("kg", "g", "hg")


def test_every_path_and_method_is_in_the_spec(templates: dict[str, Endpoint], spec: dict[str, Any]) -> None:
    for ep in templates.values():
        for op, path in _paths(ep).items():
            if path is not None:
                assert METHODS[op] in spec["paths"].get(path, {}), f"{ep.name}: {METHODS[op].upper()} {path}"


def test_bulk_paths_wherever_the_spec_has_them(templates: dict[str, Endpoint], spec: dict[str, Any]) -> None:
    for name in WRITABLE:
        ep = templates[name]
        bulk = spec["paths"].get(f"{ep.list_path}/list", {})
        assert ep.bulk_create_path == (f"{ep.list_path}/list" if "post" in bulk else None), name
        assert ep.bulk_update_path == (f"{ep.list_path}/list" if "put" in bulk else None), name
        item = spec["paths"].get(f"{ep.list_path}/{{id}}", {})
        assert (ep.update_path is not None) == ("put" in item), name
        assert (ep.delete_path is not None) == ("delete" in item), name
    assert (templates["contacts"].bulk_update_path, templates["employees"].bulk_update_path) == (None, None)
    activities = templates["activities"]
    assert activities.operations == ("list", "get", "create") and activities.bulk_create_path == "/activity/list"
    assert "put" not in spec["paths"]["/activity/{id}"] and "Create only" in activities.description


def test_natural_keys_are_the_issues(templates: dict[str, Endpoint]) -> None:
    assert {n: ep.natural_key for n, ep in templates.items() if ep.natural_key} == NATURAL_KEYS


def test_list_passes_read_what_the_defaults_hide(templates: dict[str, Endpoint], spec: dict[str, Any]) -> None:
    both = ({"isInactive": "false"}, {"isInactive": "true"})
    for name, ep in templates.items():
        params = {p["name"]: p for p in spec["paths"][ep.list_path]["get"].get("parameters", [])}
        hides = params.get("isInactive", {}).get("schema", {}).get("default") is False
        assert (ep.list_passes == both) == hides, name
        for required in (p for p, v in params.items() if v.get("required")):
            assert ep.list_passes and all(required in p for p in ep.list_passes), (name, required)
    assert {n for n, ep in templates.items() if ep.list_passes == both} == {"customers", "suppliers"}
    assert templates["timesheet-entries"].list_passes == ({"dateFrom": "1900-01-01", "dateTo": "2100-01-01"},)


def test_addresses(templates: dict[str, Endpoint]) -> None:
    for name in ("customers", "suppliers"):
        ep = templates[name]
        assert ep.nested_ids == ("postalAddress.id", "physicalAddress.id"), name
        delivery = [c for c in ep.columns if c.name.startswith("deliveryAddress.")]
        assert delivery and all(c.read_only for c in delivery), name
        assert "/deliveryAddress/{id}" in ep.description
        for c in ep.columns:
            if c.name.endswith((".postalCode", "organizationNumber")):
                assert c.type == "string", (name, c.name)  # leading zeros survive: 0150
    assert templates["employees"].nested_ids == ("address.id",)


def test_references_are_integer_ids(templates: dict[str, Endpoint]) -> None:
    for ep in templates.values():
        for c in ep.columns:
            if c.name.endswith(".id"):
                assert c.type == "integer", (ep.name, c.name)
            if c.refers_to is not None:
                assert c.refers_to in templates and c.name.endswith(".id"), (ep.name, c.name)
    assert templates["customers"].column("accountManager.id").refers_to == "employees"
    assert templates["products"].column("vatType.id").refers_to == "vat-types"
    assert templates["customers"].column("postalAddress.id").refers_to is None


def test_filters_are_the_list_parameters(templates: dict[str, Endpoint], spec: dict[str, Any]) -> None:
    for name, ep in templates.items():
        params = {p["name"] for p in spec["paths"][ep.list_path]["get"]["parameters"]} - {
            "from", "count", "sorting", "fields"}
        assert set(ep.filters) == params, name
        assert ep.changed_since_filter == ("changedSince" if "changedSince" in params else None), name
    assert templates["customers"].filters["changedSince"] == "datetime"


# ----------------------------------------------------------------------------- the script itself


def test_script_check_and_rewrite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert tt.main(["--check"]) == 0
    folder = tmp_path / "tripletex"
    shutil.copytree(FOLDER, folder)
    path = folder / "products.toml"
    good = path.read_text(encoding="utf-8")
    path.write_text(good.replace('name = "ean"\ntype = "string"', 'name = "ean"\ntype = "integer"'), encoding="utf-8")
    assert tt.main(["--check", "--templates", str(folder)]) == 1
    assert f"stale: {path}" in capsys.readouterr().err
    assert tt.main(["--templates", str(folder)]) == 0
    assert path.read_text(encoding="utf-8") == good
    assert "14 templates, 1 changed" in capsys.readouterr().out
    assert tt.main(["--templates", str(folder)]) == 0  # a re-run with the same spec is a no-op
    assert "14 templates, 0 changed" in capsys.readouterr().out


def test_script_fills_in_a_new_column(tmp_path: Path) -> None:
    folder = tmp_path / "tripletex"
    shutil.copytree(FOLDER, folder)
    path = folder / "departments.toml"
    path.write_text(path.read_text(encoding="utf-8") + '\n[[columns]]\nname = "displayName"\nwrite = "displayName"\n'
                    'description = "Display name."\n', encoding="utf-8")
    assert tt.main(["--templates", str(folder)]) == 0
    ep = load_template_file(path)
    assert ep.column("displayName").type == "string" and ep.column("displayName").read_only  # readOnly in the spec


def test_the_full_official_spec_gives_the_same_templates() -> None:
    full = next((p for p in (REPO.parent / "shared", REPO.parents[1] / "shared")
                 if (p / "api-specs" / "tripletex-openapi-2.74.00.json").is_file()), None)
    if full is None:
        pytest.skip("the official spec is not next to the repository")
    assert tt.main(["--check", "--spec", str(full / "api-specs" / "tripletex-openapi-2.74.00.json")]) == 0


@pytest.mark.parametrize("folder", ["blikk", "tripletex"])
def test_the_canonical_text_keeps_every_template_whole(tmp_path: Path, folder: str) -> None:
    for f in sorted((REPO / "templates" / folder).glob("*.toml")):
        data = tomllib.loads(f.read_text(encoding="utf-8"))
        text = render_template(data, "# header\n")
        assert text.startswith("# header\n\nname = ") and tomllib.loads(text) == data, f.name
        (tmp_path / folder).mkdir(exist_ok=True)
        (tmp_path / folder / f.name).write_text(text, encoding="utf-8")
        assert load_template_file(tmp_path / folder / f.name) == load_template_file(f)
        assert render_template(tomllib.loads(text), "# header\n") == text  # a fixed point


# ----------------------------------------------------------------------------- the CLI


def test_endpoints_lists_the_tripletex_templates() -> None:
    res = CliRunner().invoke(cli, ["--system", "tripletex", "endpoints"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines() == [
        "accounts           list,get,create,update,delete  /ledger/account",
        "activities         list,get,create                /activity",
        "contacts           list,get,create,update         /contact",
        "countries          list,get                       /country",
        "currencies         list,get                       /currency",
        "customers          list,get,create,update,delete  /customer",
        "departments        list,get,create,update,delete  /department",
        "employees          list,get,create,update         /employee",
        "product-units      list,get                       /product/unit",
        "products           list,get,create,update,delete  /product",
        "projects           list,get,create,update,delete  /project",
        "suppliers          list,get,create,update,delete  /supplier",
        "timesheet-entries  list,get,create,update,delete  /timesheet/entry",
        "vat-types          list,get                       /ledger/vatType",
        "",
        "Any other list path of the API exports too, with inferred columns: bulktool export PATH.",
    ]


# ----------------------------------------------------------------------------- sheets

CUSTOMER = {  # a record as GET /customer?fields=... answers it
    "id": 17, "version": 3, "customerNumber": 10001, "organizationNumber": "012345678",
    "name": "Bjørkås Æøå AS", "email": "post@bjorkas.no", "invoiceEmail": "", "phoneNumber": "004722334455",
    "phoneNumberMobile": "", "website": "", "isPrivateIndividual": False, "isInactive": True,
    "isCustomer": True, "isSupplier": False, "language": "NO", "invoiceSendMethod": "EHF", "invoicesDueIn": 14,
    "invoicesDueInType": "DAYS", "accountManager": {"id": 5}, "department": None, "currency": {"id": 1},
    "postalAddress": {"id": 90, "addressLine1": "Storgata 1", "addressLine2": "", "postalCode": "0150",
                      "city": "Oslo", "country": {"id": 161}},
    "physicalAddress": {"id": 91, "addressLine1": "", "addressLine2": "", "postalCode": "0001", "city": "",
                        "country": None},
    "deliveryAddress": None,
}


@pytest.mark.parametrize("suffix", ["xlsx", "csv"])
def test_a_customer_sheet_keeps_every_value(tmp_path: Path, templates: dict[str, Endpoint], suffix: str) -> None:
    ep = templates["customers"]
    cols = list(ep.columns)
    row = flatten(CUSTOMER, cols)
    assert row["postalAddress.postalCode"] == "0150" and row["accountManager.id"] == 5
    sheet = SheetData("customers", cols, [row], ep.id_field, last_updated_column=ep.last_updated_field)
    meta = ExportMeta(system="tripletex", host="sandbox.example", exported_at="2026-12-02 01:00:00 +00:00",
                      bulktool_version="test")
    path = tmp_path / f"customers.{suffix}"
    if suffix == "xlsx":
        write_xlsx(path, [sheet], meta)
    else:
        write_csv(path, sheet, meta)
    back = read_table(path, columns=cols).sheets["customers"]
    assert back.columns[: len(cols)] == [c.name for c in cols]  # API field names, dotted, as headers
    values = back.rows[0].values
    assert {k: values[k] for k in row} == row  # every value as the API gave it
    assert (values["organizationNumber"], values["postalAddress.postalCode"], values["physicalAddress.postalCode"],
            values["name"]) == ("012345678", "0150", "0001", "Bjørkås Æøå AS")  # leading zeros and æøå survive
    assert back.last_updated == {"17": 3}  # the export record's change stamp is the version


def test_script_refuses_what_the_loader_would(tmp_path: Path, spec: dict[str, Any],
                                              capsys: pytest.CaptureFixture[str]) -> None:
    changed = copy.deepcopy(spec)
    changed["components"]["schemas"]["Customer"]["properties"]["name"]["readOnly"] = True  # but required on create
    spec_path = tmp_path / "spec.json"
    spec_path.write_text(json.dumps(changed), encoding="utf-8")
    folder = tmp_path / "tripletex"
    shutil.copytree(FOLDER, folder)
    before = (folder / "customers.toml").read_text(encoding="utf-8")
    assert tt.main(["--spec", str(spec_path), "--templates", str(folder)]) == 1
    assert capsys.readouterr().err == (
        f"tripletex_templates: Bad endpoint template {folder / 'customers.toml'} (as regenerated): "
        "columns[4] (name).required: only a writable column (one with 'write') can be required\n")
    assert (folder / "customers.toml").read_text(encoding="utf-8") == before  # nothing written


@pytest.mark.parametrize(("column", "message"), [
    ("postalAddress", r"column 'postalAddress' is a whole Address object: name its id \(postalAddress.id\)"),
    ("name.first", r"'name' in column 'name.first' is not an object in Customer"),
    ("postalAddress.street", r"'postalAddress.street' is not a field of Address"),
])
def test_script_names_a_column_the_spec_lacks(spec: dict[str, Any], column: str, message: str) -> None:
    with pytest.raises(tt.SpecMismatch, match=message):
        tt.generate({"paths": {"list": "/customer"}, "columns": [{"name": column}]}, spec, "Customer", {})


def test_a_listed_date_must_stay_a_string(spec: dict[str, Any]) -> None:
    changed = copy.deepcopy(spec)
    changed["components"]["schemas"]["Project"]["properties"]["startDate"] = {"type": "integer"}
    with pytest.raises(tt.SpecMismatch, match=r"Project.startDate is listed in DATES but the spec types it 'integer'"):
        tt.generate_all(tt.read_templates(FOLDER), changed)
