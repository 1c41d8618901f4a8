"""Rebuild the foreign export files of this folder, byte for byte as those systems write them.

Run: python tests/data/i10/fix/make_fixtures.py (the .xls step needs LibreOffice: soffice on PATH).
The outputs are committed, so the tests never run this; it exists so a reviewer can see (and redo) how
each file was made: the encoding, the quoting and the line ends are the point of these fixtures.
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import tempfile
import unicodedata
from datetime import date
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent


def nfd(text: str) -> str:
    """Decomposed å/ä/ö, as macOS hands names to the browser that uploads them to Google."""
    return unicodedata.normalize("NFD", text)


# Google Contacts, "Google CSV" (2024 header set): UTF-8 without BOM, comma, minimal quoting, CRLF rows;
# several values of one kind share one cell joined by " ::: "; Address 1 - Formatted is multi-line.
GOOGLE_HEADERS = [
    "First Name", "Middle Name", "Last Name", "Phonetic First Name", "Phonetic Middle Name",
    "Phonetic Last Name", "Name Prefix", "Name Suffix", "Nickname", "File As", "Organization Name",
    "Organization Title", "Organization Department", "Birthday", "Notes", "Photo", "Labels",
    "E-mail 1 - Label", "E-mail 1 - Value", "E-mail 2 - Label", "E-mail 2 - Value", "Phone 1 - Label",
    "Phone 1 - Value", "Phone 2 - Label", "Phone 2 - Value", "Address 1 - Label", "Address 1 - Formatted",
    "Address 1 - Street", "Address 1 - City", "Address 1 - PO Box", "Address 1 - Region",
    "Address 1 - Postal Code", "Address 1 - Country", "Address 1 - Extended Address", "Website 1 - Label",
    "Website 1 - Value",
]
COMPANY, PERSON, VIP = "Företag ::: * myContacts", "Kunder ::: * myContacts", "Kunder ::: VIP ::: * myContacts"
ADDR = {  # company -> (street, postal code, city)
    "Björkvik Bygg AB": ("Sjöportsgatan 4", "417 64", "Göteborg"),
    "Ängö Fastigheter AB": ("Storgatan 51", "972 38", "Luleå"),
    "Nordström & Dahl HB": ("Rådhusesplanaden 8", "903 28", "Umeå"),
}


def google_row(first: str, last: str, org: str, labels: str, email: str, phone: str, *, middle: str = "",
               title: str = "", notes: str = "", email_label: str = "* Work", phone_label: str = "Mobile",
               company_card: bool = False) -> dict[str, str]:
    """One contact card; a company card carries the company as its name (see README.md)."""
    row = dict.fromkeys(GOOGLE_HEADERS, "")
    street, postal, city = ADDR.get(unicodedata.normalize("NFC", org), ("", "", ""))
    row.update({"First Name": first, "Middle Name": middle, "Last Name": last, "Labels": labels,
                "Organization Name": "" if company_card else org, "Organization Title": title, "Notes": notes,
                "E-mail 1 - Label": email_label, "E-mail 1 - Value": email,
                "Phone 1 - Label": phone_label if phone else "", "Phone 1 - Value": phone})
    if street:
        row.update({"Address 1 - Label": "Work", "Address 1 - Street": street, "Address 1 - City": city,
                    "Address 1 - Postal Code": postal, "Address 1 - Country": "Sverige",
                    "Address 1 - Formatted": f"{street}\n{postal} {city}\nSverige"})
    if company_card:
        row["Website 1 - Label"] = "Work"
        row["Website 1 - Value"] = "www." + email.split("@")[1]
    return row


def google_rows() -> list[dict[str, str]]:
    return [
        google_row("Björkvik Bygg AB", "", "Björkvik Bygg AB", COMPANY, "info@bjorkvikbygg.se",
                   "+46 31 12 34 50", phone_label="Work", company_card=True),
        google_row("Anna", "Berg", "Björkvik Bygg AB", VIP, "Anna.Berg@BjorkvikBygg.se",
                   "+46 70 123 45 67 ::: +46 31 12 34 51", middle="Maria", title="Projektledare",
                   notes='Ring efter kl. 10.\nSäger alltid "kör hårt" i telefon.'),
        google_row(nfd("Lars"), nfd("Öhrn"), "Björkvik Bygg AB", PERSON, "lars.ohrn@bjorkvikbygg.se",
                   "+46 70 234 56 78", title="Platschef"),
        google_row("Johan", "Ek", "Björkvik Bygg AB", PERSON, "johan.ek@bjorkvikbygg.se ::: johan.ek@gmail.com",
                   "", email_label="* Work ::: Home"),
        google_row(nfd("Ängö Fastigheter AB"), "", nfd("Ängö Fastigheter AB"), COMPANY, "kontakt@angofast.se",
                   "+46 920 22 33 00", phone_label="Work", company_card=True),
        google_row(nfd("Karin"), nfd("Åberg"), "Ängö Fastigheter AB", PERSON, "karin.aberg@angofast.se",
                   "+46 73 345 67 89", title="Förvaltare"),
        google_row("Erik", "Lindström", "Ängö Fastigheter AB", PERSON, "Erik.Lindstrom@angofast.se",
                   "+46 70 456 78 90", middle="Johan"),
        google_row("Maja", nfd("Söderlund"), "Ängö Fastigheter AB", PERSON, "maja.soderlund@angofast.se",
                   "+46 76 567 89 01"),
        google_row("Nordström & Dahl HB", "", "Nordström & Dahl HB", COMPANY, "info@nordstromdahl.se",
                   "+46 90 14 15 16", phone_label="Work", company_card=True),
        google_row("Sofia", "Nyström", "Nordström & Dahl HB", PERSON,
                   "sofia@nordstromdahl.se ::: sofia.nystrom@gmail.com", "+46 70 678 90 12",
                   email_label="* Work ::: Home"),
        google_row("Per", "Dahl", "Nordström & Dahl HB", VIP, "per.dahl@nordstromdahl.se", "+46 70 789 01 23",
                   title="Delägare", notes="Faktura via e-post, ref. \"PD-2024\""),
        google_row("Elin", "Håkansson", "", PERSON, "elin.hakansson@gmail.com", "+46 72 890 12 34",
                   email_label="* Home"),
    ]


def write_google(path: Path) -> None:
    buf = io.StringIO(newline="")
    w = csv.DictWriter(buf, GOOGLE_HEADERS, lineterminator="\r\n")  # QUOTE_MINIMAL, as Google writes
    w.writeheader()
    w.writerows(google_rows())
    path.write_bytes(buf.getvalue().encode("utf-8"))


# Outlook "Comma Separated Values (Windows)": the full classic header set in Outlook's order, every field
# quoted, CRLF, Windows-1252; empty dates are "0/0/00"; Categories are ";"-separated.
OUTLOOK_HEADERS = [
    "Title", "First Name", "Middle Name", "Last Name", "Suffix", "Company", "Department", "Job Title",
    "Business Street", "Business Street 2", "Business Street 3", "Business City", "Business State",
    "Business Postal Code", "Business Country/Region", "Home Street", "Home Street 2", "Home Street 3",
    "Home City", "Home State", "Home Postal Code", "Home Country/Region", "Other Street", "Other Street 2",
    "Other Street 3", "Other City", "Other State", "Other Postal Code", "Other Country/Region",
    "Assistant's Phone", "Business Fax", "Business Phone", "Business Phone 2", "Callback", "Car Phone",
    "Company Main Phone", "Home Fax", "Home Phone", "Home Phone 2", "ISDN", "Mobile Phone", "Other Fax",
    "Other Phone", "Pager", "Primary Phone", "Radio Phone", "TTY/TDD Phone", "Telex", "Account", "Anniversary",
    "Assistant's Name", "Billing Information", "Birthday", "Business Address PO Box", "Categories", "Children",
    "Directory Server", "E-mail Address", "E-mail Type", "E-mail Display Name", "E-mail 2 Address",
    "E-mail 2 Type", "E-mail 2 Display Name", "E-mail 3 Address", "E-mail 3 Type", "E-mail 3 Display Name",
    "Gender", "Government ID Number", "Hobby", "Home Address PO Box", "Initials", "Internet Free Busy",
    "Keywords", "Language", "Location", "Manager's Name", "Mileage", "Notes", "Office Location",
    "Organizational ID Number", "Other Address PO Box", "Priority", "Private", "Profession", "Referred By",
    "Sensitivity", "Spouse", "User 1", "User 2", "User 3", "User 4", "Web Page",
]
OUTLOOK_COMPANIES = {  # company -> (street, postal code, city, country, switchboard)
    "Fjällbacka Rör & Värme AB": ("Hamngatan 3", "457 40", "Fjällbacka", "Sverige", "0525-310 00"),
    "Øvre Ålesund Elektro AS": ("Kongens gate 12", "6002", "Ålesund", "Norge", "+47 70 12 34 00"),
}


def outlook_row(first: str, last: str, company: str, email: str, mobile: str, *, middle: str = "",
                job: str = "", categories: str = "", notes: str = "") -> dict[str, str]:
    row = dict.fromkeys(OUTLOOK_HEADERS, "")
    street, postal, city, country, phone = OUTLOOK_COMPANIES[company]
    initials = "".join(p[0] + "." for p in (first, middle, last) if p)
    row.update({"First Name": first, "Middle Name": middle, "Last Name": last, "Company": company,
                "Job Title": job, "Business Street": street, "Business City": city, "Business Postal Code": postal,
                "Business Country/Region": country, "Business Phone": phone, "Mobile Phone": mobile,
                "Anniversary": "0/0/00", "Birthday": "0/0/00", "Categories": categories, "E-mail Address": email,
                "E-mail Type": "SMTP", "E-mail Display Name": f"{first} {last} ({email})", "Gender": "Unspecified",
                "Initials": initials, "Notes": notes, "Priority": "Normal", "Private": "False",
                "Sensitivity": "Normal"})
    return row


def outlook_rows() -> list[dict[str, str]]:
    fj, ov = "Fjällbacka Rör & Värme AB", "Øvre Ålesund Elektro AS"
    return [
        outlook_row("Gunnar", "Ståhl", fj, "Gunnar.Stahl@fjallbackaror.se", "070-311 22 33", job="VD",
                    categories="VIP;Nyhetsbrev", notes='Kund sedan 2009.\r\nVill ha "offert först".'),
        outlook_row("Märit", "Ölund", fj, "marit.olund@fjallbackaror.se", "073-412 23 34", job="Ekonomi",
                    categories="Nyhetsbrev"),
        outlook_row("Åke", "Nordén", fj, "ake.norden@fjallbackaror.se", "076-513 24 35", middle="Olof"),
        outlook_row("Bjørn", "Kjærnes", ov, "Bjorn.Kjaernes@ovre-elektro.no", "+47 901 23 456", job="Daglig leder",
                    categories="VIP"),
        outlook_row("Sølvi", "Hæreid", ov, "solvi.haereid@ovre-elektro.no", "+47 912 34 567",
                    notes="Foretrekker e-post; ikke ring før 09:00."),
        outlook_row("Øyvind", "Aas", ov, "oyvind.aas@ovre-elektro.no", "+47 923 45 678", job="Montør"),
    ]


def write_outlook(path: Path) -> None:
    buf = io.StringIO(newline="")
    w = csv.DictWriter(buf, OUTLOOK_HEADERS, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    w.writeheader()
    w.writerows(outlook_rows())
    path.write_bytes(buf.getvalue().encode("cp1252"))


# HubSpot "Export" as .xlsx: one sheet per object, HubSpot's property labels as headers, Record IDs as
# numbers, dates as text "YYYY-MM-DD HH:MM" the way the export writes them, owners by full name.
HUBSPOT_COMPANIES = [
    "Record ID", "Company name", "Company Domain Name", "Phone Number", "Street Address", "Postal Code", "City",
    "Country/Region", "Company owner", "Create Date", "Lifecycle Stage", "Organisationsnummer",
]
HUBSPOT_CONTACTS = [
    "Record ID", "First Name", "Last Name", "Email", "Phone Number", "Associated Company",
    "Associated Company IDs", "Contact owner", "Lifecycle Stage", "Create Date",
]
HS_COMPANIES: list[list[object]] = [
    [18003124511, "Fjordkraft Bygg AS", "fjordkraftbygg.no", "+47 55 12 34 00", "Strandkaien 14", "5013",
     "Bergen", "Norway", "Ingrid Bråten", "2024-02-12 09:14", "Customer", "987 654 321"],
    [18003124512, "Trøndelag Rør og Varme AS", "trondelagror.no", "+47 73 50 60 70", "Kjøpmannsgata 21", "7013",
     "Trondheim", "Norway", "Øystein Kvåle", "2024-02-12 09:16", "Customer", "912345670"],
    [18003124513, "Skåne Glas & Fasad AB", "skaneglas.se", "+46 40 123 45 00", "Östra Förstadsgatan 7", "211 31",
     "Malmö", "Sweden", "Ingrid Bråten", "2024-03-01 13:02", "Opportunity", "556789-1234"],
]
HS_CONTACTS: list[list[object]] = [
    [51001, "Kari", "Nordmann", "Kari.Nordmann@fjordkraftbygg.no", "+47 916 11 222", "Fjordkraft Bygg AS",
     "18003124511", "Ingrid Bråten", "Customer", "2024-02-12 09:20"],
    [51002, "Ola", "Øvrebø", "ola.ovrebo@fjordkraftbygg.no", "+47 917 22 333", "Fjordkraft Bygg AS",
     "18003124511", "Ingrid Bråten", "Customer", "2024-02-12 09:21"],
    [51003, "Siri", "Løvås", "siri.lovas@trondelagror.no", "+47 918 33 444", "Trøndelag Rør og Varme AS",
     "18003124512", "Øystein Kvåle", "Customer", "2024-02-13 10:05"],
    [51004, "Magnus", "Ekström", "magnus.ekstrom@skaneglas.se", "+46 70 444 55 66", "Skåne Glas & Fasad AB",
     "18003124513", "Ingrid Bråten", "Opportunity", "2024-03-01 13:10"],
    [51005, "Hege", "Aasland", "hege.aasland@kystost.no", "+47 919 44 555", "Kystøst Consult SA", "",
     "Ola Hansen", "Lead", "2024-03-04 08:45"],
]


def write_hubspot(path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Companies"
    for row in [HUBSPOT_COMPANIES, *HS_COMPANIES]:
        ws.append(row)
    ws2 = wb.create_sheet("Contacts")
    for row in [HUBSPOT_CONTACTS, *HS_CONTACTS]:
        ws2.append(row)
    wb.save(path)


# An old ERP's project list, as a Swedish Excel saves "CSV (semikolonavgränsad)": Windows-1252, ";",
# dd.mm.yyyy, decimal comma with space or NBSP thousands, SANT/FALSKT, quotes only where needed, CRLF.
NORDIC_HEADERS = ["Projektnr", "Projektnamn", "Kundnr", "Projektledare", "Startdatum", "Slutdatum",
                  "Fast pris", "Fastpris belopp", "Avslutat", "Beskrivning"]
NBSP = "\u00a0"
NORDIC: list[tuple[str, str, int, str, date, date | None, bool, Decimal, bool, str]] = [
    ("P-2401", "Takbyte Ålgårdsvägen 3", 10001, "ola.hansen@eksempel.no", date(2024, 3, 4), date(2024, 5, 31),
     True, Decimal("1234.50"), False, "Byte av takpannor; ställning ingår"),
    ("P-2402", "Fasadmålning Strømsveien 12", 10002, "ingrid.braten@eksempel.no", date(2024, 4, 15),
     date(2024, 6, 28), True, Decimal("12500.00"), False, 'Kulör enligt "NCS S 1002-Y"'),
    ("P-2403", "Service värmepump Övre Kyrkogatan", 10003, "oystein.kvale@eksempel.no", date(2024, 1, 9),
     date(2024, 1, 9), False, Decimal("0"), True, "Årlig service"),
    ("P-2404", "Badrumsrenovering Æbleveien 7", 10001, "ola.hansen@eksempel.no", date(2024, 9, 2), None,
     True, Decimal("98765.25"), False, "Etapp 1: rivning\nEtapp 2: tätskikt"),
    ("P-2405", "Elinstallation Ängsvägen 21", 10004, "ase.strom@eksempel.no", date(2024, 11, 18),
     date(2025, 2, 14), False, Decimal("980.00"), False, "Löpande räkning"),
    ("P-2406", "Dränering Bøgata 5", 10002, "ingrid.braten@eksempel.no", date(2023, 10, 30), date(2023, 12, 22),
     True, Decimal("1000000.00"), True, "Slutbesiktigad"),
]


def nordic_amount(value: Decimal, sep: str) -> str:
    whole, frac = f"{value:.2f}".split(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return sep.join([whole, *groups]) + "," + frac


def write_nordic_csv(path: Path, *, unicode_text: bool = False) -> None:
    """``;`` and Windows-1252; or Excel's "Unicode text" (tab-separated UTF-16 LE with a BOM)."""
    buf = io.StringIO(newline="")
    w = csv.writer(buf, delimiter="\t" if unicode_text else ";", lineterminator="\r\n")
    w.writerow(NORDIC_HEADERS)
    for n, (num, name, cust, pm, start, end, fixed, amount, closed, desc) in enumerate(NORDIC):
        w.writerow([num, name, cust, pm, start.strftime("%d.%m.%Y"), end.strftime("%d.%m.%Y") if end else "",
                    "SANT" if fixed else "FALSKT", nordic_amount(amount, NBSP if n % 2 else " "),
                    "SANT" if closed else "FALSKT", desc.replace("\n", "\r\n")])
    path.write_bytes(b"\xff\xfe" + buf.getvalue().encode("utf-16-le") if unicode_text
                     else buf.getvalue().encode("cp1252"))


def write_nordic_xls(path: Path) -> None:
    """The same rows as typed cells (dates, numbers, booleans), saved as Excel 97-2003 by LibreOffice."""
    soffice = shutil.which("soffice")
    if soffice is None:
        raise SystemExit("soffice is needed for the .xls")
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Projekt"
    ws.append(NORDIC_HEADERS)
    for num, name, cust, pm, start, end, fixed, amount, closed, desc in NORDIC:
        ws.append([num, name, cust, pm, start, end, fixed, float(amount), closed, desc])
    for row in ws.iter_rows(min_row=2, min_col=5, max_col=6):
        for cell in row:
            cell.number_format = "DD.MM.YYYY"
    for row in ws.iter_rows(min_row=2, min_col=8, max_col=8):
        row[0].number_format = "# ##0,00"
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / (path.stem + ".xlsx")
        wb.save(src)
        subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp}/profile", "--convert-to",
                        "xls", "--outdir", tmp, str(src)], check=True, capture_output=True, timeout=180)
        shutil.copyfile(Path(tmp) / (path.stem + ".xls"), path)


def main() -> None:
    write_google(HERE / "google-contacts.csv")
    write_outlook(HERE / "outlook-contacts.csv")
    write_hubspot(HERE / "hubspot-export.xlsx")
    write_nordic_csv(HERE / "nordic-projects.csv")
    write_nordic_csv(HERE / "nordic-projects-unicode.txt", unicode_text=True)
    write_nordic_xls(HERE / "nordic-projects.xls")


if __name__ == "__main__":
    main()
