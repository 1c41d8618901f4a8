"""``bulktool map suggest FILE ENDPOINT`` through the real CLI: exact output, exit codes, the file it writes.

The command reads only the file and the templates, so no sandbox runs here and no credentials are set:
a request would fail for want of them. The written mapping is then read back by the mapping loader
the import uses, so a suggestion is a file ``bulktool import --map`` accepts.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import openpyxl
from click.testing import CliRunner, Result

from bulktool.cli import cli
from bulktool.migrate.apply import apply_mapping
from bulktool.migrate.mapping import load_mapping
from bulktool.migrate.readers import read_raw
from bulktool.schema import get_endpoint

NORDIC = ("Kundnr;Företagsnamn;Org.nr;Adress;Postnr;Ort;Telefon;E-post;Skapad av\r\n"
          "1001;Acme AB;556898-6787;Storgatan 1;411 03;Göteborg;031-123456;info@acme.se;admin\r\n"
          "1002;Bygg & Co;559123-4567;\"Hamngatan 2, 3 tr\";111 47;Stockholm;08-123 456 78;kontor@bygg.se;admin\r\n")


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def one_error(res: Result) -> str:
    assert res.exit_code == 2, res.output
    assert res.stdout == ""
    lines = res.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), res.stderr
    assert "Traceback" not in res.output
    return lines[0]


def nordic_csv(tmp_path: Path) -> Path:
    path = tmp_path / "kunder.csv"
    path.write_bytes(NORDIC.encode("cp1252"))
    return path


EXPECTED_TABLE = [
    "Suggested mapping: kunder.csv -> tripletex customers",
    "confidence  field                       column        why",
    "     0.95   customerNumber              Kundnr        header 'Kundnr' ~ customerNumber (synonym)",
    "     0.97   organizationNumber          Org.nr        header 'Org.nr' ~ organizationNumber (synonym); "
    "values look like org numbers",
    "     0.95   name                        Företagsnamn  header 'Företagsnamn' ~ name (synonym)",
    "     0.97   email                       E-post        header 'E-post' ~ email (synonym); values look like emails",
    "     0.97   phoneNumber                 Telefon       header 'Telefon' ~ phoneNumber (synonym); "
    "values look like phone numbers",
    "     0.95   postalAddress.addressLine1  Adress        header 'Adress' ~ postalAddress.addressLine1 (synonym)",
    "     0.97   postalAddress.postalCode    Postnr        header 'Postnr' ~ postalAddress.postalCode (synonym); "
    "values look like postal codes",
    "     0.95   postalAddress.city          Ort           header 'Ort' ~ postalAddress.city (synonym)",
    "Unmapped columns (1): Skapad av",
]


def test_suggest_prints_the_table_and_writes_a_mapping_the_import_loads(tmp_path: Path) -> None:
    src, out = nordic_csv(tmp_path), tmp_path / "kunder.toml"
    res = invoke("--system", "tripletex", "map", "suggest", str(src), "customers", "-o", str(out))
    assert res.exit_code == 0, res.output
    assert res.stderr == ""
    assert res.stdout.splitlines() == [*EXPECTED_TABLE,
                                       f"Wrote {out}: edit it, then: bulktool import kunder.csv --map {out}"]
    data = tomllib.loads(out.read_text(encoding="utf-8"))
    assert data["endpoint"] == "customers"
    assert data["skip"] == ["Skapad av"]
    assert data["fields"]["name"] == "Företagsnamn"
    mapping = load_mapping(out)
    (target,) = mapping.targets
    assert target.endpoint == "customers"
    assert target.skip == ("Skapad av",)
    assert {r.target: r.sources for r in target.fields} == {
        "customerNumber": ("Kundnr",), "organizationNumber": ("Org.nr",), "name": ("Företagsnamn",),
        "email": ("E-post",), "phoneNumber": ("Telefon",), "postalAddress.addressLine1": ("Adress",),
        "postalAddress.postalCode": ("Postnr",), "postalAddress.city": ("Ort",),
    }
    mapped = apply_mapping(read_raw(src), target, get_endpoint("tripletex", "customers"))
    assert mapped.warnings == []  # the skip list names every column nothing maps
    assert [(r.values, r.errors) for r in mapped.sheet.rows] == [
        ({"customerNumber": 1001, "organizationNumber": "556898-6787", "name": "Acme AB", "email": "info@acme.se",
          "phoneNumber": "031-123456", "postalAddress.addressLine1": "Storgatan 1",
          "postalAddress.postalCode": "411 03", "postalAddress.city": "Göteborg"}, {}),
        ({"customerNumber": 1002, "organizationNumber": "559123-4567", "name": "Bygg & Co",
          "email": "kontor@bygg.se", "phoneNumber": "08-123 456 78", "postalAddress.addressLine1": "Hamngatan 2, 3 tr",
          "postalAddress.postalCode": "111 47", "postalAddress.city": "Stockholm"}, {}),
    ]


def test_without_output_the_table_is_printed_and_how_to_write_it(tmp_path: Path) -> None:
    res = invoke("--system", "tripletex", "map", "suggest", str(nordic_csv(tmp_path)), "customers")
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines() == [
        *EXPECTED_TABLE, "Nothing written: add -o kunder.toml to write this as a mapping file to edit"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kunder.csv"]


def test_json_lists_every_suggestion_with_its_confidence(tmp_path: Path) -> None:
    res = invoke("--system", "tripletex", "map", "suggest", str(nordic_csv(tmp_path)), "customers", "--json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["file"] == "kunder.csv" and doc["system"] == "tripletex" and doc["endpoint"] == "customers"
    assert doc["unmapped"] == ["Skapad av"] and doc["missing"] == [] and doc["output"] is None
    assert doc["fields"][0] == {"field": "customerNumber", "source": "Kundnr", "confidence": 0.95,
                                "reason": "header 'Kundnr' ~ customerNumber (synonym)", "part": None, "join": None,
                                "confident": True}
    assert [f["field"] for f in doc["fields"]] == [
        "customerNumber", "organizationNumber", "name", "email", "phoneNumber", "postalAddress.addressLine1",
        "postalAddress.postalCode", "postalAddress.city"]


def test_an_existing_mapping_is_not_overwritten_without_force(tmp_path: Path) -> None:
    src, out = nordic_csv(tmp_path), tmp_path / "kunder.toml"
    out.write_text("# my edits\n", encoding="utf-8")
    res = invoke("--system", "tripletex", "map", "suggest", str(src), "customers", "-o", str(out))
    assert one_error(res) == (f"Error: {out} already exists and may hold your edits; choose another file, "
                              "or pass --force to replace it")
    assert out.read_text(encoding="utf-8") == "# my edits\n"
    forced = invoke("--system", "tripletex", "map", "suggest", str(src), "customers", "-o", str(out), "--force")
    assert forced.exit_code == 0, forced.output
    assert tomllib.loads(out.read_text(encoding="utf-8"))["endpoint"] == "customers"


def test_the_default_system_and_a_workbook_sheet(tmp_path: Path) -> None:
    path = tmp_path / "export.xlsx"
    wb = openpyxl.Workbook()
    assert wb.active is not None
    wb.active.title = "Info"
    wb.active.append(["Exported 2026-12-01"])
    ws = wb.create_sheet("Kontakter")
    ws.append(["Namn", "E-post", "Mobil"])
    ws.append(["Anna Ek", "anna@acme.se", "070-123 45 67"])
    wb.save(path)
    res = invoke("map", "suggest", str(path), "contacts", "--sheet", "Kontakter", "--json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["system"] == "blikk"
    assert {f["field"]: f["source"] for f in doc["fields"]} == {
        "name": "Namn", "email": "E-post", "cellPhoneNumber": "Mobil"}
    assert doc["unmapped"] == []
    assert "contactType" in doc["missing"]


def test_unknown_endpoint_and_missing_file_are_one_error_line(tmp_path: Path) -> None:
    src = nordic_csv(tmp_path)
    line = one_error(invoke("--system", "tripletex", "map", "suggest", str(src), "kunder"))
    assert line.startswith("Error: Unknown endpoint 'kunder' for tripletex.")
    missing = one_error(invoke("map", "suggest", str(tmp_path / "nope.csv"), "contacts"))
    assert "nope.csv" in missing
