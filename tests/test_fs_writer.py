"""The writer's client-given ids against the Finsit sandbox over HTTP (issue 9, "Writes").

A new Comment gets its GUID from bulktool, journaled before the POST; a create whose reply was
dropped is settled by one GET of that id (no second POST); a create the server refuses as existing
(409) is an update in upsert mode and a failed row in create-only mode; a row whose id the server
lacks is a create with that id; a cleared cell sends null, clears the value, and the dry run says
"will clear".
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner, Result
from fs_fixtures import FIRST_COMPANY, fs_env, fs_server, puts, records
from helpers.killed_apply import kill_apply_after

from bulktool.cli import cli
from bulktool.sandbox import SandboxServer
from bulktool.writer import Journal, default_journal_path

COMMENTS = f"/Api/v2/Company/{FIRST_COMPANY}/Comment/"
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


@pytest.fixture()
def srv(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[SandboxServer]:
    with fs_server() as s:
        fs_env(monkeypatch, tmp_path)
        monkeypatch.setenv("FINSIT_COMPANY_ID", FIRST_COMPANY)
        yield s


def run(srv: SandboxServer, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--system", "finsit", "--base-url", srv.url, *args], catch_exceptions=False)


def export(srv: SandboxServer, path: Path) -> None:
    res = run(srv, "export", "comments", "-o", str(path), "--quiet")
    assert res.exit_code == 0, res.output


def set_cells(path: Path, row: int, changes: dict[str, Any]) -> None:
    """Set cells of one row (a new column is added at the end), by header name."""
    book = openpyxl.load_workbook(path)
    ws = book["comments"]
    header = [c.value for c in ws[1]]
    for name, value in changes.items():
        if name not in header:
            header.append(name)
            ws.cell(row=1, column=len(header)).value = name
        ws.cell(row=row, column=header.index(name) + 1).value = value
    book.save(path)


def add_comments(path: Path, messages: list[str]) -> None:
    """Typed-in rows without an id: new comments."""
    book = openpyxl.load_workbook(path)
    ws = book["comments"]
    first = ws.max_row + 1
    book.save(path)
    for i, message in enumerate(messages):
        set_cells(path, first + i, {"message": message, "author": "bulktool",
                                    "keyFigureType": "NetSales"})


def comments(srv: SandboxServer) -> list[dict[str, Any]]:
    return records(srv, "Comment", FIRST_COMPANY)


def writes(srv: SandboxServer) -> list[tuple[str, str, int]]:
    return [(m, p, s) for m, p, s in srv.request_log() if m in ("POST", "PUT", "DELETE")]


def test_a_create_whose_reply_was_dropped_is_recovered_by_a_get_of_its_id(srv: SandboxServer, tmp_path: Path) -> None:
    wb = tmp_path / "comments.xlsx"
    export(srv, wb)
    add_comments(wb, ["Lost reply"])
    srv.set_faults(drop_after_commit=1.0)  # the POST commits, then the socket closes without an answer
    srv.reset_stats()
    res = run(srv, "import", str(wb), "--apply", "-y", "--json", str(tmp_path / "r.json"))
    assert res.exit_code == 0, res.output
    log = srv.request_log()
    assert [(m, p) for m, p, _ in writes(srv)] == [("POST", COMMENTS)]  # never a second POST
    made = [c for c in comments(srv) if c["message"] == "Lost reply"]
    assert len(made) == 1 and GUID.match(made[0]["id"]), made
    assert ("GET", COMMENTS + made[0]["id"], 200) in log  # the check after the lost reply
    assert srv.stats()["POST"] == 1
    text = (tmp_path / "r.json").read_text(encoding="utf-8")
    assert f"already created by an earlier attempt (id {made[0]['id']}); not created again" in text


def test_the_made_up_id_is_journaled_before_the_post(srv: SandboxServer, tmp_path: Path) -> None:
    wb = tmp_path / "comments.xlsx"
    export(srv, wb)
    add_comments(wb, ["Journaled"])
    assert run(srv, "import", str(wb), "--apply", "-y", "--quiet").exit_code == 0
    with Journal(default_journal_path(wb)) as journal:
        [entry] = [e for e in journal.entries() if e.action == "create"]
    made = [c for c in comments(srv) if c["message"] == "Journaled"]
    assert entry.state == "done" and [entry.record_id] == [c["id"] for c in made]


def test_409_on_a_create_in_upsert_mode_becomes_a_partial_update(srv: SandboxServer, tmp_path: Path) -> None:
    wb = tmp_path / "comments.xlsx"
    export(srv, wb)
    target = comments(srv)[0]
    set_cells(wb, 2, {"action": "create", "message": "Skapad eller ändrad"})
    srv.reset_stats()
    res = run(srv, "import", str(wb), "--apply", "-y", "--json", str(tmp_path / "r.json"))
    assert res.exit_code == 0, res.output
    rid = target["id"]
    assert [(m, p, s) for m, p, s in writes(srv)] == [("POST", COMMENTS, 409), ("PUT", COMMENTS, 200)]
    assert puts(srv)[-1]["text"] == '{"id":"' + rid + '","message":"Skapad eller ändrad"}'
    now = next(c for c in comments(srv) if c["id"] == rid)
    assert now["message"] == "Skapad eller ändrad" and now["author"] == target["author"]
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    row = next(r for r in report["rows"] if r["row"] == 2)
    assert row["status"] == "applied" and row["message"] == f"id {rid} already existed (409 Conflict): updated message"


def test_409_on_a_create_in_create_only_mode_fails_the_row(srv: SandboxServer, tmp_path: Path) -> None:
    wb = tmp_path / "comments.xlsx"
    export(srv, wb)
    target = comments(srv)[0]
    set_cells(wb, 2, {"action": "create", "message": "Bara ny"})
    srv.reset_stats()
    res = run(srv, "import", str(wb), "--apply", "-y", "--mode", "create-only")
    rid = target["id"]
    assert res.exit_code == 3, res.output  # some rows failed
    assert f"id {rid} already exists on the server (409 Conflict): not created (create-only mode)" in res.output
    assert [(m, s) for m, _, s in writes(srv)] == [("POST", 409)] and puts(srv) == []
    assert next(c for c in comments(srv) if c["id"] == rid)["message"] == target["message"]


def test_a_row_whose_id_the_server_lacks_is_created_with_that_id(srv: SandboxServer, tmp_path: Path) -> None:
    wb = tmp_path / "comments.xlsx"
    export(srv, wb)
    gone = comments(srv)[0]
    mine = "6f1c2b3a-0000-4000-8000-000000000001"
    set_cells(wb, 2, {"id": mine, "message": "Med eget id"})
    res = run(srv, "import", str(wb), "--json", "-")
    row = next(r for r in json.loads(res.stdout)["rows"] if r["row"] == 2)
    assert row["action"] == "create", row
    assert row["changes"]["id"]["new"] == mine and not any("natural key" in w for w in row["warnings"]), row
    assert run(srv, "import", str(wb), "--apply", "-y", "--quiet").exit_code == 0
    ids = {c["id"]: c for c in comments(srv)}
    assert ids[mine]["message"] == "Med eget id" and gone["id"] in ids


def test_a_cleared_cell_sends_null_clears_it_and_the_dry_run_says_will_clear(
    srv: SandboxServer, tmp_path: Path
) -> None:
    wb = tmp_path / "comments.xlsx"
    export(srv, wb)
    target = comments(srv)[0]
    assert target["author"]
    set_cells(wb, 2, {"author": None, "message": "Ny text"})
    dry = run(srv, "import", str(wb))
    assert dry.exit_code == 0, dry.output
    assert f"author {target['author']!r} -> will clear" in dry.output
    assert f"message {target['message']!r} -> 'Ny text'" in dry.output
    assert "None" not in dry.output
    assert run(srv, "import", str(wb), "--apply", "-y", "--quiet").exit_code == 0
    assert [p["text"] for p in puts(srv)] == ['{"id":"' + target["id"] + '","message":"Ny text","author":null}']
    now = next(c for c in comments(srv) if c["id"] == target["id"])
    assert now["author"] is None and now["message"] == "Ny text" and now["period"] == target["period"]


def _settle(srv: SandboxServer) -> None:
    """Wait for the requests the killed process left in flight (status 0 in the log) to finish."""
    deadline = time.monotonic() + 10
    while any(status == 0 for _, _, status in srv.request_log()):
        assert time.monotonic() < deadline, "the sandbox never finished the in-flight requests"
        time.sleep(0.01)


@pytest.mark.parametrize("edit_in_flight", [False, True], ids=["as-is", "edited-before-resume"])
def test_new_comments_kill_9_mid_apply_then_resume_makes_each_once(
    srv: SandboxServer, tmp_path: Path, edit_in_flight: bool
) -> None:
    """With ``edit_in_flight`` a row whose create was on the wire at the kill is edited before the
    resume: the resume checks the journaled id and brings that one record up to date."""
    wb = tmp_path / "comments.xlsx"
    export(srv, wb)
    messages = [f"Kommentar {i}" for i in range(12)]
    first_new = openpyxl.load_workbook(wb)["comments"].max_row + 1
    add_comments(wb, messages)
    before = len(comments(srv))
    srv.set_faults(latency=0.2)
    srv.reset_stats()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BLIKK_")}
    cmd = [sys.executable, "-m", "bulktool", "--system", "finsit", "--base-url", srv.url, "--rate", "50",
           "import", str(wb), "--apply", "-y", "--quiet"]
    kill_apply_after(cmd[3:], lambda: len(writes(srv)), 3, env=env, timeout=60)
    _settle(srv)
    srv.set_faults(latency=0.0)
    first = [m for m, _, _ in writes(srv)]
    assert 3 <= len(first) < len(messages), "the kill came after the apply had finished"
    with Journal(default_journal_path(wb)) as journal:
        planned = {e.row: e.record_id for e in journal.entries() if e.action == "create"}
        sent = [e for e in journal.entries() if e.state == "sent"]
    assert len(planned) == len(messages) and all(GUID.match(str(i)) for i in planned.values())
    assert sent, "no create was in flight at the kill"
    made_first = len([c for c in comments(srv) if c["author"] == "bulktool"])
    if edit_in_flight:
        messages[sent[0].row - first_new] = "Ändrad efter avbrottet"
        set_cells(wb, sent[0].row, {"message": "Ändrad efter avbrottet"})
    # A plain re-run is refused; a dry run (a re-plan of the same file) shows the journaled ids.
    refused = run(srv, "import", str(wb), "--apply", "-y", "--quiet")
    assert refused.exit_code == 2 and "--resume" in refused.output
    dry = json.loads(run(srv, "import", str(wb), "--resume", "--json", "-").stdout)
    shown = {r["row"]: r["changes"]["id"]["new"] for r in dry["rows"] if r["action"] == "create"}
    assert shown and all(planned[row] == rid for row, rid in shown.items())
    srv.reset_stats()
    res = run(srv, "import", str(wb), "--apply", "-y", "--resume", "--quiet")
    assert res.exit_code == 0, res.output
    # Only the creates never sent are POSTed; each one in flight at the kill was checked by a GET.
    log = srv.request_log()
    assert len([m for m, _, _ in writes(srv) if m == "POST"]) == len(messages) - made_first
    assert all(("GET", COMMENTS + str(e.record_id)) in {(m, p) for m, p, _ in log} for e in sent)
    now = comments(srv)
    mine = [c for c in now if c["author"] == "bulktool"]
    assert sorted(c["message"] for c in mine) == sorted(messages)  # exactly N, none twice
    assert len(now) == before + len(messages)
    assert {c["id"] for c in mine} == set(planned.values())
    srv.reset_stats()
    again = run(srv, "import", str(wb), "--apply", "-y", "--quiet")
    assert again.exit_code == 0, again.output
    assert writes(srv) == []
