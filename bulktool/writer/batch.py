"""Creates and updates sent many to a request, through the API's bulk operations, still exactly once.

A batch is all or nothing at the server. Every item is journaled on its own
('sent' before the request, 'done'/'failed'/'unknown' after), so a resume
after a lost reply or a kill checks each item as the single-record path
would (``runner``). When the server refuses a batch naming its bad items,
those fail with the server's own message and the rest go again, round after
round (some servers name only the first bad item of a request). A batch
refused for a version conflict, or without naming any item, is split in
halves until the records at fault are alone (a stale record in a batch of
100 costs 16 requests, not 100); a record alone goes through the
single-record path, which settles a 409 by re-reading the record. Any other
refusal of the whole batch sends its records one at a time, so each row gets
its own answer.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from ..errors import BatchRejected, BulktoolError, VersionConflict
from ..workbook.meta import record_id
from .ports import OpOutcome, WriteOp
from .retry import outcome_kind
from .runner import INTERRUPTED_MSG, NOT_RESENT_MSG, OpRunner, _Attempt, _request_id
from .versions import after_lost_reply

log = logging.getLogger(__name__)

RESENT_MSG = "not saved: another item of its batch was refused; sent again"


class BatchRunner:
    """Carries one batch (same endpoint and action, all never sent before) to settled journal states."""

    def __init__(self, runner: OpRunner) -> None:
        self.runner = runner
        self.client = runner.client
        self.journal = runner.journal
        self.policy = runner.policy

    def run(self, ops: Sequence[WriteOp]) -> list[OpOutcome]:
        out: dict[str, OpOutcome] = {}
        pending = list(ops)
        singles: list[WriteOp] = []
        halves: list[list[WriteOp]] = []
        failures = 0
        rounds = 0
        while pending:
            if self.runner.stop.is_set():
                self.journal.mark_unsent_many([op.op_id for op in pending], INTERRUPTED_MSG)
                out.update((op.op_id, OpOutcome(op.op_id, "skipped", None, INTERRUPTED_MSG)) for op in pending)
                break
            self.journal.mark_sent_many(op.op_id for op in pending)
            rounds += 1
            try:
                results = self._send(pending)
            except BatchRejected as exc:
                named = {p: m for p, m in exc.items.items() if 0 <= p < len(pending)}
                if not named:
                    halves = self._split(pending, str(exc))
                    break
                pending = self._refused(pending, named, exc, out)
                continue
            except VersionConflict as exc:  # which item is out of date: halving the batch tells
                halves = self._split(pending, str(exc))
                break
            except BulktoolError as exc:
                kind = outcome_kind(exc)
                if kind == "rejected":  # refused whole without naming an item
                    singles = self._unsend(pending, str(exc))
                    break
                failures += 1
                self.runner._wait(failures - 1)  # a server still finishing the batch must get to commit it
                if kind == "maybe_applied":
                    pending = self._recover(pending, exc, out)
                else:
                    self.journal.mark_unsent_many([op.op_id for op in pending], str(exc))
                if pending and failures >= self.policy.max_attempts:
                    msg = f"{exc} (gave up after {failures} attempts)"
                    for op in pending:
                        self.journal.mark_failed(op.op_id, msg, _request_id(exc))
                        out[op.op_id] = OpOutcome(op.op_id, "failed", None, msg, _request_id(exc))
                    break
                log.info("batch of %d %s: %s; retrying", len(pending), pending[0].action if pending else "", exc)
                continue
            except Exception as exc:  # a bug or an unreadable reply after the request went out
                log.exception("unexpected error writing a batch of %d", len(pending))
                for op in pending:
                    out[op.op_id] = self.runner._unknown(
                        op, f"unexpected error after sending: {type(exc).__name__}: {exc}")
                break
            self._saved(pending, results, out, rounds)
            break
        for half in halves:
            if len(half) == 1:
                singles += half
                continue
            out.update((o.op_id, o) for o in self.run(half))
        for op in singles:
            out[op.op_id] = self.runner.run(op, "send")
        return [out[op.op_id] for op in ops]

    # -- steps -------------------------------------------------------------------------
    def _send(self, ops: Sequence[WriteOp]) -> list[dict[str, Any]]:
        endpoint, bodies = ops[0].endpoint, [dict(op.body or {}) for op in ops]
        if ops[0].action == "create":
            results = self.client.create_many(endpoint, bodies)
        else:
            results = self.client.update_many(endpoint, bodies)
        if len(results) != len(ops):
            raise ValueError(f"the server answered {len(results)} records for a batch of {len(ops)}")
        return results

    def _saved(
        self, ops: Sequence[WriteOp], results: Sequence[dict[str, Any]], out: dict[str, OpOutcome], rounds: int
    ) -> None:
        verb = "created" if ops[0].action == "create" else "updated"
        msg = verb if rounds == 1 else f"{verb} (sent again after other items of its batch were refused)"
        done: list[tuple[str, str | None, str]] = []
        for op, rec in zip(ops, results, strict=True):
            rid = record_id(rec.get("id")) if op.action == "create" and isinstance(rec, dict) else op.record_id
            done.append((op.op_id, rid, msg))
            out[op.op_id] = OpOutcome(op.op_id, "applied", rid, msg)
        self.journal.mark_done_many(done)

    def _refused(
        self, ops: list[WriteOp], named: dict[int, list[str]], exc: BatchRejected, out: dict[str, OpOutcome]
    ) -> list[WriteOp]:
        """Fail the items the server named, with its words; the rest were not saved and go again."""
        rid = _request_id(exc)
        rest: list[WriteOp] = []
        for i, op in enumerate(ops):
            if i not in named:
                rest.append(op)
                continue
            msg = "; ".join(named[i]) or str(exc)
            self.journal.mark_failed(op.op_id, msg, rid)
            out[op.op_id] = OpOutcome(op.op_id, "failed", None, msg, rid, permanent=True)
        self.journal.mark_unsent_many([op.op_id for op in rest], RESENT_MSG)
        return rest

    def _split(self, ops: list[WriteOp], why: str) -> list[list[WriteOp]]:
        """The server saved nothing of this batch and named no item: try each half on its own."""
        self.journal.mark_unsent_many([op.op_id for op in ops], f"batch refused: {why}")
        mid = (len(ops) + 1) // 2
        log.info("batch of %d refused (%s); trying its halves", len(ops), why)
        return [half for half in (ops[:mid], ops[mid:]) if half]

    def _unsend(self, ops: list[WriteOp], why: str) -> list[WriteOp]:
        """The server saved nothing of this batch: back to 'intent', to go one record at a time."""
        log.info("batch of %d refused whole (%s); sending one at a time", len(ops), why)
        self.journal.mark_unsent_many([op.op_id for op in ops], f"batch refused: {why}")
        return list(ops)

    def _recover(self, ops: list[WriteOp], exc: BulktoolError, out: dict[str, OpOutcome]) -> list[WriteOp]:
        """A batch whose reply was lost: settle what landed; the ops returned certainly did not."""
        again: list[WriteOp] = []
        for op in ops:
            st = _Attempt(maybe_applied=True, need_lookup=op.action == "create")
            if op.action == "create":
                if not op.has_key:
                    out[op.op_id] = self.runner._unknown(op, f"{exc}. {self.runner._no_key_hint()}")
                    continue
                found = self.runner._lookup(op, st, ())
            elif op.version_field is not None:
                verdict = self.runner._check(op, st, exc, after_lost_reply)
                found = verdict if isinstance(verdict, OpOutcome) else (
                    None if verdict.decision == "resend" else self.runner._settled(op, verdict, exc))
            elif self.client.resend_is_harmless:
                found = None
            else:
                found = self.runner._unknown(op, f"{exc}. {NOT_RESENT_MSG}")
            if found is None:
                again.append(op)
            else:
                out[op.op_id] = found
        if again:
            self.journal.mark_unsent_many([op.op_id for op in again], f"{exc}; not saved, sent again")
        return again
