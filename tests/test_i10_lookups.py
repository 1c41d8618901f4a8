"""Issue 10, point 4: a reference column names its record by a human value, over HTTP against the sandboxes.

Each referenced template's list is read once whatever the row count; case, spaces, NFD "å" and org numbers
with or without separators match; an unknown or ambiguous value makes its row invalid with the closest
candidates, and nothing is written.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from helpers.cli import run
from tt_fixtures import tt_base_url, tt_server

from bulktool.cli import cli
from bulktool.sandbox import SandboxServer


@pytest.fixture()
def tt(tt_env: None) -> Iterator[SandboxServer]:
    with tt_server(contacts=20) as srv:
        yield srv


def tt_run(srv: SandboxServer, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--system", "tripletex", "--base-url", tt_base_url(srv), *args],
                              catch_exceptions=False)


def _lists(srv: SandboxServer, path: str) -> int:
    return sum(1 for m, p, _ in srv.request_log() if m == "GET" and p.split("?")[0] == path)


def test_tripletex_contacts_name_their_customer_and_department_by_human_values(
        tt: SandboxServer, tmp_path: Path) -> None:
    kyst = next(c for c in tt.records("customer") if c["name"] == "Kystøst Consult SA")
    other = next(c for c in tt.records("customer") if c["customerNumber"] == 10002)
    org = kyst["organizationNumber"]
    spaced = f"{org[:3]} {org[3:6]} {org[6:]}"
    csv = tmp_path / "contacts.csv"
    csv.write_text("email,firstName,lastName,customer,department\n"
                   "kari@eks.no,Kari,Nord,  KYSTØST consult sa ,Hovedkontor\n"
                   f"per@eks.no,Per,Sør,{spaced},1\n"
                   "liv@eks.no,Liv,Vest,10002,\n", encoding="utf-8")
    tt.reset_stats()
    res = tt_run(tt, "import", str(csv), "--endpoint", "contacts", "--quiet")
    assert res.exit_code == 0, res.output
    assert f"customer.id = {kyst['id']}" in res.output and f"customer.id = {other['id']}" in res.output
    assert _lists(tt, "/v2/customer") <= 2 and _lists(tt, "/v2/department") == 1  # customers: two passes
    res = tt_run(tt, "import", str(csv), "--endpoint", "contacts", "--apply", "--yes", "--quiet")
    assert res.exit_code == 0, res.output
    made = {c["email"]: c for c in tt.records("contact")}
    assert made["kari@eks.no"]["customer"]["id"] == kyst["id"]
    assert made["per@eks.no"]["customer"]["id"] == kyst["id"]
    assert made["liv@eks.no"]["customer"]["id"] == other["id"]
    assert made["kari@eks.no"]["department"]["id"] == made["per@eks.no"]["department"]["id"]


def test_lookups_cost_one_list_read_per_reference_type_whatever_the_row_count(
        tt: SandboxServer, tmp_path: Path) -> None:
    names = [c["name"] for c in tt.records("customer")]
    reads = []
    for n in (5, 200):
        csv = tmp_path / f"contacts-{n}.csv"
        rows = [f"p{i}-{n}@eks.no,P{i},Q,{names[i % len(names)]},{1 + i % 2}" for i in range(n)]
        csv.write_text("email,firstName,lastName,customer,department\n" + "\n".join(rows) + "\n", encoding="utf-8")
        tt.reset_stats()
        res = tt_run(tt, "import", str(csv), "--endpoint", "contacts", "--quiet")
        assert res.exit_code == 0, res.output
        reads.append((_lists(tt, "/v2/customer"), _lists(tt, "/v2/department")))
    assert reads[0] == reads[1]
    assert reads[1][1] == 1


def test_a_misspelled_or_ambiguous_value_makes_the_row_invalid_with_the_closest_candidates(
        tt: SandboxServer, tmp_path: Path) -> None:
    csv = tmp_path / "customers.csv"
    csv.write_text("name,accountManager,postalAddress.country\n"
                   "Fjord AS,Ola Hanssen,NO\n"
                   "Berg AS,ola.hansen@eksempel.no,Norge\n"
                   "Dal AS,Nobody Atall,Atlantis\n", encoding="utf-8")
    report = tmp_path / "r.json"
    res = tt_run(tt, "import", str(csv), "--endpoint", "customers", "--mode", "create-only",
                 "--json", str(report), "--quiet")
    assert res.exit_code == 1
    rows = {r["row"]: r for r in json.loads(report.read_text(encoding="utf-8"))["rows"]}
    assert rows[3]["action"] == "create"
    assert [e["column"] for e in rows[2]["errors"]] == ["accountManager"]
    assert rows[2]["errors"][0]["message"].startswith(
        "no employees record matches 'Ola Hanssen' (by email, firstName lastName); closest: 'Ola Hansen'")
    bad = {e["column"]: e["message"] for e in rows[4]["errors"]}
    assert set(bad) == {"accountManager", "postalAddress.country"}
    assert bad["postalAddress.country"].startswith("no countries record matches 'Atlantis'")
    before = len(tt.records("customer"))
    res = tt_run(tt, "import", str(csv), "--endpoint", "customers", "--mode", "create-only",
                 "--apply", "--yes", "--quiet")
    assert res.exit_code == 1 and len(tt.records("customer")) == before  # nothing written


def test_a_value_several_records_share_is_never_taken_as_the_first(tt: SandboxServer, tmp_path: Path) -> None:
    zero = sorted(v["id"] for v in tt.records("vatType") if v["percentage"] == 0)
    assert len(zero) == 3
    csv = tmp_path / "products.csv"
    csv.write_text("name,vatType\nSkrue,0 %\nMutter,25\n", encoding="utf-8")
    report = tmp_path / "r.json"
    res = tt_run(tt, "import", str(csv), "--endpoint", "products", "--mode", "create-only",
                 "--json", str(report), "--quiet")
    assert res.exit_code == 1
    rows = {r["row"]: r for r in json.loads(report.read_text(encoding="utf-8"))["rows"]}
    msg = rows[2]["errors"][0]["message"]
    assert msg.startswith("'0 %' matches 3 vat-types records: ") and all(f"(id {i})" in msg for i in zero)
    twenty_five = next(v["id"] for v in tt.records("vatType") if v["percentage"] == 25)
    assert rows[3]["action"] == "create" and rows[3]["changes"]["vatType.id"]["new"] == twenty_five


@pytest.fixture()
def blikk(fast_sandbox: SandboxServer, sandbox_env: None) -> Iterator[SandboxServer]:
    yield fast_sandbox


def test_blikk_contacts_name_responsible_and_tags_including_macos_nfd_text(
        blikk: SandboxServer, tmp_path: Path) -> None:
    asa = unicodedata.normalize("NFD", "ÅSA öberg")  # as a file saved on macOS spells it
    csv = tmp_path / "contacts.csv"
    csv.write_text("name,contactType,responsible,tags\n"
                   f"Ny Person,person,{asa},\"vip, privatkund\"\n"
                   "Ny Kollega,person,Jonas.Lindberg@EXAMPLE.com,\n", encoding="utf-8")
    res = run(blikk, "import", str(csv), "--endpoint", "contacts", "--mode", "create-only", "--apply", "--yes",
              "--quiet")
    assert res.exit_code == 0, res.output
    made = next(c for c in blikk.records("contacts") if c["name"] == "Ny Person")
    assert made["responsible"]["id"] == 3
    assert sorted(t["id"] for t in made["tags"]) == [1, 4]
    # Blikk's user list has no email: an email is found in the users' details, read once for the run
    assert next(c for c in blikk.records("contacts") if c["name"] == "Ny Kollega")["responsible"]["id"] == 2


def test_blikk_a_misspelled_user_name_lists_the_closest_names_and_writes_nothing(
        blikk: SandboxServer, tmp_path: Path) -> None:
    csv = tmp_path / "contacts.csv"
    csv.write_text("name,contactType,responsible\nNy Person,person,Anna Lindkvist\n", encoding="utf-8")
    before = len(blikk.records("contacts"))
    res = run(blikk, "import", str(csv), "--endpoint", "contacts", "--mode", "create-only", "--apply", "--yes",
              "--quiet")
    assert res.exit_code == 1
    assert ("row 2, column responsible: no users record matches 'Anna Lindkvist' (by firstName lastName, "
            "email); closest: 'Anna Lindqvist'") in res.output
    assert len(blikk.records("contacts")) == before
