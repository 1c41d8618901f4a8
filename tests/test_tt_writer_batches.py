"""The batch writer against a fake versioned bulk API: refused items, lost replies, kills and 409s.

The promise under test: every item of a batch is journaled on its own, so a refused item fails
with the server's own words while the rest are applied; a lost reply or a kill never creates a
record twice nor sends a partial update twice blindly; and an edit by someone else between the
plan and the write is either kept (other fields) or reported as a conflict (the same field).
No test sleeps: the retry policy's sleep and the journal's clock are injected.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "helpers"))

from fake_versioned import DUPLICATE, Killed, VersionedApi, faults_at

from bulktool.writer.apply import apply_ops
from bulktool.writer.journal import Journal
from bulktool.writer.ports import OpOutcome, WriteOp, make_op
from bulktool.writer.retry import RetryPolicy

EP = "customers"


class Clock:
    """The journal's clock, moved by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=5)
        return self.now


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


def journal_at(path: Path) -> Journal:
    return Journal(path, clock=Clock())


def run(ops: list[WriteOp], api: VersionedApi, path: Path, sleeps: Sleeps, *, resume: bool = False,
        workers: int = 2) -> list[OpOutcome]:
    with journal_at(path) as journal:
        return apply_ops(ops, api, journal, resume=resume, workers=workers, retry=RetryPolicy(sleep=sleeps))


def creates(n: int, *, dup: dict[int, str] | None = None) -> list[WriteOp]:
    dup = dup or {}
    ops = []
    for i in range(n):
        number = dup.get(i, f"N-{i:03d}")
        ops.append(make_op("create", EP, "Customers", i + 2, {"number": number, "name": f"Kunde {i}"},
                           key_field="number", key_value=number))
    return ops


def update(api: VersionedApi, rid: str, row: int, **fields: Any) -> WriteOp:
    """A versioned partial update planned now: the live version, and the live values it changes."""
    rec = api.records[rid]
    body = {"id": rec["id"], "version": rec["version"], **fields}
    return make_op("update", EP, "Customers", row, body, record_id=rid, version_field="version",
                   base={f: rec.get(f) for f in fields}, want=dict(fields))


def states(path: Path) -> dict[str, str]:
    with Journal(path) as j:
        return {e.op_id: e.state for e in j.entries()}


def test_one_duplicate_in_a_batch_of_100_fails_alone_with_the_servers_words(tmp_path: Path, sleeps: Sleeps) -> None:
    api = VersionedApi()
    taken = api.seed(number="N-050", name="Finnes AS")
    ops = creates(100)
    outs = run(ops, api, tmp_path / "j.sqlite", sleeps)
    bad = outs[50]
    assert bad.status == "failed" and bad.permanent and bad.message == f"number: {DUPLICATE}"
    assert bad.request_id == "req-422"
    assert [o.status for i, o in enumerate(outs) if i != 50] == ["applied"] * 99
    assert api.count("create_many") == 2 and api.count("create") == 0  # the refused round, then the 99
    assert api.requests[1].bodies == tuple(op.body for i, op in enumerate(ops) if i != 50)
    assert sorted(r["number"] for r in api.records.values() if str(r["id"]) != taken) == \
        sorted(f"N-{i:03d}" for i in range(100) if i != 50)
    assert list(states(tmp_path / "j.sqlite").values()).count("done") == 99
    with Journal(tmp_path / "j.sqlite") as j:
        entry = j.get(ops[50].op_id)
        assert entry is not None and entry.state == "failed" and entry.message == f"number: {DUPLICATE}"
        assert entry.request_id == "req-422"
        created = {o.result_id for o in outs if o.status == "applied"}
        assert created == {str(r["id"]) for r in api.records.values()} - {taken}
    assert "sent again" in outs[0].message and sleeps == []  # a refusal is not a failure to back off from


def test_a_server_naming_one_bad_item_per_round_gets_a_round_per_bad_item(tmp_path: Path, sleeps: Sleeps) -> None:
    api = VersionedApi(batch=10)
    for n in ("N-002", "N-005", "N-008"):
        api.seed(number=n)
    outs = run(creates(10), api, tmp_path / "j.sqlite", sleeps)
    assert [i for i, o in enumerate(outs) if o.status == "failed"] == [2, 5, 8]
    assert all(outs[i].message == f"number: {DUPLICATE}" for i in (2, 5, 8))
    assert api.count("create_many") == 4  # three refusals, each naming only its first bad item, then the 7
    assert api.numbers().count("N-002") == 1 and len(api.records) == 10


def test_writes_go_in_batches_of_the_clients_size_each_item_journaled(tmp_path: Path, sleeps: Sleeps) -> None:
    api = VersionedApi(batch=100)
    rids = [api.seed(number=f"U-{i}", name="gammel") for i in range(250)]
    ops = [update(api, rid, i + 2, name=f"ny {i}") for i, rid in enumerate(rids)]
    outs = run(ops, api, tmp_path / "j.sqlite", sleeps, workers=3)
    assert [o.status for o in outs] == ["applied"] * 250
    assert sorted(len(r.bodies) for r in api.requests if r.method == "update_many") == [50, 100, 100]
    assert api.count("update") == 0
    assert all(api.records[rid]["name"] == f"ny {i}" and api.records[rid]["version"] == 1
               for i, rid in enumerate(rids))
    assert set(states(tmp_path / "j.sqlite").values()) == {"done"}
    assert {o.result_id for o in outs} == set(rids)


def test_a_lost_reply_of_a_create_batch_is_settled_by_key_never_created_twice(tmp_path: Path, sleeps: Sleeps) -> None:
    api = VersionedApi(faults=faults_at({("create_many", 0): "drop_after"}))
    outs = run(creates(30), api, tmp_path / "j.sqlite", sleeps)
    assert [o.status for o in outs] == ["applied"] * 30
    assert api.count("create_many") == 1 and api.count("find") == 30
    assert api.numbers() == [f"N-{i:03d}" for i in range(30)]  # each exactly once
    assert all("earlier attempt" in o.message for o in outs)
    assert {o.result_id for o in outs} == {str(r["id"]) for r in api.records.values()}
    assert len(sleeps) == 1  # one wait before looking: a server still finishing the batch gets to commit it


def test_a_batch_lost_before_the_server_saved_it_is_sent_again_once(tmp_path: Path, sleeps: Sleeps) -> None:
    api = VersionedApi(faults=faults_at({("create_many", 0): "drop_before", ("create_many", 1): "503"}))
    outs = run(creates(20), api, tmp_path / "j.sqlite", sleeps)
    assert [o.status for o in outs] == ["applied"] * 20
    assert api.count("create_many") == 3 and api.count("find") == 20  # the lookups found the keys free
    assert api.numbers() == [f"N-{i:03d}" for i in range(20)]
    assert len(sleeps) == 2


def test_a_lost_reply_of_an_update_batch_is_settled_by_the_version(tmp_path: Path, sleeps: Sleeps) -> None:
    api = VersionedApi(faults=faults_at({("update_many", 0): "drop_after"}))
    rids = [api.seed(number=f"U-{i}", name="gammel") for i in range(5)]
    outs = run([update(api, rid, i + 2, name="ny") for i, rid in enumerate(rids)], api, tmp_path / "j", sleeps)
    assert [o.status for o in outs] == ["applied"] * 5
    assert api.count("update_many") == 1 and api.count("reread") == 5  # version moved on to our values
    assert [api.records[r]["version"] for r in rids] == [1] * 5  # never sent twice
    assert all("landed" in o.message for o in outs)


def test_an_update_batch_lost_before_saving_is_resent_and_one_changed_by_another_is_left(
    tmp_path: Path, sleeps: Sleeps
) -> None:
    api = VersionedApi(faults=faults_at({("update_many", 0): "drop_before"}))
    rids = [api.seed(number=f"U-{i}", name="gammel", city="Oslo") for i in range(3)]
    ops = [update(api, rid, i + 2, name="ny") for i, rid in enumerate(rids)]
    outs = run(ops, api, tmp_path / "j", sleeps)
    assert [o.status for o in outs] == ["applied"] * 3
    assert api.count("update_many") == 2 and [api.records[r]["version"] for r in rids] == [1] * 3

    # A lost reply, and by the time we look someone else has saved the record with other values.
    api2 = VersionedApi(faults=faults_at({("update_many", 0): "drop_after"}))
    rid = api2.seed(number="U-9", name="gammel")
    op = update(api2, rid, 2, name="ny")
    api2.after_write = lambda req: api2.edit(rid, name="kollegans") if req.method == "update_many" else None
    [out] = run([op], api2, tmp_path / "j2", sleeps)
    assert out.status == "unknown" and "changed since" in out.message and "not sent again" in out.message
    assert api2.count("update_many") == 1 and api2.records[rid]["name"] == "kollegans"


def test_kill_mid_batch_then_resume_applies_each_create_exactly_once(tmp_path: Path, sleeps: Sleeps) -> None:
    path = tmp_path / "j.sqlite"
    ops = creates(40)
    api = VersionedApi(batch=20, faults=faults_at({("create_many", 1): "kill_after"}))
    with pytest.raises(Killed):
        run(ops, api, path, sleeps, workers=1)
    left = states(path)
    assert sorted(left.values()).count("sent") == 20  # the killed batch: every item 'maybe applied'
    assert len(api.records) == 40  # the server saved it before the process died
    api.faults = None
    outs = run(ops, api, path, sleeps, resume=True)
    assert [o.status for o in outs[:20]] == ["skipped"] * 20  # done before the kill
    assert [o.status for o in outs[20:]] == ["applied"] * 20
    assert all("not created again" in o.message for o in outs[20:])
    assert api.numbers() == [f"N-{i:03d}" for i in range(40)]
    assert set(states(path).values()) == {"done"}


def test_kill_before_the_batch_left_then_resume_creates_them_once(tmp_path: Path, sleeps: Sleeps) -> None:
    path = tmp_path / "j.sqlite"
    ops = creates(10)
    api = VersionedApi(faults=faults_at({("create_many", 0): "kill_before"}))
    with pytest.raises(Killed):
        run(ops, api, path, sleeps)
    assert set(states(path).values()) == {"sent"} and api.records == {}
    api.faults = None
    outs = run(ops, api, path, sleeps, resume=True)
    assert [o.status for o in outs] == ["applied"] * 10
    assert api.numbers() == [f"N-{i:03d}" for i in range(10)] and api.count("create") == 10


def test_kill_mid_update_batch_then_resume_checks_versions(tmp_path: Path, sleeps: Sleeps) -> None:
    path = tmp_path / "j.sqlite"
    api = VersionedApi(batch=3, faults=faults_at({("update_many", 0): "kill_before"}))
    rids = [api.seed(number=f"U-{i}", name="gammel") for i in range(3)]
    ops = [update(api, rid, i + 2, name="ny") for i, rid in enumerate(rids)]
    with pytest.raises(Killed):
        run(ops, api, path, sleeps, workers=1)
    api.faults = None
    outs = run(ops, api, path, sleeps, resume=True)  # the version never moved: not applied, send it
    assert [o.status for o in outs] == ["applied"] * 3
    assert [api.records[r]["version"] for r in rids] == [1] * 3 and api.count("reread") == 3


def test_an_edit_of_another_field_between_plan_and_write_is_kept(tmp_path: Path, sleeps: Sleeps) -> None:
    api = VersionedApi(batch=1)  # single-record calls
    rid = api.seed(number="U-1", name="gammel", city="Oslo")
    op = update(api, rid, 2, name="ny")
    api.edit(rid, city="Bergen")  # a colleague, after the plan
    [out] = run([op], api, tmp_path / "j", sleeps)
    assert out.status == "applied" and "their edit is kept" in out.message
    rec = api.records[rid]
    assert (rec["name"], rec["city"], rec["version"]) == ("ny", "Bergen", 2)
    sent = [r.bodies[0] for r in api.requests if r.method == "update"]
    assert sent == [{"id": rec["id"], "version": 0, "name": "ny"}, {"id": rec["id"], "version": 1, "name": "ny"}]


def test_an_edit_of_the_same_field_between_plan_and_write_is_a_conflict(tmp_path: Path, sleeps: Sleeps) -> None:
    api = VersionedApi(batch=1)
    rid = api.seed(number="U-1", name="gammel")
    op = update(api, rid, 2, name="ny")
    api.edit(rid, name="kollegans")
    [out] = run([op], api, tmp_path / "j", sleeps)
    assert out.status == "failed" and out.conflict and out.permanent
    assert "name is now 'kollegans'" in out.message and "'gammel'" in out.message and "'ny'" in out.message
    assert api.records[rid]["name"] == "kollegans" and api.count("update") == 1  # never overwritten
    with Journal(tmp_path / "j") as j:
        entry = j.get(op.op_id)
        assert entry is not None and entry.state == "failed" and entry.message.startswith("conflict")


def test_a_409_in_an_update_batch_settles_each_item_on_its_own(tmp_path: Path, sleeps: Sleeps) -> None:
    api = VersionedApi(batch=10)
    rids = [api.seed(number=f"U-{i}", name="gammel", city="Oslo") for i in range(4)]
    ops = [update(api, rid, i + 2, name=f"ny {i}") for i, rid in enumerate(rids)]
    api.edit(rids[1], city="Bergen")  # other field: kept, ours re-sent
    api.edit(rids[2], name="kollegans")  # same field: conflict
    outs = run(ops, api, tmp_path / "j", sleeps)
    assert [o.status for o in outs] == ["applied", "applied", "failed", "applied"]
    assert outs[2].conflict and not outs[1].conflict
    assert [api.records[r]["name"] for r in rids] == ["ny 0", "ny 1", "kollegans", "ny 3"]
    assert api.records[rids[1]]["city"] == "Bergen"
    # Refused whole for the versions: [0 1 2 3] -> [0 1] [2 3] -> each alone, settled by a re-read.
    assert api.count("update_many") == 3 and api.count("update") == 5  # 1 + (409, 200) + 409 + 1
    assert set(states(tmp_path / "j").values()) == {"done", "failed"}


def test_a_record_deleted_between_plan_and_write_fails_clearly(tmp_path: Path, sleeps: Sleeps) -> None:
    api = VersionedApi(batch=1, faults=faults_at({("update", 0): "drop_after"}))
    rid = api.seed(number="U-1", name="gammel")
    op = update(api, rid, 2, name="ny")
    api.after_write = lambda req: api.records.pop(rid, None)
    [out] = run([op], api, tmp_path / "j", sleeps)
    assert out.status == "failed" and "no longer exists" in out.message


def test_batch_refused_without_naming_an_item_is_halved_until_the_bad_one_is_alone(
    tmp_path: Path, sleeps: Sleeps
) -> None:
    api = VersionedApi(batch=5)
    real = api.create_many

    def unnamed(endpoint: str, bodies: Any) -> list[dict[str, Any]]:
        from bulktool.errors import BatchRejected

        try:
            return real(endpoint, bodies)
        except BatchRejected as exc:
            raise BatchRejected(str(exc), status=422) from None  # no positions named

    api.create_many = unnamed  # type: ignore[method-assign]
    api.seed(number="N-003")
    outs = run(creates(5), api, tmp_path / "j", sleeps)
    assert [o.status for o in outs] == ["applied", "applied", "applied", "failed", "applied"]
    assert api.count("create_many") == 3 and api.count("create") == 2  # [0-4] -> [0-2] ok, [3 4] -> alone
    assert api.numbers().count("N-003") == 1
    assert outs[3].message == "Validering feilet."


def test_a_409_on_a_record_that_already_holds_our_values_is_not_sent_again(tmp_path: Path, sleeps: Sleeps) -> None:
    api = VersionedApi(batch=1)
    rid = api.seed(number="U-1", name="gammel")
    op = update(api, rid, 2, name="ny")
    api.edit(rid, name="ny")  # the same edit, made by someone else first
    [out] = run([op], api, tmp_path / "j", sleeps)
    assert out.status == "applied" and "already holds these values" in out.message
    assert api.count("update") == 1 and api.records[rid]["version"] == 1


def test_one_stale_record_in_a_batch_of_100_costs_a_few_requests_not_100(tmp_path: Path, sleeps: Sleeps) -> None:
    api = VersionedApi(batch=100)
    rids = [api.seed(number=f"U-{i}", name="gammel", city="Oslo") for i in range(100)]
    ops = [update(api, rid, i + 2, name=f"ny {i}") for i, rid in enumerate(rids)]
    api.edit(rids[70], city="Bergen")
    outs = run(ops, api, tmp_path / "j", sleeps)
    assert [o.status for o in outs] == ["applied"] * 100
    assert api.records[rids[70]]["city"] == "Bergen" and api.records[rids[70]]["name"] == "ny 70"
    writes_sent = api.count("update_many") + api.count("update")
    assert writes_sent <= 16, writes_sent
    assert all(r["version"] == (2 if rid == rids[70] else 1) for rid, r in api.records.items())
