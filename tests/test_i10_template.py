"""Issue 10, point 1: ``bulktool template ENDPOINT`` writes a blank workbook that imports cleanly once filled.

End to end over the Blikk sandbox: the CLI writes the workbook, openpyxl fills it as a user would, and
the import's dry run and apply run against the same server.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.cli import run
from openpyxl import load_workbook
from test_i10_template_helpers import declare_contact_lookups, fill, headers, owner, validations

from bulktool.sandbox import SandboxServer
from bulktool.schema import get_endpoint


@pytest.fixture()
def srv(fast_sandbox: SandboxServer, sandbox_env: None) -> Iterator[SandboxServer]:
    yield fast_sandbox


def test_the_sheet_has_the_writable_columns_in_template_order_and_marks_required_ones(
        srv: SandboxServer, tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    res = run(srv, "template", "contacts", "-o", str(out))
    assert res.exit_code == 0, res.output
    assert f"Wrote {out} (contacts: " in res.output
    ep = get_endpoint("blikk", "contacts")
    want = [c.lookup.column if c.lookup else c.name for c in ep.columns if c.writable]
    assert headers(out, "contacts") == want
    assert "id" not in want and "created" not in want and "responsible.name" not in want
    ws = load_workbook(out)["contacts"]
    cells = {str(c.value): c for c in ws[1]}
    # The header text is the column name the importer reads; the marker is the style and the note.
    assert cells["name"].font.b and cells["name"].fill.fgColor.rgb.endswith("F8CBAD")
    assert not cells["email"].fill.fgColor.rgb.endswith("F8CBAD")
    assert cells["name"].comment.text.startswith("Required (on create and update).")
    assert cells["importantInformation"].comment.text.startswith("Optional.\nType: text.\nExample: text\n")
    contact_type = cells["contactType"].comment.text
    assert "Allowed values: person, company." in contact_type and "Example: person" in contact_type
    assert "Type: TRUE or FALSE." in cells["isActive"].comment.text
    assert "Left empty on create: TRUE." in cells["isActive"].comment.text
    assert "Natural key" in cells["customerNumber"].comment.text
    assert "Left empty: the API assigns one." in cells["customerNumber"].comment.text
    assert ws.freeze_panes == "A2"


def test_validations_give_dropdowns_for_enums_and_booleans_and_check_numbers(
        srv: SandboxServer, tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    assert run(srv, "template", "contacts", "-o", str(out), "--no-lookups").exit_code == 0
    got = validations(out, "contacts")
    assert got["contactType"][:2] == ("list", '"person,company"')
    assert got["isCustomer"][:2] == ("list", '"TRUE,FALSE"')
    assert got["contactType"][2] == "C2:C5001"  # the checks cover rows 2..5001
    assert "email" not in got  # free text without a maximum length: nothing to check


def test_lookup_columns_stand_in_for_ids_with_dropdowns_from_a_live_lookups_sheet(
        srv: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    declare_contact_lookups(monkeypatch, tmp_path)
    out = tmp_path / "t.xlsx"
    srv.reset_stats()
    res = run(srv, "template", "contacts", "-o", str(out))
    assert res.exit_code == 0, res.output
    # Each value once: two namesakes are one (ambiguous) name to the import too.
    names = sorted({f"{u['firstName']} {u['lastName']}" for u in srv.records("users")}, key=str.casefold)
    tags = sorted({t["title"] for t in srv.records("contact-tags")}, key=str.casefold)
    cols = headers(out, "contacts")
    assert "responsible" in cols and "responsible.id" not in cols and "tags" in cols and "tags.id" not in cols
    # One list read per referenced endpoint, whatever the number of columns naming it (lists fit a page here).
    ep = get_endpoint("blikk", "contacts")
    lookups = [c.lookup for c in ep.columns if c.lookup is not None and c.writable]
    reads = [path.split("?")[0] for method, path, _ in srv.request_log() if method == "GET"]
    assert len(reads) == len(set(reads)) == len({lk.endpoint for lk in lookups}), reads
    assert srv.stats()["total"] == len(reads)
    assert f"responsible: {len(names)}, " in res.output and f"tags: {len(tags)}" in res.output
    assert f"values, from {len(reads)} list reads (" in res.output
    book = load_workbook(out)
    assert book.sheetnames == ["contacts", "Lookups"]
    lk = book["Lookups"]
    assert [c.value for c in lk[1]] == [x.column for x in lookups]
    at = {str(c.value): c.column_letter for c in lk[1]}
    listed = {name: [v for (v,) in lk.iter_rows(min_row=2, min_col=c.column, max_col=c.column, values_only=True) if v]
              for c in lk[1] for name in [str(c.value)]}
    assert listed["responsible"] == names and listed["tags"] == tags
    got = validations(out, "contacts")
    a, b = at["responsible"], at["tags"]
    assert got["responsible"][:2] == ("list", f"Lookups!${a}$2:${a}${len(names) + 1}")
    assert got["tags"][:2] == ("list", f"Lookups!${b}$2:${b}${len(tags) + 1}")
    # A lookup's list is a help: a name not in it (an email, a row of this sheet) is kept after a warning.
    assert (got["responsible"][3], got["tags"][3], got["contactType"][3]) == ("warning", "information", "stop")
    note = {str(c.value): c.comment.text for c in book["contacts"][1]}
    assert ("Name the users record by firstName + lastName or email (sent as responsible.id, its id)."
            in note["responsible"])
    assert f"Example: {names[0]}" in note["responsible"]
    assert "Several: separate them with ', '." in note["tags"]


def test_a_template_filled_in_with_openpyxl_imports_cleanly(srv: SandboxServer, tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    assert run(srv, "template", "contacts", "-o", str(out)).exit_code == 0
    cols = headers(out, "contacts")
    owner = {"responsible": "Anna Lindqvist"} if "responsible" in cols else {"responsible.id": 1}
    fill(out, "contacts", [
        {"name": "Åkessons Bygg AB", "customerNumber": "T-0451", "contactType": "company",
         "visitingAddress.postalCode": "01234", "isCustomer": True, "email": "info@akessons.se", **owner},
        {"name": "Berit Nilsson", "customerNumber": "T-0452", "contactType": "person", "isActive": False,
         "cellPhoneNumber": "0707788994", **owner},
    ])
    res = run(srv, "import", str(out), "--json", "-", "--quiet")
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout)
    assert [r["action"] for r in report["rows"]] == ["create", "create"]
    assert not any(w for r in report["rows"] for w in r.get("errors", []))
    res = run(srv, "import", str(out), "--apply", "--yes", "--quiet")
    assert res.exit_code == 0, res.output
    made = {c["customerNumber"]: c for c in srv.records("contacts") if c["customerNumber"] in ("T-0451", "T-0452")}
    assert made["T-0451"]["name"] == "Åkessons Bygg AB" and made["T-0451"]["isCustomer"] is True
    assert made["T-0451"]["visitingAddress"]["postalCode"] == "01234"  # text column: the leading zero survives
    assert made["T-0451"]["isActive"] is True  # empty cell: the create default
    assert made["T-0452"]["isActive"] is False and made["T-0452"]["cellPhoneNumber"] == "0707788994"
    assert made["T-0452"]["responsible"]["id"] == 1
    # A re-run creates nothing: the rows match the new records by customerNumber (the natural key).
    again = json.loads(run(srv, "import", str(out), "--json", "-", "--quiet").stdout)
    assert again["summary"]["create"] == 0 and again["summary"]["invalid"] == 0


def test_an_existing_file_is_kept_unless_forced(srv: SandboxServer, tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    out.write_bytes(b"my edits")
    res = run(srv, "template", "contacts", "-o", str(out))
    assert res.exit_code == 2
    assert "already exists" in res.output and "--force" in res.output
    assert out.read_bytes() == b"my edits"
    assert run(srv, "template", "contacts", "-o", str(out), "--force").exit_code == 0
    assert headers(out, "contacts")[0] == "name"


def test_wrong_names_fail_in_one_line_before_any_request(srv: SandboxServer, tmp_path: Path) -> None:
    srv.reset_stats()
    res = run(srv, "template", "contcts", "-o", str(tmp_path / "t.xlsx"))
    assert res.exit_code == 2 and "contacts" in res.output
    res = run(srv, "template", "countries", "-o", str(tmp_path / "t.xlsx"))
    assert res.exit_code == 2
    assert "countries is read-only in the API: there is nothing to import" in res.output
    res = run(srv, "template", "contacts", "-o", str(tmp_path / "t.csv"))
    assert res.exit_code == 2 and "name it .xlsx" in res.output
    assert srv.stats()["total"] == 0
    assert not list(tmp_path.glob("*.xlsx"))


def test_no_lookups_needs_no_connection(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    declare_contact_lookups(monkeypatch, tmp_path)
    monkeypatch.delenv("BLIKK_APP_ID", raising=False)
    monkeypatch.setenv("BULKTOOL_CONFIG", str(tmp_path / "config.toml"))
    out = tmp_path / "t.xlsx"
    from click.testing import CliRunner

    from bulktool.cli import cli
    res = CliRunner().invoke(cli, ["template", "contacts", "-o", str(out), "--no-lookups"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    assert "Lookups sheet left out (--no-lookups)" in res.output
    book = load_workbook(out)
    assert book.sheetnames == ["contacts"]
    assert "The Lookups sheet was not fetched" in book["contacts"]["A1"].parent.cell(
        1, headers(out, "contacts").index("responsible") + 1).comment.text



def test_the_lookups_sheet_is_not_a_second_data_sheet_to_the_import(
        srv: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    declare_contact_lookups(monkeypatch, tmp_path, only=("tags.id",))
    out = tmp_path / "t.xlsx"
    assert run(srv, "template", "contacts", "-o", str(out)).exit_code == 0
    cols = headers(out, "contacts")
    fill(out, "contacts", [{"name": "Lookups Ignored AB", "customerNumber": "T-0460", "contactType": "company",
                            **owner(cols, srv.records("users"), 1)}])
    book = load_workbook(out)
    book["contacts"].delete_cols(cols.index("tags") + 1)  # a user who names no tags drops the column
    book.save(out)
    assert load_workbook(out).sheetnames == ["contacts", "Lookups"]
    res = run(srv, "import", str(out), "--json", "-", "--quiet")
    assert res.exit_code == 0, res.output
    assert [r["action"] for r in json.loads(res.stdout)["rows"]] == ["create"]


def test_names_in_lookup_columns_import_and_a_misspelt_user_lists_the_closest(
        srv: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    declare_contact_lookups(monkeypatch, tmp_path)
    out = tmp_path / "t.xlsx"
    assert run(srv, "template", "contacts", "-o", str(out)).exit_code == 0
    fill(out, "contacts", [
        {"name": "Med Namn AB", "customerNumber": "T-0470", "contactType": "company",
         "responsible": "Anna Lindqvist", "tags": "VIP, Leverantör"},
        {"name": "Felstavad AB", "customerNumber": "T-0471", "contactType": "company", "responsible": "Ana Lindqvst"},
    ])
    res = run(srv, "import", str(out), "--json", "-", "--quiet")
    assert res.exit_code == 1  # an invalid row
    rows = {r["row"]: r for r in json.loads(res.stdout)["rows"]}
    assert rows[2]["action"] == "create", rows[2]
    assert rows[3]["action"] == "invalid"
    assert any("responsible" in str(e) and "Anna Lindqvist" in str(e) for e in rows[3]["errors"]), rows[3]
    res = run(srv, "import", str(out), "--apply", "--yes", "--skip-invalid", "--quiet")
    made = next(c for c in srv.records("contacts") if c["customerNumber"] == "T-0470")
    assert made["responsible"]["id"] == 1
    tag_ids = {t["title"]: t["id"] for t in srv.records("contact-tags")}
    assert sorted(t["id"] for t in made["tags"]) == sorted([tag_ids["VIP"], tag_ids["Leverantör"]])


def test_examples_follow_the_type_and_the_match_kind() -> None:
    from bulktool.schema.model import Column
    from bulktool.workbook.blank import example

    assert example(Column("e", match="email")) == "anna@example.com"
    assert example(Column("o", match="orgnr")) == "556898-6787"
    assert example(Column("d", type="decimal", decimals=2)) == "1234.50"
    assert example(Column("n", type="integer", minimum=1)) == "1"
    assert example(Column("c", max_length=3)) == "tex"
    assert example(Column("k", enum=("DAYS", "MONTHS"))) == "DAYS"
