"""Seeded migration files for the kill/resume tests and the request bench (issue 10): written at test time.

A Blikk contacts migration as an old customer register exports it: one ``;``-separated UTF-8 file with
company rows and person rows mixed, persons naming their company by org number (with or without the
dash) or by name, sometimes above the company's own row, and a responsible user by name (in any case,
composed or decomposed: Blikk's user list has names only, no e-mail).

    data = companies_and_persons(500, 1500)
    data.write(tmp_path / "kunder.csv"); (tmp_path / "kunder.toml").write_text(MIGRATION_MAPPING)
    data.company_of["P00001"]  # the company customer number person P00001 must end up linked to
"""

from __future__ import annotations

import csv
import io
import random
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

HEADERS = ["Typ", "Kundnr", "Namn", "Org.nr", "E-post", "Telefon", "Ort", "Företag", "Ansvarig"]

MIGRATION_MAPPING = """\
# bulktool mapping: a customer register (companies and their persons in one file) -> Blikk contacts.
endpoint = "contacts"

[fields]
contactType = { from = "Typ", values = { "Företag" = "company", "Person" = "person" } }
customerNumber = "Kundnr"
name = "Namn"
organizationalOrSocialSecurityNumber = { from = "Org.nr", transform = ["orgnr"] }
email = { from = "E-post", transform = ["trim", "lower"] }
phoneNumber = { from = "Telefon", transform = ["phone"] }
"visitingAddress.city" = "Ort"
company = "Företag"
responsible = "Ansvarig"
"""

# The Blikk sandbox's users (bulktool/vendors/blikk/sandbox seed) as people type them: as the system
# spells them, in capitals, and decomposed (macOS).
USERS = [("Anna Lindqvist", "ANNA LINDQVIST"), ("Åsa Öberg", unicodedata.normalize("NFD", "Åsa Öberg")),
         ("Per-Erik Nyström", "per-erik nyström"), ("Göran Ek", "GÖRAN EK")]
FIRST = ["Anna", "Lars", "Karin", "Erik", "Maja", "Johan", "Sofia", "Per", "Elin", "Åke", "Märta", "Östen",
         "Björn", "Ingrid", "Gunnar", "Sölve"]
LAST = ["Berg", "Öhrn", "Åberg", "Lindström", "Söderlund", "Ek", "Nyström", "Dahl", "Håkansson", "Ståhl",
        "Nordén", "Fjällström", "Wikström", "Hägglund"]
TOWNS = ["Göteborg", "Luleå", "Umeå", "Piteå", "Malmö", "Örebro", "Västerås", "Skellefteå"]
KINDS = ["Bygg", "Rör", "El", "Måleri", "Plåt", "Fastigheter", "Glas", "Mark"]


def ascii_fold(text: str) -> str:
    """åäö -> aao, as people spell them in e-mail addresses."""
    return text.translate(str.maketrans("åäöÅÄÖéü", "aaoAAOeu"))


@dataclass
class Migration:
    """The rows of one file, and what the server must hold after it is imported."""

    rows: list[dict[str, str]] = field(default_factory=list)
    company_of: dict[str, str] = field(default_factory=dict)  # person customer number -> company's
    companies: dict[str, str] = field(default_factory=dict)  # company customer number -> name
    orgnr: dict[str, str] = field(default_factory=dict)  # company customer number -> NNNNNN-NNNN

    @property
    def persons(self) -> int:
        return len(self.company_of)

    def write(self, path: Path) -> Path:
        """``;``-separated UTF-8 with CRLF, as a Swedish Excel's "CSV UTF-8" writes it."""
        buf = io.StringIO(newline="")
        w = csv.DictWriter(buf, HEADERS, delimiter=";", lineterminator="\r\n")
        w.writeheader()
        w.writerows(self.rows)
        path.write_text(buf.getvalue(), encoding="utf-8", newline="")
        return path


def companies_and_persons(n_companies: int = 500, n_persons: int = 1500, *, seed: int = 10) -> Migration:
    """Companies F0001.. and persons P00001.., each person at a seeded company; file order shuffled."""
    rnd = random.Random(seed)
    data = Migration()
    company_rows: list[dict[str, str]] = []
    for i in range(1, n_companies + 1):
        number, org = f"F{i:04d}", f"969{i:03d}-{rnd.randrange(10000):04d}" if i < 1000 else f"97{i:04d}-0000"
        name = f"{rnd.choice(LAST)}s {rnd.choice(KINDS)} {i} AB"
        data.companies[number], data.orgnr[number] = name, org
        user = USERS[i % len(USERS)]
        company_rows.append({"Typ": "Företag", "Kundnr": number, "Namn": name, "Org.nr": org,
                             "E-post": f"info@foretag{i}.se", "Telefon": f"0{rnd.randrange(10, 99)}-{i:06d}",
                             "Ort": rnd.choice(TOWNS), "Företag": "", "Ansvarig": user[0] if i % 2 else user[1]})
    person_rows: list[dict[str, str]] = []
    numbers = list(data.companies)
    for j in range(1, n_persons + 1):
        company = numbers[rnd.randrange(len(numbers))]
        ref = (data.orgnr[company], data.orgnr[company].replace("-", ""), data.companies[company])[j % 3]
        first, last = rnd.choice(FIRST), rnd.choice(LAST)
        number, mail = f"P{j:05d}", f"{ascii_fold(first)}.{ascii_fold(last)}.{j}@example.se"
        data.company_of[number] = company
        user = USERS[j % len(USERS)]
        person_rows.append({"Typ": "Person", "Kundnr": number, "Namn": f"{first} {last}", "Org.nr": "",
                            "E-post": mail.upper() if j % 5 == 0 else mail,
                            "Telefon": f"+46 70 {j:03d} {rnd.randrange(100):02d} {rnd.randrange(100):02d}",
                            "Ort": rnd.choice(TOWNS), "Företag": ref,
                            "Ansvarig": user[1] if j % 2 else user[0]})
    rows = company_rows + person_rows
    rnd.shuffle(rows)  # persons above their company's row too: the plan must order the creates
    data.rows = rows
    return data


def bench_migration(seed: int = 10) -> Migration:
    """The 5,000-row variant for bench/bench_migration_requests.py: 1,250 companies, 3,750 persons."""
    return companies_and_persons(1250, 3750, seed=seed)
