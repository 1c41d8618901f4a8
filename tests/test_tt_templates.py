"""Issue 8: the Tripletex template keys (bulk paths, list passes, version field, nested ids) and the
Tripletex templates themselves, checked against the packaged spec."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bulktool.errors import TemplateError
from bulktool.schema import Endpoint, load_templates
from bulktool.schema.loader import load_template_file

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
