"""The apply journal: durable intent before every send, safe from many threads, reopenable."""

from __future__ import annotations

import os
import sqlite3
import stat
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "helpers"))

from fake_writes import Call, FakeWriteClient

from bulktool.writer.apply import apply_ops
from bulktool.writer.journal import Journal, JournalError, default_journal_path
from bulktool.writer.ports import WriteOp, make_op


def _creates(n: int, *, prefix: str = "C") -> list[WriteOp]:
    return [
        make_op("create", "customers", "Customers", i + 2, {"number": f"{prefix}-{i}", "name": f"N {i}"},
                key_field="number", key_value=f"{prefix}-{i}")
        for i in range(n)
    ]


class StepClock:
    """Each reading is one second after the previous one."""

    def __init__(self) -> None:
        self.t = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            self.t += timedelta(seconds=1)
            return self.t


def test_intent_is_committed_before_the_request_is_sent(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    seen: list[tuple[str, int]] = []

    def look(call: Call) -> str | None:
        # Inside the "server": a second, independent connection must already see the intent.
        other = sqlite3.connect(path)
        try:
            seen.extend(other.execute("SELECT state, attempts FROM ops").fetchall())
        finally:
            other.close()
        return None

    client = FakeWriteClient(faults=look)
    with Journal(path) as journal:
        [out] = apply_ops(_creates(1), client, journal, workers=1)
        assert out.status == "applied"
        assert journal.get(out.op_id).state == "done"  # type: ignore[union-attr]
    assert seen == [("sent", 1)]


def test_reopen_after_close_keeps_every_op(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    ops = _creates(3)
    with Journal(path) as j:
        first_run = j.run_id
        j.begin_many(ops)
        j.mark_sent(ops[0].op_id)
        j.mark_done(ops[0].op_id, "41", "created")
        j.mark_sent(ops[1].op_id)
        j.mark_failed(ops[1].op_id, "name: required", "r-1")
    with Journal(path) as j:
        assert j.run_id != first_run
        e0, e1, e2 = (j.get(op.op_id) for op in ops)
        assert e0 is not None and e0.run_id == first_run
        assert (e0.state, e0.result_id, e0.message) == ("done", "41", "created")
        assert e1 is not None and (e1.state, e1.request_id, e1.attempts) == ("failed", "r-1", 1)
        assert e2 is not None and (e2.state, e2.attempts, e2.key_value, e2.row) == ("intent", 0, "C-2", 4)
        assert j.summary() == {"intent": 1, "sent": 0, "done": 1, "failed": 1, "unknown": 0}
        assert [e.op_id for e in j.pending()] == [ops[2].op_id]
        assert j.get("nope") is None


def test_concurrent_marks_from_threads(tmp_path: Path) -> None:
    ops = _creates(200)
    with Journal(tmp_path / "j.sqlite") as j:
        j.begin_many(ops)
        start = threading.Barrier(8)

        def work(chunk: list[WriteOp]) -> None:
            start.wait()
            for op in chunk:
                j.mark_sent(op.op_id)
                j.mark_sent(op.op_id)
                j.mark_done(op.op_id, op.key_value, "ok")

        threads = [threading.Thread(target=work, args=(ops[i::8],)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert j.summary()["done"] == 200
        assert {e.attempts for e in j.entries()} == {2}
        assert all(e.result_id == e.key_value for e in j.entries())


def test_injected_clock_sets_the_timestamps(tmp_path: Path) -> None:
    [op] = _creates(1)
    with Journal(tmp_path / "j.sqlite", clock=StepClock()) as j:
        j.begin(op)  # 12:00:01
        j.mark_sent(op.op_id)  # 12:00:02
        j.mark_done(op.op_id, "9")  # 12:00:03
        e = j.get(op.op_id)
    assert e is not None
    assert e.created_at == "2025-03-01T12:00:01.000+00:00"
    assert e.sent_at == "2025-03-01T12:00:02.000+00:00"
    assert e.updated_at == "2025-03-01T12:00:03.000+00:00"


def test_begin_never_forgets_a_write_of_unknown_outcome(tmp_path: Path) -> None:
    a, b, c = _creates(3)
    with Journal(tmp_path / "j.sqlite") as j:
        j.begin_many([a, b, c])
        j.mark_sent(a.op_id)
        j.mark_sent(b.op_id)
        j.mark_unknown(b.op_id, "dropped")
        j.mark_sent(c.op_id)
        j.mark_done(c.op_id, "5")
        j.begin_many([a, b, c])
        assert [j.get(o.op_id).state for o in (a, b, c)] == ["sent", "unknown", "intent"]  # type: ignore[union-attr]
        assert [e.state for e in j.interrupted()] == ["sent", "intent"]


def test_journal_holds_no_request_body(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    op = make_op("create", "contacts", "Contacts", 2, {"name": "x", "personalNumber": "19121212-1212"})
    with Journal(path) as j:
        j.begin(op)
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert b"19121212-1212" not in raw
    assert op.payload_hash.encode() in raw
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_unreadable_journal_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    path.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(JournalError, match="not a usable apply journal"):
        Journal(path)


def test_closed_journal_refuses_writes(tmp_path: Path) -> None:
    j = Journal(tmp_path / "j.sqlite")
    j.close()
    j.close()  # idempotent
    with pytest.raises(JournalError, match="closed"):
        j.summary()


def test_default_path_sits_beside_the_input(tmp_path: Path) -> None:
    src = tmp_path / "customers.xlsx"
    src.write_bytes(b"")
    assert default_journal_path(src) == tmp_path / "customers.xlsx.bulktool-journal.sqlite"


def test_default_path_falls_back_to_the_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ro, other = tmp_path / "readonly", tmp_path / "other"
    ro.mkdir()
    other.mkdir()
    real_access = os.access
    # Running as root makes chmod meaningless, so the directory check itself is made to say "no".
    monkeypatch.setattr(os, "access", lambda p, m: False if Path(p) in (ro, other) else real_access(p, m))
    data = tmp_path / "data"
    a = default_journal_path(ro / "customers.xlsx", data_dir=data)
    b = default_journal_path(other / "customers.xlsx", data_dir=data)
    assert a.parent == data / "journals" and a.name.startswith("customers.xlsx.")
    assert a.name.endswith(".bulktool-journal.sqlite")
    assert a != b  # same file name in two folders: two journals
    with Journal(a) as j:  # the data dir is created on first use
        assert j.summary()["intent"] == 0
    # A journal already beside the input wins even when the folder became read-only.
    beside = ro / "customers.xlsx.bulktool-journal.sqlite"
    beside.write_bytes(b"")
    assert default_journal_path(ro / "customers.xlsx", data_dir=data) == beside
