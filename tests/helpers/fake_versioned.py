"""A fake versioned, bulk-capable API behind the WriteClient protocol, for the batch writer's tests.

It behaves like a partial-PUT API with optimistic versions and all-or-nothing bulk operations:
a create needs a unique ``number``; an update merges the given fields and must carry the
stored ``version`` (else 409); a bulk request that breaks a rule saves nothing and names only
its first failing item (as some servers do). Faults are injected per request. It stands in
for the server; the writer is the component under test.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bulktool.errors import BatchRejected, ConnectionDropped, NotFound, ServerError, VersionConflict
from bulktool.writer.ports import Current, WriteAction

DUPLICATE = "Nummeret er i bruk."


class Killed(BaseException):
    """The process died here (the test's stand-in for kill -9: nothing after it runs)."""


@dataclass(frozen=True)
class Request:
    method: str  # create | update | create_many | update_many | find | reread
    endpoint: str
    bodies: tuple[dict[str, Any], ...]
    n: int  # how many requests of this method came before


# Faults: "drop_before" (ConnectionDropped, nothing saved), "drop_after" (saved, reply lost),
# "503" (nothing saved), "kill_after" (saved, then the process dies), "kill_before".
FaultHook = Callable[[Request], str | None]


def faults_at(plan: dict[tuple[str, int], str]) -> FaultHook:
    """The fault for the n-th request of a method: {("create_many", 0): "drop_after"}."""
    return lambda req: plan.get((req.method, req.n))


class VersionedApi:
    resend_is_harmless = False  # a partial update is not safe to send twice

    def __init__(self, *, batch: int = 100, faults: FaultHook | None = None) -> None:
        self.batch = batch
        self.faults = faults
        self.records: dict[str, dict[str, Any]] = {}
        self.requests: list[Request] = []
        self.after_write: Callable[[Request], None] | None = None  # runs after a write is saved
        self._next = 100
        self._lock = threading.RLock()

    # -- test helpers (the server side) -------------------------------------------------
    def seed(self, **fields: Any) -> str:
        with self._lock:
            self._next += 1
            rid = str(self._next)
            self.records[rid] = {"id": self._next, "version": 0, **fields}
            return rid

    def edit(self, rid: str, **fields: Any) -> None:
        """Someone else saves the record (its version moves on)."""
        with self._lock:
            rec = self.records[rid]
            rec.update(fields)
            rec["version"] += 1

    def count(self, method: str) -> int:
        return sum(r.method == method for r in self.requests)

    def numbers(self) -> list[str]:
        return sorted(str(r.get("number")) for r in self.records.values())

    # -- plumbing -----------------------------------------------------------------------------
    def _request(self, method: str, endpoint: str, bodies: Sequence[dict[str, Any]], write: Callable[[], Any]) -> Any:
        with self._lock:
            req = Request(method, endpoint, tuple(dict(b) for b in bodies), self.count(method))
            self.requests.append(req)
            fault = self.faults(req) if self.faults else None
            if fault == "drop_before":
                raise ConnectionDropped("connection reset before the reply")
            if fault == "kill_before":
                raise Killed()
            if fault == "503":
                raise ServerError("Service Unavailable (HTTP 503)", status=503)
            result = write()
            if self.after_write is not None:
                self.after_write(req)
            if fault == "drop_after":
                raise ConnectionDropped("connection reset before the reply")
            if fault == "kill_after":
                raise Killed()
            return result

    def _check_create(self, bodies: Sequence[dict[str, Any]]) -> dict[int, list[str]]:
        taken = {str(r.get("number")) for r in self.records.values()}
        for i, b in enumerate(bodies):
            if str(b.get("number")) in taken:
                return {i: [f"number: {DUPLICATE}"]}  # only the first failing item is named
            taken.add(str(b.get("number")))
        return {}

    def _insert(self, body: dict[str, Any]) -> dict[str, Any]:
        self._next += 1
        rec = {**body, "id": self._next, "version": 0}
        self.records[str(self._next)] = rec
        return dict(rec)

    def _merge(self, rid: str, body: dict[str, Any]) -> dict[str, Any]:
        rec = self.records[rid]
        rec.update({k: v for k, v in body.items() if k not in ("id", "version")})
        rec["version"] += 1
        return dict(rec)

    def _check_update(self, rid: str, body: dict[str, Any]) -> None:
        rec = self.records.get(rid)
        if rec is None:
            raise NotFound(f"PUT {rid}: Object not found (HTTP 404)", status=404)
        if "version" in body and body["version"] != rec["version"]:
            raise VersionConflict(f"PUT {rid}: RevisionException (HTTP 409)", status=409, request_id="req-409")

    # -- the WriteClient protocol ------------------------------------------------------------
    def batch_size(self, endpoint: str, action: WriteAction) -> int:
        return self.batch if action in ("create", "update") else 1

    def create(self, endpoint: str, body: dict[str, Any]) -> dict[str, Any]:
        def write() -> dict[str, Any]:
            bad = self._check_create([body])
            if bad:
                raise BatchRejected("Validering feilet.", status=422, items=bad)
            return self._insert(body)
        result: dict[str, Any] = self._request("create", endpoint, [body], write)
        return result

    def create_many(self, endpoint: str, bodies: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        def write() -> list[dict[str, Any]]:
            bad = self._check_create(bodies)
            if bad:
                raise BatchRejected("Validering feilet.", status=422, items=bad, request_id="req-422")
            return [self._insert(b) for b in bodies]
        result: list[dict[str, Any]] = self._request("create_many", endpoint, bodies, write)
        return result

    def update(self, endpoint: str, record_id: str, body: dict[str, Any]) -> dict[str, Any]:
        def write() -> dict[str, Any]:
            self._check_update(record_id, body)
            return self._merge(record_id, body)
        result: dict[str, Any] = self._request("update", endpoint, [body], write)
        return result

    def update_many(self, endpoint: str, bodies: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        def write() -> list[dict[str, Any]]:
            for b in bodies:
                self._check_update(str(b["id"]), b)
            return [self._merge(str(b["id"]), b) for b in bodies]
        result: list[dict[str, Any]] = self._request("update_many", endpoint, bodies, write)
        return result

    def delete(self, endpoint: str, record_id: str) -> None:
        with self._lock:
            self.records.pop(record_id, None)

    def find_by_key(self, endpoint: str, key_field: str, key_value: str) -> list[dict[str, Any]]:
        with self._lock:
            self.requests.append(Request("find", endpoint, ({key_field: key_value},), self.count("find")))
            return [dict(r) for r in self.records.values() if str(r.get(key_field)) == key_value]

    def reread(self, endpoint: str, record_id: str, fields: Sequence[str]) -> Current | None:
        with self._lock:
            self.requests.append(Request("reread", endpoint, ({"id": record_id},), self.count("reread")))
            rec = self.records.get(record_id)
            if rec is None:
                return None
            return Current(rec["version"], {f: rec.get(f) for f in fields})
