"""Apply planned writes concurrently, journaled so a crash or Ctrl-C never duplicates a record.

The client's shared rate limiter sets the pace; the pool only keeps enough
requests in flight to reach it (at 300 ms latency and 4 req/s, two or more).
Creates and updates go in batches where the client has a bulk operation for
them (``WriteClient.batch_size``), each item journaled on its own (``batch``).
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed

from .batch import BatchRunner
from .journal import Journal, JournalEntry, JournalError
from .ports import OpOutcome, WriteAction, WriteClient, WriteOp
from .retry import RetryPolicy
from .runner import Mode, OpRunner

ProgressCallback = Callable[[int, int], None]  # (ops finished so far, how many of them failed/unknown)
ALREADY_APPLIED = "already applied in an earlier run"
NOT_SENT = "not sent: the apply was interrupted"


class ApplyInterrupted(KeyboardInterrupt):
    """Ctrl-C during apply, after the writes in flight settled; ``outcomes`` as ``apply_ops`` returns them.

    Ops that never went out are 'skipped' with ``NOT_SENT`` (their journal
    state is still 'intent', so only ``--resume`` continues them).
    """

    def __init__(self, outcomes: list[OpOutcome]) -> None:
        super().__init__("interrupted")
        self.outcomes = outcomes

    @property
    def applied(self) -> int:
        return sum(o.status == "applied" for o in self.outcomes)

    @property
    def not_sent(self) -> int:
        return sum(o.message == NOT_SENT for o in self.outcomes)

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
    batcher = BatchRunner(runner)
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
    futures: list[Future[list[OpOutcome]]] = []
    try:
        batches, singles = _batches(tasks, client)
        for batch in batches:
            futures.append(pool.submit(batcher.run, batch))
        for op, mode, preds in singles:
            futures.append(pool.submit(_one, runner, op, mode, preds))
        for fut in as_completed(futures):
            for out in fut.result():
                report(out)
            if progress:
                progress(finished, failed)
    except BaseException as exc:
        # Ctrl-C (or a journal failure): send nothing new, let in-flight writes settle in the journal.
        runner.stop.set()
        for fut in futures:
            fut.cancel()
        with _sigint_deferred():  # a second Ctrl-C must not abandon writes already on the wire
            pool.shutdown(wait=True)
        if not isinstance(exc, KeyboardInterrupt):
            raise
        for fut in futures:
            if fut.done() and not fut.cancelled() and fut.exception() is None:
                for out in fut.result():
                    outcomes.setdefault(out.op_id, out)
        for op in ops:
            outcomes.setdefault(op.op_id, OpOutcome(op.op_id, "skipped", None, NOT_SENT))
        raise ApplyInterrupted([outcomes[op.op_id] for op in ops]) from None
    pool.shutdown(wait=True)
    return [outcomes[op.op_id] for op in ops]


def _one(runner: OpRunner, op: WriteOp, mode: Mode, preds: list[JournalEntry]) -> list[OpOutcome]:
    return [runner.run(op, mode, preds)]


def _batches(tasks: Sequence[_Task], client: WriteClient) -> tuple[list[list[WriteOp]], list[_Task]]:
    """Group first sends of creates and updates per endpoint and action, as the client's batch size allows.

    An op that may already have been sent (recover/replay) goes alone: it needs its own check first.
    """
    groups: dict[tuple[str, WriteAction], list[WriteOp]] = {}
    sizes: dict[tuple[str, WriteAction], int] = {}
    singles: list[_Task] = []
    for task in tasks:
        op, mode, _preds = task
        key = (op.endpoint, op.action)
        if key not in sizes:
            sizes[key] = client.batch_size(op.endpoint, op.action) if op.action != "delete" else 1
        if mode != "send" or sizes[key] <= 1:
            singles.append(task)
            continue
        groups.setdefault(key, []).append(op)
    batches: list[list[WriteOp]] = []
    for group, ops in groups.items():
        size = sizes[group]
        batches += [ops[i:i + size] for i in range(0, len(ops), size)]
    return batches, singles


@contextlib.contextmanager
def _sigint_deferred() -> Iterator[None]:
    """Ignore further SIGINTs while in-flight writes finish (main thread only; elsewhere a no-op)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, lambda _sig, _frame: None)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def already_done(op: WriteOp, journal: Journal, resume: bool) -> OpOutcome | None:
    """The 'skipped' outcome of an op an earlier run of this journal finished, else None.

    The one rule both the apply and the dry run use: a fresh run re-sends
    updates/deletes the planner still wants, never a create it already made.
    """
    prior = journal.get(op.op_id)
    if prior is None or prior.state != "done" or not (resume or op.action == "create"):
        return None
    where = f" (id {prior.result_id})" if prior.result_id else ""
    return OpOutcome(op.op_id, "skipped", prior.result_id, ALREADY_APPLIED + where)


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
    noun = "write was" if len(left) == 1 else "writes were"
    raise JournalError(
        f"An earlier apply of this file was interrupted: {len(left):,} {noun} planned or sent but not "
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
        done = already_done(op, journal, resume)
        if done is not None:
            outcomes[op.op_id] = done
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
