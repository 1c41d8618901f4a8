"""One new comment in each of 50 companies, in one sheet (issue 9, acceptance 4), over HTTP.

``export comments --company all`` gives one sheet with ``companyId``; a typed-in row without an id
per company is a create there, with a GUID bulktool generates and journals (per company) before the
POST. The apply is killed with SIGKILL while it writes; ``--resume`` then leaves exactly one new
comment per company, none twice, and a re-run writes nothing.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from fs_fixtures import company_ids, fs_env, fs_server, records
from helpers.killed_apply import kill_apply_after
from test_import_e2e import Sheet

from bulktool.cli import cli
from bulktool.sandbox import SandboxServer

N = 50
AUTHOR = "bulktool"


@pytest.fixture
def fs50(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[SandboxServer]:
    fs_env(monkeypatch, tmp_path)
    with fs_server(companies=N) as srv:
        yield srv


def run(srv: SandboxServer, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--system", "finsit", "--base-url", srv.url, "--rate", "1000", *args],
                              catch_exceptions=False)


def posts(srv: SandboxServer) -> list[str]:
    return [p for m, p, _ in srv.request_log() if m in ("POST", "PUT", "DELETE") and p.startswith("/Api/")]


def new_comments(srv: SandboxServer) -> dict[str, list[str]]:
    """companyId -> the messages of the comments bulktool made there."""
    return {c: [r["message"] for r in records(srv, "Comment", c) if r.get("author") == AUTHOR]
            for c in company_ids(N)}


def one_per_company(path: Path) -> dict[str, str]:
    book = Sheet(path, "comments")
    wanted = {}
    for n, cid in enumerate(company_ids(N)):
        wanted[cid] = f"Bokslut {n} klart"
        book.append({"companyId": cid, "message": wanted[cid], "author": AUTHOR, "keyFigureType": "NetSales"})
    book.save()
    return wanted


def _settle(srv: SandboxServer) -> None:
    """Wait for the requests the killed process left in flight (status 0 in the log) to finish."""
    deadline = time.monotonic() + 10
    while any(status == 0 for _, _, status in srv.request_log()):
        assert time.monotonic() < deadline, "the sandbox never finished the in-flight requests"
        time.sleep(0.01)


def test_fifty_creates_kill_9_then_resume_leaves_exactly_fifty(fs50: SandboxServer, tmp_path: Path) -> None:
    path = tmp_path / "comments.xlsx"
    res = run(fs50, "export", "comments", "--company", "all", "-o", str(path), "--quiet")
    assert res.exit_code == 0, res.output
    wanted = one_per_company(path)
    fs50.reset_stats()
    dry = run(fs50, "import", str(path), "--json", "-", "--quiet")
    assert dry.exit_code == 0, dry.output
    report = json.loads(dry.stdout)
    assert report["summary"]["create"] == N and report["summary"]["update"] == 0
    assert {c: v["summary"]["create"] for c, v in report["companies"].items()} == dict.fromkeys(company_ids(N), 1)
    assert posts(fs50) == []

    fs50.set_faults(latency=0.05)
    env = dict(os.environ)
    cmd = [sys.executable, "-m", "bulktool", "--system", "finsit", "--base-url", fs50.url, "--rate", "50",
           "import", str(path), "--apply", "-y", "--quiet"]
    kill_apply_after(cmd[3:], lambda: len(posts(fs50)), 10, env=env, timeout=90)
    _settle(fs50)
    fs50.set_faults(latency=0.0)
    made_first = sum(len(v) for v in new_comments(fs50).values())
    assert 10 <= made_first < N, "the kill came after the apply had finished"

    refused = run(fs50, "import", str(path), "--apply", "-y", "--quiet")
    assert refused.exit_code == 2 and "--resume" in refused.output
    fs50.reset_stats()
    res = run(fs50, "import", str(path), "--apply", "-y", "--resume", "--json", "-", "--quiet")
    assert res.exit_code == 0, res.output
    assert len(posts(fs50)) == N - made_first  # those in flight at the kill are checked by a GET, never sent twice
    assert new_comments(fs50) == {c: [m] for c, m in wanted.items()}  # exactly 50, one per company

    fs50.reset_stats()
    again = run(fs50, "import", str(path), "--apply", "-y", "--json", "-", "--quiet")
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["summary"]["create"] == 0
    assert posts(fs50) == []
    assert new_comments(fs50) == {c: [m] for c, m in wanted.items()}
