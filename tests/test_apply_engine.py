"""The apply engine against a fake server that drops connections, restarts and says no.

The promise under test: only planned writes happen, no record is ever created
twice (connection drops, kills, Ctrl-C), and a POST is never retried blindly.
"""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

HELPERS = Path(__file__).resolve().parent / "helpers"
sys.path.insert(0, str(HELPERS))

from fake_writes import Call, FakeWriteClient, kill_scenario_ops, scripted  # noqa: E402

from bulktool.writer.apply import ALREADY_APPLIED, apply_ops  # noqa: E402
from bulktool.writer.journal import Journal, JournalError  # noqa: E402
from bulktool.writer.ports import OpOutcome, WriteOp, make_op  # noqa: E402
from bulktool.writer.retry import RetryPolicy  # noqa: E402

EP = "customers"


def create(i: int, *, keyed: bool = True, name: str | None = None) -> WriteOp:
    body = {"number": f"C-{i:03d}", "name": name or f"Customer {i}"}
    if keyed:
        return make_op("create", EP, "Customers", i + 2, body, key_field="number", key_value=body["number"])
    return make_op("create", EP, "Customers", i + 2, body)


def update(row: int, rid: str, name: str) -> WriteOp:
    return make_op("update", EP, "Customers", row, {"number": f"U-{rid}", "name": name}, record_id=rid)


def delete(row: int, rid: str) -> WriteOp:
    return make_op("delete", EP, "Customers", row, None, record_id=rid)


class Sleeps:
    """Injected sleep: records the backoff instead of waiting."""

    def __init__(self) -> None:
        self.delays: list[float] = []
        self._lock = threading.Lock()

    def __call__(self, seconds: float) -> None:
        with self._lock:
            self.delays.append(seconds)


def policy(sleeps: Sleeps) -> RetryPolicy:
    return RetryPolicy(sleep=sleeps, rng=random.Random(1234))


def numbers(client: FakeWriteClient) -> Counter[str]:
    return Counter(r["number"] for r in client.records(EP).values())


def by_status(outs: list[OpOutcome]) -> Counter[str]:
    return Counter(o.status for o in outs)


@pytest.fixture
def journal(tmp_path: Path) -> Any:
    j = Journal(tmp_path / "in.xlsx.bulktool-journal.sqlite")
    yield j
    j.close()


def test_happy_path_creates_updates_deletes(journal: Journal) -> None:
    client = FakeWriteClient()
    keep = client.seed(EP, {"number": "U-1", "name": "old"})
    gone = client.seed(EP, {"number": "U-2", "name": "x"})
    ops = [create(i) for i in range(10)] + [update(20, keep, "new name"), delete(21, gone)]
    progress: list[tuple[int, int]] = []
    outs = apply_ops(ops, client, journal, progress=lambda d, f: progress.append((d, f)))
    assert [o.op_id for o in outs] == [op.op_id for op in ops]  # same order as the plan
    assert by_status(outs) == {"applied": 12}
    recs = client.records(EP)
    assert recs[keep] == {"number": f"U-{keep}", "name": "new name"}
    assert gone not in recs
    assert numbers(client) == Counter({f"C-{i:03d}": 1 for i in range(10)} | {f"U-{keep}": 1})
    created = {o.result_id for o in outs[:10]}
    assert created == set(recs) - {keep}
    assert journal.summary()["done"] == 12
    assert progress[-1] == (12, 0) and len(progress) == 12
    assert client.count("create") == 10 and client.count("find") == 0


def test_keeps_at_least_two_requests_in_flight(journal: Journal) -> None:
    client = FakeWriteClient()
    both = threading.Barrier(2, timeout=10)

    def gate(call: Call) -> None:
        # The first two creates only return once both are inside the server at the same time.
        if call.n == 0 and call.target in ("C-000", "C-001"):
            both.wait()

    client.gate = gate
    outs = apply_ops([create(i) for i in range(6)], client, journal, workers=4)
    assert by_status(outs) == {"applied": 6}
    assert client.max_in_flight >= 2


def test_dropped_creates_with_key_are_never_duplicated(journal: Journal) -> None:
    rng = random.Random(99)
    lock = threading.Lock()

    def drop_30_percent(call: Call) -> str | None:
        with lock:
            return "drop_after" if call.method == "create" and rng.random() < 0.3 else None

    client, sleeps = FakeWriteClient(faults=drop_30_percent), Sleeps()
    outs = apply_ops([create(i) for i in range(60)], client, journal, retry=policy(sleeps))
    drops = sum(1 for _, f in client.injected if f == "drop_after")
    assert drops >= 10  # the fault really happened, often
    assert numbers(client) == Counter({f"C-{i:03d}": 1 for i in range(60)})  # each exactly once
    assert by_status(outs) == {"applied": 60}
    assert client.count("create") == 60  # every drop was settled by a lookup, never by a re-POST
    assert client.count("find") == drops
    recovered = [o for o in outs if "earlier attempt" in o.message]
    assert len(recovered) == drops
    assert {o.result_id for o in outs} == set(client.records(EP))


def test_dropped_create_without_key_is_unknown_and_not_resent(journal: Journal) -> None:
    client = FakeWriteClient(faults=scripted({
        ("create", "C-001"): ["drop_after"], ("create", "C-002"): ["drop_before"],
    }))
    outs = apply_ops([create(i, keyed=False) for i in range(4)], client, journal, retry=policy(Sleeps()))
    assert [o.status for o in outs] == ["applied", "unknown", "unknown", "applied"]
    assert "no natural key" in outs[1].message and "check the system by hand" in outs[1].message.lower()
    assert numbers(client) == Counter({"C-000": 1, "C-001": 1, "C-003": 1})  # C-001 landed once; C-002 never
    assert client.count("create") == 4 and client.count("find") == 0
    assert journal.get(outs[1].op_id).state == "unknown"  # type: ignore[union-attr]
    # Neither a resume nor a fresh run sends them again.
    for resume in (True, False):
        again = apply_ops([create(i, keyed=False) for i in range(4)], client, journal, resume=resume)
        assert [o.status for o in again] == ["skipped", "unknown", "unknown", "skipped"]
    assert client.count("create") == 4


def test_updates_are_retried_on_503_with_capped_jittered_backoff(journal: Journal) -> None:
    sleeps = Sleeps()
    client = FakeWriteClient(faults=scripted({("update", "1"): ["503", "502", "429", "refused"]}))
    rid = client.seed(EP, {"number": "U-1", "name": "old"})
    [out] = apply_ops([update(2, rid, "new")], client, journal, retry=policy(sleeps))
    assert out.status == "applied" and "after 5 attempts" in out.message
    assert client.records(EP)[rid]["name"] == "new"
    assert client.count("update") == 5
    assert len(sleeps.delays) == 4
    assert all(0 <= d <= min(20.0, 0.5 * 2**i) for i, d in enumerate(sleeps.delays))
    assert journal.get(out.op_id).attempts == 5  # type: ignore[union-attr]


def test_creates_are_retried_when_the_server_did_nothing(journal: Journal) -> None:
    client = FakeWriteClient(faults=scripted({("create", "C-000"): ["503", "refused"]}))
    [out] = apply_ops([create(0, keyed=False)], client, journal, retry=policy(Sleeps()))
    assert out.status == "applied"
    assert numbers(client) == Counter({"C-000": 1}) and client.count("create") == 3


def test_gives_up_after_five_attempts(journal: Journal) -> None:
    client, sleeps = FakeWriteClient(faults=lambda call: "503"), Sleeps()
    [out] = apply_ops([create(0)], client, journal, retry=policy(sleeps))
    assert out.status == "failed" and "gave up after 5 attempts" in out.message and out.request_id == "r-5xx"
    assert client.count("create") == 5 and len(sleeps.delays) == 4 and not client.records(EP)


def test_4xx_is_not_retried(journal: Journal) -> None:
    sleeps = Sleeps()
    client = FakeWriteClient(faults=scripted({("create", "C-000"): ["400"], ("update", "1"): ["400"]}))
    rid = client.seed(EP, {"number": "U-1", "name": "old"})
    ops = [create(0), update(3, rid, "new"), delete(4, "999")]
    a, b, c = apply_ops(ops, client, journal, retry=policy(sleeps))
    assert (a.status, b.status, c.status) == ("failed", "failed", "failed")
    assert "The Name field is required" in a.message and a.request_id == "r-400-abc"
    assert "not found" in c.message
    assert client.count("create") == client.count("update") == client.count("delete") == 1
    assert sleeps.delays == [] and client.records(EP)[rid]["name"] == "old"
    assert journal.summary()["failed"] == 3
    assert journal.get(a.op_id).request_id == "r-400-abc"  # type: ignore[union-attr]


def test_dropped_update_and_delete_are_replayed(journal: Journal) -> None:
    faults = scripted({("update", "1"): ["drop_after"], ("delete", "2"): ["drop_after"]})
    client = FakeWriteClient(faults=faults)
    rid = client.seed(EP, {"number": "U-1", "name": "old"})
    gone = client.seed(EP, {"number": "U-2", "name": "x"})
    up, rm = apply_ops([update(2, rid, "new"), delete(3, gone)], client, journal, retry=policy(Sleeps()))
    assert up.status == "applied" and client.records(EP)[rid]["name"] == "new"
    assert rm.status == "applied" and "already deleted" in rm.message  # the replay met a 404
    assert list(client.records(EP)) == [rid]
    assert client.count("update") == 2 and client.count("delete") == 2


def test_unreadable_or_unexpected_replies_are_never_blindly_resent(journal: Journal) -> None:
    faults = scripted({("create", "C-000"): ["bad_reply"], ("create", "C-001"): ["crash"]})
    client = FakeWriteClient(faults=faults)
    a, b = apply_ops([create(0), create(1)], client, journal, retry=policy(Sleeps()))
    assert a.status == "applied" and a.result_id in client.records(EP)  # unreadable 2xx: found by key
    assert b.status == "unknown" and "RuntimeError: bug in the connector" in b.message
    assert client.count("create") == 2 and numbers(client) == Counter({"C-000": 1})


def test_lookup_finding_several_records_fails_without_creating(journal: Journal) -> None:
    client = FakeWriteClient(faults=scripted({("create", "C-000"): ["drop_before"]}))
    client.seed(EP, {"number": "C-000", "name": "twin a"})
    client.seed(EP, {"number": "C-000", "name": "twin b"})
    [out] = apply_ops([create(0)], client, journal, retry=policy(Sleeps()))
    assert out.status == "failed" and "2 records already have number=C-000" in out.message
    assert client.count("create") == 1 and numbers(client)["C-000"] == 2


def test_resume_skips_what_is_done(journal: Journal) -> None:
    client = FakeWriteClient()
    ops = [create(i) for i in range(5)]
    first = apply_ops(ops, client, journal)
    again = apply_ops(ops, client, journal, resume=True)
    assert by_status(again) == {"skipped": 5}
    assert all(o.message.startswith(ALREADY_APPLIED) for o in again)
    assert [o.result_id for o in again] == [o.result_id for o in first]
    assert client.count("create") == 5 and client.count("find") == 0


def test_fresh_run_refuses_an_interrupted_journal(journal: Journal) -> None:
    client = FakeWriteClient()
    ops = [create(i) for i in range(3)]
    journal.begin_many(ops)
    journal.mark_sent(ops[1].op_id)
    with pytest.raises(JournalError, match="--resume") as err:
        apply_ops(ops, client, journal)
    assert "Customers row 2" in str(err.value) and str(journal.path) in str(err.value)
    assert client.calls == []
    # A finished journal is no obstacle: re-running is fine and sends no duplicate create.
    assert by_status(apply_ops(ops, client, journal, resume=True)) == {"applied": 3}
    assert by_status(apply_ops(ops, client, journal)) == {"skipped": 3}
    assert numbers(client) == Counter({f"C-{i:03d}": 1 for i in range(3)})


def test_resume_after_a_simulated_kill(journal: Journal) -> None:
    """Journal left mid-run: some sends committed on the server, some not, some never sent."""
    client = FakeWriteClient()
    upd_id = client.seed(EP, {"number": "U-9", "name": "old"})
    ops = [create(i) for i in range(8)] + [create(8, keyed=False), update(30, upd_id, "new")]
    journal.begin_many(ops)
    for i, op in enumerate(ops[:8]):
        if i < 2:  # finished before the kill
            rid = client.seed(EP, dict(op.body or {}))
            journal.mark_sent(op.op_id)
            journal.mark_done(op.op_id, rid)
        elif i < 5:  # the server committed, the reply was lost with the process
            journal.mark_sent(op.op_id)
            client.seed(EP, dict(op.body or {}))
        elif i < 7:  # sent, but killed before the server committed
            journal.mark_sent(op.op_id)
        # i == 7: never sent
    journal.mark_sent(ops[8].op_id)  # no key: outcome cannot be checked
    journal.mark_sent(ops[9].op_id)  # the update may or may not have landed
    outs = apply_ops(ops, client, journal, resume=True)
    assert [o.status for o in outs] == ["skipped"] * 2 + ["applied"] * 6 + ["unknown", "applied"]
    assert numbers(client) == Counter({f"C-{i:03d}": 1 for i in range(8)} | {f"U-{upd_id}": 1})
    assert client.count("create") == 3  # rows 5, 6 (not committed) and 7 (never sent)
    assert client.count("find") == 5  # rows 2..6: every 'sent' create was checked first
    assert client.records(EP)[upd_id]["name"] == "new"
    assert journal.summary() == {"intent": 0, "sent": 0, "done": 9, "failed": 0, "unknown": 1}


def test_edited_row_after_a_kill_is_not_created_twice(journal: Journal) -> None:
    client = FakeWriteClient()
    before = [create(0, keyed=False), create(1)]
    journal.begin_many(before)
    for op in before:
        journal.mark_sent(op.op_id)
        client.seed(EP, dict(op.body or {}))  # both landed; then the process died
    # The user edits both rows, then resumes: the op ids changed with the values.
    after = [create(0, keyed=False, name="Edited 0"), create(1, name="Edited 1")]
    no_key, keyed = apply_ops(after, client, journal, resume=True)
    assert no_key.status == "unknown" and "before the row was edited" in no_key.message
    assert keyed.status == "applied" and "run the import again" in keyed.message
    assert numbers(client) == Counter({"C-000": 1, "C-001": 1}) and client.count("create") == 0
    assert journal.get(before[1].op_id).state == "failed"  # type: ignore[union-attr]  # superseded
    assert journal.interrupted() == []  # nothing left to block a later fresh run


def test_ctrl_c_stops_cleanly_and_resume_finishes(journal: Journal) -> None:
    client = FakeWriteClient(latency=0.005)
    ops = [create(i) for i in range(40)]

    def interrupt(done: int, failed: int) -> None:
        if done == 5:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        apply_ops(ops, client, journal, workers=2, progress=interrupt)
    summary = journal.summary()
    assert summary["sent"] == 0 and summary["unknown"] == 0  # in-flight writes settled
    assert 5 <= summary["done"] < 40 and summary["intent"] == 40 - summary["done"]
    assert client.count("create") == summary["done"]  # nothing was sent after the interrupt
    with pytest.raises(JournalError):
        apply_ops(ops, client, journal)
    outs = apply_ops(ops, client, journal, resume=True)
    assert by_status(outs) == {"skipped": summary["done"], "applied": 40 - summary["done"]}
    assert numbers(client) == Counter({f"C-{i:03d}": 1 for i in range(40)})


class MaxRandom(random.Random):
    """Always the longest backoff, so only an interrupt can end the wait."""

    def uniform(self, a: float, b: float) -> float:
        return b


def test_ctrl_c_cuts_a_backoff_short_and_sends_nothing_more(journal: Journal) -> None:
    a_failed_once = threading.Event()

    def faults(call: Call) -> str | None:
        if call.target == "C-000":
            a_failed_once.set()
            return "503"
        return None

    def gate(call: Call) -> None:
        if call.target == "C-001":  # B finishes only once A is waiting to retry
            assert a_failed_once.wait(10)

    def interrupt(done: int, failed: int) -> None:
        raise KeyboardInterrupt

    client = FakeWriteClient(faults=faults)
    client.gate = gate
    ops = [create(0), create(1), create(2)]
    slow = RetryPolicy(base=60, cap=60, rng=MaxRandom())  # real, interruptible wait
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        apply_ops(ops, client, journal, workers=2, progress=interrupt, retry=slow)
    assert time.monotonic() - started < 30
    a = journal.get(ops[0].op_id)
    assert a is not None and a.state == "intent" and "interrupted" in a.message  # 503: certainly not applied
    assert [c.target for c in client.calls if c.method == "create"].count("C-000") == 1
    c_state = journal.get(ops[2].op_id).state  # type: ignore[union-attr]
    assert c_state in ("intent", "done")  # a free worker may have taken it just before the interrupt
    client.faults = None  # the server is back
    outs = apply_ops(ops, client, journal, resume=True)
    assert [o.status for o in outs] == ["applied", "skipped", "skipped" if c_state == "done" else "applied"]
    assert numbers(client) == Counter({"C-000": 1, "C-001": 1, "C-002": 1})


def test_bad_plans_are_rejected_before_anything_is_sent(journal: Journal) -> None:
    client = FakeWriteClient()
    with pytest.raises(ValueError, match="duplicate op_id"):
        apply_ops([create(0), create(0)], client, journal)
    with pytest.raises(ValueError, match="no record id"):
        apply_ops([make_op("update", EP, "S", 2, {"a": 1})], client, journal)
    assert client.calls == [] and journal.entries() == []


# -- a real kill -9 ----------------------------------------------------------------------

def _journal_state(path: Path) -> Counter[str]:
    if not path.exists():
        return Counter()
    conn = sqlite3.connect(path, timeout=5)
    try:
        return Counter(dict(conn.execute("SELECT state, COUNT(*) FROM ops GROUP BY state").fetchall()))
    except sqlite3.OperationalError:  # the child has not created the table yet
        return Counter()
    finally:
        conn.close()


def _server_has(db: Path, number: str) -> bool:
    conn = sqlite3.connect(db, timeout=5)
    try:
        rows = conn.execute("SELECT body FROM records").fetchall()
    finally:
        conn.close()
    return any(f'"number": "{number}"' in b for (b,) in rows)


@pytest.mark.timeout(60)
def test_kill9_resume(tmp_path: Path) -> None:
    n = 40
    for iteration, (hang_at, kill_after) in enumerate([(3, 4), (12, 10), (25, 20)]):
        work = tmp_path / f"run{iteration}"
        work.mkdir()
        server_db, jpath = work / "server.sqlite", work / "in.xlsx.bulktool-journal.sqlite"
        seed = FakeWriteClient(str(server_db))
        update_ids = [seed.seed(EP, {"number": f"E-{i:03d}", "name": "old"}) for i in range(5)]
        seed.close()
        hang_key = f"C-{hang_at:03d}"
        child = subprocess.Popen(
            [sys.executable, str(HELPERS / "kill9_child.py"), str(server_db), str(jpath), str(n), hang_key,
             ",".join(update_ids)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        try:
            deadline = time.monotonic() + 30
            while not (_journal_state(jpath)["done"] >= kill_after and _server_has(server_db, hang_key)):
                assert child.poll() is None, child.communicate()[1].decode()
                assert time.monotonic() < deadline, "the child made no progress"
                time.sleep(0.01)  # polling interval, not a wait for an outcome
            child.send_signal(signal.SIGKILL)
            child.wait(10)
        finally:
            if child.poll() is None:
                child.kill()
                child.wait(10)
        assert child.returncode == -signal.SIGKILL
        ops = kill_scenario_ops(n, update_ids)
        hang_op = next(op for op in ops if op.key_value == hang_key)
        with Journal(jpath) as j:
            # Committed on the server, but the journal only knows it was sent: the dangerous case.
            assert j.get(hang_op.op_id).state == "sent"  # type: ignore[union-attr]
            with pytest.raises(JournalError, match="--resume"):
                apply_ops(ops, FakeWriteClient(str(server_db)), j)
            client = FakeWriteClient(str(server_db))
            outs = apply_ops(ops, client, j, resume=True, retry=policy(Sleeps()))
            assert j.summary()["done"] == len(ops)
        assert not [o for o in outs if o.status not in ("applied", "skipped")]
        hang_out = outs[ops.index(hang_op)]
        assert hang_out.status == "applied" and "earlier attempt" in hang_out.message
        recs = client.records(EP).values()
        created = Counter(r["number"] for r in recs if r["number"].startswith("C-"))
        assert created == Counter({f"C-{i:03d}": 1 for i in range(n)}), "duplicates or lost rows"
        renamed = sorted(r["name"] for r in recs if r["number"].startswith("E-"))
        assert renamed == [f"Renamed {i}" for i in range(5)]
        client.close()
