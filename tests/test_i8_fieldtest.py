"""Issue 8, the Tripletex field test: each case below lost data, wrote the wrong thing, or failed an
apply the dry run had promised, when a consultant drove the real CLI against the sandbox.

- a cleared text cell (an email deleted in the sheet) was sent as ``null``, which Tripletex refuses
  for a string ("Verdien er ikke av korrekt type for dette feltet."): the dry run said "update", the
  apply failed; ``""`` is how a text is cleared there;
- a CSV as Norwegian Excel saves it could not be read: booleans SANN/USANN and dates 05.01.2026
  were refused (Swedish SANT/FALSKT and ISO dates were the only spellings known);
- after kill -9 mid-apply and ``--resume``, the undo workbook held only the resumed writes: the
  records the killed run had changed could not be restored;
- an unknown reference id (``accountManager.id`` 99999) was an "update" in the dry run and a
  refusal from the server at apply time;
- a cleared number cell (invoicesDueIn, a price) was an "update" to null in the dry run, which the
  server refuses ("Verdien er ikke av korrekt type"): Tripletex has no empty number;
- a cleared date (a project's endDate) was refused by the sandbox although the sandbox reads an unset
  date back as null (its spec gives dates no ``format``): a record read back was not writable as read;
- a number outside the spec's range (invoicesDueIn -5; the spec says 0..10000) and a malformed email
  were "updates" in the dry run and refusals ("Verdien må være minst 0.", "Ugyldig format.") at apply;
- the second run of a workbook that had created customers (rows added with only a name and a number)
  planned to clear every default the server had given them (language, currency, invoicesDueIn,
  isInactive...): a row found by its natural key took its empty cells for "clear".
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from test_import_e2e import Sheet
from tt_fixtures import CONSUMER, EMPLOYEE, tt_base_url, tt_server

from bulktool.cli import cli
from bulktool.sandbox import SandboxServer
from bulktool.writer import Journal, default_journal_path


@pytest.fixture()
def tt(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[SandboxServer]:
    monkeypatch.setenv("TRIPLETEX_CONSUMER_TOKEN", CONSUMER)
    monkeypatch.setenv("TRIPLETEX_EMPLOYEE_TOKEN", EMPLOYEE)
    monkeypatch.setenv("BULKTOOL_CONFIG", str(tmp_path / "config.toml"))
    with tt_server(contacts=40) as srv:
        yield srv


def bt(srv: SandboxServer, *args: str) -> Result:
    """``bulktool --system tripletex --base-url <sandbox>/v2 ARGS``, as a user types it."""
    return CliRunner().invoke(cli, ["--system", "tripletex", "--base-url", tt_base_url(srv), *args],
                              catch_exceptions=False)


def export(srv: SandboxServer, path: Path, endpoint: str = "customers", *extra: str) -> Sheet:
    res = bt(srv, "export", endpoint, "-o", str(path), "--quiet", *extra)
    assert res.exit_code == 0, res.output
    return Sheet(path, endpoint) if path.suffix == ".xlsx" else None  # type: ignore[return-value]


def plan(srv: SandboxServer, path: Path, *extra: str) -> tuple[int, list[dict[str, Any]]]:
    res = bt(srv, "import", str(path), "--json", "-", "--quiet", *extra)
    return res.exit_code, json.loads(res.stdout)["rows"]


def apply(srv: SandboxServer, path: Path, *extra: str) -> Result:
    return bt(srv, "import", str(path), "--apply", "--yes", "--quiet", *extra)


def records(srv: SandboxServer, resource: str = "customer") -> dict[int, dict[str, Any]]:
    return {int(r["id"]): r for r in srv.records(resource)}


def changed(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in rows if r["action"] != "unchanged"]


def test_a_cleared_text_cell_clears_the_field(tt: SandboxServer, tmp_path: Path) -> None:
    wb = tmp_path / "customers.xlsx"
    sheet = export(tt, wb)
    rid = next(i for i, r in sorted(records(tt).items()) if r["email"] and r["phoneNumber"])
    sheet.set(sheet.row_of(rid), "email", None)
    sheet.set(sheet.row_of(rid), "phoneNumber", None)
    sheet.save()
    code, rows = plan(tt, wb)
    assert code == 0 and [r["id"] for r in changed(rows)] == [rid]
    res = apply(tt, wb)
    assert res.exit_code == 0, res.output
    after = records(tt)[rid]
    assert (after["email"], after["phoneNumber"]) == ("", "")
    assert tt.bodies()["violations"] == 0
    code, rows = plan(tt, wb)
    assert code == 0 and not changed(rows)


def norwegian_csv(xlsx: Path, out: Path, edit: dict[tuple[int, str], str] | None = None) -> None:
    """The export saved as Norwegian Excel saves a CSV: ``;``, decimal comma, SANN/USANN, 05.01.2026,
    Windows-1252, CRLF; ``edit`` retypes cells (by id and column) the way a user types them."""
    import openpyxl

    ws = openpyxl.load_workbook(xlsx).worksheets[0]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    head = [str(h) for h in rows[0]]

    def cell(v: Any) -> str:
        if v is None:
            return ""
        if isinstance(v, bool):
            return "SANN" if v else "USANN"
        if hasattr(v, "strftime"):
            return str(v.strftime("%d.%m.%Y"))
        return str(v).replace(".", ",") if isinstance(v, float) else str(v)

    lines = []
    for r in rows[1:]:
        texts = [cell(v) for v in r]
        for (rid, col), text in (edit or {}).items():
            if r[0] == rid:
                texts[head.index(col)] = text
        lines.append(";".join(texts))
    out.write_bytes(("\r\n".join([";".join(head), *lines]) + "\r\n").encode("cp1252"))


def test_norwegian_excel_booleans_sann_usann_are_read(tt: SandboxServer, tmp_path: Path) -> None:
    export(tt, tmp_path / "products.xlsx", "products")
    rid = min(records(tt, "product"))
    assert records(tt, "product")[rid]["isInactive"] is False
    path = tmp_path / "products.csv"
    norwegian_csv(tmp_path / "products.xlsx", path, {(rid, "isInactive"): "SANN"})
    code, rows = plan(tt, path)
    assert code == 0, rows
    assert [(r["id"], r["changes"]) for r in changed(rows)] == [(rid, {"isInactive": {"old": False, "new": True}})]
    assert apply(tt, path).exit_code == 0
    assert records(tt, "product")[rid]["isInactive"] is True


def test_norwegian_dates_05_01_2026_are_read_day_first(tt: SandboxServer, tmp_path: Path) -> None:
    export(tt, tmp_path / "projects.xlsx", "projects")
    rid = min(records(tt, "project"))
    path = tmp_path / "projects.csv"
    norwegian_csv(tmp_path / "projects.xlsx", path, {(rid, "endDate"): "05.01.2026"})
    code, rows = plan(tt, path)
    assert code == 0, rows
    assert [(r["id"], list(r["changes"])) for r in changed(rows)] == [(rid, ["endDate"])]
    assert apply(tt, path).exit_code == 0
    assert records(tt, "project")[rid]["endDate"] == "2026-01-05"
    code, rows = plan(tt, path)
    assert code == 0 and not changed(rows)


def done_in_journal(wb: Path) -> int:
    if not default_journal_path(wb).exists():
        return 0
    with Journal(default_journal_path(wb)) as journal:
        return sum(e.state == "done" for e in journal.entries())


def test_the_undo_after_kill_9_and_resume_restores_every_record(tt: SandboxServer, tmp_path: Path) -> None:
    wb = tmp_path / "customers.xlsx"
    sheet = export(tt, wb)
    before = records(tt)
    for rid, rec in before.items():
        sheet.set(sheet.row_of(rid), "invoicesDueIn", rec["invoicesDueIn"] + 1)
    sheet.save()
    tt.set_faults(latency=0.3)
    cmd = [sys.executable, "-m", "bulktool", "--system", "tripletex", "--base-url", tt_base_url(tt), "import",
           str(wb), "--apply", "--yes", "--quiet", "--batch-size", "5"]
    proc = subprocess.Popen(cmd, env={**os.environ, "PYTHONUNBUFFERED": "1"}, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while done_in_journal(wb) < 10:
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the apply never wrote"
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    tt.set_faults(latency=0.0)
    assert 10 <= done_in_journal(wb) < len(before)
    res = apply(tt, wb, "--resume")
    assert res.exit_code == 0, res.output
    mid = records(tt)
    assert all(mid[i]["invoicesDueIn"] == r["invoicesDueIn"] + 1 and mid[i]["version"] == r["version"] + 1
               for i, r in before.items())  # every row exactly once
    undos = sorted(tmp_path.glob("customers.undo-*.xlsx"))
    assert len(undos) == 1
    res = apply(tt, undos[0])
    assert res.exit_code == 0, res.output
    assert {i: r["invoicesDueIn"] for i, r in records(tt).items()} == {i: r["invoicesDueIn"] for i, r in before.items()}


def test_an_unknown_reference_id_is_invalid_in_the_dry_run(tt: SandboxServer, tmp_path: Path) -> None:
    wb = tmp_path / "customers.xlsx"
    sheet = export(tt, wb)
    a, b = sorted(records(tt))[:2]
    manager_of_a = records(tt)[a]["accountManager"]
    sheet.set(sheet.row_of(a), "accountManager.id", 99999)
    sheet.set(sheet.row_of(b), "accountManager.id", 104)  # an employee that exists
    sheet.save()
    res = bt(tt, "import", str(wb), "--quiet")
    assert res.exit_code == 1, res.output
    line = res.output.strip().splitlines()[-1]
    assert f"row {sheet.row_of(a)}, column accountManager.id: no employees record has id 99999" in line
    tt.reset_stats()
    assert apply(tt, wb).exit_code == 1
    assert not [m for m, p, _ in tt.request_log() if m in ("POST", "PUT") and "/token/" not in p]  # nothing written
    res = apply(tt, wb, "--skip-invalid")
    assert res.exit_code == 0, res.output
    after = records(tt)
    assert after[b]["accountManager"]["id"] == 104 and after[a]["accountManager"] == manager_of_a


def test_a_cleared_number_cell_is_invalid_in_the_dry_run(tt: SandboxServer, tmp_path: Path) -> None:
    wb = tmp_path / "customers.xlsx"
    sheet = export(tt, wb)
    a, b = sorted(records(tt))[:2]
    sheet.set(sheet.row_of(a), "invoicesDueIn", None)
    sheet.set(sheet.row_of(b), "name", "Bare Navnet AS")  # another edit in the row is still checked fine
    sheet.save()
    res = bt(tt, "import", str(wb), "--quiet")
    assert res.exit_code == 1, res.output
    assert f"row {sheet.row_of(a)}, column invoicesDueIn: cannot be empty" in res.output.strip().splitlines()[-1]
    code, rows = plan(tt, wb, "--skip-invalid")
    assert code == 1  # the invalid row still blocks the exit code
    assert [(r["id"], r["action"]) for r in changed(rows)] == [(a, "invalid"), (b, "update")]


def test_a_cleared_project_end_date_is_cleared(tt: SandboxServer, tmp_path: Path) -> None:
    wb = tmp_path / "projects.xlsx"
    sheet = export(tt, wb, "projects")
    rid = next(i for i, r in sorted(records(tt, "project").items()) if r["endDate"])
    sheet.set(sheet.row_of(rid), "endDate", None)
    sheet.save()
    res = apply(tt, wb)
    assert res.exit_code == 0, res.output
    assert records(tt, "project")[rid]["endDate"] is None
    assert tt.bodies()["violations"] == 0
    code, rows = plan(tt, wb)
    assert code == 0 and not changed(rows)


def test_a_number_outside_the_spec_range_is_invalid_in_the_dry_run(tt: SandboxServer, tmp_path: Path) -> None:
    wb = tmp_path / "customers.xlsx"
    sheet = export(tt, wb)
    a, b = sorted(records(tt))[:2]
    sheet.set(sheet.row_of(a), "invoicesDueIn", -5)
    sheet.set(sheet.row_of(b), "invoicesDueIn", 10000)  # the top of the range is fine
    sheet.save()
    res = bt(tt, "import", str(wb), "--quiet")
    assert res.exit_code == 1, res.output
    assert (f"row {sheet.row_of(a)}, column invoicesDueIn: must be from 0 to 10000 (got -5)"
            in res.output.strip().splitlines()[-1])
    assert apply(tt, wb, "--skip-invalid").exit_code == 0
    assert records(tt)[b]["invoicesDueIn"] == 10000


def test_a_malformed_email_is_invalid_in_the_dry_run(tt: SandboxServer, tmp_path: Path) -> None:
    wb = tmp_path / "customers.xlsx"
    sheet = export(tt, wb)
    a, b = sorted(records(tt))[:2]
    sheet.set(sheet.row_of(a), "email", "ikke-en-epost")
    sheet.set(sheet.row_of(b), "invoiceEmail", "faktura@kunde.no")
    sheet.save()
    code, rows = plan(tt, wb)
    assert code == 1
    assert [(r["id"], r["action"]) for r in changed(rows)] == [(a, "invalid"), (b, "update")]
    res = apply(tt, wb, "--skip-invalid")
    assert res.exit_code == 0, res.output  # nothing the server refuses is sent
    assert records(tt)[b]["invoiceEmail"] == "faktura@kunde.no"


def test_the_second_run_of_a_file_that_created_records_writes_nothing(tt: SandboxServer, tmp_path: Path) -> None:
    wb = tmp_path / "customers.xlsx"
    sheet = export(tt, wb)
    sheet.append({"name": "Nyopprettet AS", "customerNumber": 77001})
    sheet.append({"name": "Også Ny AS", "customerNumber": 77002})
    sheet.save()
    res = apply(tt, wb)
    assert res.exit_code == 0, res.output
    created = {r["customerNumber"]: r for r in records(tt).values() if r["customerNumber"] in (77001, 77002)}
    assert len(created) == 2 and all(r["language"] and r["currency"] for r in created.values())
    code, rows = plan(tt, wb)
    assert code == 0 and not changed(rows), changed(rows)
    tt.reset_stats()
    assert apply(tt, wb).exit_code == 0
    assert not [m for m, p, _ in tt.request_log() if m in ("POST", "PUT") and "/token/" not in p]
    assert {r["customerNumber"]: r for r in records(tt).values() if r["customerNumber"] in (77001, 77002)} == created
