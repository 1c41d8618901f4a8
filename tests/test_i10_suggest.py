"""``suggest_mapping`` on exports as other systems write them: which column feeds which field, how sure.

The tables are built as the reader would hand them over (RawTable, text cells), with the headers and
value shapes of Google Contacts, Outlook, HubSpot and Nordic ERP exports. The templates are the real
ones; a reference column gets the lookup its template declares, or one added here until every
template declares its own, so these tests hold either way.
"""

from __future__ import annotations

import tomllib
from dataclasses import replace
from datetime import date

import pytest

from bulktool.migrate.rawtable import RawCell, RawRow, RawTable
from bulktool.migrate.suggest import FieldSuggestion, Suggestion, fold, suggest_mapping
from bulktool.migrate.suggest_toml import to_toml
from bulktool.schema import get_endpoint
from bulktool.schema.model import Endpoint, Lookup

LOOKUPS = {
    "responsible.id": "responsible", "company.id": "company", "parentCompany.id": "parentCompany",
    "tags.id": "tags", "visitingAddress.countryId": "visitingAddress.country",
    "deliveryAddress.countryId": "deliveryAddress.country", "invoiceAddress.countryId": "invoiceAddress.country",
    "accountManager.id": "accountManager", "customer.id": "customer", "department.id": "department",
    "postalAddress.country.id": "postalAddress.country", "physicalAddress.country.id": "physicalAddress.country",
    "currency.id": "currency", "projectManager.id": "projectManager",
}


def endpoint(system: str, name: str) -> Endpoint:
    ep = get_endpoint(system, name)
    cols = tuple(replace(c, lookup=Lookup(LOOKUPS[c.name], "any", ("name",)))
                 if c.lookup is None and c.name in LOOKUPS else c for c in ep.columns)
    return replace(ep, columns=cols)


def table(headers: list[str], *rows: list[RawCell]) -> RawTable:
    return RawTable("export", headers, [RawRow(i + 2, i + 2, list(r)) for i, r in enumerate(rows)], "utf-8", ",")


def pairs(s: Suggestion, *, confident: bool = True) -> dict[str, str]:
    """field -> source, for the suggestions at or above the line the TOML writes uncommented."""
    out: dict[str, str] = {}
    for f in s.fields:
        if confident and f.confidence < 0.6:
            continue
        src = "+".join(f.join) if f.join else f"{f.source}/{f.part}" if f.part else f.source
        out[f.field] = src
    return out


def one(s: Suggestion, field: str) -> FieldSuggestion:
    return next(f for f in s.fields if f.field == field)


GOOGLE = ["First Name", "Middle Name", "Last Name", "Nickname", "Organization Name", "Organization Title",
          "Birthday", "Notes", "Labels", "E-mail 1 - Label", "E-mail 1 - Value", "Phone 1 - Label",
          "Phone 1 - Value", "Address 1 - Street", "Address 1 - City", "Address 1 - Postal Code",
          "Address 1 - Country"]
GOOGLE_ROW: list[RawCell] = ["Anna", "", "Svensson", "", "Acme AB", "VD", "1980-01-02", "", "* myContacts",
                             "* Work", "anna@acme.se", "Mobile", "+46 70-123 45 67", "Storgatan 1", "Göteborg",
                             "411 03", "Sverige"]


def test_google_contacts_onto_a_template_with_one_name_joins_first_middle_last() -> None:
    s = suggest_mapping(table(GOOGLE, GOOGLE_ROW, GOOGLE_ROW), endpoint("blikk", "contacts"))
    assert pairs(s) == {
        "name": "First Name+Middle Name+Last Name",
        "visitingAddress.streetAddress": "Address 1 - Street", "visitingAddress.postalCode": "Address 1 - Postal Code",
        "visitingAddress.city": "Address 1 - City", "visitingAddress.country": "Address 1 - Country",
        "company": "Organization Name", "email": "E-mail 1 - Value", "phoneNumber": "Phone 1 - Value",
        "importantInformation": "Notes", "tags": "Labels",
    }
    assert one(s, "email").reason == "header 'E-mail 1 - Value' ~ email (synonym); values look like emails"
    assert one(s, "email").confidence == 0.97
    # The labels beside each value are not the value: nothing with confidence takes them.
    assert {"Nickname", "Organization Title", "Birthday", "Phone 1 - Label"} <= set(s.unmapped)
    assert s.missing == ["contactType", "responsible"]
    assert s.enums == {"contactType": ("person", "company")}


def test_google_contacts_onto_first_and_last_name_fields_maps_them_one_to_one() -> None:
    s = suggest_mapping(table(GOOGLE, GOOGLE_ROW), endpoint("tripletex", "contacts"))
    assert pairs(s) == {"email": "E-mail 1 - Value", "firstName": "First Name", "lastName": "Last Name",
                        "phoneNumberWork": "Phone 1 - Value", "customer": "Organization Name"}
    assert one(s, "firstName").reason == "header 'First Name' ~ firstName (field name)"
    assert one(s, "firstName").confidence == 1.0


def test_a_full_name_column_is_split_when_the_template_has_first_and_last_names() -> None:
    s = suggest_mapping(table(["Namn", "E-post", "Företag"], ["Anna Svensson", "anna@acme.se", "Acme AB"]),
                        endpoint("tripletex", "contacts"))
    assert pairs(s) == {"email": "E-post", "firstName": "Namn/first", "lastName": "Namn/last", "customer": "Företag"}
    assert one(s, "lastName").reason == "header 'Namn' ~ full name, split: last part"
    assert s.unmapped == []


def test_a_single_name_column_maps_straight_to_name() -> None:
    s = suggest_mapping(table(["Name", "Given Name", "Family Name"], ["Anna Svensson", "Anna", "Svensson"]),
                        endpoint("blikk", "contacts"))
    assert pairs(s)["name"] == "Name"
    assert s.unmapped == ["Given Name", "Family Name"]


def test_outlook_business_address_and_phones() -> None:
    headers = ["Title", "First Name", "Middle Name", "Last Name", "Company", "Department", "Job Title",
               "Business Street", "Business City", "Business Postal Code", "Business Country/Region",
               "Business Phone", "Mobile Phone", "E-mail Address", "Notes", "Categories"]
    row: list[RawCell] = ["", "Anna", "", "Svensson", "Acme AB", "", "VD", "Storgatan 1", "Göteborg", "411 03",
                          "Sverige", "031-123456", "070-123 45 67", "anna@acme.se", "", "Kunder"]
    s = suggest_mapping(table(headers, row), endpoint("blikk", "contacts"))
    assert pairs(s) == {
        "name": "First Name+Middle Name+Last Name", "visitingAddress.streetAddress": "Business Street",
        "visitingAddress.postalCode": "Business Postal Code", "visitingAddress.city": "Business City",
        "visitingAddress.country": "Business Country/Region", "company": "Company", "email": "E-mail Address",
        "phoneNumber": "Business Phone", "cellPhoneNumber": "Mobile Phone", "importantInformation": "Notes",
        "tags": "Categories",
    }
    assert s.unmapped == ["Title", "Department", "Job Title"]


def test_hubspot_companies_onto_customers_with_owner_as_account_manager() -> None:
    headers = ["Record ID", "Company name", "Company Domain Name", "Phone Number", "Company owner", "City",
               "Postal Code", "Country/Region", "Street Address", "Industry", "Create Date"]
    row: list[RawCell] = ["1234", "Acme AS", "acme.no", "+47 22 33 44 55", "Ola Nordmann", "Oslo", "0150", "Norway",
                          "Karl Johans gate 1", "Software", "2024-01-05 10:00"]
    s = suggest_mapping(table(headers, row), endpoint("tripletex", "customers"))
    assert pairs(s) == {
        "name": "Company name", "phoneNumber": "Phone Number", "website": "Company Domain Name",
        "accountManager": "Company owner", "postalAddress.addressLine1": "Street Address",
        "postalAddress.postalCode": "Postal Code", "postalAddress.city": "City",
        "postalAddress.country": "Country/Region",
    }
    assert one(s, "website").reason.endswith("; values look like web addresses")
    assert s.unmapped == ["Record ID", "Industry", "Create Date"]


def test_swedish_erp_file_with_visiting_and_delivery_addresses() -> None:
    headers = ["Kundnr", "Företagsnamn", "Organisationsnummer", "Besöksadress", "Postnummer", "Ort",
               "Leveransadress", "Leverans postnr", "Leveransort", "Land", "Telefon", "E-post", "Faktura e-post",
               "Vår referens", "Aktiv"]
    row: list[RawCell] = ["1001", "Acme AB", "556898-6787", "Storgatan 1", "411 03", "Göteborg", "Lagervägen 2",
                          "412 50", "Mölndal", "Sverige", "031-123456", "info@acme.se", "faktura@acme.se",
                          "Anna Ek", "Ja"]
    s = suggest_mapping(table(headers, row), endpoint("blikk", "contacts"))
    assert pairs(s) == {
        "name": "Företagsnamn", "customerNumber": "Kundnr", "organizationalOrSocialSecurityNumber":
            "Organisationsnummer", "visitingAddress.streetAddress": "Besöksadress",
        "visitingAddress.postalCode": "Postnummer", "visitingAddress.city": "Ort", "visitingAddress.country": "Land",
        "isActive": "Aktiv", "email": "E-post", "invoiceEmail": "Faktura e-post", "phoneNumber": "Telefon",
        "responsible": "Vår referens", "deliveryAddress.streetAddress": "Leveransadress",
        "deliveryAddress.postalCode": "Leverans postnr", "deliveryAddress.city": "Leveransort",
    }
    assert one(s, "organizationalOrSocialSecurityNumber").reason.endswith("; values look like org numbers")
    assert s.unmapped == []
    assert s.missing == ["contactType"]


def test_norwegian_file_onto_customers() -> None:
    headers = ["Kundenummer", "Navn", "Organisasjonsnummer", "Adresse", "Postnr", "Poststed", "Land", "Telefon",
               "Mobil", "E-post", "Kundeansvarlig"]
    row: list[RawCell] = ["10001", "Acme AS", "923609016", "Storgata 1", "0150", "OSLO", "Norge", "22 33 44 55",
                          "912 34 567", "post@acme.no", "Kari Nordmann"]
    s = suggest_mapping(table(headers, row), endpoint("tripletex", "customers"))
    assert pairs(s) == {
        "customerNumber": "Kundenummer", "organizationNumber": "Organisasjonsnummer", "name": "Navn",
        "email": "E-post", "phoneNumber": "Telefon", "phoneNumberMobile": "Mobil", "accountManager": "Kundeansvarlig",
        "postalAddress.addressLine1": "Adresse", "postalAddress.postalCode": "Postnr", "postalAddress.city": "Poststed",
        "postalAddress.country": "Land",
    }


def test_the_cells_decide_what_an_ambiguous_header_means() -> None:
    phones = suggest_mapping(table(["Namn", "Nummer"], ["Anna", "070-123 45 67"], ["Bo", "08-123 456 78"]),
                             endpoint("blikk", "contacts"))
    numbers = suggest_mapping(table(["Namn", "Nummer"], ["Anna", "1001"], ["Bo", "1002"]),
                              endpoint("blikk", "contacts"))
    assert pairs(phones) == {"name": "Namn", "phoneNumber": "Nummer"}
    assert one(phones, "phoneNumber").reason == (
        "header 'Nummer' ~ phoneNumber (synonym); values look like phone numbers")
    assert pairs(numbers) == {"name": "Namn", "customerNumber": "Nummer"}


def test_cells_that_contradict_the_header_lower_the_confidence() -> None:
    s = suggest_mapping(table(["Namn", "E-post"], ["Anna", "031-123456"], ["Bo", "08-123 456 78"]),
                        endpoint("blikk", "contacts"))
    assert pairs(s) == {"name": "Namn"}  # nothing sure about "E-post"
    guess = next(f for f in s.fields if f.source == "E-post")
    assert (guess.field, guess.confidence) == ("phoneNumber", 0.55)
    assert guess.reason == "column 'E-post' by its cells; values look like phone numbers"


def test_cells_alone_give_an_unsure_suggestion() -> None:
    s = suggest_mapping(table(["Namn", "Kolumn 3", "Kol4"], ["Anna", "anna@acme.se", "556898-6787"],
                              ["Bo", "bo@acme.se", "556898-6788"]), endpoint("blikk", "contacts"))
    assert one(s, "email").source == "Kolumn 3"
    assert one(s, "email").confidence == 0.55
    assert one(s, "email").reason == "column 'Kolumn 3' by its cells; values look like emails"
    assert one(s, "organizationalOrSocialSecurityNumber").source == "Kol4"
    assert pairs(s) == {"name": "Namn"}


def test_each_column_feeds_one_field_and_each_field_takes_one_column() -> None:
    s = suggest_mapping(table(["E-post", "Email", "Mail"], ["a@x.se", "b@x.se", "c@x.se"]),
                        endpoint("blikk", "contacts"))
    sources = [f.source for f in s.fields]
    assert len(sources) == len(set(sources))
    assert len({f.field for f in s.fields}) == len(s.fields)
    assert one(s, "email").source == "Email"  # the field's own name beats a synonym


def test_an_enum_column_spelt_otherwise_gets_a_value_map() -> None:
    s = suggest_mapping(table(["Namn", "Kundtyp"], ["Anna", "Privatperson"], ["Acme", "Företag"], ["X", "company"]),
                        endpoint("blikk", "contacts"))
    kind = one(s, "contactType")
    assert kind.values == (("Privatperson", "person"), ("Företag", "company"))
    assert kind.confidence == 0.95
    odd = one(suggest_mapping(table(["Namn", "Kundtyp"], ["Anna", "Privatperson"], ["Acme", "Grossist"]),
                              endpoint("blikk", "contacts")), "contactType")
    assert odd.values == (("Privatperson", "person"),)
    assert odd.reason.endswith("; values not among person, company: 'Grossist'")
    assert odd.confidence == 0.76


@pytest.mark.parametrize(("header", "folded"), [
    ("E-post", "e post"), ("Förnamn", "fornamn"), ("Etternavn", "etternavn"), ("Org.nr", "org nr"),
    ("firstName", "first name"), ("  Poststed ", "poststed"), ("Ærø Øst", "aero ost"),
    ("Fo\u0308rnamn", "fornamn"),  # macOS writes a decomposed ö
])
def test_fold(header: str, folded: str) -> None:
    assert fold(header) == folded


def test_every_template_of_every_system_gets_a_suggestion_for_its_own_column_names() -> None:
    """A file whose headers already are the field names maps each to itself, with confidence 1."""
    from bulktool.schema import load_templates
    from bulktool.vendors import CONNECTORS

    for system in sorted(CONNECTORS):
        for ep in load_templates(system).values():
            names = [c.lookup.column if c.lookup else c.name for c in ep.columns
                     if c.writable and c.type != "json"]
            if not names:
                continue
            s = suggest_mapping(table(names, ["" for _ in names]), ep)
            assert pairs(s) == {n: n for n in names}, (system, ep.name)
            assert all(f.confidence == 1.0 for f in s.fields), (system, ep.name)


def test_the_toml_loads_and_says_what_the_suggestion_says() -> None:
    s = suggest_mapping(table(GOOGLE, GOOGLE_ROW), endpoint("blikk", "contacts"))
    text = to_toml(s, file_name="contacts.csv", today=date(2026, 12, 2))
    data = tomllib.loads(text)
    assert data["endpoint"] == "contacts"
    assert data["skip"] == s.unmapped
    assert data["set"] == {}
    confident = {f.field for f in s.fields if f.confidence >= 0.6}
    assert set(data["fields"]) == confident
    assert data["fields"]["name"] == {"join": ["First Name", "Middle Name", "Last Name"], "sep": " "}
    assert data["fields"]["visitingAddress.city"] == "Address 1 - City"
    lines = text.splitlines()
    assert lines[0] == "# bulktool mapping suggested for 'contacts.csv' -> blikk contacts (2026-12-02)"
    assert ('email = "E-mail 1 - Value"  # 0.97: header \'E-mail 1 - Value\' ~ email (synonym); '
            "values look like emails") in lines
    assert ("# TODO contactType = ...  # required by contacts, nothing in the file maps to it "
            "(one of: person, company): set it here or map a column under [fields]") in lines
    assert "# encoding = \"utf-8\"  # detected in 'contacts.csv'; uncomment to force it" in lines


def test_unsure_lines_are_written_commented_out_and_load_once_uncommented() -> None:
    s = suggest_mapping(table(["Namn", "Kolumn 3", "Kundtyp"], ["Anna", "anna@acme.se", "Privatperson"],
                              ["Acme", "info@acme.se", "Företag"]), endpoint("blikk", "contacts"))
    text = to_toml(s, file_name="x.csv")
    line = next(x for x in text.splitlines() if "Kolumn 3" in x and "email" in x)
    assert line == ("# email = \"Kolumn 3\"  # 0.55: column 'Kolumn 3' by its cells; values look like emails "
                    "(unsure: check it, then remove the leading '# ')")
    assert "email" not in tomllib.loads(text)["fields"]
    edited = tomllib.loads(text.replace(line, line[2:]))
    assert edited["fields"]["email"] == "Kolumn 3"
    assert tomllib.loads(text)["fields"]["contactType"] == {
        "from": "Kundtyp", "values": {"Privatperson": "person", "Företag": "company"}}


def test_toml_quotes_odd_header_names() -> None:
    s = suggest_mapping(table(['E-post "arbete"\\x', "Namn"], ["a@x.se", "Anna"]), endpoint("blikk", "contacts"))
    data = tomllib.loads(to_toml(s, file_name='we"ird.csv'))
    assert data["fields"]["email"] == 'E-post "arbete"\\x'


def test_a_date_form_the_cells_settle_is_written_and_an_ambiguous_one_left_to_the_user() -> None:
    ep = endpoint("blikk", "projects")
    nordic = suggest_mapping(table(["Projektnamn", "Startdatum", "Slutdatum", "Projektledare"],
                                   ["Bygg", "05.01.2024", "13.02.2024", "Anna Ek"]), ep)
    assert pairs(nordic) == {"title": "Projektnamn", "startDate": "Startdatum", "endDate": "Slutdatum",
                             "projectManager": "Projektledare"}
    text = to_toml(nordic, file_name="p.csv")
    assert "date_format = \"%d.%m.%Y\"  # every date in 'Startdatum', 'Slutdatum' reads so" in text.splitlines()
    assert tomllib.loads(text)["date_format"] == "%d.%m.%Y"
    slashed = suggest_mapping(table(["Projektnamn", "Startdatum"], ["Bygg", "01/02/2024"], ["Hus", "03/04/2024"]),
                              ep)
    assert slashed.date_formats == ["%d/%m/%Y", "%m/%d/%Y"]
    text = to_toml(slashed, file_name="p.csv")
    assert ("# date_format = \"%d/%m/%Y\"  # TODO the dates in 'Startdatum' read as %d/%m/%Y or %m/%d/%Y: "
            "uncomment the right one (--date-format overrides)") in text.splitlines()
    assert "date_format" not in tomllib.loads(text)
    iso = suggest_mapping(table(["Projektnamn", "Startdatum"], ["Bygg", "2024-01-05"]), ep)
    assert "date_format" not in to_toml(iso, file_name="p.csv")


def test_a_lookup_column_of_emails_is_a_lookup_by_email() -> None:
    ep = get_endpoint("tripletex", "customers")
    cols = tuple(replace(c, lookup=Lookup("accountManager", "employees", ("email", "firstName+lastName")))
                 if c.name == "accountManager.id" else c for c in ep.columns)
    s = suggest_mapping(table(["Navn", "Company owner"], ["Acme AS", "kari@acme.no"]), replace(ep, columns=cols))
    assert one(s, "accountManager").reason == (
        "header 'Company owner' ~ accountManager (synonym); values look like emails")
    assert one(s, "accountManager").confidence == 0.97


def test_a_repeated_header_is_suggested_once() -> None:
    s = suggest_mapping(table(["Namn", "Telefon", "Telefon"], ["Anna", "031-123456", "070-1234567"]),
                        endpoint("blikk", "contacts"))
    assert pairs(s) == {"name": "Namn", "phoneNumber": "Telefon"}
    assert s.unmapped == []


def test_five_thousand_rows_and_sixty_columns_are_suggested_in_well_under_five_seconds() -> None:
    import time

    headers = [*GOOGLE, *(f"Custom {i}" for i in range(43))]
    row = [*GOOGLE_ROW, *(f"value {i}" for i in range(43))]
    start = time.perf_counter()
    s = suggest_mapping(table(headers, *([row] * 5000)), endpoint("blikk", "contacts"))
    assert time.perf_counter() - start < 5
    assert pairs(s)["email"] == "E-mail 1 - Value"


def test_finnish_company_list_onto_companies() -> None:
    s = suggest_mapping(table(["Yrityksen nimi", "Namn", "Y-tunnus", "Telefon", "Kontaktperson"],
                              ["", "Oy Demo Ab", "1234567-8", "+358 40 123 4567", "Matti Meikäläinen"]),
                        get_endpoint("finsit", "companies"))
    assert pairs(s) == {"name": "Namn", "businessIdentityCode": "Y-tunnus", "contactInfo.phone": "Telefon",
                        "contactInfo.name": "Kontaktperson"}
    assert one(s, "businessIdentityCode").reason.endswith("; values look like org numbers")


def test_a_cell_of_several_values_keeps_the_first_through_a_pattern() -> None:
    import re

    row = list(GOOGLE_ROW)
    row[GOOGLE.index("E-mail 1 - Value")] = "anna@acme.se ::: anna@gmail.com"
    row[GOOGLE.index("Labels")] = "Kunder ::: VIP ::: * myContacts"
    s = suggest_mapping(table(GOOGLE, row, GOOGLE_ROW), endpoint("blikk", "contacts"))
    email = one(s, "email")
    assert email.reason == ("header 'E-mail 1 - Value' ~ email (synonym); values look like emails; "
                            "keeps the first of ':::'-joined values")
    assert one(s, "tags").pattern is None  # a list field takes them all
    rule = tomllib.loads(to_toml(s, file_name="google.csv"))["fields"]["email"]
    assert rule == {"from": "E-mail 1 - Value", "pattern": "^(.*?)(?: ::: .*)?$"}
    found = re.match(rule["pattern"], "anna@acme.se ::: anna@gmail.com")
    assert found is not None and found.group(1) == "anna@acme.se"
