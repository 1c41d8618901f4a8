"""A small fake API server behind the WriteClient protocol, for the writer's tests.

It keeps records in SQLite (in memory, or in a file so its state survives a
kill -9 of the process using it) and injects the faults the writer must
survive: a connection dropped after the server committed, 502/503/429 before
it did anything, refused connections and 4xx answers. It is a stand-in for
the server, not for the component under test.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bulktool.errors import (
    ApiError,
    ConnectionDropped,
    NotFound,
    RateLimited,
    ServerError,
    TransportError,
    ValidationFailed,
)
from bulktool.writer.ports import WriteOp, make_op


@dataclass(frozen=True)
class Call:
    method: str  # create | update | delete | find
    endpoint: str
    record_id: str | None
    body: dict[str, Any] | None
    n: int  # how many times this same target was called before (0 = first)

    @property
    def target(self) -> str:
        """What identifies the call across retries: the record id, else the body's 'number'."""
        if self.record_id is not None:
            return self.record_id
        return str((self.body or {}).get("number", (self.body or {}).get("name", "")))


# A fault hook sees each call and names the fault to inject, or None. Faults:
# "drop_before" / "drop_after" (ConnectionDropped before / after the commit),
# "503", "502", "429", "refused", "400", "crash" (before the commit), "hang_after" (commit, then block
# forever), "bad_reply" (commit, then a 2xx whose body is not JSON, as the HTTP client reports it).
FaultHook = Callable[[Call], str | None]


def scripted(plan: dict[tuple[str, str], list[str | None]]) -> FaultHook:
    """Faults per (method, target), consumed one per call: {("update", "7"): ["503", "503"]}."""
    lock = threading.Lock()
    queues = {k: list(v) for k, v in plan.items()}

    def hook(call: Call) -> str | None:
        with lock:
            q = queues.get((call.method, call.target))
            return q.pop(0) if q else None

    return hook


class FakeWriteClient:
    """Thread-safe fake server; ``latency`` is spent outside the lock so calls really overlap."""

    resend_is_harmless = True  # its updates replace the record, as Blikk's do

    def __init__(
        self,
        db: str = ":memory:",
        *,
        faults: FaultHook | None = None,
        latency: float = 0.0,
        after_commit_latency: float = 0.0,
    ) -> None:
        self.faults = faults
        self.latency = latency
        self.after_commit_latency = after_commit_latency
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(db, isolation_level=None, check_same_thread=False, timeout=30)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS records "
            "(id INTEGER PRIMARY KEY AUTOINCREMENT, endpoint TEXT NOT NULL, body TEXT NOT NULL)"
        )
        self.calls: list[Call] = []
        self.injected: list[tuple[Call, str]] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.gate: Callable[[Call], None] | None = None  # runs inside each call (e.g. a barrier)

    # -- server-side helpers for tests -------------------------------------------------
    def seed(self, endpoint: str, body: dict[str, Any]) -> str:
        with self._lock:
            cur = self._conn.execute("INSERT INTO records (endpoint, body) VALUES (?, ?)",
                                     (endpoint, json.dumps(body)))
            return str(cur.lastrowid)

    def records(self, endpoint: str) -> dict[str, dict[str, Any]]:
        with self._lock:
            rows = self._conn.execute("SELECT id, body FROM records WHERE endpoint = ? ORDER BY id",
                                      (endpoint,)).fetchall()
        return {str(i): json.loads(b) for i, b in rows}

    def count(self, method: str) -> int:
        with self._lock:
            return sum(1 for c in self.calls if c.method == method)

    def close(self) -> None:
        self._conn.close()

    # -- the WriteClient protocol ------------------------------------------------------
    def create(self, endpoint: str, body: dict[str, Any]) -> dict[str, Any]:
        call, fault = self._begin("create", endpoint, None, body)
        try:
            with self._lock:
                cur = self._conn.execute("INSERT INTO records (endpoint, body) VALUES (?, ?)",
                                         (endpoint, json.dumps(body)))
                rid = str(cur.lastrowid)
            self._after_commit(call, fault)
            return {"id": int(rid), **body}
        finally:
            self._end()

    def update(self, endpoint: str, record_id: str, body: dict[str, Any]) -> dict[str, Any]:
        call, fault = self._begin("update", endpoint, record_id, body)
        try:
            with self._lock:
                cur = self._conn.execute("UPDATE records SET body = ? WHERE endpoint = ? AND id = ?",
                                         (json.dumps(body), endpoint, record_id))
                missing = cur.rowcount == 0
            if missing:
                raise NotFound(f"PUT /{endpoint}/{record_id}: not found (HTTP 404)", status=404)
            self._after_commit(call, fault)
            return {"id": int(record_id), **body}
        finally:
            self._end()

    def delete(self, endpoint: str, record_id: str) -> None:
        call, fault = self._begin("delete", endpoint, record_id, None)
        try:
            with self._lock:
                cur = self._conn.execute("DELETE FROM records WHERE endpoint = ? AND id = ?",
                                         (endpoint, record_id))
                missing = cur.rowcount == 0
            if missing:
                raise NotFound(f"DELETE /{endpoint}/{record_id}: not found (HTTP 404)", status=404)
            self._after_commit(call, fault)
        finally:
            self._end()

    def batch_size(self, endpoint: str, action: str) -> int:
        return 1  # no bulk operations: every write is a single-record call

    def find_by_key(self, endpoint: str, key_field: str, key_value: str) -> list[dict[str, Any]]:
        self._begin("find", endpoint, None, {key_field: key_value})
        try:
            return [
                {"id": int(i), **b} for i, b in self.records(endpoint).items()
                if str(b.get(key_field)) == key_value
            ]
        finally:
            self._end()

    # -- fault machinery ----------------------------------------------------------------
    def _begin(
        self, method: str, endpoint: str, record_id: str | None, body: dict[str, Any] | None
    ) -> tuple[Call, str | None]:
        """Log the call, then raise a before-commit fault or return the after-commit one."""
        with self._lock:
            probe = Call(method, endpoint, record_id, body, 0)
            same = (method, endpoint, probe.target)
            n = sum(1 for c in self.calls if (c.method, c.endpoint, c.target) == same)
            call = Call(method, endpoint, record_id, body, n)
            self.calls.append(call)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.gate is not None:
                self.gate(call)
            if self.latency:
                time.sleep(self.latency)  # simulated network + server time
            fault = self.faults(call) if self.faults else None
            call_fault = fault if fault not in (None, "drop_after", "hang_after", "bad_reply") else None
            if fault is not None:
                self._remember(call, fault)
            if call_fault is not None:
                raise _error(call_fault, call)
        except BaseException:
            self._end()
            raise
        return call, fault

    def _after_commit(self, call: Call, fault: str | None) -> None:
        if self.after_commit_latency:
            time.sleep(self.after_commit_latency)
        if fault == "hang_after":
            threading.Event().wait()  # the reply never comes (the test kills the process)
        if fault == "bad_reply":
            raise ApiError(f"{call.method} {call.endpoint}: expected JSON, got text/html", status=200)
        if fault == "drop_after":
            raise ConnectionDropped(f"{call.method} {call.endpoint}: the connection closed before an answer "
                                    "arrived; the outcome is unknown", method=call.method)

    def _remember(self, call: Call, fault: str) -> None:
        with self._lock:
            self.injected.append((call, fault))

    def _end(self) -> None:
        with self._lock:
            self.in_flight -= 1


def _error(fault: str, call: Call) -> Exception:
    where = f"{call.method} {call.endpoint}"
    if fault in ("503", "502"):
        return ServerError(f"{where}: service unavailable (HTTP {fault})", status=int(fault),
                           request_id="r-5xx")
    if fault == "429":
        return RateLimited(f"{where}: still rate limited (HTTP 429)", status=429)
    if fault == "refused":
        return TransportError("Could not connect to 127.0.0.1:9: connection refused")
    if fault == "drop_before":
        return ConnectionDropped(f"{where}: the connection closed before an answer arrived; "
                                 "the outcome is unknown")
    if fault == "crash":
        return RuntimeError("bug in the connector")
    if fault == "400":
        return ValidationFailed(f"{where}: The request is invalid: name: The Name field is required.",
                                status=400, request_id="r-400-abc")
    raise ValueError(f"unknown fault {fault!r}")


def kill_scenario_ops(n_creates: int, update_ids: list[str]) -> list[WriteOp]:
    """The plan both the killed child and the resuming test build: keyed creates plus full-body updates."""
    ops = [
        make_op("create", "customers", "Customers", i + 2, {"number": f"C-{i:03d}", "name": f"Customer {i}"},
                key_field="number", key_value=f"C-{i:03d}")
        for i in range(n_creates)
    ]
    ops += [
        make_op("update", "customers", "Existing", i + 2, {"number": f"E-{i:03d}", "name": f"Renamed {i}"},
                record_id=rid)
        for i, rid in enumerate(update_ids)
    ]
    return ops
