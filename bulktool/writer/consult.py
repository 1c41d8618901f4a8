"""What an earlier run of a journal already did to the writes a plan makes, decided by the apply's own rule.

Why apart from the importer: planning must settle against the journal exactly as the apply will (a create
the journal confirmed is skipped with its id, a made-up id is reused), and the rule lives with the journal.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ..plan.groups import rows_of
from ..plan.planner import Plan, PlannedWrite, count_requests, reuse_id
from .apply import already_done
from .journal import SUFFIX, Journal
from .lookup import done_creates, sibling_journals
from .paths import journal_account
from .ports import WriteOp, make_op


def op_of(pw: PlannedWrite, endpoint: str) -> WriteOp:
    if pw.generated is not None and pw.body is not None:
        # Known by the row and its values, not by the made-up id (another each plan): the journal holds
        # the id it was first planned with, and a resume or re-plan sends that one (``reuse_id``).
        op = make_op(pw.action, endpoint, pw.result.sheet, pw.result.row,
                     {k: v for k, v in pw.body.items() if k != pw.generated}, key_field=pw.key_field,
                     key_value=pw.key_value, want=pw.want)
        return replace(op, body=pw.body, record_id=pw.record_id, upsert=pw.upsert)
    op = make_op(pw.action, endpoint, pw.result.sheet, pw.result.row, pw.body, record_id=pw.record_id,
                 key_field=pw.key_field, key_value=pw.key_value, version_field=pw.version_field,
                 base=pw.base, want=pw.want)
    return replace(op, upsert=pw.upsert) if pw.upsert else op


def consult_journal(
    plan: Plan, journal_path: Path, resume: bool, own: tuple[Path, ...] = (), *, warn_unfinished: bool,
    account: str | None = None,
) -> None:
    """What an earlier run of this journal already did, decided by the apply's own rule (``already_done``)."""
    result = plan.result
    if journal_path.exists():
        result.journal = str(journal_path)
        with Journal(journal_path) as journal:
            left = journal.interrupted()
            result.unfinished = len(left)
            if warn_unfinished and left:
                noun = "write was" if len(left) == 1 else "writes were"
                result.warnings.append(
                    f"An earlier apply of this file was interrupted: {len(left):,} {noun} not confirmed "
                    f"(journal {journal_path}); finish it with --apply --resume before anything else.")
            for pw in plan.writes:
                if pw.generated is not None and (rid := _journaled_id(journal, op_of(pw, result.endpoint))):
                    reuse_id(pw, rid)
            plan.writes = [pw for pw in plan.writes if not _skip_done(pw, journal, resume, result.endpoint)]
    result.write_requests = len(plan.writes)
    result.write_batches = count_requests(plan.endpoint, [pw.action for pw in plan.writes], plan.batch_size)
    _created_elsewhere(plan, journal_path, own, account)


def _journaled_id(journal: Journal, op: WriteOp) -> str | None:
    """The id an earlier plan made up for this create: its own op's, else (the row edited since) that of
    the unsettled attempt at the same row, so the apply checks that one record rather than make another."""
    prior = journal.get(op.op_id)
    if prior is not None:
        return prior.record_id
    earlier = {e.record_id for e in journal.unsettled_creates_like(op) if e.record_id}
    return earlier.pop() if len(earlier) == 1 else None


def _skip_done(pw: PlannedWrite, journal: Journal, resume: bool, endpoint: str) -> bool:
    done = already_done(op_of(pw, endpoint), journal, resume)
    if done is None:
        return False
    for m in rows_of(pw):
        r = m.result
        r.action, r.status, r.message = "unchanged", "skipped", done.message
        if pw.action == "create" and done.result_id is not None:
            r.created_id = done.result_id
    return True


def _created_elsewhere(plan: Plan, journal_path: Path, own: tuple[Path, ...] = (), account: str | None = None
                       ) -> None:
    """Rows to create without a key whose exact values another file's journal (same folder) created."""
    result = plan.result
    keyless = {op_of(pw, result.endpoint).payload_hash: pw for pw in plan.writes
               if pw.action == "create" and not pw.key_value}
    if not keyless:
        return
    found: list[str] = []
    skip = {p.absolute() for p in own}
    others = [p for p in sibling_journals(journal_path) if p.absolute() not in skip
              and (account is None or journal_account(p) in (None, account))]  # another account's: not a twin
    for other in others:
        for digest, entry in done_creates(other, result.endpoint, keyless).items():
            pw = keyless.pop(digest)
            source = other.name.removesuffix(SUFFIX)
            rid = f" (id {entry.result_id})" if entry.result_id else ""
            pw.result.warnings.append(f"a record with exactly these values was already created from {source}"
                                      f"{rid}; applying creates a second one")
            found.append(f"row {pw.result.row} from {source}{rid}")
    if found:
        listed = ", ".join(found[:5]) + (f" and {len(found) - 5:,} more" if len(found) > 5 else "")
        result.warnings.append(f"{len(found):,} {'row' if len(found) == 1 else 'rows'} to create "
                               f"{'was' if len(found) == 1 else 'were'} already created with exactly these "
                               f"values from another file ({listed}); applying creates duplicates: remove "
                               f"{'it' if len(found) == 1 else 'them'} from the sheet")


