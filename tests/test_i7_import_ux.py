"""Issue 7, points 8 (second half), 18, 19 and 20: what the import command says, asks and exits with.

The real CLI against the sandbox over HTTP. The prompt only appears on a terminal; ``interactive`` is
the one place that asks whether stdin is one, so the tests say "yes, a person is there" through it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from test_import_e2e import Sheet

from bulktool.cli import cli
from bulktool.cli import importing as importing_cli
from bulktool.sandbox import SandboxConfig, SandboxServer


@pytest.fixture()
def srv(sandbox_env: None) -> Iterator[SandboxServer]:
    with SandboxServer(SandboxConfig(contacts=62, port=0, rate_limit=1000)) as s:
        yield s


@pytest.fixture()
def tty(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importing_cli, "interactive", lambda: True)


def run(srv: SandboxServer, *args: str, stdin: str | None = None, rate: str = "500") -> Result:
    return CliRunner().invoke(cli, ["--base-url", srv.url, "--rate", rate, *args], input=stdin,
                              catch_exceptions=False)


def export(srv: SandboxServer, path: Path, *extra: str) -> None:
    res = run(srv, "export", "contacts", "-o", str(path), "--quiet", *extra)
    assert res.exit_code == 0, res.output


def writes(srv: SandboxServer) -> int:
    return sum(srv.stats().get(m, 0) for m in ("POST", "PUT", "DELETE"))


# ---------------------------------------------------------------- point 19: the prompt and its answers

def test_apply_with_nothing_to_write_does_not_ask(srv: SandboxServer, tmp_path: Path, tty: None) -> None:
    wb = tmp_path / "contacts.xlsx"
    export(srv, wb)
    res = run(srv, "import", str(wb), "--apply", "--quiet", stdin="")
    assert res.exit_code == 0, res.output
    assert "Apply 0" not in res.output and "?" not in res.output.splitlines()[-1]
    assert res.output.strip().endswith("Nothing to write: no row needs a change, so nothing was sent.")


def test_answering_no_has_its_own_exit_code_and_writes_nothing(
        srv: SandboxServer, tmp_path: Path, tty: None) -> None:
    wb = tmp_path / "contacts.xlsx"
    export(srv, wb)
    rid = sorted(c["id"] for c in srv.records("contacts"))[3]
    sheet = Sheet(wb)
    sheet.set(sheet.row_of(rid), "name", "Nytt namn")
    sheet.save()
    srv.reset_stats()
    res = run(srv, "import", str(wb), "--apply", "--quiet", stdin="n\n")
    assert res.exit_code == 4, res.output
    host = srv.url.split("://", 1)[1]
    assert re.search(rf"Apply 1 write to app [0-9a-f]{{8}} on {re.escape(host)}\? \[y/N\]: n", res.output), res.output
    assert res.output.strip().endswith("Nothing was written (you answered no).")
    assert writes(srv) == 0
    assert not list(tmp_path.glob("*.undo-*")) and not list(tmp_path.glob("*journal*"))


def test_the_delete_confirmation_names_the_records_and_says_ids_cannot_come_back(
        srv: SandboxServer, tmp_path: Path, tty: None) -> None:
    wb = tmp_path / "contacts.xlsx"
    export(srv, wb)
    records = sorted(srv.records("contacts"), key=lambda c: c["id"])
    referenced = {c[ref]["id"] for c in records for ref in ("company", "parentCompany") if c.get(ref)}
    doomed = [c for c in records if c["id"] not in referenced and c["customerNumber"]][:2]
    sheet = Sheet(wb)
    sheet.ws.cell(1, sheet.ws.max_column + 1, "action")
    sheet.cols["action"] = sheet.ws.max_column
    rows = []
    for c in doomed:
        rows.append(sheet.row_of(c["id"]))
        sheet.set(rows[-1], "action", "delete")
    sheet.save()
    res = run(srv, "import", str(wb), "--apply", "--allow-delete", "--quiet", stdin="n\n")
    assert res.exit_code == 4
    lines = res.output.splitlines()
    assert ("This permanently deletes 2 records. Their ids can't come back: the undo workbook can only "
            "re-create them as new records with new ids.") in lines
    for row, c in zip(rows, doomed, strict=True):
        assert f"  row {row}: id {c['id']} {c['name']!r} (customerNumber {c['customerNumber']})" in lines
    assert len(srv.records("contacts")) == 62


# ---------------------------------------------------------------- point 19: plurals

def test_one_row_one_write_singular_everywhere(srv: SandboxServer, tmp_path: Path) -> None:
    wb = tmp_path / "contacts.xlsx"
    export(srv, wb)
    sheet = Sheet(wb)
    sheet.ws.delete_rows(3, sheet.ws.max_row)  # keep one record
    sheet.set(2, "name", "Ensam AB")
    sheet.save()
    res = run(srv, "import", str(wb))
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert lines[1] == "1 row: create 0, update 1, delete 0, unchanged 0, conflict 0, invalid 0"
    assert lines[2].startswith("1 write request (+ ")
    assert "1 rows" not in res.output and "1 write requests" not in res.output


# ---------------------------------------------------------------- point 20: estimate and JSON

def test_the_estimate_counts_the_reads_the_apply_makes(srv: SandboxServer, tmp_path: Path) -> None:
    wb = tmp_path / "contacts.xlsx"
    export(srv, wb)  # a list export: every update needs a detail GET before its PUT
    sheet = Sheet(wb)
    for r in range(2, 10):
        sheet.set(r, "name", f"Ändrad {r}")
    sheet.save()
    res = run(srv, "import", str(wb), "--json", "-", "--quiet", rate="4")
    report = json.loads(res.stdout)
    reads, writes_ = report["requests"]["read"], report["requests"]["write"]
    assert writes_ == 8 and reads >= 8  # the changed-since list read and 8 detail reads
    assert report["requests"]["estimated_seconds"] == pytest.approx((reads + writes_) / 4, abs=0.05)
    text = run(srv, "import", str(wb), rate="4").output
    assert f"8 write requests (+ {reads} reads), estimated apply time" in text
    # What the apply really sends once it starts: the same reads again, then the writes.
    srv.reset_stats()
    assert run(srv, "import", str(wb), "--apply", "--quiet", rate="500").exit_code == 0
    assert srv.stats()["total"] + 1 == reads + writes_  # the sandbox does not count the token request


def test_json_report_names_mode_file_endpoint_account_journal_undo_and_exit_code(
        srv: SandboxServer, tmp_path: Path) -> None:
    wb = tmp_path / "contacts.xlsx"
    export(srv, wb)
    sheet = Sheet(wb)
    sheet.set(2, "name", "Ändrad")
    sheet.set(3, "contactType", "persn")
    sheet.save()
    host = srv.url.split("://", 1)[1]
    res = run(srv, "import", str(wb), "--json", "-", "--quiet")
    assert res.exit_code == 1
    dry: dict[str, Any] = json.loads(res.stdout)
    assert {k: dry[k] for k in ("mode", "file", "sheet", "endpoint", "host", "journal", "undo", "exit_code")} == {
        "mode": "dry-run", "file": str(wb), "sheet": "contacts", "endpoint": "contacts", "host": host,
        "journal": None, "undo": None, "exit_code": 1}
    assert "account" in dry and isinstance(dry["warnings"], list)
    res = run(srv, "import", str(wb), "--apply", "--skip-invalid", "--json", "-", "--quiet")
    assert res.exit_code == 0, res.output
    applied = json.loads(res.stdout)
    assert applied["mode"] == "apply" and applied["exit_code"] == 0
    assert applied["journal"] == str(tmp_path / "contacts.xlsx.bulktool-journal.sqlite")
    assert applied["undo"] and Path(applied["undo"]).exists()


def test_errors_are_json_too_when_json_goes_to_stdout(srv: SandboxServer, tmp_path: Path) -> None:
    res = run(srv, "import", str(tmp_path / "missing.xlsx"), "--json", "-")
    assert res.exit_code == 2
    got = json.loads(res.stdout)
    assert got["exit_code"] == 2 and "missing.xlsx" in got["error"]
    bad = tmp_path / "notes.txt"
    bad.write_text("hello")
    out = tmp_path / "r.json"
    res = run(srv, "import", str(bad), "--json", str(out))
    assert res.exit_code == 2
    assert json.loads(out.read_text())["exit_code"] == 2


def test_a_column_sorted_on_its_own_is_called_out(srv: SandboxServer, tmp_path: Path) -> None:
    wb = tmp_path / "contacts.xlsx"
    export(srv, wb)
    sheet = Sheet(wb)
    names = [sheet.get(r, "name") for r in range(2, 64)]
    assert len(names) == 62
    shifted = names[1:61] + names[:1] + names[61:]  # 61 names move up one row, the last row keeps its own
    for r, name in zip(range(2, 64), shifted, strict=True):
        sheet.set(r, "name", name)
    sheet.save()
    res = run(srv, "import", str(wb), "--json", "-", "--quiet")
    warnings = json.loads(res.stdout)["warnings"]
    assert ("61 of 62 name values changed while the other columns did not, and the values only moved between "
            "rows; was one column sorted on its own?") in warnings


def test_a_mass_update_to_new_values_is_not_mistaken_for_a_sort(srv: SandboxServer, tmp_path: Path) -> None:
    wb = tmp_path / "contacts.xlsx"
    export(srv, wb)
    sheet = Sheet(wb)
    for r in range(2, 64):
        sheet.set(r, "visitingAddress.city", "Umeå")
    sheet.save()
    res = run(srv, "import", str(wb), "--json", "-", "--quiet")
    assert not [w for w in json.loads(res.stdout)["warnings"] if "sorted" in w]


# ---------------------------------------------------------------- points 8 and 18: the final Error: line

def test_after_the_server_refused_rows_the_advice_is_to_fix_them_not_resume(
        srv: SandboxServer, tmp_path: Path) -> None:
    wb = tmp_path / "contacts.xlsx"
    export(srv, wb, "--detail")
    sheet = Sheet(wb)
    sheet.set(2, "responsible.id", 999)  # no such user: the API answers 400
    sheet.set(3, "name", "Ändrad")
    sheet.save()
    res = run(srv, "import", str(wb), "--apply", "--quiet")
    assert res.exit_code == 3, res.output
    last = res.output.strip().splitlines()[-1]
    assert last.startswith("Error: 1 row not applied (first: row 2: ")
    assert "--resume" not in last
    assert last.endswith("the server refused it: fix that row (see the report) and run the same import again "
                         "(what was applied is skipped)")


def test_the_error_line_keeps_its_advice_whole_and_cuts_only_between_words(
        srv: SandboxServer, tmp_path: Path) -> None:
    wb = tmp_path / "contacts.xlsx"
    export(srv, wb)
    sheet = Sheet(wb)
    sheet.set(2, "contactType", " ".join(["företag"] * 80))  # the error quotes the long value
    sheet.save()
    res = run(srv, "import", str(wb))
    assert res.exit_code == 1
    last = res.output.strip().splitlines()[-1]
    assert last.startswith("Error: 1 invalid row in sheet 'contacts', nothing was written (first: row 2, column "
                           "contactType: ")
    assert last.endswith("); fix them, or apply the other rows with --skip-invalid")


def test_a_long_row_message_is_cut_between_words_and_the_advice_stays_whole() -> None:
    from bulktool.plan.model import CellError, ImportResult, RowResult

    words = " ".join(f"ord{n}" for n in range(400))
    rows = [RowResult("contacts", 7, "invalid", 1, errors=[CellError("name", words)]),
            RowResult("contacts", 8, "invalid", 2, errors=[CellError("name", "x")])]
    result = ImportResult("blikk", "contacts", "c.xlsx", "contacts", ["id", "name"], rows)
    line = importing_cli.exit_line(result, 1)
    assert line is not None
    assert line.endswith("…); fix them, or apply the other rows with --skip-invalid")
    quoted = line.split("column name: ", 1)[1].split("…", 1)[0].split()
    assert quoted == [f"ord{n}" for n in range(len(quoted))]  # whole words only, the last one too
    assert 200 < len(line) < 300


def test_an_unfinished_journal_is_refused_before_any_question(srv: SandboxServer, tmp_path: Path, tty: None) -> None:
    from bulktool.writer import Journal, default_journal_path, make_op

    wb = tmp_path / "contacts.xlsx"
    export(srv, wb)
    sheet = Sheet(wb)
    sheet.set(2, "name", "Ändrad")
    sheet.save()
    with Journal(default_journal_path(wb)) as journal:  # what a killed apply leaves behind
        journal.begin(make_op("update", "contacts", "contacts", 2, {"name": "x"}, record_id=1))
    res = run(srv, "import", str(wb), "--apply", "--quiet", stdin="")
    assert res.exit_code == 2
    assert "[y/N]" not in res.output
    assert "interrupted" in res.output and "--resume" in res.output.strip().splitlines()[-1]


def test_mixed_failures_say_which_rows_to_fix_and_which_resume_retries() -> None:
    from bulktool.plan.model import ImportResult, RowResult

    refused = RowResult("contacts", 2, "update", 1, status="failed", message="HTTP 400: responsibleId",
                        permanent=True)
    dropped = RowResult("contacts", 3, "update", 2, status="unknown", message="outcome unknown: dropped")
    result = ImportResult("blikk", "contacts", "c.xlsx", "contacts", ["id"], [refused, dropped], applied=True)
    assert importing_cli.exit_line(result, 3) == (
        "Error: 2 rows not applied (first: row 2: HTTP 400: responsibleId); fix the 1 row the server refused, "
        "then run the same import with --resume to retry the 1 other")
    result.rows = [dropped]
    assert importing_cli.exit_line(result, 3) == (
        "Error: 1 row not applied (first: row 3: outcome unknown: dropped); run the same import with --resume "
        "to retry it")
