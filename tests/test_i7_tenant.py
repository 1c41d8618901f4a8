"""Issue 7, points 1, 14 and 19: whose data a workbook holds, and which endpoint, before anything is diffed.

Every Blikk customer shares one host, so the sandbox runs two accounts on one server: the same ids
(both have a contact 5) holding different values. A workbook exported with account A and imported
with account B's credentials must be refused, naming both; ``--foreign`` diffs it against live data.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner, Result
from test_import_e2e import Sheet

from bulktool.cli import cli
from bulktool.cli import importing as importing_cli
from bulktool.sandbox import SandboxConfig, SandboxServer
from bulktool.schema import get_endpoint
from bulktool.vendors.blikk import BlikkConnector, blikk_credentials

RID = 5  # a contact id both accounts have


@pytest.fixture()
def srv(sandbox_env: None) -> Iterator[SandboxServer]:
    with SandboxServer(SandboxConfig(contacts=40, port=0, rate_limit=1000, accounts=2)) as s:
        yield s


def env_for(srv: SandboxServer, account: int) -> dict[str, str]:
    app_id, secret = srv.credentials(account)
    return {"BLIKK_APP_ID": app_id, "BLIKK_APP_SECRET": secret}


def run(srv: SandboxServer, account: int, *args: str, **kw: Any) -> Result:
    return CliRunner().invoke(cli, ["--base-url", srv.url, "--rate", "200", *args], env=env_for(srv, account), **kw)


def label(srv: SandboxServer, account: int) -> str:
    return BlikkConnector(srv.url, blikk_credentials(*srv.credentials(account))).tenant().label


def writes(srv: SandboxServer) -> int:
    s = srv.stats()
    return s["POST"] + s["PUT"] + s["DELETE"]


@pytest.fixture()
def a_book(srv: SandboxServer, tmp_path: Path) -> Path:
    """Account A's detail export (email, phone...) with one phone cell of contact 5 edited."""
    path = tmp_path / "a.xlsx"
    res = run(srv, 1, "export", "contacts", "--detail", "-o", str(path), "--quiet")
    assert res.exit_code == 0, res.output
    sheet = Sheet(path)
    sheet.set(sheet.row_of(RID), "phoneNumber", "070-1112233")
    sheet.save()
    return path


def test_the_two_accounts_share_ids_but_not_data(srv: SandboxServer) -> None:
    a = {c["id"]: c for c in srv.records("contacts")}
    b = {c["id"]: c for c in srv.records("contacts", account=2)}
    assert set(a) == set(b)
    assert (a[RID]["name"], a[RID]["email"]) != (b[RID]["name"], b[RID]["email"])
    assert label(srv, 1) != label(srv, 2)


def test_another_accounts_workbook_is_refused_naming_both(srv: SandboxServer, a_book: Path) -> None:
    b_before = srv.records("contacts", account=2)
    line = (f"Error: This workbook comes from another account ({label(srv, 1)}) than the one you are signed in "
            f"to ({label(srv, 2)}). Export again from this account, or pass --foreign to compare every cell with "
            "live data (each value that differs is then shown as a change)")
    for apply in ([], ["--apply", "-y"]):
        srv.reset_stats()
        res = run(srv, 2, "import", str(a_book), "--quiet", *apply)
        assert res.exit_code == 2, (apply, res.output)
        assert res.stderr.splitlines() == [line], res.stderr
        assert res.stdout == ""
        assert srv.stats()["total"] == 0  # refused before a single request
    assert srv.records("contacts", account=2) == b_before
    # The account it came from still imports it as usual: the phone edit, nothing else.
    res = run(srv, 1, "import", str(a_book), "--quiet", "--json", "-")
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout)
    assert [(r["id"], set(r["changes"])) for r in report["rows"] if r["action"] == "update"] == \
        [(RID, {"phoneNumber"})]


def _row(path: Path, rid: int) -> dict[str, Any]:
    ws = openpyxl.load_workbook(path)["contacts"]
    header = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2, values_only=True):
        if row[header.index("id")] == rid:
            return {str(h): ("" if v is None else v) for h, v in zip(header, row, strict=True)}
    raise KeyError(rid)


def test_foreign_dry_run_shows_every_value_that_differs_from_live(
        srv: SandboxServer, a_book: Path, tmp_path: Path) -> None:
    b_book = tmp_path / "b.xlsx"
    assert run(srv, 2, "export", "contacts", "--detail", "-o", str(b_book), "--quiet").exit_code == 0
    mine, live = _row(a_book, RID), _row(b_book, RID)
    writable = {c.name for c in get_endpoint("blikk", "contacts").columns if c.writable}
    differ = {k for k in writable if k in mine and mine[k] != live[k]}
    assert {"name", "email", "phoneNumber"} <= differ  # what the old code wrote without showing it

    b_before = srv.records("contacts", account=2)
    srv.reset_stats()
    res = run(srv, 2, "import", str(a_book), "--foreign", "--quiet", "--json", "-")
    assert writes(srv) == 0
    assert srv.records("contacts", account=2) == b_before
    assert res.exit_code in (0, 1), res.output
    report = json.loads(res.stdout)
    row = next(r for r in report["rows"] if r["id"] == RID)
    assert row["action"] in ("update", "invalid", "conflict")
    assert set(row["changes"]) == differ
    assert row["changes"]["name"] == {"old": live["name"], "new": mine["name"]}
    assert row["changes"]["email"] == {"old": live["email"], "new": mine["email"]}
    shown = run(srv, 2, "import", str(a_book), "--foreign", "--quiet")
    assert "--foreign: the export record is ignored; every value that differs from live data is shown as a " \
           "change." in shown.output
    assert writes(srv) == 0


def _strip_tenant(path: Path) -> None:
    """Make the record look like bulktool 0.2 wrote it: host only, local clock."""
    wb = openpyxl.load_workbook(path)
    ws = wb["_bulktool"]
    meta = json.loads(str(ws["A1"].value))
    for key in ("tenant", "tenant_label", "time_source"):
        del meta[key]
    meta["bulktool_version"] = "0.2.0"
    ws["A1"].value = json.dumps(meta, ensure_ascii=False)
    wb.save(path)


def test_a_record_that_names_no_account_is_refused_and_foreign_still_works(
        srv: SandboxServer, a_book: Path) -> None:
    _strip_tenant(a_book)
    host = srv.url.split("//", 1)[1]
    for account in (1, 2):  # even the account that really exported it: the record cannot say so
        srv.reset_stats()
        res = run(srv, account, "import", str(a_book), "--quiet")
        assert res.exit_code == 2, res.output
        assert res.stderr.splitlines() == [
            f"Error: This workbook's export record (from {host}, bulktool 0.2.0) does not say which account it "
            f"came from, so it cannot be trusted for {label(srv, account)}. Export again from this account, or "
            "pass --foreign to compare every cell with live data (each value that differs is then shown as a "
            "change)"]
        assert srv.stats()["total"] == 0
    res = run(srv, 1, "import", str(a_book), "--foreign", "--quiet", "--json", "-")
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout)
    assert [(r["id"], set(r["changes"])) for r in report["rows"] if r["action"] == "update"] == \
        [(RID, {"phoneNumber"})]


def test_apply_prompt_names_the_account_and_profile(
        srv: SandboxServer, a_book: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = Path(os.environ["BULKTOOL_CONFIG"])
    app_id, secret = srv.credentials(1)
    config.write_text(f'[profiles.acme]\nsystem = "blikk"\napp_id = "{app_id}"\napp_secret = "{secret}"\n',
                      encoding="utf-8")
    config.chmod(0o600)
    monkeypatch.delenv("BLIKK_APP_ID")
    monkeypatch.delenv("BLIKK_APP_SECRET")
    # A terminal: the prompt is only shown when stdin is one.
    monkeypatch.setattr(importing_cli, "sys", SimpleNamespace(stdin=SimpleNamespace(isatty=lambda: True),
                                                              stdout=sys.stdout, stderr=sys.stderr))
    srv.reset_stats()
    res = CliRunner().invoke(cli, ["--base-url", srv.url, "--profile", "acme", "import", str(a_book), "--apply",
                                   "--quiet"], input="n\n")
    host = srv.url.split("//", 1)[1]
    assert re.search(rf"Apply 1 writes? to app [0-9a-f]{{8}} on {re.escape(host)} \(profile acme\)\? \[y/N\]",
                     res.output), res.output
    assert f" to {label(srv, 1)} (profile acme)? [y/N]" in res.output
    assert writes(srv) == 0


def test_endpoint_option_must_match_the_export_record(srv: SandboxServer, a_book: Path) -> None:
    srv.reset_stats()
    res = run(srv, 1, "import", str(a_book), "--endpoint", "projects", "--quiet")
    assert res.exit_code == 2, res.output
    assert res.stderr.splitlines() == [
        f"Error: --endpoint projects does not match sheet 'contacts' in {a_book.name}: its export record says it "
        "holds contacts. Leave out --endpoint, or export projects to a new workbook"]
    assert srv.stats()["total"] == 0
    res = run(srv, 1, "import", str(a_book), "--endpoint", "contacts", "--quiet")
    assert res.exit_code == 0, res.output


@pytest.mark.parametrize("suffix", ["xlsx", "csv"])
def test_a_raw_path_export_is_export_only(srv: SandboxServer, tmp_path: Path, suffix: str) -> None:
    task = 2  # seed 1 gives task 2 comments
    raw = f"/v1/Core/Tasks/{task}/Comments"
    path = tmp_path / f"c.{suffix}"
    res = run(srv, 1, "export", raw, "-o", str(path), "--quiet")
    assert res.exit_code == 0, res.output
    sheet = f"Tasks_{task}_Comments"  # a CSV's sidecar record keeps the sheet name too
    for extra in ([], ["--endpoint", "contacts"], ["--foreign"]):
        srv.reset_stats()
        res = run(srv, 1, "import", str(path), "--quiet", *extra)
        assert res.exit_code == 2, res.output
        assert res.stderr.splitlines() == [
            f"Error: Sheet {sheet!r} in {path.name} was exported from the raw path {raw}: raw paths are "
            "export-only (import needs an endpoint template; 'bulktool endpoints' lists them)"], res.stderr
        assert srv.stats()["total"] == 0


def test_sandbox_account_controls_over_http(srv: SandboxServer) -> None:
    import requests

    name = "Konto Två AB"
    got = requests.post(f"{srv.url}/_sandbox/edit/contacts/{RID}?account=2", json={"name": name}, timeout=10)
    assert got.status_code == 200 and got.json()["name"] == name
    b = requests.get(f"{srv.url}/_sandbox/records/contacts?account=2", timeout=10).json()
    a = requests.get(f"{srv.url}/_sandbox/records/contacts", timeout=10).json()
    assert next(c for c in b if c["id"] == RID)["name"] == name
    assert next(c for c in a if c["id"] == RID)["name"] != name
    bad = requests.post(f"{srv.url}/_sandbox/edit/contacts/{RID}?account=3", json={}, timeout=10)
    assert bad.status_code == 400 and "accounts 1 to 2" in bad.json()["message"]
    assert "account 2:  app id sandbox-app-2" in srv.banner()


def test_copying_a_workbook_between_accounts_cannot_slip_through_csv(srv: SandboxServer, tmp_path: Path) -> None:
    """The CSV's sidecar record names its account too."""
    path = tmp_path / "contacts.csv"
    assert run(srv, 1, "export", "contacts", "-o", str(path), "--quiet").exit_code == 0
    moved = tmp_path / "moved"
    moved.mkdir()
    for f in tmp_path.glob("contacts.csv*"):
        shutil.copy(f, moved / f.name)
    res = run(srv, 2, "import", str(moved / "contacts.csv"), "--quiet")
    assert res.exit_code == 2, res.output
    assert f"comes from another account ({label(srv, 1)})" in res.stderr


def test_the_same_app_on_another_host_is_another_account(srv: SandboxServer, a_book: Path) -> None:
    with SandboxServer(SandboxConfig(contacts=40, port=0, rate_limit=1000)) as other:
        res = CliRunner().invoke(cli, ["--base-url", other.url, "import", str(a_book), "--quiet"],
                                 env=env_for(srv, 1))
        assert res.exit_code == 2, res.output
        mine, theirs = label(srv, 1), label(other, 1)
        assert mine.split(" on ")[0] == theirs.split(" on ")[0]  # same app digits, so the host is what differs
        assert f"comes from another account ({mine}) than the one you are signed in to ({theirs})" in res.stderr
        assert other.stats()["total"] == 0
