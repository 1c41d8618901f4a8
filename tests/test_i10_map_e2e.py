"""A mapped Nordic CSV goes through the ordinary plan, journal and writer into the Blikk sandbox over HTTP.

The file is read with Python's csv (the migration reader is another module); what is under test is that
the mapped ReadSheet is one the importer takes as it is, and that the values arrive right on the server.
"""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

from conftest import connector_for
from test_i10_map_apply import cp1252_table

from bulktool.importer import ImportOptions, run_import
from bulktool.migrate.apply import apply_mapping
from bulktool.migrate.mapping import load_mapping, with_sets
from bulktool.plan.source import Source
from bulktool.sandbox import SandboxServer
from bulktool.schema.loader import get_endpoint

LINES = [
    "Kundnr;Namn;Typ;Org.nr;E-post;Telefon;Gatuadress;Postnr;Ort;Aktiv;Leverantör;Säljare-id;Anteckning",
    "K-9001;Åkesson  Bygg AB;Företag;5568986787;INFO@Akesson.se ;08-123 45 67;Storgatan 12 B;123 45;Malmö;SANT;"
    'FALSKT;5;"Ring före\r\nleverans; ""viktigt"""',
    "K-9002;Märta Nilsson;Privatperson;;marta@example.se;+46 (0)70-765 43 21;Ängsvägen 3;543 21;Växjö;FALSKT;falskt;2;",
]
MAPPING = """\
    endpoint = "contacts"
    skip = ["Anteckning"]
    [fields]
    customerNumber = { from = "Kundnr", pattern = '^K-(\\d+)$' }
    name = { from = "Namn", transform = ["collapse"] }
    contactType = { from = "Typ", values = { "Företag" = "company", "Privatperson" = "person" } }
    organizationalOrSocialSecurityNumber = { from = "Org.nr", transform = ["orgnr"] }
    email = { from = "E-post", transform = ["trim", "lower"] }
    phoneNumber = { from = "Telefon", transform = ["phone"] }
    "visitingAddress.streetAddress" = "Gatuadress"
    "visitingAddress.postalCode" = { from = "Postnr", transform = ["digits"] }
    "visitingAddress.city" = "Ort"
    isActive = "Aktiv"
    isSupplier = "Leverantör"
    "responsible.id" = "Säljare-id"
"""


def _source(tmp_path: Path, *more: str) -> Source:
    path = tmp_path / "kunder.csv"
    table = cp1252_table(path, [*LINES, *more])
    (tmp_path / "kunder.toml").write_text(dedent(MAPPING), encoding="utf-8")
    mapping = with_sets(load_mapping(tmp_path / "kunder.toml"), ["isCustomer=Ja"], None)
    ep = get_endpoint("blikk", "contacts")
    mapped = apply_mapping(table, mapping.targets[0], ep, date_format=mapping.date_format)
    assert mapped.warnings == []
    return Source(path, mapped.sheet, ep, None, False, origins=mapped.origins)


def test_mapped_nordic_csv_imports_into_blikk_and_a_rerun_creates_nothing(
        fast_sandbox: SandboxServer, tmp_path: Path) -> None:
    before = {c["id"] for c in fast_sandbox.records("contacts")}
    source = _source(tmp_path)
    out = run_import(connector_for(fast_sandbox, rate=1000), source.path, ImportOptions(apply=True), source=source)
    assert out.exit_code == 0, [(r.row, r.message) for r in out.result.rows]
    assert out.result.summary.create == 2 and out.result.summary.applied == 2
    new = {c["customerNumber"]: c for c in fast_sandbox.records("contacts") if c["id"] not in before}
    a, b = new["9001"], new["9002"]
    assert (a["name"], a["contactType"].lower(), a["organizationalOrSocialSecurityNumber"]) == \
        ("Åkesson Bygg AB", "company", "556898-6787")
    assert (a["email"], a["phoneNumber"], a["isActive"], a["isSupplier"], a["isCustomer"]) == \
        ("info@akesson.se", "08 123 45 67", True, False, True)
    assert (a["visitingAddress"]["streetAddress"], a["visitingAddress"]["postalCode"],
            a["visitingAddress"]["city"], a["responsible"]["id"]) == ("Storgatan 12 B", "12345", "Malmö", 5)
    assert (b["name"], b["contactType"].lower(), b["phoneNumber"], b["isActive"], b["responsible"]["id"]) == \
        ("Märta Nilsson", "person", "+46 70 765 43 21", False, 2)
    again = _source(tmp_path)
    rerun = run_import(connector_for(fast_sandbox, rate=1000), again.path, ImportOptions(apply=True), source=again)
    assert rerun.exit_code == 0, [(r.row, r.action, r.changes) for r in rerun.result.rows]
    assert [(r.row, r.action) for r in rerun.result.rows] == [(2, "unchanged"), (3, "unchanged")], \
        [(r.row, r.action, r.changes) for r in rerun.result.rows]
    assert rerun.result.summary.create == 0 and rerun.result.summary.applied == 0
    assert len(fast_sandbox.records("contacts")) == len(before) + 2


def test_a_cell_the_mapping_cannot_read_makes_the_row_invalid_naming_the_file_column(
        fast_sandbox: SandboxServer, tmp_path: Path) -> None:
    source = _source(tmp_path, "K-9003;Ödegaard AS;Företag;923 609 016;;;;;;kanske;;tolv;")
    fast_sandbox.reset_stats()
    out = run_import(connector_for(fast_sandbox, rate=1000), source.path, ImportOptions(apply=True), source=source)
    assert out.exit_code == 1 and out.result.summary.invalid == 1
    bad = next(r for r in out.result.rows if r.action == "invalid")
    assert bad.row == 4
    assert {e.column: e.message for e in bad.errors} == {
        "responsible.id": "column 'Säljare-id': 'tolv' is not a whole number",
        "isActive": "column 'Aktiv': 'kanske' is not true or false (Ja/Nej, SANT/FALSKT, Yes/No, 1/0)"}
    assert [m for m, _, _ in fast_sandbox.request_log() if m != "GET"] == []  # nothing written
