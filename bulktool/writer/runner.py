"""One write, carried to a settled journal state, without ever creating a record twice.

Mode ``send``: nothing has reached the server yet. ``recover``: an earlier
attempt at this create may have been applied, so look the record up before
creating it: by its id where the client gives ids (one GET, exact), else by
its natural key. A create with the client's id that the server refuses as
existing (409) becomes an update in upsert mode, a failed row otherwise. ``replay``: an earlier update/delete may have
been applied; sending the same body again is harmless when the client's write
policy says so (a full replacement). A versioned update is settled by
re-reading the record (``versions``); any other the outcome is left unknown.
A versioned update the server refuses as out of date (409) is checked again
against the record as it is now: re-sent with the new version, or a conflict.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from ..errors import ApiError, BulktoolError, VersionConflict
from ..workbook.meta import record_id
from .journal import Journal, JournalEntry
from .ports import Current, OpOutcome, WriteClient, WriteOp
from .retry import RetryPolicy, outcome_kind
from .versions import Verdict, after_conflict, after_lost_reply

log = logging.getLogger(__name__)

Mode = Literal["send", "recover", "replay"]
_Rule = Callable[[WriteOp, Current | None], Verdict]
INTERRUPTED_MSG = "interrupted before it was sent"
NOT_RESENT_MSG = ("an earlier attempt may have applied this update, and this API's updates are not safe to "
                  "send twice: not sent again; check the record")


def _request_id(exc: BaseException) -> str | None:
    return exc.request_id if isinstance(exc, ApiError) else None


def _record_id(record: Any) -> str | None:
    return record_id(record.get("id")) if isinstance(record, dict) else None


@dataclass
class _Attempt:
    """Where one op stands while it is being carried out."""

    maybe_applied: bool  # an earlier send may have reached the server
    need_lookup: bool
    failures: int = 0
    sends: int = 0
    rebased: int = 0  # times re-sent with a newer version after someone else's edit


class OpRunner:
    """Shared by the worker threads; all state lives in the journal or on the stack."""

    def __init__(self, client: WriteClient, journal: Journal, policy: RetryPolicy) -> None:
        self.client = client
        self.journal = journal
        self.policy = policy
        self.stop = threading.Event()

    # -- entry point ---------------------------------------------------------------
    def run(self, op: WriteOp, mode: Mode, predecessors: Sequence[JournalEntry] = ()) -> OpOutcome:
        st = _Attempt(maybe_applied=mode != "send", need_lookup=mode == "recover")
        if mode == "replay" and op.action == "update" and not self.client.resend_is_harmless:
            if op.version_field is None:
                return self._unknown(op, NOT_RESENT_MSG)
            settled = self._settle_lost_update(op, st, None)
            if settled is not None:
                return settled
        if mode == "recover" and not self._can_check(op, predecessors):
            return self._unknown(op, self._unknown_create_msg(op, predecessors))
        while True:
            if st.need_lookup:
                found = self._lookup(op, st, predecessors)
                if found is not None:
                    return found
                st.need_lookup = st.maybe_applied = False  # the key is free: no earlier create landed
            if self.stop.is_set():
                return self._interrupted(op, st)
            self.journal.mark_sent(op.op_id)
            st.sends += 1
            try:
                record = self._send(op)
            except VersionConflict as exc:
                if op.action != "update" or op.version_field is None or st.rebased >= self.policy.max_attempts:
                    return self._rejected(op, st, exc)
                verdict = self._check(op, st, exc, after_conflict)
                if isinstance(verdict, OpOutcome):
                    return verdict
                if verdict.op is None:
                    return self._settled(op, verdict, exc)
                op, st.rebased = verdict.op, st.rebased + 1
                log.info("%s: saved by someone else since the plan (other fields); sending again", op.where)
                continue
            except BulktoolError as exc:
                kind = outcome_kind(exc)
                if op.action == "create" and op.record_id and isinstance(exc, ApiError) and exc.status == 409:
                    return self._exists(op, st, exc, predecessors)
                if kind == "rejected":
                    return self._rejected(op, st, exc)
                st.failures += 1
                if kind == "maybe_applied":
                    st.maybe_applied = True
                    if op.action == "update" and not self.client.resend_is_harmless:
                        if op.version_field is None:
                            return self._unknown(op, f"{exc}. {NOT_RESENT_MSG}")
                        if st.failures >= self.policy.max_attempts:
                            return self._give_up(op, st, exc)
                        self._wait(st.failures - 1)
                        settled = self._settle_lost_update(op, st, exc)
                        if settled is not None:
                            return settled
                        continue
                    if op.action == "create":
                        if not op.has_key and not op.record_id:
                            return self._unknown(op, f"{exc}. {self._no_key_hint()}")
                        st.need_lookup = True
                if st.failures >= self.policy.max_attempts:
                    return self._give_up(op, st, exc)
                log.info("%s: %s; retrying", op.where, exc)
                # Wait before a lookup too: a server still finishing a dropped create must get to commit it.
                self._wait(st.failures - 1)
                continue
            except Exception as exc:  # a bug or unreadable reply after the request went out
                log.exception("unexpected error writing %s", op.where)
                return self._unknown(op, f"unexpected error after sending: {type(exc).__name__}: {exc}")
            rid = (_record_id(record) or op.record_id) if op.action == "create" else op.record_id
            msg = {"create": "created", "update": "updated", "delete": "deleted"}[op.action]
            if st.rebased:
                msg += " (someone else had saved other fields of the record since the plan; their edit is kept)"
            elif st.sends > 1:
                msg += f" (after {st.sends} attempts)"
            return self._done(op, rid, msg, predecessors)

    # -- versioned updates --------------------------------------------------------------
    def _settle_lost_update(self, op: WriteOp, st: _Attempt, exc: BulktoolError | None) -> OpOutcome | None:
        """Whether a sent update of unknown outcome landed; None: it did not, send it again."""
        verdict = self._check(op, st, exc, after_lost_reply)
        if isinstance(verdict, OpOutcome):
            return verdict
        if verdict.decision == "resend":
            st.maybe_applied = False
            return None
        return self._settled(op, verdict, exc)

    def _check(
        self, op: WriteOp, st: _Attempt, exc: BulktoolError | None, rule: _Rule
    ) -> Verdict | OpOutcome:
        """Re-read the record and apply ``rule``; an outcome when the re-read itself keeps failing."""
        assert op.record_id is not None
        while True:
            try:
                current = self.client.reread(op.endpoint, op.record_id, list(op.want))
                return rule(op, current)
            except BulktoolError as err:
                st.failures += 1
                if outcome_kind(err) == "rejected" or st.failures >= self.policy.max_attempts:
                    why = f"{exc}. " if exc is not None else ""
                    msg = f"{why}Could not re-read {op.where} to check it: {err}. Not sent again."
                    if st.maybe_applied:
                        return self._unknown(op, msg)
                    self.journal.mark_failed(op.op_id, msg, _request_id(err))
                    return OpOutcome(op.op_id, "failed", None, msg, _request_id(err))
                self._wait(st.failures - 1)

    def _settled(self, op: WriteOp, verdict: Verdict, exc: BulktoolError | None) -> OpOutcome:
        """Journal a re-read's verdict that needs no further send."""
        rid = _request_id(exc) if exc is not None else None
        if verdict.decision == "applied":
            return self._done(op, op.record_id, verdict.message, ())
        if verdict.decision == "unknown":
            return self._unknown(op, verdict.message)
        self.journal.mark_failed(op.op_id, verdict.message, rid)
        return OpOutcome(op.op_id, "failed", None, verdict.message, rid, permanent=True,
                         conflict=verdict.decision == "conflict")

    # -- steps -----------------------------------------------------------------------
    def _send(self, op: WriteOp) -> dict[str, Any] | None:
        if op.action == "create":
            return self.client.create(op.endpoint, dict(op.body or {}))
        if op.action == "update":
            return self.client.update(op.endpoint, str(op.record_id), dict(op.body or {}))
        self.client.delete(op.endpoint, str(op.record_id))
        return None

    def _lookup(self, op: WriteOp, st: _Attempt, preds: Sequence[JournalEntry]) -> OpOutcome | None:
        """Find what an earlier create left behind; None means the key is free and we may create."""
        if op.record_id is not None:
            return self._lookup_id(op, st, preds)
        assert op.key_field is not None and op.key_value is not None
        while True:
            try:
                matches = self.client.find_by_key(op.endpoint, op.key_field, op.key_value)
                break
            except BulktoolError as exc:
                st.failures += 1
                if outcome_kind(exc) == "rejected" or st.failures >= self.policy.max_attempts:
                    return self._unknown(op, f"Could not check whether an earlier attempt created "
                                         f"{op.where}: {exc}. Not sent again.")
                self._wait(st.failures - 1)
        same = [r for r in matches if op.key_field not in r or str(r[op.key_field]) == op.key_value]
        if not same:
            return None
        if len(same) > 1:
            ids = ", ".join(str(r.get("id")) for r in same[:5])
            msg = (f"{len(same)} records already have {op.key_field}={op.key_value} (ids {ids}); "
                   "not creating another. Remove the duplicates by hand.")
            self.journal.mark_failed(op.op_id, msg)
            return OpOutcome(op.op_id, "failed", None, msg, permanent=True)
        rid = _record_id(same[0])
        msg = f"already created by an earlier attempt (id {rid}); not created again"
        if any(p.payload_hash != op.payload_hash for p in preds):
            msg += ". The row was edited since; run the import again to write the edits"
        return self._done(op, rid, msg, preds)

    def _lookup_id(self, op: WriteOp, st: _Attempt, preds: Sequence[JournalEntry]) -> OpOutcome | None:
        """A create with the client's id: one GET of that id tells whether an earlier attempt landed."""
        assert op.record_id is not None
        while True:
            try:
                found = self.client.reread(op.endpoint, op.record_id, [])
                break
            except BulktoolError as exc:
                st.failures += 1
                if outcome_kind(exc) == "rejected" or st.failures >= self.policy.max_attempts:
                    return self._unknown(op, f"Could not check whether an earlier attempt created "
                                         f"{op.where}: {exc}. Not sent again.")
                self._wait(st.failures - 1)
        if found is None:
            return None
        msg = f"already created by an earlier attempt (id {op.record_id}); not created again"
        if any(p.payload_hash != op.payload_hash for p in preds):
            msg += ". The row was edited since; run the import again to write the edits"
        return self._done(op, op.record_id, msg, preds)

    def _exists(self, op: WriteOp, st: _Attempt, exc: ApiError, preds: Sequence[JournalEntry]) -> OpOutcome:
        """The server already has a record with this create's id (409 Conflict)."""
        assert op.record_id is not None
        rid = op.record_id
        if st.maybe_applied:  # our own earlier attempt landed after all
            return self._done(op, rid, f"already created by an earlier attempt (id {rid}); not created again",
                              preds)
        if not op.upsert:
            msg = f"id {rid} already exists on the server (409 Conflict): not created (create-only mode)"
            self.journal.mark_failed(op.op_id, msg, _request_id(exc))
            return OpOutcome(op.op_id, "failed", None, msg, _request_id(exc), permanent=True)
        try:
            current = self.client.reread(op.endpoint, rid, list(op.want))
            if current is None:
                raise ApiError(f"id {rid} answered 409 Conflict on create but cannot be read", status=404)
            stale = [k for k, v in op.want.items() if current.values.get(k) != v]
            if not stale:
                return self._done(op, rid, f"id {rid} already existed with these values; nothing to update", preds)
            self.client.update(op.endpoint, rid, self.client.update_body(op.endpoint, dict(op.body or {}), stale))
        except BulktoolError as err:
            msg = f"id {rid} already exists (409 Conflict); updating it instead failed: {err}"
            if outcome_kind(err) == "maybe_applied":
                return self._unknown(op, msg)
            self.journal.mark_failed(op.op_id, msg, _request_id(err))
            return OpOutcome(op.op_id, "failed", None, msg, _request_id(err), permanent=True)
        return self._done(op, rid, f"id {rid} already existed (409 Conflict): updated {', '.join(stale)}", preds)

    def _rejected(self, op: WriteOp, st: _Attempt, exc: BulktoolError) -> OpOutcome:
        status = exc.status if isinstance(exc, ApiError) else None
        if op.action == "delete" and status == 404 and st.maybe_applied:
            return self._done(op, op.record_id, "deleted (an earlier attempt had already deleted it)", ())
        msg, rid = str(exc), _request_id(exc)
        self.journal.mark_failed(op.op_id, msg, rid)
        return OpOutcome(op.op_id, "failed", None, msg, rid, permanent=True)

    def _give_up(self, op: WriteOp, st: _Attempt, exc: BulktoolError) -> OpOutcome:
        tries = f"gave up after {st.failures} attempts"
        if st.maybe_applied:
            return self._unknown(op, f"{exc} ({tries}; it may or may not have been applied)")
        msg, rid = f"{exc} ({tries})", _request_id(exc)
        self.journal.mark_failed(op.op_id, msg, rid)
        return OpOutcome(op.op_id, "failed", None, msg, rid)

    def _interrupted(self, op: WriteOp, st: _Attempt) -> OpOutcome:
        if st.maybe_applied:
            self.journal.mark_unknown(op.op_id, "interrupted; an earlier attempt may have been applied")
        else:
            self.journal.mark_unsent(op.op_id, INTERRUPTED_MSG)
        return OpOutcome(op.op_id, "skipped", None, INTERRUPTED_MSG)

    def _done(self, op: WriteOp, rid: str | None, msg: str, preds: Sequence[JournalEntry]) -> OpOutcome:
        self.journal.mark_done(op.op_id, rid, msg)
        for p in preds:  # the record is settled now; the superseded attempt must not block later runs
            note = f"superseded by a later attempt at {op.where} (op {op.op_id[:12]})"
            self.journal.mark_failed(p.op_id, note)
        return OpOutcome(op.op_id, "applied", rid, msg)

    def _unknown(self, op: WriteOp, msg: str) -> OpOutcome:
        msg = f"outcome unknown: {msg}"
        self.journal.mark_unknown(op.op_id, msg)
        return OpOutcome(op.op_id, "unknown", None, msg)

    @staticmethod
    def _can_check(op: WriteOp, preds: Sequence[JournalEntry]) -> bool:
        """A lookup settles it only if every earlier attempt used the same id (or natural key) as this one."""
        if op.action == "create" and op.record_id is not None:
            return all(p.record_id == op.record_id for p in preds)
        return op.has_key and all((p.key_field, p.key_value) == (op.key_field, op.key_value) for p in preds)

    def _unknown_create_msg(self, op: WriteOp, preds: Sequence[JournalEntry]) -> str:
        if not preds:
            return (f"an earlier attempt to create {op.where} may have reached the server. "
                    f"{self._no_key_hint()}")
        keys = sorted({f"{p.key_field}={p.key_value}" for p in preds if p.key_field and p.key_value})
        was = f" (then with {', '.join(keys)})" if keys else ""
        return (f"an earlier attempt to create {op.where}, made before the row was "
                f"edited{was}, may have reached the server, so it was not sent again. Check the system by "
                f"hand; if the record is missing, delete the journal {self.journal.path} and apply again.")

    def _no_key_hint(self) -> str:
        return ("There is no natural key to check it by, so it was not sent again. Check the system by hand; "
                f"if the record is missing, delete the journal {self.journal.path} and apply again.")

    def _wait(self, attempt: int) -> None:
        delay = self.policy.delay(attempt)
        if self.policy.sleep is not None:
            self.policy.sleep(delay)
        else:
            self.stop.wait(delay)  # Ctrl-C cuts the wait short
