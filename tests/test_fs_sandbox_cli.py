"""``bulktool --system finsit sandbox`` as a user runs it, and a sandbox database that survives a restart."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import requests
from fs_fixtures import DIRECTOR, FIRST_COMPANY, FsClient, company_ids, fs_server

ROOT = Path(__file__).resolve().parents[1]


def test_the_cli_serves_the_agency_with_the_asked_number_of_companies() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "bulktool", "--system", "finsit", "sandbox", "--port", "0",
                             "--companies", "7"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env=env, cwd=ROOT)
    try:
        assert proc.stdout is not None
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("Press Ctrl-C"):
                break
        banner = "".join(lines)
        found = re.search(r"listening on (http://\S+)", banner)
        assert found, banner
        url = found.group(1)
        assert "Agency: testagency with 7 companies" in banner
        assert f"{DIRECTOR.user_name} / {DIRECTOR.password}" in banner
        r = requests.get(url + "/Api/v2/Company/", auth=(DIRECTOR.user_name, DIRECTOR.password), timeout=9)
        assert [c["id"] for c in r.json()] == company_ids(7)
        help_ = requests.get(url + "/_sandbox/", timeout=9).json()
        assert "GET /_sandbox/puts" in help_ and "GET /_sandbox/stats" in help_
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_data_survives_a_restart_with_exact_numbers(tmp_path: Path) -> None:
    db = tmp_path / "finsit.sqlite"
    with fs_server(companies=2, db_path=db) as srv:
        api = FsClient(srv)
        api.put(f"/Company/{FIRST_COMPANY}", {"contactInfo": {"phone": "0046-8-123"}})
        year = api.get(f"/Company/{FIRST_COMPANY}/FiscalYear").json()[-1]["id"]
        before = api.get(f"/Company/{FIRST_COMPANY}/FiscalYear/{year}/KeyFigureData").content
    with fs_server(companies=2, db_path=db) as srv:
        api = FsClient(srv)
        assert api.get(f"/Company/{FIRST_COMPANY}").json()["contactInfo"]["phone"] == "0046-8-123"
        assert api.get(f"/Company/{FIRST_COMPANY}/FiscalYear/{year}/KeyFigureData").content == before
        assert b"NaN" in before and b"1234567890123456789012.345678" in before
