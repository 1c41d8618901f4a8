"""Records kept in memory for speed and written through to SQLite so a rehearsal survives restarts.

Each record is stored as JSON under (resource, id). Keys are the API's read names; references
to other records are stored as plain ids and resolved to objects when rendered.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from ..errors import UsageError

Record = dict[str, Any]
SCHEMA_VERSION = "1"


class Store:
    """One SQLite connection and an in-memory copy, both guarded by ``lock``."""

    def __init__(self, db_path: Path | str | None, seeder: Callable[[], dict[str, list[Record]]]) -> None:
        self.lock = threading.RLock()
        self.path = Path(db_path) if db_path is not None else None
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self.tables: dict[str, dict[int, Record]] = {}
        self._next: dict[str, int] = {}
        try:
            self._db = sqlite3.connect(str(self.path) if self.path else ":memory:", check_same_thread=False)
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS records (resource TEXT NOT NULL, id INTEGER NOT NULL, "
                "body TEXT NOT NULL, PRIMARY KEY (resource, id))"
            )
            self._db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            self._db.commit()
            if self._meta("schema") is None:
                self._seed(seeder())
            else:
                self._load()
        except (sqlite3.Error, ValueError) as exc:
            raise UsageError(f"Cannot use {self.path} as the sandbox database: {exc}.") from None

    # -- setup -----------------------------------------------------------------
    def _meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else None

    def _seed(self, data: dict[str, list[Record]]) -> None:
        with self._db:
            rows: list[tuple[str, int, str]] = []
            for resource, records in data.items():
                table = self.tables.setdefault(resource, {})
                for rec in records:
                    table[int(rec["id"])] = rec
                    rows.append((resource, int(rec["id"]), json.dumps(rec, ensure_ascii=False)))
                self._next[resource] = max(table, default=0) + 1
            self._db.executemany("INSERT INTO records (resource, id, body) VALUES (?, ?, ?)", rows)
            self._db.executemany(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                [(f"next:{r}", str(n)) for r, n in self._next.items()],
            )
            self._db.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema', ?)", (SCHEMA_VERSION,)
            )

    def _load(self) -> None:
        for resource, rid, body in self._db.execute("SELECT resource, id, body FROM records ORDER BY id"):
            self.tables.setdefault(resource, {})[int(rid)] = json.loads(body)
        for key, value in self._db.execute("SELECT key, value FROM meta WHERE key LIKE 'next:%'"):
            self._next[key[5:]] = int(value)

    def close(self) -> None:
        with self.lock:
            self._db.close()

    # -- reads -----------------------------------------------------------------
    def all(self, resource: str) -> list[Record]:
        """Records in id order (the API's default order)."""
        return [rec for _id, rec in sorted(self.tables.get(resource, {}).items())]

    def get(self, resource: str, rid: Any) -> Record | None:
        if rid is None or isinstance(rid, bool):
            return None
        try:
            return self.tables.get(resource, {}).get(int(rid))
        except (TypeError, ValueError):
            return None

    def exists(self, resource: str, rid: Any) -> bool:
        return self.get(resource, rid) is not None

    def values(self, resource: str) -> Iterable[Record]:
        return self.tables.get(resource, {}).values()

    # -- writes (each one committed before it returns) -------------------------------
    def insert(self, resource: str, record: Record) -> Record:
        with self.lock, self._db:
            rid = self._next.get(resource, max(self.tables.get(resource, {}), default=0) + 1)
            self._next[resource] = rid + 1
            record = {"id": rid, **{k: v for k, v in record.items() if k != "id"}}
            self.tables.setdefault(resource, {})[rid] = record
            self._db.execute(
                "INSERT INTO records (resource, id, body) VALUES (?, ?, ?)",
                (resource, rid, json.dumps(record, ensure_ascii=False)),
            )
            self._db.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (f"next:{resource}", str(rid + 1))
            )
            return record

    def reserve_id(self, resource: str) -> int:
        """A fresh id for a nested object (e.g. a time report's material row)."""
        with self.lock, self._db:
            rid = self._next.get(resource, 1000)  # above any seeded nested id
            self._next[resource] = rid + 1
            self._db.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (f"next:{resource}", str(rid + 1))
            )
            return rid

    def replace(self, resource: str, record: Record) -> Record:
        with self.lock, self._db:
            rid = int(record["id"])
            self.tables.setdefault(resource, {})[rid] = record
            self._db.execute(
                "UPDATE records SET body = ? WHERE resource = ? AND id = ?",
                (json.dumps(record, ensure_ascii=False), resource, rid),
            )
            return record

    def delete(self, resource: str, rid: int) -> None:
        with self.lock, self._db:
            self.tables.get(resource, {}).pop(int(rid), None)
            self._db.execute("DELETE FROM records WHERE resource = ? AND id = ?", (resource, int(rid)))
