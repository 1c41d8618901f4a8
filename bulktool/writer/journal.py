"""The apply journal: what was about to be sent, and what came of it, in SQLite.

Every write is recorded as 'sent' and committed (WAL, synchronous=FULL) before
the HTTP call, so after a crash or kill -9 the journal tells apart writes that
were never sent ('intent'), finished ('done'/'failed') and the ones whose
outcome is unknown ('sent'/'unknown'), which a resume must check before
re-sending. Request bodies are not stored (only their hash): no secrets and
no personal data beyond the row's natural key.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

from ..errors import UsageError
from .paths import SUFFIX as SUFFIX
from .paths import default_journal_path as default_journal_path
from .ports import WriteOp

State = Literal["intent", "sent", "done", "failed", "unknown"]
STATES: tuple[State, ...] = ("intent", "sent", "done", "failed", "unknown")
INTERRUPTED: tuple[State, ...] = ("intent", "sent")  # a run stopped before settling these
UNSETTLED: tuple[State, ...] = ("intent", "sent", "unknown")
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS ops (
    op_id        TEXT PRIMARY KEY,
    run_id       TEXT NOT NULL,
    endpoint     TEXT NOT NULL,
    sheet        TEXT NOT NULL,
    row          INTEGER NOT NULL,
    action       TEXT NOT NULL CHECK (action IN ('create', 'update', 'delete')),
    record_id    TEXT,
    key_field    TEXT,
    key_value    TEXT,
    payload_hash TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('intent', 'sent', 'done', 'failed', 'unknown')),
    result_id    TEXT,
    message      TEXT NOT NULL DEFAULT '',
    request_id   TEXT,
    attempts     INTEGER NOT NULL DEFAULT 0,
    created_at   TEXT NOT NULL,
    sent_at      TEXT,
    updated_at   TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ops_state ON ops (state);
CREATE INDEX IF NOT EXISTS ops_row ON ops (endpoint, sheet, row);
"""
_COLUMNS = (
    "op_id, run_id, endpoint, sheet, row, action, record_id, key_field, key_value, payload_hash, "
    "state, result_id, message, request_id, attempts, created_at, sent_at, updated_at"
)


class JournalError(UsageError):
    """The journal cannot be used as asked (e.g. a run was interrupted and --resume is needed)."""


@dataclass(frozen=True)
class JournalEntry:
    op_id: str
    run_id: str
    endpoint: str
    sheet: str
    row: int
    action: str
    record_id: str | None
    key_field: str | None
    key_value: str | None
    payload_hash: str
    state: State
    result_id: str | None
    message: str
    request_id: str | None
    attempts: int
    created_at: str
    sent_at: str | None
    updated_at: str


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Journal:
    """Thread-safe: apply marks ops from several worker threads through one connection."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        clock: Callable[[], datetime] | None = None,
        run_id: str | None = None,
    ) -> None:
        self.path = Path(path)
        self.clock = clock or _utc_now
        self.run_id = run_id or uuid.uuid4().hex
        self._lock = threading.Lock()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not self.path.exists():  # owner-only: row keys are business data
            os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
        try:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
        except sqlite3.Error as exc:
            raise JournalError(f"Cannot open the apply journal {self.path}: {exc}") from None
        self._conn: sqlite3.Connection | None = conn
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.executescript(_SCHEMA)
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version == 0:
                conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            elif version > SCHEMA_VERSION:
                raise JournalError(
                    f"The apply journal {self.path} was written by a newer bulktool (format {version}); "
                    "upgrade bulktool or delete the journal."
                )
        except sqlite3.DatabaseError as exc:
            conn.close()
            self._conn = None
            raise JournalError(
                f"{self.path} is not a usable apply journal ({exc}); move it away or delete it."
            ) from None

    # -- plumbing ------------------------------------------------------------------
    def _now(self) -> str:
        return self.clock().astimezone(UTC).isoformat(timespec="milliseconds")

    def _exec(self, sql: str, params: tuple[Any, ...] = ()) -> sqlite3.Cursor:
        with self._lock:
            if self._conn is None:
                raise JournalError(f"The apply journal {self.path} is closed.")
            return self._conn.execute(sql, params)

    def _select(self, where: str, params: tuple[Any, ...] = ()) -> list[JournalEntry]:
        with self._lock:
            if self._conn is None:
                raise JournalError(f"The apply journal {self.path} is closed.")
            rows = self._conn.execute(f"SELECT {_COLUMNS} FROM ops {where}", params).fetchall()
        return [JournalEntry(*r) for r in rows]

    def _set(
        self, op_id: str, state: State, sets: str = "", params: tuple[Any, ...] = (), now: str | None = None
    ) -> None:
        extra = f", {sets}" if sets else ""
        cur = self._exec(
            f"UPDATE ops SET state = ?, updated_at = ?{extra} WHERE op_id = ?",
            (state, now or self._now(), *params, op_id),
        )
        if cur.rowcount != 1:
            raise KeyError(f"op {op_id} is not in the journal")

    # -- recording -----------------------------------------------------------------
    def begin(self, op: WriteOp) -> None:
        self.begin_many([op])

    def begin_many(self, ops: Iterable[WriteOp]) -> None:
        """Record ops as planned ('intent') in one transaction.

        An op already 'sent' or 'unknown' keeps that state: forgetting that a
        write may have happened is how records get created twice.
        """
        now = self._now()
        rows = [
            (op.op_id, self.run_id, op.endpoint, op.sheet, op.row, op.action, op.record_id, op.key_field,
             op.key_value, op.payload_hash, now, now)
            for op in ops
        ]
        sql = (
            "INSERT INTO ops (op_id, run_id, endpoint, sheet, row, action, record_id, key_field, key_value, "
            "payload_hash, state, message, attempts, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'intent', '', 0, ?, ?) "
            "ON CONFLICT (op_id) DO UPDATE SET run_id = excluded.run_id, state = 'intent', result_id = NULL, "
            "message = '', request_id = NULL, attempts = 0, sent_at = NULL, updated_at = excluded.updated_at "
            "WHERE ops.state NOT IN ('sent', 'unknown')"
        )
        with self._lock:
            if self._conn is None:
                raise JournalError(f"The apply journal {self.path} is closed.")
            with self._conn:  # one transaction: one fsync for the whole plan
                self._conn.execute("BEGIN IMMEDIATE")
                self._conn.executemany(sql, rows)

    def mark_sent(self, op_id: str) -> None:
        """Commit before the request goes out; after a crash this says 'maybe applied'."""
        now = self._now()
        self._set(op_id, "sent", "attempts = attempts + 1, sent_at = ?, run_id = ?", (now, self.run_id), now)

    def mark_sent_many(self, op_ids: Iterable[str]) -> None:
        """``mark_sent`` for every item of a batch, in one transaction (one fsync per request)."""
        now = self._now()
        self._set_many(op_ids, "sent", "attempts = attempts + 1, sent_at = ?, run_id = ?", (now, self.run_id), now)

    def mark_unsent_many(self, op_ids: Iterable[str], message: str = "") -> None:
        """``mark_unsent`` for batch items the server certainly did not save (the batch was refused whole)."""
        self._set_many(op_ids, "intent", "message = ?", (message,))

    def mark_done_many(self, done: Iterable[tuple[str, str | None, str]]) -> None:
        """``mark_done`` for (op id, result id, message) of every item a batch saved, in one transaction."""
        now = self._now()
        rows = [("done", now, result_id, message, op_id) for op_id, result_id, message in done]
        self._update_many("UPDATE ops SET state = ?, updated_at = ?, result_id = ?, message = ? WHERE op_id = ?", rows)

    def _set_many(
        self, op_ids: Iterable[str], state: State, sets: str, params: tuple[Any, ...], now: str | None = None
    ) -> None:
        sql = f"UPDATE ops SET state = ?, updated_at = ?, {sets} WHERE op_id = ?"
        stamp = now or self._now()
        self._update_many(sql, [(state, stamp, *params, op_id) for op_id in op_ids])

    def _update_many(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        ids = [row[-1] for row in rows]
        with self._lock:
            if self._conn is None:
                raise JournalError(f"The apply journal {self.path} is closed.")
            with self._conn:
                self._conn.execute("BEGIN IMMEDIATE")
                changed = sum(self._conn.execute(sql, row).rowcount for row in rows)
        if changed != len(ids):
            raise KeyError(f"{len(ids) - changed} of {len(ids)} ops are not in the journal")

    def mark_unsent(self, op_id: str, message: str = "") -> None:
        """Back to 'intent': only when the server certainly did nothing (503, refused, interrupted)."""
        self._set(op_id, "intent", "message = ?", (message,))

    def mark_done(self, op_id: str, result_id: str | None = None, message: str = "") -> None:
        self._set(op_id, "done", "result_id = ?, message = ?", (result_id, message))

    def mark_failed(self, op_id: str, message: str, request_id: str | None = None) -> None:
        self._set(op_id, "failed", "message = ?, request_id = ?", (message, request_id))

    def mark_unknown(self, op_id: str, message: str) -> None:
        self._set(op_id, "unknown", "message = ?", (message,))

    # -- reading -------------------------------------------------------------------
    def get(self, op_id: str) -> JournalEntry | None:
        found = self._select("WHERE op_id = ?", (op_id,))
        return found[0] if found else None

    def entries(self) -> list[JournalEntry]:
        return self._select("ORDER BY endpoint, sheet, row, op_id")

    def pending(self) -> list[JournalEntry]:
        """Ops not settled: never sent, sent without an answer, or of unknown outcome."""
        return self._select(f"WHERE state IN {UNSETTLED} ORDER BY endpoint, sheet, row, op_id")

    def interrupted(self) -> list[JournalEntry]:
        """Ops a stopped run left behind ('intent' or 'sent'); only --resume may continue them."""
        return self._select(f"WHERE state IN {INTERRUPTED} ORDER BY endpoint, sheet, row, op_id")

    def unsettled_creates_like(self, op: WriteOp) -> list[JournalEntry]:
        """Other creates of the same record (same key, or same row) whose outcome is unknown.

        When the user edits a row between a crash and the resume, the row's op
        id changes; the earlier attempt may still have created the record.
        """
        where = (
            "WHERE action = 'create' AND state IN ('sent', 'unknown') AND endpoint = ? AND op_id != ? "
            "AND ((sheet = ? AND row = ?) OR (key_field IS NOT NULL AND key_field = ? AND key_value = ?))"
        )
        return self._select(where, (op.endpoint, op.op_id, op.sheet, op.row, op.key_field, op.key_value))

    def summary(self) -> dict[str, int]:
        counts: dict[str, int] = dict.fromkeys(STATES, 0)
        with self._lock:
            if self._conn is None:
                raise JournalError(f"The apply journal {self.path} is closed.")
            for state, n in self._conn.execute("SELECT state, COUNT(*) FROM ops GROUP BY state"):
                counts[state] = n
        return counts

    # -- lifetime ------------------------------------------------------------------
    def close(self) -> None:
        with self._lock:
            if self._conn is None:
                return
            with contextlib.suppress(sqlite3.Error):  # another process holds it open; the WAL stays valid
                self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self._conn.close()
            self._conn = None

    def __enter__(self) -> Journal:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

