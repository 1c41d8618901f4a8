"""The before-values of every planned write, kept in the apply journal until an undo workbook holds them.

Why in the journal: the undo workbook is written when an apply ends. A run killed outright
(kill -9, power loss) never gets there, and its ``--resume`` re-plans from the server, where the
writes already done now read as their after-values: without this log, the records the first run
changed had no undo at all. Each op's before/after is stored (committed) before anything is sent;
the workbook of the run that ends takes every op that is done and in no workbook yet, whichever
run sent it, and marks them written, so two workbooks never restore the same write.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS undo (
    op_id    TEXT PRIMARY KEY,
    body     TEXT NOT NULL,
    written  INTEGER NOT NULL DEFAULT 0
);
"""


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, timeout=30)
    conn.execute("PRAGMA synchronous=FULL")
    conn.executescript(_SCHEMA)
    return conn


def keep(path: Path, items: Iterable[tuple[str, dict[str, Any]]]) -> None:
    """Store ``(op_id, {"id", "before", "after"})`` for each op about to be sent.

    An op an earlier run already settled as done keeps its first entry: the server's values have
    been its after-values since.
    """
    rows = [(op_id, json.dumps(entry, ensure_ascii=False, default=str)) for op_id, entry in items]
    if not rows:
        return
    conn = _connect(path)
    try:
        with conn:
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(
                "INSERT INTO undo (op_id, body) VALUES (?, ?) ON CONFLICT (op_id) DO UPDATE SET body = excluded.body "
                "WHERE undo.written = 0 AND (SELECT state FROM ops WHERE ops.op_id = undo.op_id) IS NOT 'done'",
                rows)
    finally:
        conn.close()


def pending(path: Path, endpoint: str, sheet: str) -> list[tuple[str, dict[str, Any]]]:
    """The entries of ``sheet``'s ops done (by any run of this journal) that no undo workbook holds yet.

    'unknown' counts: a write sent just before a kill that the resume's plan no longer needs (the
    server already holds its values) landed; one that did not land restores what the server has.
    """
    if not path.exists():
        return []
    conn = _connect(path)
    try:
        got = conn.execute("SELECT u.op_id, u.body FROM undo u JOIN ops o ON o.op_id = u.op_id "
                           "WHERE o.state IN ('done', 'unknown') AND u.written = 0 AND o.endpoint = ? AND o.sheet = ? "
                           "ORDER BY o.row, o.op_id", (endpoint, sheet)).fetchall()
    finally:
        conn.close()
    return [(str(op_id), json.loads(body)) for op_id, body in got]


def mark_written(path: Path, op_ids: Iterable[str]) -> None:
    ids = [(i,) for i in op_ids]
    if not ids:
        return
    conn = _connect(path)
    try:
        with conn:
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany("UPDATE undo SET written = 1 WHERE op_id = ?", ids)
    finally:
        conn.close()
