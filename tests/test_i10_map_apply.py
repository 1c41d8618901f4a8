"""apply_mapping: a RawTable and a mapping Target -> the template-typed ReadSheet the importer plans from."""

from __future__ import annotations

import csv
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from textwrap import dedent

import pytest

from bulktool.errors import MappingError
from bulktool.migrate.apply import MappedSheet, apply_mapping, map_tables, table_for
from bulktool.migrate.mapping import Target, load_mapping, with_sets
from bulktool.migrate.rawtable import RawCell, RawRow, RawTable
from bulktool.schema.loader import get_endpoint
from bulktool.schema.model import Column, Endpoint, Lookup
from bulktool.workbook.table import ROW_ERROR

THINGS = Endpoint(
    name="things", system="test", version=1, title="Things", list_path="/things", natural_key=("code",),
    columns=(
        Column("id", "integer", read_only=True),
        Column("code", "string", write="code"),
        Column("label", "string", write="label"),
        Column("amount", "decimal", write="amount"),
        Column("count", "integer", write="count"),
        Column("active", "boolean", write="active"),
        Column("born", "date", write="born"),
        Column("seen", "datetime", write="seen"),
        Column("owner.id", "integer", write="ownerId", lookup=Lookup("owner", "users", ("name", "email"))),
        Column("owner.name", "string", read_only=True),
        Column("tags.id", "int_list", write="tagIds", lookup=Lookup("tags", "tags", ("title",))),
        Column("ids", "int_list", write="ids"),
        Column("kind", "string", write="kind", enum=("person", "company")),
    ),
)


def _table(headers: list[str], *rows: list[RawCell], name: str = "export") -> RawTable:
    return RawTable(name, headers, [RawRow(n, n, list(cells)) for n, cells in enumerate(rows, start=2)])


def _target(tmp_path: Path, body: str) -> Target:
    path = tmp_path / "mapping.toml"
    path.write_text(dedent(body), encoding="utf-8")
    return load_mapping(path).targets[0]


def _map(tmp_path: Path, body: str, table: RawTable, **kw: object) -> MappedSheet:
    return apply_mapping(table, _target(tmp_path, body), THINGS, **kw)  # type: ignore[arg-type]


def test_nordic_numbers_booleans_and_dates_reach_the_template_types(tmp_path: Path) -> None:
    table = _table(["Kod", "Belopp", "Antal", "Aktiv", "Född", "Sedd"],
                   ["A1", "1 234,50 kr", "1\u00a0200", "SANT", "31.12.1980", "01.02.2024 14:30"],
                   ["A2", "-0,5", "7", "falskt", "1.2.1990", ""],
                   ["A3", "", "", "Nej", "", "03.04.2024 08:00:05"])
    out = _map(tmp_path, """\
        [fields]
        code = "Kod"
        amount = "Belopp"
        count = "Antal"
        active = "Aktiv"
        born = "Född"
        seen = "Sedd"
    """, table)
    rows = out.sheet.rows
    assert [r.errors for r in rows] == [{}, {}, {}]
    assert rows[0].values == {"code": "A1", "amount": 1234.5, "count": 1200, "active": True,
                              "born": "1980-12-31", "seen": "2024-02-01T14:30:00Z"}
    assert rows[1].values == {"code": "A2", "amount": -0.5, "count": 7, "active": False, "born": "1990-02-01",
                              "seen": None}
    assert rows[2].values["active"] is False and rows[2].values["seen"] == "2024-04-03T08:00:05Z"
    assert out.sheet.name == "things" and out.sheet.columns == ["code", "amount", "count", "active", "born", "seen"]
    assert out.origins["amount"] == "column 'Belopp'"
    assert out.warnings == []


def test_cell_errors_name_the_source_column_and_value(tmp_path: Path) -> None:
    table = _table(["Kod", "Födelsedag", "Belopp", "Antal", "Aktiv"],
                   ["A1", "31.12.2020", "12", "3", "Ja"],
                   ["A2", "31.02.2020", "tolv", "2,5", "kanske"])
    out = _map(tmp_path, """\
        [fields]
        code = "Kod"
        born = "Födelsedag"
        amount = "Belopp"
        count = "Antal"
        active = "Aktiv"
    """, table)
    ok, bad = out.sheet.rows
    assert ok.errors == {} and ok.values["born"] == "2020-12-31"
    assert bad.row == 3
    assert bad.errors == {
        "born": "column 'Födelsedag': '31.02.2020' is not a date (dd.mm.yyyy)",
        "amount": "column 'Belopp': 'tolv' is not a number",
        "count": "column 'Antal': '2,5' is not a whole number",
        "active": "column 'Aktiv': 'kanske' is not true or false (Ja/Nej, SANT/FALSKT, Yes/No, 1/0)",
    }


def test_ambiguous_dates_read_day_first_with_a_warning_and_date_format_wins(tmp_path: Path) -> None:
    table = _table(["Kod", "Birthday"], ["A", "01/02/2024"], ["B", "03/04/2024"])
    body = '[fields]\ncode = "Kod"\nborn = "Birthday"\n'
    out = _map(tmp_path, body, table)
    assert [r.values["born"] for r in out.sheet.rows] == ["2024-02-01", "2024-04-03"]
    assert out.warnings == ["column 'Birthday': dates such as '01/02/2024' read day-first and month-first alike; "
                            "read as dd/mm/yyyy (--date-format overrides)"]
    us = _map(tmp_path, body, table, date_format="%m/%d/%Y")
    assert [r.values["born"] for r in us.sheet.rows] == ["2024-01-02", "2024-03-04"] and us.warnings == []
    iso = _map(tmp_path, body, _table(["Kod", "Birthday"], ["A", "2024-01-02"]))
    assert iso.sheet.rows[0].values["born"] == "2024-01-02"


def test_workbook_cells_are_used_as_they_are(tmp_path: Path) -> None:
    table = _table(["Kod", "Född", "Sedd", "Belopp", "Antal", "Aktiv"],
                   ["A", datetime(1980, 12, 31), datetime(2024, 2, 1, 14, 30), 12.5, 3.0, True],
                   [42.0, date(1990, 1, 2), None, 7, 0, False])
    out = _map(tmp_path, '[fields]\ncode = "Kod"\nborn = "Född"\nseen = "Sedd"\namount = "Belopp"\n'
                         'count = "Antal"\nactive = "Aktiv"\n', table)
    a, b = out.sheet.rows
    assert a.values == {"code": "A", "born": "1980-12-31", "seen": "2024-02-01T14:30:00Z", "amount": 12.5,
                        "count": 3, "active": True}
    assert b.values == {"code": "42", "born": "1990-01-02", "seen": None, "amount": 7.0, "count": 0,
                        "active": False}


def test_lookup_columns_stay_text_and_list_lookups_split(tmp_path: Path) -> None:
    table = _table(["Kod", "Ägare", "Taggar", "Ids"],
                   ["A", "  Anna Svensson ", "VIP ::: Nordic", "1; 2,3"],
                   ["B", "anna@x.se", "Kund, Partner", ""])
    out = _map(tmp_path, '[fields]\ncode = "Kod"\nowner = "Ägare"\ntags = "Taggar"\nids = "Ids"\n', table)
    a, b = out.sheet.rows
    assert a.values == {"code": "A", "owner": "Anna Svensson", "tags": ["VIP", "Nordic"], "ids": [1, 2, 3]}
    assert b.values == {"code": "B", "owner": "anna@x.se", "tags": ["Kund", "Partner"], "ids": None}


def test_extra_lookup_columns_from_the_caller(tmp_path: Path) -> None:
    table = _table(["Kod", "Land"], ["A", " Sverige "])
    target = _target(tmp_path, '[fields]\ncode = "Kod"\ncountry = "Land"\n')
    with pytest.raises(MappingError, match="'country' is not a column of things"):
        apply_mapping(table, target, THINGS)
    out = apply_mapping(table, target, THINGS, lookup_columns=["country"])
    assert out.sheet.rows[0].values == {"code": "A", "country": "Sverige"}


def test_join_part_pattern_transforms_and_value_maps(tmp_path: Path) -> None:
    table = _table(["Förnamn", "Efternamn", "Namn", "Adress", "Nr", "Typ", "Check"],
                   ["Anna", "Svensson", "Svensson, Anna", "Storgatan 12 B", "K-17", "Kund", "x"],
                   ["", "Berg", "Per Olof Berg", "12 Main Street", "K-18", "Nej", ""],
                   ["Eva", "", "Eva", "Torget", "X-1", "Leverantör", "X"])
    out = _map(tmp_path, """\
        [fields]
        label = { join = ["Förnamn", "Efternamn"], sep = " " }
        code = { from = "Nr", pattern = '^K-(\\d+)$' }
        active = { from = "Typ", values = { "kund" = true, "LEVERANTÖR" = false } }
    """, table)
    a, b, c = out.sheet.rows
    assert (a.values["label"], b.values["label"], c.values["label"]) == ("Anna Svensson", "Berg", "Eva")
    assert (a.values["code"], b.values["code"]) == ("17", "18")
    assert c.errors == {"code": "column 'Nr': 'X-1' does not match pattern '^K-(\\d+)$'"}
    assert (a.values["active"], b.values["active"], c.values["active"]) == (True, False, False)
    assert out.origins["label"] == "columns 'Förnamn' + 'Efternamn'"
    assert out.warnings == ["export: 3 column(s) not mapped (list them in skip = [...] to silence this): "
                            "'Namn', 'Adress', 'Check'"]
    parts = _map(tmp_path, """\
        skip = ["Förnamn", "Efternamn", "Nr", "Typ"]
        [fields]
        label = { from = "Namn", part = "first" }
        code = { from = "Namn", part = "last" }
        "owner" = { from = "Adress", part = "street" }
        tags = { from = "Adress", part = "number" }
        active = "Check"
    """, table)
    got = [(r.values["label"], r.values["code"], r.values["owner"], r.values["tags"], r.values["active"])
           for r in parts.sheet.rows]
    assert got == [("Anna", "Svensson", "Storgatan", ["12 B"], True),
                   ("Per Olof", "Berg", "Main Street", ["12"], False),  # an empty checkbox is unticked
                   ("Eva", None, "Torget", None, True)]
    assert parts.warnings == []


def test_transforms_then_types(tmp_path: Path) -> None:
    table = _table(["Kod", "Belopp", "Född", "Aktiv"],
                   [" a-1 ", "1.234,50 EUR", "12/31/1980", "-"], ["b-2", "n/a", "31/12/1980", "ja"])
    out = _map(tmp_path, """\
        [fields]
        code = { from = "Kod", transform = ["trim", "upper"] }
        amount = { from = "Belopp", transform = ["none_if:n/a", "decimal_comma"] }
        born = { from = "Född", transform = ["date:%m/%d/%Y"] }
        active = { from = "Aktiv", transform = ["none_if:-"] }
    """, table)
    a, b = out.sheet.rows
    assert a.values == {"code": "A-1", "amount": 1234.5, "born": "1980-12-31", "active": None}
    assert b.values["amount"] is None and b.values["active"] is True
    assert b.errors == {"born": "column 'Född': '31/12/1980' is not a date (mm/dd/yyyy)"}


def test_row_errors_blank_rows_and_row_numbers(tmp_path: Path) -> None:
    table = RawTable("export", ["Kod", "Etikett"], [
        RawRow(2, 2, ["A", "x"]),
        RawRow(3, 3, ["", None]),  # blank: not a record
        RawRow(4, 6, ["B", "y", "extra"], error="line 6 has 3 fields, the header 2"),
        RawRow(5, 7, ["C"]),  # short: the missing cell is empty
    ])
    out = _map(tmp_path, '[fields]\ncode = "Kod"\nlabel = "Etikett"\n', table)
    assert [r.row for r in out.sheet.rows] == [2, 4, 5]
    assert out.sheet.rows[1].errors == {ROW_ERROR: "line 6 has 3 fields, the header 2"}
    assert out.sheet.rows[2].values == {"code": "C", "label": None}


def test_constants_and_sets_are_typed_too(tmp_path: Path) -> None:
    table = _table(["Kod"], ["A"], ["B"])
    target = _target(tmp_path, '[set]\nactive = "Ja"\ncount = 3\n[fields]\ncode = "Kod"\n')
    out = apply_mapping(table, target, THINGS)
    assert [r.values for r in out.sheet.rows] == [
        {"code": "A", "active": True, "count": 3}, {"code": "B", "active": True, "count": 3}]
    assert out.origins["active"] == "mapping.toml, line 2, key set.active"
    m = with_sets(load_mapping(tmp_path / "mapping.toml"), ["count=tre"], None)
    bad = apply_mapping(table, m.targets[0], THINGS)
    assert bad.sheet.rows[0].errors == {"count": "--set count: 'tre' is not a whole number"}


def test_a_skip_entry_the_file_lacks_is_warned_about(tmp_path: Path) -> None:
    out = _map(tmp_path, 'skip = ["Notse"]\n[fields]\ncode = "Kod"\n', _table(["Kod", "Notes"], ["A", "n"]))
    assert out.warnings == [
        "export: skip names 'Notse', which the file has no column of (did you mean Notes?)",
        "export: 1 column(s) not mapped (list them in skip = [...] to silence this): 'Notes'"]


def test_identity_mapping_takes_template_headers(tmp_path: Path) -> None:
    table = _table(["code", "amount", "owner", "owner.name", "Anteckning"], ["A", "1,5", "Anna", "x", "y"])
    (target,) = with_sets(None, ["active=SANT"], "things").targets
    out = apply_mapping(table, target, THINGS)
    assert out.sheet.rows[0].values == {"code": "A", "amount": 1.5, "owner": "Anna", "active": True}
    assert out.warnings == ["export: 2 column(s) not mapped (list them in skip = [...] to silence this): "
                            "'owner.name', 'Anteckning'"]


@pytest.mark.parametrize(("body", "message"), [
    ('[fields]\ncode = "Kod"\nlable = "Etikett"\n',
     "mapping.toml, line 3, key fields.lable: 'lable' is not a column of things; map a writable column or a lookup "
     "(did you mean label?)"),
    ('[fields]\n"owner.name" = "Etikett"\n',
     "mapping.toml, line 2, key fields.\"owner.name\": 'owner.name' is read-only of things; map a writable "
     "column or a lookup (map the lookup column 'owner' to name the record)"),
    ('[set]\ncolor = "red"\n', "mapping.toml, line 2, key set.color: 'color' is not a column of things"),
    ('[fields]\ncode = "Kood"\n',
     "mapping.toml, line 2, key fields.code: the file 'export' has no column 'Kood' (did you mean Kod?)"),
    ('[fields]\nowner = "Kod"\n"owner.id" = "Etikett"\n',
     "mapping.toml, line 2, key fields.owner: 'owner' names the record that 'owner.id' gives by id; map one of "
     "them (the other is at mapping.toml, line 3, key fields.\"owner.id\")"),
])
def test_rules_the_template_or_file_cannot_meet(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(MappingError) as err:
        _map(tmp_path, body, _table(["Kod", "Etikett"], ["A", "b"]))
    assert str(err.value).startswith(message)


def test_the_id_and_natural_key_may_be_mapped(tmp_path: Path) -> None:
    out = _map(tmp_path, '[fields]\nid = "Id"\ncode = "Kod"\n', _table(["Id", "Kod"], ["12", "A"]))
    assert out.sheet.rows[0].values == {"id": 12, "code": "A"}


def test_distinct_collapses_repeats_and_flags_disagreeing_keys(tmp_path: Path) -> None:
    table = _table(["Företag", "Kod", "Person"],
                   ["Acme", "K1", "Anna"], ["Acme", "K1", "Bo"], ["", "", "Eva"],
                   ["Beta", "K2", "Cecilia"], ["Beta AB", "k2", "Dan"], ["Acme", "K1", "Eric"])
    out = _map(tmp_path, 'distinct = true\nskip = ["Person"]\n[fields]\nlabel = "Företag"\ncode = "Kod"\n', table)
    rows = out.sheet.rows
    assert [(r.row, r.values["label"]) for r in rows] == [(2, "Acme"), (5, "Beta"), (6, "Beta AB")]
    assert rows[0].errors == {}
    assert rows[1].errors == {ROW_ERROR: "code='K2' is also on row 6 with other values (label, code); "
                                         "rows naming one record must agree"}
    assert rows[2].errors == {ROW_ERROR: "code='k2' is also on row 5 with other values (label, code); "
                                         "rows naming one record must agree"}


def cp1252_table(path: Path, lines: list[str]) -> RawTable:
    """``lines`` written as Windows Excel writes "CSV (semicolon)", read back with Python's csv (the
    migration reader is another module): each record's row and the file line it starts on."""
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    with path.open(encoding="cp1252", newline="") as fh:
        records = list(csv.reader(fh, delimiter=";"))
    rows, line = [], 2
    for n, rec in enumerate(records[1:], start=2):
        rows.append(RawRow(n, line, list[RawCell](rec)))
        line += 1 + sum(c.count("\n") for c in rec)
    return RawTable(path.stem, records[0], rows, encoding="cp1252", separator=";")


def test_nordic_csv_onto_blikk_contacts(tmp_path: Path) -> None:
    """A ;-separated Windows-1252 export, read with Python's csv, mapped onto the real contacts template."""
    path = tmp_path / "kunder.csv"
    lines = [
        "Kundnr;Namn;Typ;Org.nr;E-post;Telefon;Adress;Postnr;Ort;Aktiv;Kund;Säljare;Anteckning",
        'K-1001;Åkesson Bygg AB;Företag;5568986787;INFO@akesson.se ;08-123 45 67;Storgatan 12 B;123 45;Malmö;'
        'SANT;Ja;Örjan Östlund;"Ring före\r\nleverans; ""viktigt"""',
        "K-1002;Nilsson,  Märta;Privatperson;;marta@example.se;+46 (0)70-765 43 21;Ängsvägen 3;543 21;Växjö;"
        "FALSKT;Nej;  anna@blikk.se ;",
        "K-1003;Ödegaard AS;Företag;923 609 016;;;;;;sant;ja;;",
    ]
    table = cp1252_table(path, lines)
    mapping = tmp_path / "kunder.toml"
    mapping.write_text(dedent("""\
        endpoint = "contacts"
        skip = ["Anteckning"]
        [fields]
        customerNumber = { from = "Kundnr", pattern = '^K-(\\d+)$' }
        name = { from = "Namn", transform = ["collapse"] }
        contactType = { from = "Typ", values = { "Företag" = "company", "Privatperson" = "person" } }
        organizationalOrSocialSecurityNumber = { from = "Org.nr", transform = ["orgnr"] }
        email = { from = "E-post", transform = ["trim", "lower"] }
        phoneNumber = { from = "Telefon", transform = ["phone"] }
        "visitingAddress.streetAddress" = "Adress"
        "visitingAddress.postalCode" = { from = "Postnr", transform = ["digits"] }
        "visitingAddress.city" = "Ort"
        isActive = "Aktiv"
        isCustomer = "Kund"
        responsible = "Säljare"
    """), encoding="utf-8")
    contacts = get_endpoint("blikk", "contacts")
    responsible = next(c for c in contacts.columns if c.name == "responsible.id")
    ep = replace(contacts, columns=tuple(
        replace(c, lookup=Lookup("responsible", "users", ("name", "email"))) if c is responsible else c
        for c in contacts.columns))
    m = load_mapping(mapping)
    out = apply_mapping(table, m.targets[0], ep, date_format=m.date_format)
    assert out.warnings == []
    assert [r.errors for r in out.sheet.rows] == [{}, {}, {}]
    a, b, c = (r.values for r in out.sheet.rows)
    assert a == {
        "customerNumber": "1001", "name": "Åkesson Bygg AB", "contactType": "company",
        "organizationalOrSocialSecurityNumber": "556898-6787", "email": "info@akesson.se",
        "phoneNumber": "08 123 45 67", "visitingAddress.streetAddress": "Storgatan 12 B",
        "visitingAddress.postalCode": "12345", "visitingAddress.city": "Malmö", "isActive": True,
        "isCustomer": True, "responsible": "Örjan Östlund"}
    assert (b["name"], b["contactType"], b["phoneNumber"], b["isActive"], b["isCustomer"], b["responsible"]) == \
        ("Nilsson, Märta", "person", "+46 70 765 43 21", False, False, "anna@blikk.se")
    assert b["organizationalOrSocialSecurityNumber"] is None
    assert (c["organizationalOrSocialSecurityNumber"], c["isActive"], c["email"], c["responsible"]) == \
        ("923609016", True, None, None)
    assert [r.row for r in out.sheet.rows] == [2, 3, 4]
    assert table.rows[1].line == 4  # the quoted note spans a line: the next record starts on line 4
    assert out.origins["responsible"] == "column 'Säljare'"


def test_enum_values_fold_to_the_one_member_they_spell(tmp_path: Path) -> None:
    table = _table(["Kod", "Typ"], ["A", "Person"], ["B", " COMPANY "], ["C", "Privat"])
    out = _map(tmp_path, '[fields]\ncode = "Kod"\nkind = "Typ"\n', table)
    assert [r.values["kind"] for r in out.sheet.rows] == ["person", "company", "Privat"]  # validation refuses C


def test_an_explicit_date_format_still_reads_iso_values(tmp_path: Path) -> None:
    table = _table(["Kod", "Född", "Sedd"], ["A", "12/31/1980", "2024-02-01T14:30:00+02:00"], ["B", "1980-01-02", ""])
    out = _map(tmp_path, '[fields]\ncode = "Kod"\nborn = "Född"\nseen = "Sedd"\n', table, date_format="%m/%d/%Y")
    a, b = out.sheet.rows
    assert (a.values["born"], a.values["seen"], b.values["born"]) == ("1980-12-31", "2024-02-01T12:30:00Z",
                                                                      "1980-01-02")


def test_targets_pick_their_sheet_and_map_tables_runs_them_all(tmp_path: Path) -> None:
    path = tmp_path / "hubspot.toml"
    path.write_text(dedent("""\
        date_format = "%d.%m.%Y"
        [[target]]
        endpoint = "things"
        sheet = "companies"
        distinct = true
        [target.fields]
        code = "Org"
        [[target]]
        endpoint = "things"
        name = "people"
        sheet = "Contacts"
        [target.fields]
        label = "Name"
        born = "Born"
    """), encoding="utf-8")
    mapping = load_mapping(path)
    companies = _table(["Org"], ["556898-6787"], ["556898-6787"], name="Companies")
    contacts = _table(["Name", "Born"], ["Anna", "01.02.1990"], name="Contacts")
    assert table_for(mapping.targets[0], [contacts, companies]) is companies  # case aside
    seen: list[str] = []

    def endpoint_of(name: str) -> Endpoint:
        seen.append(name)
        return THINGS

    first, second = map_tables([contacts, companies], mapping, endpoint_of)
    assert seen == ["things", "things"]
    assert (first.sheet.name, [r.values for r in first.sheet.rows]) == ("things", [{"code": "556898-6787"}])
    assert (second.sheet.name, second.sheet.rows[0].values) == ("people", {"label": "Anna", "born": "1990-02-01"})
    (again,) = map_tables([contacts], replace(mapping, targets=mapping.targets[1:]), endpoint_of,
                          date_format="%m.%d.%Y")  # --date-format beats the file's
    assert again.sheet.rows[0].values["born"] == "1990-01-02"
    with pytest.raises(MappingError, match=r"key target\[1\]: the file has no sheet 'Contacts' "
                                           r"\(did you mean Contact\?\) \(sheets: 'Contact'\)"):
        table_for(mapping.targets[1], [replace(contacts, name="Contact")])
    lone = with_sets(None, [], None)
    with pytest.raises(MappingError, match="no endpoint; name it in the file"):
        map_tables([contacts], lone, endpoint_of)
    assert table_for(lone.targets[0], [contacts, companies]) is contacts  # no sheet named: the first
