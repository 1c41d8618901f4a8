"""Issue 7, value semantics: what Excel, LibreOffice and macOS do to cells must never become a write.

End to end: export through the CLI, change the file the way the spreadsheet
would (numbers where text was, decomposed Unicode, LF for CRLF, the export
record lost), import through the CLI against the sandbox, and count writes.
"""

from __future__ import annotations

import csv
import json
import subprocess
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner, Result
from conftest import connector_for
from test_import_e2e import Sheet

from bulktool.cli import cli
from bulktool.importer import ImportOptions, plan_file
from bulktool.sandbox import SandboxConfig, SandboxServer

ZEROS = "Excel or LibreOffice removed the leading zeros"


@pytest.fixture()
def srv(sandbox_env: None) -> Iterator[SandboxServer]:
    with SandboxServer(SandboxConfig(contacts=60, port=0, rate_limit=1000)) as s:
        yield s


def run(srv: SandboxServer, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--base-url", srv.url, "--rate", "500", *args])


def export(srv: SandboxServer, path: Path, *extra: str, endpoint: str = "contacts") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    res = run(srv, "export", endpoint, "-o", str(path), "--quiet", *extra)
    assert res.exit_code == 0, res.output
    return path


def dry_run(srv: SandboxServer, path: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    res = run(srv, "import", str(path), "--json", "-", "--quiet", *extra)
    return res.exit_code, json.loads(res.stdout)


def writes(srv: SandboxServer) -> int:
    s = srv.stats()
    return s["POST"] + s["PUT"] + s["DELETE"]


def drop_record(path: Path) -> None:
    """What deleting the hidden sheet (or a foreign tool re-saving the file) leaves."""
    if path.suffix == ".csv":
        path.with_name(path.name + ".bulktool.json").unlink()
        return
    wb = openpyxl.load_workbook(path)
    del wb["_bulktool"]
    wb.save(path)


def errors_of(report: dict[str, Any]) -> dict[int, list[tuple[str | None, str]]]:
    return {r["row"]: [(e["column"], e["message"]) for e in r["errors"]]
            for r in report["rows"] if r["action"] == "invalid"}


def contact(srv: SandboxServer, rid: int) -> dict[str, Any]:
    return next(c for c in srv.records("contacts") if c["id"] == rid)


def tag_ids(record: dict[str, Any]) -> list[int]:
    return [t["id"] for t in record["tags"] or []]


# ---------------------------------------------------------------- point 5: leading zeros


@pytest.mark.parametrize("keep_record", [True, False])
def test_libreoffice_resaved_csv_does_not_strip_zeros_on_the_server(
    srv: SandboxServer, soffice: str, tmp_path: Path, keep_record: bool
) -> None:
    src = export(srv, tmp_path / "export" / "contacts.csv")
    out = tmp_path / "lo"
    subprocess.run([soffice, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--convert-to", "csv", "--outdir", str(out), str(src)], check=True, capture_output=True,
                   timeout=180)
    resaved = out / "contacts.csv"
    assert "\n1,Björk & Söner AB,1," in resaved.read_text(encoding="utf-8-sig")  # LibreOffice did strip them
    if keep_record:
        (out / "contacts.csv.bulktool.json").write_bytes((src.parent / "contacts.csv.bulktool.json").read_bytes())
    srv.reset_stats()
    code, report = dry_run(srv, resaved)
    assert code == 1
    assert report["summary"]["update"] == 0
    bad = errors_of(report)
    assert bad[2] == [("customerNumber", f"{ZEROS} (was '0001'); format the column as Text and type them again")]
    padded = [c for c in srv.records("contacts") if (c["customerNumber"] or "").startswith("0")]
    assert len(bad) >= len(padded) > 20
    res = run(srv, "import", str(resaved), "--apply", "--quiet")
    assert res.exit_code == 1
    assert writes(srv) == 0
    assert contact(srv, 1)["customerNumber"] == "0001"


@pytest.mark.parametrize("keep_record", [True, False])
def test_zero_padded_text_retyped_as_a_number_in_excel_is_invalid(
    srv: SandboxServer, tmp_path: Path, keep_record: bool
) -> None:
    srv.edit("contacts", 7, {"customerNumber": "0012"})
    path = export(srv, tmp_path / "contacts.xlsx", "--detail")
    sheet = Sheet(path)
    r7, r2 = sheet.row_of(7), sheet.row_of(2)
    sheet.ws.cell(r7, sheet.cols["customerNumber"]).value = 12  # typed as a number: Excel drops the zeros
    sheet.ws.cell(r2, sheet.cols["cellPhoneNumber"]).value = 707788994
    sheet.save()
    if not keep_record:
        drop_record(path)
    code, report = dry_run(srv, path)
    assert code == 1
    bad = errors_of(report)
    assert bad == {
        r7: [("customerNumber", f"{ZEROS} (was '0012'); format the column as Text and type them again")],
        r2: [("cellPhoneNumber", f"{ZEROS} (was '0707788994'); format the column as Text and type them again")],
    }
    assert report["summary"]["update"] == 0


def test_foreign_file_key_without_its_zeros_does_not_create_a_duplicate(srv: SandboxServer, tmp_path: Path) -> None:
    """No id column: '12' would not match '0012' and would be created again."""
    srv.edit("contacts", 7, {"customerNumber": "0777"})
    path = tmp_path / "contacts.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["customerNumber", "name", "contactType", "responsible.id"])
        w.writerow(["777", "Samma kund", "company", "1"])
    srv.reset_stats()
    code, report = dry_run(srv, path)
    assert code == 1
    assert errors_of(report) == {
        2: [("customerNumber", f"{ZEROS} (was '0777'); format the column as Text and type them again")]}
    assert report["summary"]["create"] == 0


# ---------------------------------------------------------------- point 10: NFC


def test_decomposed_text_is_unchanged_and_written_composed(srv: SandboxServer, tmp_path: Path) -> None:
    path = export(srv, tmp_path / "contacts.xlsx")
    sheet = Sheet(path)
    r2, r3 = sheet.row_of(2), sheet.row_of(3)
    assert sheet.get(r2, "name") == "Åsa Öberg"
    sheet.set(r2, "name", unicodedata.normalize("NFD", "Åsa Öberg"))  # what a Mac paste gives
    sheet.set(r3, "name", unicodedata.normalize("NFD", "Göran Ström"))
    sheet.save()
    for keep_record in (True, False):
        if not keep_record:
            drop_record(path)
        code, report = dry_run(srv, path)
        assert code == 0
        changed = {r["row"]: r["changes"] for r in report["rows"] if r["action"] == "update"}
        assert changed == {r3: {"name": {"old": contact(srv, 3)["name"], "new": "Göran Ström"}}}, keep_record
    res = run(srv, "import", str(path), "--apply", "--quiet")
    assert res.exit_code == 0, res.output
    assert contact(srv, 3)["name"] == unicodedata.normalize("NFC", "Göran Ström")
    assert contact(srv, 2)["name"] == "Åsa Öberg"
    srv.reset_stats()
    code, report = dry_run(srv, path)
    assert (code, report["summary"]["update"]) == (0, 0)


def test_decomposed_natural_key_matches_the_composed_one(srv: SandboxServer, tmp_path: Path) -> None:
    srv.edit("contacts", 9, {"customerNumber": "Å-9"})
    path = tmp_path / "contacts.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["customerNumber", "name", "contactType", "responsible.id"])
        w.writerow([unicodedata.normalize("NFD", "Å-9"), "Nytt namn", "company", "1"])
    code, report = dry_run(srv, path)
    assert code == 0, report
    row = report["rows"][0]
    assert (row["action"], str(row["id"])) == ("update", "9")


# ---------------------------------------------------------------- point 11: without the export record


def test_detail_csv_without_record_plans_nothing_for_empty_tags(srv: SandboxServer, tmp_path: Path) -> None:
    path = export(srv, tmp_path / "contacts.csv", "--detail")
    drop_record(path)
    assert any(tag_ids(c) == [] for c in srv.records("contacts"))
    srv.reset_stats()
    code, report = dry_run(srv, path)
    assert code == 0
    assert report["summary"]["update"] == 0
    assert writes(srv) == 0


@pytest.mark.parametrize("keep_record", [True, False])
def test_line_endings_are_not_changes(srv: SandboxServer, tmp_path: Path, keep_record: bool) -> None:
    srv.edit("contacts", 4, {"importantInformation": "rad 1\r\nrad 2"})
    srv.edit("contacts", 5, {"importantInformation": "rad 1\nrad 2"})
    path = export(srv, tmp_path / "contacts.xlsx", "--detail")
    sheet = Sheet(path)
    sheet.set(sheet.row_of(4), "importantInformation", "rad 1\nrad 2")  # LibreOffice keeps LF only
    sheet.set(sheet.row_of(5), "importantInformation", "rad 1\r\nrad 2")
    sheet.set(sheet.row_of(6), "importantInformation", "rad 1\rrad 2")
    sheet.save()
    srv.edit("contacts", 6, {"importantInformation": "rad 1\nrad 2"})
    if not keep_record:
        drop_record(path)
    code, report = dry_run(srv, path)
    assert code == 0
    updates = [r["id"] for r in report["rows"] if r["action"] in ("update", "conflict")]
    # With the record, row 6 was edited (LF -> CR) the same way the server was: nothing to write either.
    assert updates == []


def test_emptied_tag_list_is_written_as_an_empty_list(srv: SandboxServer, tmp_path: Path) -> None:
    tagged = next(c for c in srv.records("contacts") if tag_ids(c))
    path = export(srv, tmp_path / "contacts.xlsx", "--detail")
    sheet = Sheet(path)
    sheet.set(sheet.row_of(tagged["id"]), "tags.id", None)
    sheet.save()
    plan = plan_file(connector_for(srv, rate=500), path, ImportOptions())
    [write] = plan.writes
    assert write.record_id == str(tagged["id"])
    assert write.body is not None and write.body["tagIds"] == []
    res = run(srv, "import", str(path), "--apply", "--quiet")
    assert res.exit_code == 0, res.output
    assert tag_ids(contact(srv, tagged["id"])) == []


@pytest.mark.parametrize("keep_record", [True, False])
def test_second_run_of_an_applied_import_plans_nothing(srv: SandboxServer, tmp_path: Path, keep_record: bool) -> None:
    numbered_of = {c["id"]: c["customerNumber"] for c in srv.records("contacts") if c["customerNumber"]}
    a, b, c, d, e = list(numbered_of)[3:8]
    f = next(c["id"] for c in srv.records("contacts") if c["customerNumber"] is None)
    path = export(srv, tmp_path / "contacts.xlsx", "--detail")
    if not keep_record:
        drop_record(path)
    sheet = Sheet(path)
    sheet.set(sheet.row_of(a), "tags.id", "3, 1, 1")
    sheet.set(sheet.row_of(b), "tags.id", None)
    sheet.set(sheet.row_of(c), "importantInformation", "Ring\r\nefter 16 ")
    sheet.set(sheet.row_of(d), "visitingAddress.city", unicodedata.normalize("NFD", "Skellefteå"))
    sheet.set(sheet.row_of(e), "contactType", "Company")
    sheet.set(sheet.row_of(e), "email", "  ny@exempel.se ")
    sheet.set(sheet.row_of(f), "email", "utan@kundnummer.se")  # Blikk gives it a customer number
    sheet.set(sheet.row_of(e), "customerNumber", None)  # can't be cleared: said, not sent
    sheet.save()
    res = run(srv, "import", str(path), "--apply", "--quiet")
    assert res.exit_code == 0, res.output
    emptied = [f"Warning: Emptied customerNumber cells are ignored (row {sheet.row_of(e)}): a record keeps its "
               "customerNumber, since the server assigns a new one to a record written without it"]
    warned = [line for line in res.output.splitlines() if line.startswith("Warning")]
    # Without the record nothing says a cell was emptied: every empty cell leaves its field as it is.
    no_record = ["Warning: 60 rows of existing records have empty cells: this sheet has no export record, so an "
                 "empty cell leaves its field as it is. To clear a field, export, empty the cell and import that "
                 "export"]
    assert warned == (emptied if keep_record else no_record)
    assert contact(srv, e)["customerNumber"] == numbered_of[e]
    assert tag_ids(contact(srv, a)) == [3, 1]
    assert contact(srv, f)["customerNumber"]  # the sheet's cell is still empty: not a request to clear it
    srv.reset_stats()
    code, report = dry_run(srv, path)
    assert code == 0
    assert {k: v for k, v in report["summary"].items() if v} == {"unchanged": 60}
    res = run(srv, "import", str(path), "--apply", "--quiet")
    assert res.exit_code == 0, res.output
    assert writes(srv) == 0
    # Still said (the cell is still empty); the server's new lastUpdated is not taken for an edit.
    assert [line for line in res.output.splitlines() if line.startswith("Warning")] == warned


# ---------------------------------------------------------------- point 13: shared natural keys


def test_natural_key_copied_onto_another_row_with_an_id_is_invalid(srv: SandboxServer, tmp_path: Path) -> None:
    srv.edit("contacts", 5, {"customerNumber": "0005"})
    path = export(srv, tmp_path / "contacts.xlsx")
    sheet = Sheet(path)
    r5, r9 = sheet.row_of(5), sheet.row_of(9)
    sheet.set(r9, "customerNumber", "0005")
    sheet.save()
    srv.reset_stats()
    code, report = dry_run(srv, path)
    assert code == 1
    assert errors_of(report) == {r9: [("customerNumber", f"customerNumber '0005' is also in row {r5}: two records "
                                                         "would share it; give each row its own")]}
    res = run(srv, "import", str(path), "--apply", "--quiet")
    assert res.exit_code == 1
    assert f"row {r9}, column customerNumber: customerNumber '0005' is also in row {r5}" in res.stderr
    assert writes(srv) == 0


# ---------------------------------------------------------------- point 14: edits that would be ignored


def test_renamed_header_is_refused_with_the_likely_name(srv: SandboxServer, tmp_path: Path) -> None:
    path = export(srv, tmp_path / "contacts.xlsx", "--detail")
    sheet = Sheet(path)
    sheet.ws.cell(1, sheet.cols["email"]).value = "E-post"
    sheet.ws.cell(2, sheet.cols["email"]).value = "ny@exempel.se"
    sheet.save()
    srv.reset_stats()
    res = run(srv, "import", str(path), "--quiet")
    assert res.exit_code == 2
    assert res.stderr.splitlines() == [
        "Error: Sheet 'contacts': column 'E-post' is not in the contacts template: did you mean email? (the sheet "
        "has no email column). Rename the header to the template's name, or delete the column, so its cells are "
        "not silently ignored"]
    assert srv.stats()["total"] == 0


def test_fuzzy_renamed_header_and_a_plain_extra_column(srv: SandboxServer, tmp_path: Path) -> None:
    path = export(srv, tmp_path / "contacts.xlsx")
    sheet = Sheet(path)
    sheet.ws.cell(1, sheet.cols["customerNumber"]).value = "Customer number"
    sheet.save()
    res = run(srv, "import", str(path), "--quiet")
    assert res.exit_code == 2
    assert "column 'Customer number' is not in the contacts template: did you mean customerNumber?" in res.stderr
    # A column that resembles nothing missing is only ignored, with a warning; so is one that resembles a
    # read-only column (its cells would be ignored under the right name too).
    path = export(srv, tmp_path / "plain" / "contacts.xlsx")
    sheet = Sheet(path)
    sheet.ws.cell(1, sheet.ws.max_column + 1).value = "Anteckningar"
    sheet.ws.cell(1, sheet.cols["created"]).value = "Created at"
    sheet.save()
    res = run(srv, "import", str(path), "--quiet")
    assert res.exit_code == 0, res.output
    assert ("Warning: Columns not in the contacts template are ignored: Created at (did you mean created?), "
            "Anteckningar") in res.output.splitlines()


@pytest.mark.parametrize("keep_record", [True, False])
def test_edits_in_read_only_columns_are_listed_as_ignored(
    srv: SandboxServer, tmp_path: Path, keep_record: bool
) -> None:
    path = export(srv, tmp_path / "contacts.xlsx", "--detail")
    sheet = Sheet(path)
    r3, r4 = sheet.row_of(3), sheet.row_of(4)
    sheet.set(r3, "responsible.name", "Någon Annan")
    sheet.set(r4, "created", "2001-01-01 00:00:00 +00:00")
    sheet.save()
    if not keep_record:
        drop_record(path)
    srv.reset_stats()
    res = run(srv, "import", str(path), "--quiet")
    assert res.exit_code == 0, res.output
    if keep_record:
        line = f"Warning: Edits to the read-only column created are ignored (row {r4}); the server sets it"
    else:  # without the record an edit can't be told from a server change
        line = (f"Warning: Cells of the read-only column created that differ from the server are ignored "
                f"(row {r4}); the server sets it")
    assert line in res.output.splitlines()
    if keep_record:  # without the record, detail-only columns are compared only for rows that are written
        assert (f"Warning: Edits to the read-only column responsible.name are ignored (row {r3}); to change it, "
                "edit responsible.id") in res.output.splitlines()
    assert writes(srv) == 0


@pytest.mark.parametrize("keep_record", [True, False])
def test_edited_sheet_of_a_read_only_endpoint_says_the_edits_cannot_be_imported(
    srv: SandboxServer, tmp_path: Path, keep_record: bool
) -> None:
    path = export(srv, tmp_path / "users.xlsx", endpoint="users")
    sheet = Sheet(path, "users")
    sheet.set(3, "firstName", "Ändrad")
    sheet.save()
    if not keep_record:
        drop_record(path)
    res = run(srv, "import", str(path), "--quiet")
    assert res.exit_code == 1
    assert "every row matches the server" not in res.output
    assert ("row 3, column firstName: users can't be written through the API, so edits can't be imported "
            "(edited: firstName)") in res.stderr
    # Untouched, it is simply unchanged.
    path = export(srv, tmp_path / "clean" / "users.xlsx", endpoint="users")
    res = run(srv, "import", str(path), "--quiet")
    assert res.exit_code == 0, res.output


# ---------------------------------------------------------------- point 15: formulas in ignored columns


def test_formula_in_an_ignored_column_does_not_invalidate_the_row(srv: SandboxServer, tmp_path: Path) -> None:
    path = export(srv, tmp_path / "contacts.xlsx")
    sheet = Sheet(path)
    notes = sheet.ws.max_column + 1
    sheet.ws.cell(1, notes).value = "notes"
    sheet.ws.cell(3, notes).value = "=LEN(B3)"
    sheet.ws.cell(4, sheet.cols["company.name"]).value = '=UPPER("x")'
    sheet.save()
    code, report = dry_run(srv, path)
    assert code == 0, errors_of(report)
    assert report["summary"]["invalid"] == 0
    # In an imported column a formula still blocks the row.
    sheet = Sheet(path)
    sheet.ws.cell(5, sheet.cols["name"]).value = '=UPPER("x")'
    sheet.save()
    code, report = dry_run(srv, path)
    assert code == 1
    letter = openpyxl.utils.get_column_letter(sheet.cols["name"])
    assert errors_of(report) == {5: [("name", f"cell {letter}5 holds a formula; replace it with its value")]}


# ---------------------------------------------------------------- point 18: capped lists


def test_duplicate_id_error_on_a_huge_sheet_is_one_short_line(srv: SandboxServer, tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "name"])
        w.writerows([["1", f"Namn {n}"] for n in range(30_000)])
    res = run(srv, "import", str(path), "--quiet")
    assert res.exit_code == 2
    assert res.stderr.splitlines() == [
        "Error: Duplicate id values in 'contacts': id '1' in rows 2, 3, 4, 5, 6 … and 29,995 more"]


# ---------------------------------------------------------------- point 20: repeated ids in a list


def test_repeated_tag_ids_are_written_once_and_do_not_conflict_later(srv: SandboxServer, tmp_path: Path) -> None:
    rid = next(c["id"] for c in srv.records("contacts") if tag_ids(c) == [1])
    path = export(srv, tmp_path / "contacts.xlsx", "--detail")
    sheet = Sheet(path)
    sheet.set(sheet.row_of(rid), "tags.id", "1,2,2")
    sheet.save()
    plan = plan_file(connector_for(srv, rate=500), path, ImportOptions())
    [write] = plan.writes
    assert write.body is not None and write.body["tagIds"] == [1, 2]
    assert write.result.changes["tags.id"].new == [1, 2]
    res = run(srv, "import", str(path), "--apply", "--quiet")
    assert res.exit_code == 0, res.output
    assert tag_ids(contact(srv, rid)) == [1, 2]
    code, report = dry_run(srv, path)  # the same workbook again: its record still says [1]
    assert code == 0
    assert report["summary"]["conflict"] == report["summary"]["update"] == 0


# ---------------------------------------------------------------- the small pieces, directly


def test_capped_lists_and_header_guesses() -> None:
    from bulktool.messages import capped, rows_text
    from bulktool.plan.headers import likely_column

    assert capped(range(2, 300_001)) == "2, 3, 4, 5, 6 … and 299,994 more"
    assert rows_text([7]) == "row 7"
    assert rows_text([7, 9]) == "rows 7, 9"
    missing = ["email", "customerNumber", "visitingAddress.city", "deliveryAddress.city", "responsible.id"]
    assert likely_column("E-post", missing) == "email"
    assert likely_column("E_MAIL", missing) == "email"
    assert likely_column("Kundnr", missing) == "customerNumber"
    assert likely_column("Ansvarig", missing) == "responsible.id"
    assert likely_column("Ort", missing) is None  # two city columns: no guess rather than a wrong one
    assert likely_column("Anteckningar", missing) is None
