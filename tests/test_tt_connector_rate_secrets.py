"""Against the Tripletex sandbox over HTTP: pacing by the announced rate limit, and no token of any
kind in the output of ``-vv``/``-vvv`` runs (the CLI in a real subprocess: an export, then an apply
with every report, the journal and the undo workbook)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from tt_fixtures import TtClient, tt_base_url, tt_server

from bulktool.vendors.tripletex import TripletexConnector

ROOT = Path(__file__).resolve().parent.parent


def connect(srv: object, **kw: object) -> TripletexConnector:
    consumer, employee = srv.credentials(1)  # type: ignore[attr-defined]
    creds = TripletexConnector.credentials(consumer_token=consumer, employee_token=employee)
    return TripletexConnector(tt_base_url(srv), creds, **kw)  # type: ignore[arg-type]


def test_a_long_read_runs_near_the_announced_rate_without_a_429() -> None:
    with tt_server(contacts=300, rate_limit=10, rate_period=2.0) as srv:
        conn = connect(srv, page_size=10)  # 30 pages: four periods' worth of requests
        started = time.monotonic()
        items = conn.list_all("/customer", {"fields": "id", "isInactive": "false"})
        elapsed = time.monotonic() - started
        stats = srv.stats()
    assert len(items) >= 280
    assert stats["429"] == 0 and conn.client.stats.status_429 == 0
    requests_made = stats["total"]
    # Never faster than 10 per 2 s (the first period's 10 may go at once)...
    assert elapsed >= (requests_made - 10) / 5.0 * 0.9
    # ...and not much slower: the pacing spends the periods, it does not idle through them.
    assert requests_made / elapsed >= 0.6 * 5.0, (requests_made, elapsed)


def test_a_429_without_reset_waits_and_then_succeeds() -> None:
    with tt_server(contacts=30, rate_limit=5, rate_period=2.0, rate_reset_on_429=False) as srv:
        other = TtClient(srv)  # another program with the same tokens spends the whole period first
        for _ in range(5):
            other.get("/country", fields="id")
        conn = connect(srv)
        items = conn.list_all("/customer", {"fields": "id"})
        stats = srv.stats()
    assert items
    assert 1 <= conn.client.stats.status_429 <= 3  # the first answers; then it waited out the period
    assert stats["429"] == conn.client.stats.status_429


def _all_text(out: Path) -> str:
    if not zipfile.is_zipfile(out):
        return out.read_text(encoding="utf-8", errors="replace")
    with zipfile.ZipFile(out) as z:
        return "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())


def _rename_first(path: Path) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb["customers"]
    col = [c.value for c in ws[1]].index("name") + 1
    ws.cell(2, col).value = "Endret Kunde AS"
    wb.save(path)


def test_no_token_appears_in_verbose_output_or_the_workbook(tmp_path: Path) -> None:
    consumer = "consumer-" + secrets.token_hex(12)
    employee = "employee-" + secrets.token_hex(12)
    with tt_server(contacts=40, app_id=consumer, app_secret=employee) as srv:
        env = {**os.environ, "TRIPLETEX_CONSUMER_TOKEN": consumer, "TRIPLETEX_EMPLOYEE_TOKEN": employee,
               "BULKTOOL_CONFIG": str(tmp_path / "config.toml"), "PYTHONPATH": str(ROOT)}
        outputs = []
        for verbosity in ("-vv", "-vvv"):
            out = tmp_path / f"customers{verbosity}.xlsx"
            run = subprocess.run(
                [sys.executable, "-m", "bulktool", verbosity, "--system", "tripletex", "--base-url",
                 tt_base_url(srv), "export", "customers", "-o", str(out)],
                capture_output=True, text=True, env=env, timeout=120, cwd=tmp_path)
            assert run.returncode == 0, run.stderr[-2000:]
            outputs += [run.stdout, run.stderr, _all_text(out)]
        # An apply with every report and the journal, at -vv
        work = tmp_path / "customers-vv.xlsx"
        _rename_first(work)
        reports = [tmp_path / "r.xlsx", tmp_path / "r.html", tmp_path / "r.json", tmp_path / "j.jsonl"]
        run = subprocess.run(
            [sys.executable, "-m", "bulktool", "-vv", "--system", "tripletex", "--base-url", tt_base_url(srv),
             "import", str(work), "--apply", "--yes", "--report", str(reports[0]), "--html", str(reports[1]),
             "--json", str(reports[2]), "--journal", str(reports[3])],
            capture_output=True, text=True, env=env, timeout=120, cwd=tmp_path)
        assert run.returncode == 0, run.stderr[-2000:]
        assert any(m == "PUT" for m, _, _ in srv.request_log())  # it wrote
        outputs += [run.stdout, run.stderr, *(_all_text(r) for r in reports if r.exists())]
        outputs += [_all_text(p) for p in tmp_path.glob("*undo*")]
        assert all(r.exists() for r in reports) and list(tmp_path.glob("*undo*"))  # reports, journal, undo
        sessions = list(srv.app.sessions._by_token)  # type: ignore[attr-defined]
    text = "\n".join(outputs)
    assert "token/session/:create" in text  # the create request was logged (its real URL carries the tokens)
    assert sessions
    for secret in (consumer, employee, *sessions):
        assert secret not in text
    assert "eyJ" not in text  # nor any base64 JSON token shape
