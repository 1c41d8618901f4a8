"""Issue 7, point 17: Ctrl-C during apply, for real: a subprocess gets SIGINT once some writes landed.

It must let the writes in flight settle, write the undo workbook for what was applied, print the
counts and the exact --resume command, and exit 130; that command then finishes without duplicates.
"""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
from click.testing import CliRunner
from test_import_faults import _subprocess_env, assert_applied_exactly_once, edit_workbook, settle, writes

from bulktool.cli import cli
from bulktool.sandbox import SandboxConfig, SandboxServer
from bulktool.writer import Journal, default_journal_path


def test_sigint_mid_apply_journals_writes_undo_and_prints_the_resume_command(
        sandbox_env: None, tmp_path: Path) -> None:
    with SandboxServer(SandboxConfig(contacts=80, port=0, rate_limit=1000)) as srv:
        wb = tmp_path / "contacts.xlsx"
        renamed, keys = edit_workbook(srv, wb, updates=30, creates=20, tag="INT")
        before = {c["id"]: c for c in srv.records("contacts")}
        srv.set_faults(latency=0.08)
        srv.reset_stats()
        cmd = [sys.executable, "-m", "bulktool", "--base-url", srv.url, "--rate", "10", "import", str(wb),
               "--apply", "-y", "--quiet"]
        # A runner started in the background (nohup, `cmd &` without job control) ignores SIGINT, and a child
        # inherits that: give the apply the disposition a terminal user's Ctrl-C meets.
        proc = subprocess.Popen(cmd, env=_subprocess_env(srv, tmp_path), stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        try:
            deadline = time.monotonic() + 60
            while writes(srv) < 8:
                assert proc.poll() is None, f"the apply ended before the interrupt: {proc.communicate()}"
                assert time.monotonic() < deadline, "the apply never reached the write phase"
                time.sleep(0.005)
            proc.send_signal(signal.SIGINT)
            out, err = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        assert proc.returncode == 130, (out, err)
        settle(srv)
        srv.set_faults(latency=0.0)
        total = len(renamed) + len(keys)
        landed = writes(srv)
        assert landed < total, "the interrupt came after the apply had finished"

        # Every write that reached the server is settled in the journal: nothing is left 'sent'.
        with Journal(default_journal_path(wb)) as journal:
            states = [e.state for e in journal.entries()]
        assert "sent" not in states and "unknown" not in states, states
        applied = states.count("done")
        assert applied == landed  # each write the server saw, journaled as done
        assert states.count("intent") == total - applied

        lines = err.strip().splitlines()
        assert f"Interrupted: {applied:,} write{'s' if applied != 1 else ''} applied, {total - applied:,} not sent. " \
               "Nothing is lost: finish with bulktool " in lines[-1], err
        resume = lines[-1].split("finish with ", 1)[1]
        assert resume == shlex.join(["bulktool", "--base-url", srv.url, "--rate", "10", "import", str(wb),
                                     "--yes", "--apply", "--resume"])
        assert f"Applied {applied:,}, failed 0, not sent {total - applied:,} (interrupted)" in out

        # The undo workbook holds exactly the updates that were applied, with their old names.
        undo_line = next(line for line in lines if line.startswith("Undo workbook: "))
        undo = Path(undo_line.split(": ", 1)[1].split(" (import it", 1)[0])
        sheet = openpyxl.load_workbook(undo)["contacts"]
        header = [c.value for c in sheet[1]]
        undo_rows = {r[header.index("id")]: r[header.index("name")]
                     for r in sheet.iter_rows(min_row=2, values_only=True)}
        now = {c["id"]: c["name"] for c in srv.records("contacts")}
        done_updates = {rid for rid, name in renamed.items() if now[rid] == name}
        assert set(undo_rows) == done_updates and done_updates
        assert all(undo_rows[rid] == before[rid]["name"] for rid in done_updates)

        # A dry run now says the journal is unfinished.
        res = CliRunner().invoke(cli, ["--base-url", srv.url, "import", str(wb), "--json", "-", "--quiet"])
        warnings = json.loads(res.stdout)["warnings"]
        assert any("was interrupted" in w and "--apply --resume" in w for w in warnings), warnings

        # The printed command finishes it: every row exactly once.
        done = subprocess.run([sys.executable, "-m", "bulktool", *shlex.split(resume)[1:]],
                              env=_subprocess_env(srv, tmp_path), stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert_applied_exactly_once(srv, before, renamed, keys)
        assert os.path.exists(undo)
