"""Issue 7, point 4: the export time is the server's, so a PC clock that runs ahead loses nothing.

The sandbox runs its clock 45 minutes behind real time, which is the same as bulktool's clock
running 45 minutes ahead of the server's. A colleague's edit made after the export is stamped
on the server's clock; the import must still see it (as a conflict, or kept in the PUT body).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import openpyxl
import pytest
import requests
from click.testing import CliRunner
from helpers.cli import run
from test_import_e2e import Sheet

from bulktool.cli import cli
from bulktool.sandbox import SandboxConfig, SandboxServer
from bulktool.sandbox.handler import SandboxHandler

BEHIND = -45 * 60  # the server's clock, against real time (and so against bulktool's)


@pytest.fixture()
def srv(sandbox_env: None) -> Iterator[SandboxServer]:
    with SandboxServer(SandboxConfig(contacts=60, port=0, rate_limit=1000, clock_offset_seconds=BEHIND)) as s:
        yield s



def dry_run(srv: SandboxServer, path: Path) -> tuple[int, dict[str, Any]]:
    res = run(srv, "import", str(path), "--json", "-", "--quiet")
    return res.exit_code, json.loads(res.stdout)


def record_meta(path: Path) -> dict[str, Any]:
    return dict(json.loads(str(openpyxl.load_workbook(path)["_bulktool"]["A1"].value)))


def since_params(srv: SandboxServer) -> list[str]:
    """The createdOrUpdatedSince values of the list requests the sandbox saw."""
    out: list[str] = []
    for _method, path, _status in srv.request_log():
        out += parse_qs(urlsplit(path).query).get("filter.createdOrUpdatedSince", [])
    return out


def api_time(text: str) -> datetime:
    """Blikk's wire form ("2024-05-06 07:08:09") or the export record's ISO 8601 ("2024-05-06T07:08:09Z")."""
    return datetime.strptime(text[:19].replace("T", " "), "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)


@pytest.mark.parametrize("detail", [True, False], ids=["detail-export", "list-export"])
def test_a_clock_45_minutes_ahead_loses_nothing(srv: SandboxServer, tmp_path: Path, detail: bool) -> None:
    wb = tmp_path / "contacts.xlsx"
    res = run(srv, "export", "contacts", "-o", str(wb), "--quiet", *(["--detail"] if detail else []))
    assert res.exit_code == 0, res.output
    ids = sorted(c["id"] for c in srv.records("contacts"))
    same_field, other_field = ids[3], ids[4]
    sheet = Sheet(wb)
    sheet.set(sheet.row_of(same_field), "name", "Mitt namn")
    sheet.set(sheet.row_of(other_field), "name", "Också mitt namn")
    sheet.save()
    # A colleague edits both records after the export, stamped on the server's (slower) clock.
    colleague = srv.edit("contacts", same_field, {"name": "Deras namn"})
    srv.edit("contacts", other_field, {"email": "deras@example.se", "visitingAddress": {"city": "Kiruna"}})
    stamp = api_time(colleague["lastUpdated"])
    assert abs(stamp - (datetime.now(UTC) + timedelta(seconds=BEHIND))) < timedelta(minutes=1)

    srv.reset_stats()
    code, report = dry_run(srv, wb)
    assert code == 1
    rows = {r["id"]: r for r in report["rows"] if r["action"] != "unchanged"}
    assert set(rows) == {same_field, other_field}
    assert rows[same_field]["action"] == "conflict"
    assert rows[same_field]["changes"]["name"] == {"old": "Deras namn", "new": "Mitt namn"}
    assert rows[other_field]["action"] == "update"
    assert set(rows[other_field]["changes"]) == {"name"}
    # The change feed was asked from before the colleague's edit, on the server's clock.
    assert all(api_time(s) <= stamp for s in since_params(srv))

    srv.reset_stats()
    res = run(srv, "import", str(wb), "--apply", "--skip-invalid", "--quiet")
    assert res.exit_code == 0, res.output
    assert srv.stats()["PUT"] == 1
    after = {c["id"]: c for c in srv.records("contacts")}
    assert after[same_field]["name"] == "Deras namn"  # the conflict was not written over
    assert after[other_field]["name"] == "Också mitt namn"
    assert after[other_field]["email"] == "deras@example.se"  # the colleague's value was resent, not lost
    assert after[other_field]["visitingAddress"]["city"] == "Kiruna"


def test_the_export_record_holds_the_servers_time(srv: SandboxServer, tmp_path: Path) -> None:
    wb = tmp_path / "contacts.xlsx"
    before = datetime.now(UTC).replace(microsecond=0)
    assert run(srv, "export", "contacts", "-o", str(wb), "--quiet").exit_code == 0
    meta = record_meta(wb)
    assert meta["time_source"] == "server"
    exported = api_time(meta["exported_at"])
    server_then = before + timedelta(seconds=BEHIND)
    assert server_then - timedelta(seconds=2) <= exported <= server_then + timedelta(seconds=30)
    srv.reset_stats()
    code, _ = dry_run(srv, wb)
    assert code == 0
    assert since_params(srv) == [(exported - timedelta(minutes=30)).strftime("%Y-%m-%d %H:%M:%S")]


def _no_date(self: SandboxHandler, code: int, message: str | None = None) -> None:
    """send_response without the Date header: a server (or proxy) that does not say what time it is."""
    self.log_request(code)
    self.send_response_only(code, message)
    self.send_header("Server", self.version_string())


def test_without_a_date_header_the_import_reads_everything(
        srv: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(SandboxHandler, "send_response", _no_date)
    wb = tmp_path / "contacts.xlsx"
    res = run(srv, "export", "contacts", "--detail", "-o", str(wb))
    assert res.exit_code == 0, res.output
    assert "The server sent no Date header" in res.stderr
    assert record_meta(wb)["time_source"] == "local"
    rid = sorted(c["id"] for c in srv.records("contacts"))[7]
    sheet = Sheet(wb)
    sheet.set(sheet.row_of(rid), "name", "Mitt namn")
    sheet.save()
    srv.edit("contacts", rid, {"email": "deras@example.se"})
    srv.reset_stats()
    code, report = dry_run(srv, wb)
    assert code == 0
    assert since_params(srv) == []  # no change feed: this machine's clock is never trusted for it
    [row] = [r for r in report["rows"] if r["action"] != "unchanged"]
    assert (row["id"], set(row["changes"])) == (rid, {"name"})
    assert run(srv, "import", str(wb), "--apply", "--quiet").exit_code == 0
    after = next(c for c in srv.records("contacts") if c["id"] == rid)
    assert (after["name"], after["email"]) == ("Mitt namn", "deras@example.se")


def test_sandbox_clock_offset_shifts_stamps_tokens_and_the_date_header(srv: SandboxServer) -> None:
    raw = f"{srv.app_id}:{srv.app_secret}".encode()
    tok = requests.post(srv.url + "/v1/Auth/Token", headers={"Authorization": "Basic " + base64.b64encode(
        raw).decode()}, timeout=10)
    server_now = datetime.now(UTC) + timedelta(seconds=BEHIND)
    date = datetime.strptime(tok.headers["Date"], "%a, %d %b %Y %H:%M:%S GMT").replace(tzinfo=UTC)
    assert abs(date - server_now) < timedelta(seconds=5)
    expires = datetime.strptime(tok.json()["expires"], "%Y-%m-%d %H:%M:%S %z")
    assert abs(expires - (server_now + timedelta(hours=1))) < timedelta(seconds=5)
    auth = {"Authorization": "Bearer " + tok.json()["accessToken"]}
    body = {"name": "Ny Kund AB", "contactType": "company", "responsibleId": 1}
    created = requests.post(srv.url + "/v1/Core/Contacts", json=body, headers=auth, timeout=10)
    assert created.status_code == 201, created.text
    assert abs(api_time(created.json()["created"]) - server_now) < timedelta(seconds=5)
    # createdOrUpdatedSince compares with the server's own stamps: a real-time "5 minutes ago" is in
    # the server's future, and finds nothing.
    since = (datetime.now(UTC) - timedelta(minutes=5)).strftime("%Y-%m-%d %H:%M:%S")
    found = requests.get(srv.url + "/v1/Core/Contacts", params={"page": 1, "filter.createdOrUpdatedSince": since},
                         headers=auth, timeout=10).json()["items"]
    assert found == []
    since = (server_now - timedelta(minutes=5)).strftime("%Y-%m-%d %H:%M:%S")
    found = requests.get(srv.url + "/v1/Core/Contacts", params={"page": 1, "filter.createdOrUpdatedSince": since},
                         headers=auth, timeout=10).json()["items"]
    assert [c["id"] for c in found] == [created.json()["id"]]


def test_sandbox_command_shows_the_clock_and_accounts(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(self: SandboxServer) -> None:
        self.stop()
        raise KeyboardInterrupt

    monkeypatch.setattr(SandboxServer, "serve_forever", interrupted)
    res = CliRunner().invoke(cli, ["sandbox", "--port", "0", "--contacts", "5", "--clock-offset", "-2700",
                                   "--accounts", "2"])
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert "  clock:      2700 s behind real time (stamps, token expiry and the Date header)" in lines
    assert "  account 2:  app id sandbox-app-2, app secret sandbox-secret-2 (its own data: same ids, other " \
           "values)" in lines
