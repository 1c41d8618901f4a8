"""The foreign export fixtures are what they claim to be, byte for byte; the migration generator is sound.

These pass today (no import pipeline needed): they keep a careless re-save (an editor turning cp1252 into
UTF-8, CRLF into LF, NFD into NFC) from silently emptying the acceptance tests that rely on these files.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import tomllib
import unicodedata
from pathlib import Path
from types import ModuleType

from helpers.migration_data import companies_and_persons
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook
from test_i10_acceptance_crm import DATA


def rows(name: str, encoding: str, delimiter: str = ",") -> list[list[str]]:
    return list(csv.reader(io.StringIO((DATA / name).read_bytes().decode(encoding), newline=""),
                           delimiter=delimiter))


def maker() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_fixtures", DATA / "make_fixtures.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_the_committed_csv_files_are_exactly_what_the_maker_writes(tmp_path: Path) -> None:
    mod = maker()
    for name, write in [("google-contacts.csv", mod.write_google), ("outlook-contacts.csv", mod.write_outlook),
                        ("nordic-projects.csv", mod.write_nordic_csv)]:
        write(tmp_path / name)
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name
    mod.write_nordic_csv(tmp_path / "u.txt", unicode_text=True)
    assert (tmp_path / "u.txt").read_bytes() == (DATA / "nordic-projects-unicode.txt").read_bytes()


def test_the_unicode_text_file_is_the_nordic_csv_in_utf16_with_tabs() -> None:
    raw = (DATA / "nordic-projects-unicode.txt").read_bytes()
    assert raw.startswith(b"\xff\xfe")
    assert rows("nordic-projects-unicode.txt", "utf-16", "\t") == rows("nordic-projects.csv", "cp1252", ";")


def test_google_csv_is_utf8_without_bom_with_multi_value_cells_quoted_newlines_and_nfd_names() -> None:
    raw = (DATA / "google-contacts.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and raw.count(b"\r\n") == 13  # header + 12 rows end in CRLF
    table = rows("google-contacts.csv", "utf-8")
    header, body = table[0], table[1:]
    assert len(header) == 36 and header[:3] == ["First Name", "Middle Name", "Last Name"]
    assert {"Organization Name", "E-mail 1 - Value", "Phone 1 - Value", "Address 1 - Street", "Labels"} <= set(header)
    assert len(body) == 12 and {len(r) for r in body} == {36}
    col = {h: i for i, h in enumerate(header)}
    assert sum(" ::: " in r[col["E-mail 1 - Value"]] for r in body) == 2
    assert any('"kör hårt"' in r[col["Notes"]] and "\n" in r[col["Notes"]] for r in body)
    names = [r[col["First Name"]] + " " + r[col["Last Name"]] for r in body]
    assert sum(unicodedata.normalize("NFC", n) != n for n in names) == 4  # Öhrn, Ängö, Åberg, Söderlund: NFD
    companies = {unicodedata.normalize("NFC", r[col["First Name"]]) for r in body
                 if r[col["Labels"]].startswith("Företag")}
    named = {r[col["Organization Name"]] for r in body} - {""}
    assert companies == named == {"Björkvik Bygg AB", "Ängö Fastigheter AB", "Nordström & Dahl HB"}


def test_outlook_csv_is_windows_1252_every_field_quoted_with_the_full_outlook_header() -> None:
    raw = (DATA / "outlook-contacts.csv").read_bytes()
    raw.decode("cp1252")
    assert b"\xc3" not in raw  # no UTF-8 sequence: å is the single byte 0xe5
    assert raw.startswith(b'"Title","First Name","Middle Name","Last Name","Suffix","Company",')
    table = rows("outlook-contacts.csv", "cp1252")
    assert len(table[0]) == 92 and len(table) == 7 and {len(r) for r in table} == {92}
    col = {h: i for i, h in enumerate(table[0])}
    assert {r[col["Birthday"]] for r in table[1:]} == {"0/0/00"}
    assert table[1][col["Categories"]] == "VIP;Nyhetsbrev" and "\r\n" in table[1][col["Notes"]]
    assert {r[col["Company"]] for r in table[1:]} == {"Fjällbacka Rör & Värme AB", "Øvre Ålesund Elektro AS"}


def test_nordic_csv_and_xls_hold_the_same_projects() -> None:
    raw = (DATA / "nordic-projects.csv").read_bytes()
    assert b"\xa0" in raw and b"1 234,50" in raw and b"SANT" in raw and b"FALSKT" in raw
    table = rows("nordic-projects.csv", "cp1252", ";")
    xls = CalamineWorkbook.from_path(str(DATA / "nordic-projects.xls")).get_sheet_by_index(0).to_python()
    assert table[0] == [str(v) for v in xls[0]] and len(table) == len(xls) == 7
    for text, typed in zip(table[1:], xls[1:], strict=True):
        assert text[0] == typed[0] and text[4] == typed[4].strftime("%d.%m.%Y")
        assert text[6] == ("SANT" if typed[6] else "FALSKT")
        amount = text[7].replace(" ", "").replace("\u00a0", "").replace(",", ".")
        assert float(amount) == typed[7]


def test_hubspot_workbook_has_companies_and_contacts_naming_them() -> None:
    wb = load_workbook(DATA / "hubspot-export.xlsx")
    assert wb.sheetnames == ["Companies", "Contacts"]
    companies = {r[1] for r in wb["Companies"].iter_rows(min_row=2, values_only=True)}
    named = {r[5] for r in wb["Contacts"].iter_rows(min_row=2, values_only=True)}
    assert named - companies == {"Kystøst Consult SA"}  # the one that already exists in Tripletex


def test_every_mapping_is_valid_toml() -> None:
    for path in sorted(DATA.glob("*.toml")):
        assert tomllib.loads(path.read_text(encoding="utf-8")), path.name


def test_the_migration_generator_is_seeded_and_every_person_names_an_existing_company_row() -> None:
    a, b = companies_and_persons(50, 150), companies_and_persons(50, 150)
    assert a.rows == b.rows and a.rows != companies_and_persons(50, 150, seed=11).rows
    assert len(a.rows) == 200 and len(set(a.orgnr.values())) == 50
    refs = {r["Företag"] for r in a.rows if r["Typ"] == "Person"}
    known = set(a.orgnr.values()) | {o.replace("-", "") for o in a.orgnr.values()} | set(a.companies.values())
    assert refs <= known
    first_person = next(i for i, r in enumerate(a.rows) if r["Typ"] == "Person")
    last_company = max(i for i, r in enumerate(a.rows) if r["Typ"] == "Företag")
    assert first_person < last_company  # some persons come before their company: the plan must order them
