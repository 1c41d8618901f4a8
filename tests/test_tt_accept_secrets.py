"""Issue 8, acceptance 9, the failing runs: at ``-vv`` no token of any kind appears in what they leave.

tests/test_tt_connector_rate_secrets.py covers runs that succeed (exports at -vv/-vvv, an apply with
every report, the journal and the undo workbook). This adds the runs that fail and print an error, in
a real subprocess: a session the server refuses (a traceback at -vv), and an apply whose bulk create
is rejected for one row (the server's message in the row, the reports and the journal) while its
update batch goes through. Neither the consumer, the employee nor any session token appears, nor the
Basic credentials they make, in stdout, stderr, reports or journals.
"""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import sys
import zipfile
from pathlib import Path

from openpyxl import load_workbook
from tt_fixtures import tt_base_url, tt_server

from bulktool.sandbox import SandboxServer

ROOT = Path(__file__).resolve().parent.parent


def _text(path: Path) -> str:
    if not zipfile.is_zipfile(path):
        return path.read_text(encoding="utf-8", errors="replace")
    with zipfile.ZipFile(path) as z:
        return "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())


def _run(srv: SandboxServer, env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bulktool", "-vv", "--system", "tripletex", "--base-url",
                           tt_base_url(srv), *args], capture_output=True, text=True, env=env, timeout=120, cwd=cwd)


def _env(tmp: Path, consumer: str, employee: str) -> dict[str, str]:
    return {**os.environ, "TRIPLETEX_CONSUMER_TOKEN": consumer, "TRIPLETEX_EMPLOYEE_TOKEN": employee,
            "BULKTOOL_CONFIG": str(tmp / "config.toml"), "PYTHONPATH": str(ROOT)}


def assert_no_token(text: str, tokens: list[str]) -> None:
    assert tokens and all(len(t) >= 16 for t in tokens)
    for token in tokens:
        assert token not in text
        for user in ("0", "1200001"):
            assert base64.b64encode(f"{user}:{token}".encode()).decode() not in text  # a Basic header
    assert "eyJ" not in text  # nor any base64 JSON token shape


def test_a_refused_session_prints_its_error_without_the_tokens(tmp_path: Path) -> None:
    consumer, employee = "consumer-" + secrets.token_hex(12), "employee-" + secrets.token_hex(12)
    wrong = "employee-" + secrets.token_hex(12)
    with tt_server(contacts=5, app_id=consumer, app_secret=employee) as srv:
        run = _run(srv, _env(tmp_path, consumer, wrong), tmp_path, "export", "customers", "-o",
                   str(tmp_path / "c.xlsx"))
    assert run.returncode != 0 and "employee token is invalid" in run.stderr
    assert "Traceback" in run.stderr and "token/session/:create" in run.stderr  # -vv shows where it failed
    assert_no_token(run.stdout + run.stderr, [consumer, employee, wrong])


def test_an_apply_with_an_invalid_row_leaves_no_token_in_output_reports_or_journal(tmp_path: Path) -> None:
    consumer, employee = "consumer-" + secrets.token_hex(12), "employee-" + secrets.token_hex(12)
    with tt_server(contacts=20, app_id=consumer, app_secret=employee) as srv:
        env = _env(tmp_path, consumer, employee)
        work = tmp_path / "customers.xlsx"
        run = _run(srv, env, tmp_path, "export", "customers", "-o", str(work))
        assert run.returncode == 0, run.stderr[-2000:]
        outputs = [run.stdout, run.stderr]
        wb = load_workbook(work)
        ws = wb["customers"]
        header = [c.value for c in ws[1]]
        ws.cell(2, header.index("name") + 1).value = "Endret Kunde AS"
        for k, manager in enumerate((999999, None)):  # the first create names an employee who does not exist
            ws.cell(ws.max_row + 1, header.index("name") + 1).value = f"Ny Kunde {k} AS"
            ws.cell(ws.max_row, header.index("customerNumber") + 1).value = 99001 + k
            ws.cell(ws.max_row, header.index("accountManager.id") + 1).value = manager
        wb.save(work)
        reports = [tmp_path / "r.xlsx", tmp_path / "r.html", tmp_path / "r.json", tmp_path / "j.jsonl"]
        run = _run(srv, env, tmp_path, "import", str(work), "--apply", "--yes", "--skip-invalid",
                   "--report", str(reports[0]), "--html", str(reports[1]), "--json", str(reports[2]),
                   "--journal", str(reports[3]))
        # The dry run reads the new reference and finds no such employee: that row is invalid and skipped.
        assert run.returncode == 0, run.stderr[-2000:]
        statuses = [status for method, _, status in srv.request_log() if method in ("POST", "PUT")]
        sessions = list(srv.app.sessions._by_token)  # type: ignore[attr-defined]
    assert 200 in statuses and 201 in statuses  # updated, created
    outputs += [run.stdout, run.stderr, *(_text(r) for r in reports)]
    outputs += [_text(p) for p in tmp_path.glob("*undo*")]
    text = "\n".join(outputs)
    rejected = "no employees record has id 999999"  # found by the dry run's read of the new reference
    assert rejected in _text(reports[2]) and rejected in run.stdout + run.stderr
    assert_no_token(text, [consumer, employee, *sessions])
