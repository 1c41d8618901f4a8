"""Apply planned writes concurrently, journaled so a crash or Ctrl-C never duplicates a record.

The client's shared rate limiter sets the pace; the pool only keeps enough
requests in flight to reach it (at 300 ms latency and 4 req/s, two or more).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed

from .journal import Journal, JournalEntry, JournalError
from .ports import OpOutcome, WriteClient, WriteOp
from .retry import RetryPolicy
from .runner import Mode, OpRunner

ProgressCallback = Callable[[int, int], None]  # (ops finished so far, how many of them failed/unknown)
ALREADY_APPLIED = "already applied in an earlier run"

_Task = tuple[WriteOp, Mode, list[JournalEntry]]


def apply_ops(
    ops: Iterable[WriteOp],
    client: WriteClient,
    journal: Journal,
    *,
    workers: int = 4,
    resume: bool = False,
    progress: ProgressCallback | None = None,
    retry: RetryPolicy | None = None,
) -> list[OpOutcome]:
    """Carry out ``ops``; outcomes come back in the same order.

    Without ``resume`` a journal left behind by an interrupted run is refused
    (its writes may have happened). With ``resume`` finished ops are skipped
    and ops of unknown outcome are checked before anything is sent again.
    """
    ops = list(ops)
    if workers < 1:
        raise ValueError("workers must be at least 1")
    _check_ops(ops)
    if not resume:
        _refuse_interrupted(journal)
    outcomes: dict[str, OpOutcome] = {}
    tasks = _prepare(ops, journal, resume, outcomes)
    runner = OpRunner(client, journal, retry or RetryPolicy())
    finished = failed = 0

    def report(out: OpOutcome) -> None:
        nonlocal finished, failed
        outcomes[out.op_id] = out
        finished += 1
        failed += out.status in ("failed", "unknown")

    for out in list(outcomes.values()):
        report(out)
    if progress and finished:
        progress(finished, failed)
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="apply")
    futures: list[Future[OpOutcome]] = []
    try:
        futures = [pool.submit(runner.run, op, mode, preds) for op, mode, preds in tasks]
        for fut in as_completed(futures):
            report(fut.result())
            if progress:
                progress(finished, failed)
    except BaseException:
        # Ctrl-C (or a journal failure): send nothing new, let in-flight writes settle in the journal.
        runner.stop.set()
        for fut in futures:
            fut.cancel()
        pool.shutdown(wait=True)
        raise
    pool.shutdown(wait=True)
    return [outcomes[op.op_id] for op in ops]


def _check_ops(ops: Sequence[WriteOp]) -> None:
    seen: set[str] = set()
    for op in ops:
        if op.op_id in seen:
            raise ValueError(f"duplicate op_id {op.op_id} ({op.where}) in the plan")
        seen.add(op.op_id)
        if op.action in ("update", "delete") and not op.record_id:
            raise ValueError(f"{op.action} of {op.where} has no record id")
        if op.action in ("create", "update") and op.body is None:
            raise ValueError(f"{op.action} of {op.where} has no body")


def _refuse_interrupted(journal: Journal) -> None:
    left = journal.interrupted()
    if not left:
        return
    rows = ", ".join(f"{e.sheet} row {e.row}" for e in left[:5]) + (", ..." if len(left) > 5 else "")
    raise JournalError(
        f"An earlier apply of this file was interrupted: {len(left)} write(s) were planned or sent but not "
        f"confirmed ({rows}). Run again with --resume to finish it safely, or delete the journal "
        f"{journal.path} if you have checked those rows by hand."
    )


def _prepare(
    ops: Sequence[WriteOp], journal: Journal, resume: bool, outcomes: dict[str, OpOutcome]
) -> list[_Task]:
    """Decide per op: skip, send, recover (create of unknown outcome) or replay; then journal the intents."""
    current = {op.op_id for op in ops}
    if resume:
        _settle_orphans(journal, current)
    tasks: list[_Task] = []
    to_begin: list[WriteOp] = []
    for op in ops:
        prior = journal.get(op.op_id)
        if prior is not None and prior.payload_hash != op.payload_hash:
            raise JournalError(
                f"The journal {journal.path} holds op {op.op_id[:12]} ({op.where}) with different values; "
                "it belongs to another plan. Delete it to start over."
            )
        if prior is not None and prior.state == "done" and (resume or op.action == "create"):
            # A fresh run re-sends updates/deletes the planner still wants, never a create it already made.
            where = f" (id {prior.result_id})" if prior.result_id else ""
            outcomes[op.op_id] = OpOutcome(op.op_id, "skipped", prior.result_id, ALREADY_APPLIED + where)
            continue
        preds = [e for e in journal.unsettled_creates_like(op) if e.op_id not in current] \
            if op.action == "create" else []
        if prior is not None and prior.state in ("sent", "unknown"):  # it may have been applied
            tasks.append((op, "recover" if op.action == "create" else "replay", preds))
            continue
        to_begin.append(op)
        tasks.append((op, "recover" if preds else "send", preds))
    journal.begin_many(to_begin)
    return tasks


def _settle_orphans(journal: Journal, current: set[str]) -> None:
    """Unfinished ops the new plan no longer has (the input was edited) must not block later runs."""
    for e in journal.interrupted():
        if e.op_id in current:
            continue
        if e.state == "intent":
            journal.mark_failed(e.op_id, "never sent; no longer in the plan (the input changed)")
        else:
            journal.mark_unknown(e.op_id, "outcome unknown; no longer in the plan (the input changed)")
