"""Issue 10, acceptance 1: CRM exports import through a suggested-then-edited mapping, linked, re-runnable.

Google Contacts and Outlook CSVs go into Blikk contacts, a HubSpot companies + contacts workbook into
Tripletex customers and contacts (tests/data/i10/fix/README.md lists what each file holds). Each flow is the
user's: `bulktool map suggest` writes a mapping, the user edits it (here: keeps the suggested rules that read
the column the final mapping names, and corrects or adds the rest as the committed *.toml has them), then
`import --map --apply`. The server must then hold each person linked to the company created in the same
file, and a second run must send no write at all.
"""

from __future__ import annotations

import shutil
import tomllib
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from click.testing import CliRunner, Result
from helpers.cli import run
from tt_fixtures import tt_base_url

from bulktool.cli import cli
from bulktool.sandbox import SandboxServer

DATA = Path(__file__).resolve().parent / "data" / "i10" / "fix"


@pytest.fixture()
def srv(fast_sandbox: SandboxServer, sandbox_env: None) -> Iterator[SandboxServer]:
    yield fast_sandbox


def tt_run(srv: SandboxServer, *args: str) -> Result:
    """``bulktool --system tripletex --base-url <sandbox>/v2 ARGS`` (credentials from ``tt_env``)."""
    return CliRunner().invoke(cli, ["--system", "tripletex", "--base-url", tt_base_url(srv), "--rate", "500",
                                    *args], catch_exceptions=False)


def source_of(rule: Any) -> str | None:
    """The one source column a mapping rule reads (``"Col"`` or ``{ from = "Col", ... }``), else None."""
    if isinstance(rule, str):
        return rule
    return rule.get("from") if isinstance(rule, dict) else None


def suggest(runner: Any, srv: SandboxServer, tmp: Path, name: str, endpoint: str, *more: str) -> dict[str, Any]:
    """``bulktool map suggest FILE ENDPOINT -o`` on a copy of the fixture; the TOML it wrote, parsed."""
    src = shutil.copy(DATA / name, tmp / name)
    out = tmp / (Path(name).stem + ".suggested.toml")
    res = runner(srv, "map", "suggest", str(src), endpoint, "-o", str(out), *more)
    assert res.exit_code == 0, res.output
    return tomllib.loads(out.read_text(encoding="utf-8"))


def edit(suggested_fields: dict[str, Any], final: dict[str, Any], at_least: int = 3) -> dict[str, Any]:
    """The user's edit of one target: the suggested rules they agree with stay as suggested (a field read
    from the column the final mapping names plainly); the rest is dropped, corrected or added from ``final``.
    At least ``at_least`` suggested rules must survive: the edit is an edit, not a rewrite."""
    kept = {k: v for k, v in suggested_fields.items()
            if isinstance(final.get(k), str) and source_of(v) == final[k]}
    assert len(kept) >= at_least, (kept, suggested_fields)
    return final | kept


def write_edited(tmp: Path, name: str, edited: dict[str, Any]) -> Path:
    path = tmp / name
    path.write_text(tomli_w.dumps(edited), encoding="utf-8")
    return path


def contacts_by_name(srv: SandboxServer) -> dict[str, dict[str, Any]]:
    return {unicodedata.normalize("NFC", c["name"]): c for c in srv.records("contacts")}


def company_id(contact: dict[str, Any]) -> int | None:
    return (contact.get("company") or {}).get("id")


def apply_twice(runner: Any, srv: SandboxServer, *args: str) -> None:
    """Apply, then the same command again: the second run must write nothing (POST/PUT/DELETE all 0)."""
    res = runner(srv, "import", *args, "--apply", "--yes", "--quiet")
    assert res.exit_code == 0, res.output
    srv.reset_stats()
    again = runner(srv, "import", *args, "--apply", "--yes", "--quiet")
    assert again.exit_code == 0, again.output
    stats = srv.stats()
    assert stats["POST"] == stats["PUT"] == stats["DELETE"] == 0, stats


def test_google_contacts_suggested_then_edited_import_links_persons_to_companies_of_the_same_file(
        srv: SandboxServer, tmp_path: Path) -> None:
    suggested = suggest(run, srv, tmp_path, "google-contacts.csv", "contacts")
    sources = {k: source_of(v) for k, v in suggested["fields"].items()}
    # What a suggestion must get right from headers and contents alone; the rest is the user's edit.
    assert sources["email"] == "E-mail 1 - Value"
    assert sources["visitingAddress.city"] == "Address 1 - City"
    assert sources["visitingAddress.postalCode"] == "Address 1 - Postal Code"
    assert sources["visitingAddress.streetAddress"] == "Address 1 - Street"
    assert "Photo" not in sources.values()
    final = tomllib.loads((DATA / "google-contacts.toml").read_text(encoding="utf-8"))
    mapping = write_edited(tmp_path, "google.toml", {**final, "fields": edit(suggested["fields"], final["fields"])})
    before = {c["id"] for c in srv.records("contacts")}

    apply_twice(run, srv, str(tmp_path / "google-contacts.csv"), "--map", str(mapping))

    made = {k: c for k, c in contacts_by_name(srv).items() if c["id"] not in before}
    assert len(made) == 12
    companies = {k: c["id"] for k, c in made.items() if c["contactType"].lower() == "company"}
    assert set(companies) == {"Björkvik Bygg AB", "Ängö Fastigheter AB", "Nordström & Dahl HB"}
    linked = {k: company_id(c) for k, c in made.items() if c["contactType"].lower() == "person"}
    assert linked == {
        "Anna Maria Berg": companies["Björkvik Bygg AB"], "Lars Öhrn": companies["Björkvik Bygg AB"],
        "Johan Ek": companies["Björkvik Bygg AB"], "Karin Åberg": companies["Ängö Fastigheter AB"],
        "Erik Johan Lindström": companies["Ängö Fastigheter AB"], "Maja Söderlund": companies["Ängö Fastigheter AB"],
        "Sofia Nyström": companies["Nordström & Dahl HB"], "Per Dahl": companies["Nordström & Dahl HB"],
        "Elin Håkansson": None}
    anna, johan, per = made["Anna Maria Berg"], made["Johan Ek"], made["Per Dahl"]
    assert anna["email"] == "anna.berg@bjorkvikbygg.se" and anna["cellPhoneNumber"] == "+46 70 123 45 67"
    assert anna["importantInformation"].splitlines() == ["Ring efter kl. 10.", 'Säger alltid "kör hårt" i telefon.']
    assert johan["email"] == "johan.ek@bjorkvikbygg.se"  # the first of "a ::: b"
    assert made["Sofia Nyström"]["email"] == "sofia@nordstromdahl.se"
    assert per["importantInformation"] == 'Faktura via e-post, ref. "PD-2024"'
    assert {c["responsible"]["id"] for c in made.values()} == {1}  # "Anna Lindqvist", looked up by name
    bjorkvik = made["Björkvik Bygg AB"]["visitingAddress"]
    assert (bjorkvik["streetAddress"], bjorkvik["postalCode"], bjorkvik["city"], bjorkvik["countryId"]) == (
        "Sjöportsgatan 4", "41764", "Göteborg", 1)
    assert all(c["name"] == unicodedata.normalize("NFC", c["name"]) for c in made.values())  # NFD in, NFC out


def test_outlook_csv_in_windows_1252_makes_each_company_once_and_links_its_persons(
        srv: SandboxServer, tmp_path: Path) -> None:
    suggested = suggest(run, srv, tmp_path, "outlook-contacts.csv", "contacts")
    sources = {k: source_of(v) for k, v in suggested["fields"].items()}
    assert sources["email"] == "E-mail Address" and "Mobile Phone" in sources.values()
    final = tomllib.loads((DATA / "outlook-contacts.toml").read_text(encoding="utf-8"))
    companies_t, persons_t = final["target"]
    persons_t = {**persons_t, "fields": edit(suggested["fields"], persons_t["fields"], at_least=1)}
    mapping = write_edited(tmp_path, "outlook.toml", {**final, "target": [companies_t, persons_t]})
    before = {c["id"] for c in srv.records("contacts")}

    apply_twice(run, srv, str(tmp_path / "outlook-contacts.csv"), "--map", str(mapping))

    made = {k: c for k, c in contacts_by_name(srv).items() if c["id"] not in before}
    assert len(made) == 8  # two companies (one per distinct "Company"), six persons
    fj, ov = made["Fjällbacka Rör & Värme AB"], made["Øvre Ålesund Elektro AS"]
    assert fj["contactType"].lower() == ov["contactType"].lower() == "company"
    assert (fj["visitingAddress"]["city"], fj["visitingAddress"]["countryId"]) == ("Fjällbacka", 1)
    assert (ov["visitingAddress"]["city"], ov["visitingAddress"]["countryId"]) == ("Ålesund", 2)
    persons = {k: c for k, c in made.items() if c["contactType"].lower() == "person"}
    assert {k: company_id(c) for k, c in persons.items()} == {
        "Gunnar Ståhl": fj["id"], "Märit Ölund": fj["id"], "Åke Olof Nordén": fj["id"],
        "Bjørn Kjærnes": ov["id"], "Sølvi Hæreid": ov["id"], "Øyvind Aas": ov["id"]}
    assert {k: sorted(t["id"] for t in c["tags"]) for k, c in persons.items()} == {
        "Gunnar Ståhl": [1, 6], "Märit Ölund": [6], "Åke Olof Nordén": [], "Bjørn Kjærnes": [1],
        "Sølvi Hæreid": [], "Øyvind Aas": []}  # Categories "VIP;Nyhetsbrev" by tag title
    assert persons["Gunnar Ståhl"]["email"] == "gunnar.stahl@fjallbackaror.se"
    assert persons["Gunnar Ståhl"]["importantInformation"].splitlines() == [
        "Kund sedan 2009.", 'Vill ha "offert först".']
    assert persons["Bjørn Kjærnes"]["cellPhoneNumber"] == "+47 901 23 456"
    assert {c["responsible"]["id"] for c in made.values()} == {8}  # "Göran Ek", by name


def test_hubspot_companies_and_contacts_import_into_tripletex_customers_and_linked_contacts(
        tt_sandbox: SandboxServer, tt_env: None, tmp_path: Path) -> None:
    srv = tt_sandbox
    suggested = suggest(tt_run, srv, tmp_path, "hubspot-export.xlsx", "customers", "--sheet", "Companies")
    sources = {k: source_of(v) for k, v in suggested["fields"].items()}
    assert sources["name"] == "Company name" and sources["organizationNumber"] == "Organisationsnummer"
    assert sources["website"] == "Company Domain Name" and sources["postalAddress.city"] == "City"
    final = tomllib.loads((DATA / "hubspot-export.toml").read_text(encoding="utf-8"))
    customers_t, contacts_t = final["target"]
    customers_t = {**customers_t, "fields": edit(suggested["fields"], customers_t["fields"])}
    mapping = write_edited(tmp_path, "hubspot.toml", {"target": [customers_t, contacts_t]})
    before_customers = {c["id"] for c in srv.records("customer")}
    before_contacts = {c["id"] for c in srv.records("contact")}

    apply_twice(tt_run, srv, str(tmp_path / "hubspot-export.xlsx"), "--map", str(mapping))

    customers = {c["name"]: c for c in srv.records("customer") if c["id"] not in before_customers}
    assert {k: (c["organizationNumber"], c["accountManager"]["id"], c["postalAddress"]["country"]["id"],
                c["postalAddress"]["city"]) for k, c in customers.items()} == {
        "Fjordkraft Bygg AS": ("987654321", 102, 161, "Bergen"),
        "Trøndelag Rør og Varme AS": ("912345670", 103, 161, "Trondheim"),
        "Skåne Glas & Fasad AB": ("5567891234", 102, 206, "Malmö")}
    contacts = {f"{c['firstName']} {c['lastName']}": c for c in srv.records("contact")
                if c["id"] not in before_contacts}
    kystost = next(c["id"] for c in srv.records("customer") if c["customerNumber"] == 10001)
    assert {k: c["customer"]["id"] for k, c in contacts.items()} == {
        "Kari Nordmann": customers["Fjordkraft Bygg AS"]["id"], "Ola Øvrebø": customers["Fjordkraft Bygg AS"]["id"],
        "Siri Løvås": customers["Trøndelag Rør og Varme AS"]["id"],
        "Magnus Ekström": customers["Skåne Glas & Fasad AB"]["id"], "Hege Aasland": kystost}
    assert contacts["Kari Nordmann"]["email"] == "kari.nordmann@fjordkraftbygg.no"
