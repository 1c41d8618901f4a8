"""Key-figure data of 50 companies killed with SIGKILL mid-apply, then --resume (issue 9, list-valued writes).

Each fiscal year's list is one journaled write: the years confirmed before the kill are never sent
again, a year in flight at the kill is sent again whole (the same complete list: harmless under
either reading of the PUT), and every other year gets its one PUT.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path

from fs_fixtures import FsClient, parse, puts
from helpers.killed_apply import kill_apply_after
from test_fs_many import N, _current_year_rows, fs50, rows_of, run
from test_fs_many_comments import _settle
from test_import_e2e import Sheet

from bulktool.sandbox import SandboxServer
from bulktool.writer import Journal, default_journal_path

__all__ = ["fs50"]


def _value(srv: SandboxServer, company: str, year: str) -> Decimal:
    items = parse(FsClient(srv).get(f"/Company/{company}/FiscalYear/{year}/KeyFigureData"))
    return next(Decimal(i["value"]) for i in items
                if i["keyFigureInfoId"] == "NumberOfEmployees" and i["dimensionId"] is None)


def test_key_figure_data_kill_9_then_resume_sends_each_year_once_more_at_most(
        fs50: SandboxServer, tmp_path: Path) -> None:
    path = tmp_path / "kfd.xlsx"
    res = run(fs50, "export", "key-figure-data", "--company", "all", "-o", str(path), "--quiet")
    assert res.exit_code == 0, res.output
    rows = rows_of(path, "key-figure-data")
    targets = _current_year_rows(rows, max(int(str(r["period.start"])[:4]) for r in rows))
    book = Sheet(path, "key-figure-data")
    ids = {book.get(r, "id"): r for r in range(2, book.ws.max_row + 1)}
    for n, row in enumerate(targets.values()):
        book.set(ids[row["id"]], "value", 200 + n)
    book.save()

    fs50.set_faults(latency=0.05)
    cmd = [sys.executable, "-m", "bulktool", "--system", "finsit", "--base-url", fs50.url, "--rate", "50",
           "import", str(path), "--apply", "-y", "--quiet"]
    kill_apply_after(cmd[3:], lambda: len(puts(fs50)), 10, env=dict(os.environ), timeout=90)
    _settle(fs50)
    fs50.set_faults(latency=0.0)
    first = Counter(p["path"] for p in puts(fs50))
    assert 10 <= len(first) < N and set(first.values()) == {1}
    confirmed: set[str] = set()
    for cid in targets:
        journal_path = default_journal_path(path)
        journal_path = journal_path.with_name(journal_path.name.replace(".bulktool-journal.sqlite",
                                                                        f".company-{cid}.bulktool-journal.sqlite"))
        if journal_path.exists():
            with Journal(journal_path) as journal:
                confirmed |= {f"/Api/v2/Company/{cid}/FiscalYear/{e.record_id}/KeyFigureData"
                              for e in journal.entries() if e.state == "done"}
    assert confirmed and confirmed <= set(first)

    res = run(fs50, "import", str(path), "--apply", "-y", "--resume", "--quiet")
    assert res.exit_code == 0, res.output
    total = Counter(p["path"] for p in puts(fs50))
    assert len(total) == N  # every fiscal year written
    assert all(total[p] == 1 for p in confirmed)  # a year confirmed before the kill is never sent again
    assert all(n <= 2 for n in total.values())  # at most once more: a year in flight at the kill
    assert all(_value(fs50, cid, row["fiscalYearId"]) == Decimal(200 + n)
               for n, (cid, row) in enumerate(targets.items()))
    before = len(puts(fs50))
    again = run(fs50, "import", str(path), "--apply", "-y", "--quiet")
    assert again.exit_code == 0 and len(puts(fs50)) == before
