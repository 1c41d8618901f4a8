"""The mapping-file loader: every key it reads, and every error naming its file, line and key."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from textwrap import dedent

import pytest

from bulktool.errors import MappingError, UsageError
from bulktool.migrate.mapping import Mapping, load_mapping, with_sets
from bulktool.migrate.tomllines import dotted, key_lines, line_of


def _load(tmp_path: Path, text: str) -> Mapping:
    path = tmp_path / "mapping.toml"
    path.write_text(dedent(text), encoding="utf-8")
    return load_mapping(path)


def _fails(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(MappingError, match="^" + re.escape(message)):
        _load(tmp_path, text)


FULL = """\
    # bulktool mapping: Google Contacts CSV -> Blikk contacts
    endpoint = "contacts"
    date_format = "%d.%m.%Y"
    encoding = "cp1252"
    separator = ";"
    skip = ["Notes", "Photo"]

    [set]
    contactType = "person"

    [fields]
    firstName = "Given Name"
    email = { from = "E-mail 1 - Value", transform = ["trim", "lower"] }
    name = { join = ["Given Name", "Family Name"], sep = " " }
    lastName = { from = "Full Name", part = "last" }
    "visitingAddress.streetAddress" = { from = "Address", part = "street" }
    isCustomer = { from = "Type", values = { "Kund" = true, "Leverantör" = false } }
    phoneNumber = { from = "Phone", transform = "phone" }
    customerNumber = { from = "Nr", pattern = '^K-(\\d+)$' }
    birthday = { from = "Birthday", transform = ["date:%m/%d/%Y"] }
"""


def test_single_target_reads_every_key(tmp_path: Path) -> None:
    m = _load(tmp_path, FULL)
    assert (m.date_format, m.encoding, m.separator) == ("%d.%m.%Y", "cp1252", ";")
    (t,) = m.targets
    assert (t.name, t.endpoint, t.sheet, t.distinct) == ("contacts", "contacts", None, False)
    assert t.skip == ("Notes", "Photo")
    assert t.constants == {"contactType": "person"}
    assert t.constant_origins == {"contactType": "mapping.toml, line 9, key set.contactType"}
    rules = {r.target: r for r in t.fields}
    assert list(rules) == ["firstName", "email", "name", "lastName", "visitingAddress.streetAddress",
                           "isCustomer", "phoneNumber", "customerNumber", "birthday"]
    assert rules["firstName"].sources == ("Given Name",)
    assert [x.spec for x in rules["email"].transforms] == ["trim", "lower"]
    assert (rules["name"].sources, rules["name"].sep) == (("Given Name", "Family Name"), " ")
    assert rules["lastName"].part == "last"
    assert rules["visitingAddress.streetAddress"].part == "street"
    assert rules["isCustomer"].values == {"kund": True, "leverantör": False}  # keys in text normal form
    assert [x.spec for x in rules["phoneNumber"].transforms] == ["phone"]
    pattern = rules["customerNumber"].pattern
    assert pattern is not None and pattern.pattern == r"^K-(\d+)$"
    assert [x.spec for x in rules["birthday"].transforms] == ["date:%m/%d/%Y"]
    assert rules["email"].where == "mapping.toml, line 13, key fields.email"
    assert rules["visitingAddress.streetAddress"].where == \
        'mapping.toml, line 16, key fields."visitingAddress.streetAddress"'


MULTI = """\
    date_format = "%Y-%m-%d"

    [[target]]
    endpoint = "customers"
    sheet = "Companies"
    distinct = true
    [target.fields]
    name = "Company name"

    [[target]]
    endpoint = "contacts"
    sheet = "Contacts"
    skip = ["Company domain"]
    [target.set]
    contactType = "person"
    [target.fields]
    customer = "Company name"

    [[target]]
    endpoint = "contacts"
    name = "people"
    [target.fields]
    email = "Email"

    [[target]]
    endpoint = "contacts"
    [target.fields]
    email = "Email 2"
"""


def test_multi_target_form(tmp_path: Path) -> None:
    m = _load(tmp_path, MULTI)
    assert [t.name for t in m.targets] == ["customers", "contacts", "people", "contacts-2"]
    a, b, c, d = m.targets
    assert (a.endpoint, a.sheet, a.distinct) == ("customers", "Companies", True)
    assert (b.sheet, b.skip, b.constants) == ("Contacts", ("Company domain",), {"contactType": "person"})
    assert b.fields[0].where == "mapping.toml, line 17, key target[1].fields.customer"
    assert c.fields[0].where == "mapping.toml, line 23, key target[2].fields.email"
    assert d.fields[0].where == "mapping.toml, line 28, key target[3].fields.email"
    assert m.date_format == "%Y-%m-%d"


@pytest.mark.parametrize(("text", "message"), [
    ('endpoint = "contacts"\n[fields]\nemail = { from = "E-mail", transform = ["trim", "lowr"] }\n',
     "mapping.toml, line 3, key fields.email.transform[1]: unknown transform 'lowr' (did you mean lower?)"),
    ('endpoint = "contacts"\n\n[fields]\nemail = { from = "E", transform = "uper" }\n',
     "mapping.toml, line 4, key fields.email.transform: unknown transform 'uper' (did you mean upper?)"),
    ('endpont = "contacts"\n', "mapping.toml, line 1, key endpont: unknown key (did you mean endpoint?)"),
    ('[fields]\nemail = { form = "E" }\n',
     "mapping.toml, line 2, key fields.email.form: unknown key (did you mean from?)"),
    ('[fields]\nemail = { from = "E", join = ["A"] }\n',
     "mapping.toml, line 2, key fields.email: needs exactly one of 'from' (one column) or 'join' (several)"),
    ('[fields]\nemail = { transform = ["trim"] }\n',
     "mapping.toml, line 2, key fields.email: needs exactly one of 'from'"),
    ('[fields]\nemail = ""\n', "mapping.toml, line 2, key fields.email: must name a source column"),
    ('[fields]\nemail = 3\n', "mapping.toml, line 2, key fields.email: must be a column name or a table"),
    ('[fields]\nname = { join = [] }\n', "mapping.toml, line 2, key fields.name.join: must list at least one column"),
    ('[fields]\nname = { join = ["A", 2] }\n',
     "mapping.toml, line 2, key fields.name.join: must be a list of column names"),
    ('[fields]\nname = { from = "A", sep = "-" }\n',
     "mapping.toml, line 2, key fields.name.sep: only goes with 'join'"),
    ('[fields]\nname = { join = ["A"], sep = 1 }\n', "mapping.toml, line 2, key fields.name.sep: must be a string"),
    ('[fields]\n\nname = { from = "A", part = "surname" }\n',
     "mapping.toml, line 3, key fields.name.part: must be one of first, last, street, number, got 'surname'"),
    ('[fields]\nx = { from = "A", values = { "Ja" = true, " ja " = false } }\n',
     "mapping.toml, line 2, key fields.x.values.\" ja \": ' ja ' and 'Ja' are the same value"),
    ('[fields]\nx = { from = "A", values = { "Ja" = [1] } }\n',
     "mapping.toml, line 2, key fields.x.values.Ja: must be a single value"),
    ('[fields]\nx = { from = "A", pattern = "(" }\n',
     "mapping.toml, line 2, key fields.x.pattern: not a regular expression"),
    ('[fields]\nx = { from = "A", transform = [1] }\n', "mapping.toml, line 2, key fields.x.transform: must be a list"),
    ('[fields]\nx = { from = "A", values = 3 }\n', "mapping.toml, line 2, key fields.x.values: must be a table"),
    ('date_format = "%Y"\n', "mapping.toml, line 1, key date_format: date format '%Y' names no day and month"),
    ('\nencoding = "klingon"\n', "mapping.toml, line 2, key encoding: unknown encoding 'klingon'"),
    ('separator = ";;"\n', "mapping.toml, line 1, key separator: must be one character"),
    ('skip = "Notes"\nendpoint = 3\n', "mapping.toml, line 2, key endpoint: must be a non-empty string, got 3"),
    ('distinct = "yes"\n', "mapping.toml, line 1, key distinct: must be true or false"),
    ('skip = [1]\n', "mapping.toml, line 1, key skip: must be a list of column names"),
    ('fields = 3\n', "mapping.toml, line 1, key fields: must be a table, got int 3"),
    ('[set]\nemail = "a@b"\n[fields]\nemail = "E"\n',
     "mapping.toml, line 2, key set.email: field 'email' is also in [fields]; keep one"),
    ('[set]\nvisitingAddress.city = "Lund"\n',
     "mapping.toml, line 2, key set.visitingAddress: must be a single value; a dotted field is written quoted"),
    ('endpoint = "x"\n[[target]]\nendpoint = "y"\n',
     "mapping.toml, line 1, key endpoint: goes inside each [[target]]"),
    ('[[target]]\nendpoint = "a"\n[[target]]\nsheet = "B"\n',
     "mapping.toml, line 3, key target[1]: needs endpoint = \"...\""),
    ('[[target]]\nendpoint = "a"\nfilds = {}\n',
     "mapping.toml, line 3, key target[0].filds: unknown key (did you mean fields?)"),
    ('target = 3\n', "mapping.toml, line 1, key target: must be one or more [[target]] tables"),
])
def test_errors_name_line_and_key(tmp_path: Path, text: str, message: str) -> None:
    _fails(tmp_path, text, message)


def test_syntax_errors_keep_tomllib_position(tmp_path: Path) -> None:
    _fails(tmp_path, 'endpoint = "contacts"\n[fields\n',
           "mapping.toml, line 2, column 8: not valid TOML: Expected ']' at the end of a table declaration")
    _fails(tmp_path, 'endpoint = "a"\n\nendpoint = "b"\n', "mapping.toml, line 3, column 15: not valid TOML: ")


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(MappingError, match="Cannot read mapping file"):
        load_mapping(tmp_path / "missing.toml")
    bad = tmp_path / "latin.toml"
    bad.write_bytes('endpoint = "kontakter-\xe5"\n'.encode("cp1252"))
    with pytest.raises(MappingError, match="must be UTF-8"):
        load_mapping(bad)
    assert issubclass(MappingError, UsageError) and MappingError.exit_code == 2


def test_a_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbfendpoint = \"contacts\"\n")
    assert load_mapping(path).targets[0].endpoint == "contacts"


TRICKY = '''\
# [fields] in a comment is no table
title = """
[not a table]
x = 1
"""
"quoted key" = 'lit # not a comment'
a.b.c = 1
skip = [
    "Notes",   # one
    "Photo",
]
[ "fields" ]
"visitingAddress.city" = "Ort"
email = { from = "E", transform = ["trim",
  "lower"] }
'x = "y"' = "=[" # a key that looks like code
[[target]]
[[target]]
[target.fields]
name = "N"
[target.set]
k = 1
'''


def test_line_scanner_on_tricky_toml() -> None:
    assert tomllib.loads(TRICKY)["fields"]["email"] == {"from": "E", "transform": ["trim", "lower"]}
    lines = key_lines(TRICKY)
    assert lines[("title",)] == 2
    assert ("not a table",) not in lines and ("x",) not in lines
    assert lines[("quoted key",)] == 6
    assert lines[("a", "b", "c")] == 7
    assert lines[("skip", 0)] == 9 and lines[("skip", 1)] == 10
    assert lines[("fields",)] == 12
    assert lines[("fields", "visitingAddress.city")] == 13
    assert lines[("fields", "email", "transform", 1)] == 15
    assert lines[("fields", 'x = "y"')] == 16
    assert lines[("target", 0)] == 17 and lines[("target", 1)] == 18
    assert lines[("target", 1, "fields", "name")] == 20
    assert lines[("target", 1, "set", "k")] == 22
    assert line_of(lines, ("fields", "email", "nope")) == 14
    assert line_of(lines, ("nothing",)) == 1
    assert dotted(("target", 1, "fields", "a.b")) == 'target[1].fields."a.b"'
    assert dotted(()) == "<top level>"


def test_with_sets_adds_and_overrides(tmp_path: Path) -> None:
    m = _load(tmp_path, '[set]\ncontactType = "company"\n[fields]\nemail = "E"\nname = "N"\n')
    got = with_sets(m, ["contactType=person", "email=info@x.se"], "contacts")
    (t,) = got.targets
    assert (t.name, t.endpoint) == ("contacts", "contacts")
    assert t.constants == {"contactType": "person", "email": "info@x.se"}
    assert [r.target for r in t.fields] == ["name"]  # --set beats the file's rule
    assert t.constant_origins["email"] == "--set email"


def test_with_sets_without_a_mapping_is_the_identity() -> None:
    (t,) = with_sets(None, ["isActive=Ja"], "contacts").targets
    assert (t.name, t.endpoint, t.fields, t.constants) == ("contacts", "contacts", (), {"isActive": "Ja"})


def test_with_sets_on_several_targets(tmp_path: Path) -> None:
    m = _load(tmp_path, MULTI)
    got = with_sets(m, ["people:isActive=true"], None)
    assert got.targets[2].constants == {"isActive": "true"}
    with pytest.raises(MappingError, match=r"--set 'isActive=true': the mapping has 4 targets; name one"):
        with_sets(m, ["isActive=true"], None)
    with pytest.raises(MappingError, match=r"no target named 'peple' \(did you mean people\?\)"):
        with_sets(m, ["peple:isActive=true"], None)
    with pytest.raises(MappingError, match="drop --endpoint"):
        with_sets(m, [], "contacts")
    with pytest.raises(MappingError, match="expected FIELD=VALUE"):
        with_sets(None, ["isActive"], "contacts")


MORE_TRICKY = (
    'a = "say \\"b = 1\\" \\\\" # c = 2\r\n'  # escaped quotes and backslash in a basic string, CRLF lines
    "b = '''\r\nc = 3\r\n'''\r\n"  # a multi-line literal string
    "[ target . fields ]   # spaced header, a comment after it\r\n"
    'x = { y = { z = 1 }, "w.v" = [ { u = 2 } ] }\r\n'  # nested inline tables and an array of them
    '"k=1" = 4\r\n'
)


def test_line_scanner_on_strings_crlf_and_nested_inline_tables() -> None:
    assert tomllib.loads(MORE_TRICKY)["a"] == 'say "b = 1" \\'
    lines = key_lines(MORE_TRICKY)
    assert lines[("a",)] == 1 and ("c",) not in lines
    assert lines[("b",)] == 2
    assert lines[("target", "fields")] == 5
    assert lines[("target", "fields", "x", "y", "z")] == 6
    assert lines[("target", "fields", "x", "w.v", 0, "u")] == 6
    assert lines[("target", "fields", "k=1")] == 7


def test_single_target_may_name_its_sheet_and_be_distinct(tmp_path: Path) -> None:
    m = _load(tmp_path, 'endpoint = "customers"\nname = "companies"\nsheet = "Företag"\ndistinct = true\n'
                        '[fields]\nname = "Company"\n')
    (t,) = m.targets
    assert (t.name, t.endpoint, t.sheet, t.distinct) == ("companies", "customers", "Företag", True)
    assert (m.date_format, m.encoding, m.separator) == (None, None, None)
    (kept,) = with_sets(m, [], "contacts").targets  # --endpoint keeps an explicit name
    assert (kept.name, kept.endpoint) == ("companies", "contacts")
    (t,) = _load(tmp_path, '[fields]\nname = "Company"\n').targets
    assert (t.name, t.endpoint) == ("", None)  # named by --endpoint (with_sets) or the template
