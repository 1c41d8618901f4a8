"""Apply planned writes: throttled, concurrent, journaled so a crash never duplicates a record."""

from .apply import ALREADY_APPLIED, NOT_SENT, ApplyInterrupted, ProgressCallback, already_done, apply_ops
from .journal import Journal, JournalEntry, JournalError, default_journal_path
from .lookup import done_creates, sibling_journals
from .ports import OpOutcome, WriteClient, WriteOp, make_op, make_op_id, payload_hash
from .retry import RetryPolicy, outcome_kind

__all__ = [
    "ALREADY_APPLIED",
    "NOT_SENT",
    "ApplyInterrupted",
    "Journal",
    "JournalEntry",
    "JournalError",
    "OpOutcome",
    "ProgressCallback",
    "RetryPolicy",
    "WriteClient",
    "WriteOp",
    "already_done",
    "apply_ops",
    "default_journal_path",
    "done_creates",
    "make_op",
    "make_op_id",
    "outcome_kind",
    "payload_hash",
    "sibling_journals",
]
