"""Import a sheet: plan (GETs only), report, and on --apply write through the journal.

Exit codes: 0 all good; 1 invalid or conflict rows (nothing written unless
--skip-invalid); 3 apply finished with rows that failed at the API; 130 the
apply was interrupted (Ctrl-C): what was applied is in the undo workbook,
the rest is sent by ``--resume``. (The CLI adds 2 for errors and 4 for
"no" at the confirmation prompt.)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .connectors.base import Connector
from .errors import UsageError
from .plan.deleted import read_deleted, record_label
from .plan.groups import rows_of
from .plan.hints import keyless_create_warnings, sorted_column_warnings
from .plan.lookups import resolve_sources
from .plan.model import ImportResult, RowResult
from .plan.planner import Mode, Plan, PlanOptions, make_plan
from .plan.source import Source, load_source
from .progress import NullProgress, Progress
from .reports.undo import UndoBook, UndoRow, undo_path, write_undo_workbook
from .schema import load_templates
from .writer import (
    ApplyInterrupted,
    Journal,
    OpOutcome,
    WriteOp,
    apply_ops,
    undo_log,
)
from .writer.consult import consult_journal, op_of
from .writer.paths import account_journal, claim_journal
from .writer.template_client import DEFAULT_BATCH_SIZE, TemplateWriteClient

EXIT_OK, EXIT_BLOCKED, EXIT_FAILED, EXIT_INTERRUPTED = 0, 1, 3, 130


class Interrupted(KeyboardInterrupt):
    """Ctrl-C where the CLI can say exactly what it means (``message`` is the one line to print)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

__all__ = ["ImportOptions", "ImportOutcome", "TemplateWriteClient", "apply_plan", "plan_file", "run_import",
           "write_undo"]


@dataclass
class ImportOptions:
    apply: bool = False
    sheet: str | None = None
    endpoint: str | None = None
    mode: Mode = "upsert"
    skip_invalid: bool = False
    allow_delete: bool = False
    resume: bool = False
    journal: Path | None = None
    undo: Path | None = None  # where to write the undo workbook (default: next to the input, never reused)
    workers: int = 4
    foreign: bool = False  # ignore the export record (e.g. another account's): diff every cell against live
    allow_clear: tuple[str, ...] = ()  # --allow-clear FIELD: fields an update may clear (see PlanOptions)
    batch_size: int = DEFAULT_BATCH_SIZE  # --batch-size: records per bulk request where the API has them
    companies: str | None = None  # --companies: which companies of a sheet of many to import (None: all in it)
    target_label: str | None = None  # how progress names where the writes go (default: the host)
    # The other journals of this same input (its other companies' in a sheet of many): the same new row in
    # two companies is two records, not a duplicate created from another file.
    own_journals: tuple[Path, ...] = ()


@dataclass
class ImportOutcome:
    result: ImportResult
    exit_code: int
    journal_path: Path | None = None
    undo_path: Path | None = None

    @property
    def interrupted(self) -> bool:
        return self.result.interrupted


def _read(connector: Connector, path: Path, options: ImportOptions) -> Source:
    """The sheet ``options`` names, read for the connector's system, server and account."""
    return load_source(path, connector.system, connector.host, sheet=options.sheet, endpoint=options.endpoint,
                       mode=options.mode, tenant=connector.tenant(), foreign=options.foreign)


def plan_file(
    connector: Connector, path: Path, options: ImportOptions, progress: Progress | None = None,
    source: Source | None = None,
) -> Plan:
    """The plan exactly as an apply would carry it out now, journal included (GET requests only).

    ``source``: the sheet already read (one company's rows of a sheet of many), else ``path`` is read.
    """
    source = _read(connector, path, options) if source is None else source
    resolve_sources(connector, [source], progress)
    lookup_reads, source.lookup_requests = source.lookup_requests, 0
    plan = make_plan(connector, source, PlanOptions(options.mode, options.allow_delete, tuple(options.allow_clear),
                                                    batch_size=options.batch_size), progress=progress)
    result = plan.result
    result.host = connector.host
    result.read_requests += lookup_reads
    read_deleted(connector, source.endpoint, plan, progress)
    consult_journal(plan, journal_path_for(connector, path, options), options.resume, options.own_journals,
                     warn_unfinished=not (options.apply or options.resume), account=connector.tenant().id)
    result.warnings += keyless_create_warnings(source.endpoint, plan)
    result.warnings += _left_empty_warning(source, result.rows)
    result.warnings += sorted_column_warnings(result.rows)
    return plan


def _left_empty_warning(source: Source, rows: list[RowResult]) -> list[str]:
    """Say once that empty cells of existing records were left as they are (a sheet with no export record:
    nothing says the user emptied them); a mapped file's rule is its own and goes unsaid."""
    if source.origins:
        return []
    n = sum(1 for r in rows if r.row in source.left_empty and r.action in ("update", "unchanged"))
    if not n:
        return []
    return [f"{n:,} {'row' if n == 1 else 'rows'} of existing records {'has' if n == 1 else 'have'} empty cells: "
            "this sheet has no export record, so an empty cell leaves its field as it is. To clear a field, "
            "export, empty the cell and import that export"]


def journal_path_for(connector: Connector, path: Path, options: ImportOptions) -> Path:
    """``--journal``, else the input's journal for this account (``writer.paths.account_journal``)."""
    return options.journal or account_journal(path, connector.tenant().id)


def run_import(
    connector: Connector, path: Path, options: ImportOptions, progress: Progress | None = None,
    source: Source | None = None,
) -> ImportOutcome:
    progress = progress or NullProgress()
    try:
        source = _read(connector, path, options) if source is None else source
        resolve_sources(connector, [source], progress)
        if not source.pending:
            plan = plan_file(connector, path, options, progress, source)
    except KeyboardInterrupt:
        raise Interrupted("Interrupted while planning (GET requests only): nothing was written.") from None
    if source.pending:  # rows naming records other rows of this sheet create: parents first
        from .migrate.run import run_parts

        return run_parts(connector, path, [source], options, progress).parts[0]
    result = plan.result
    summary = result.summary
    blocked = summary.invalid + summary.conflict
    if not options.apply:
        return _finish(ImportOutcome(result, EXIT_BLOCKED if blocked else EXIT_OK))
    if blocked and not options.skip_invalid:
        result.warnings.append("Nothing was written: fix the invalid/conflict rows or use --skip-invalid.")
        return _finish(ImportOutcome(result, EXIT_BLOCKED))
    if options.resume and options.journal is None and not journal_path_for(connector, path, options).exists():
        raise UsageError(f"--resume: no journal found for {path.name}; nothing to resume")
    return apply_plan(connector, plan, path, options, progress)


def apply_plan(
    connector: Connector, plan: Plan, path: Path, options: ImportOptions, progress: Progress | None = None,
    *, undo: bool = True,
) -> ImportOutcome:
    """Carry out a plan already checked (nothing blocked, or --skip-invalid): journal, writes, undo workbook.

    ``undo=False``: a run of several plans into one journal writes its undo workbooks once, at the end
    (``write_undo``).
    """
    progress = progress or NullProgress()
    result = plan.result
    journal_path = journal_path_for(connector, path, options)
    result.applied = True
    if not plan.writes and not journal_path.exists():
        return _finish(ImportOutcome(result, EXIT_OK))  # nothing to write, nothing to journal
    result.journal = str(journal_path)
    for r in result.rows:
        if r.action in ("invalid", "conflict"):
            r.status = "skipped"
    ops = [op_of(pw, result.endpoint) for pw in plan.writes]
    Journal(journal_path).close()  # the journal exists (owner-only) before the before-values go in
    claim_journal(journal_path, connector.tenant().id)
    undo_log.keep(journal_path, _undo_entries(plan, ops))
    outcomes = _apply(connector, ops, journal_path, options, progress, result)
    _record_outcomes(plan, ops, outcomes)
    written = _write_undo(plan, path, options.undo, connector, journal_path) if undo else None
    result.undo = str(written) if written else None
    if result.interrupted:
        code = EXIT_INTERRUPTED
    else:
        code = EXIT_FAILED if result.summary.failed else EXIT_OK
    return _finish(ImportOutcome(result, code, journal_path, written))


def write_undo(connector: Connector, plan: Plan, path: Path, options: ImportOptions) -> Path | None:
    """The undo workbook of ``plan``'s sheet: every write of it the journal holds and no undo workbook has."""
    return _write_undo(plan, path, options.undo, connector, journal_path_for(connector, path, options))


def _finish(outcome: ImportOutcome) -> ImportOutcome:
    outcome.result.exit_code = outcome.exit_code
    return outcome


def _apply(
    connector: Connector, ops: list[WriteOp], journal_path: Path, options: ImportOptions, progress: Progress,
    result: ImportResult,
) -> list[OpOutcome]:
    """Send the writes; on Ctrl-C the writes in flight settle first and the partial outcomes come back."""
    client = TemplateWriteClient(connector, load_templates(connector.system), batch_size=options.batch_size)
    title = f"Applying to {options.target_label or connector.host}"
    progress.task(title, total=len(ops), unit="writes")
    last = last_failed = 0

    def on_progress(done: int, failed: int) -> None:
        nonlocal last, last_failed  # the writer reports running totals
        if failed != last_failed:
            progress.describe(f"{title} ({failed} failed)")
            last_failed = failed
        progress.advance(done - last)
        last = done

    writes_before = connector.client.stats.writes
    journal = Journal(journal_path)
    try:
        outcomes = apply_ops(ops, client, journal, workers=options.workers, resume=options.resume,
                             progress=on_progress)
    except ApplyInterrupted as stop:
        outcomes = stop.outcomes
        result.interrupted = True
        result.not_sent = stop.not_sent
    finally:
        journal.close()
        result.write_requests = connector.client.stats.writes - writes_before
    return outcomes


def _record_outcomes(plan: Plan, ops: list[WriteOp], outcomes: list[OpOutcome]) -> None:
    by_id = {o.op_id: o for o in outcomes}
    for pw, op in zip(plan.writes, ops, strict=True):
        out = by_id.get(op.op_id)
        if out is None:
            continue
        for m in rows_of(pw):  # a list-valued write: every row of its list gets its outcome
            r = m.result
            r.status = out.status  # type: ignore[assignment]
            r.message = out.message or r.message
            r.request_id = out.request_id
            r.permanent = out.permanent
            if out.conflict:  # someone else changed the same field between the plan and the write
                r.action = "conflict"
            if pw.action == "create" and out.result_id is not None:
                r.created_id = out.result_id


def _undo_entries(plan: Plan, ops: list[WriteOp]) -> list[tuple[str, dict[str, Any]]]:
    """Each update's and delete's before-values (and an update's after-values), for ``writer.undo_log``."""
    out: list[tuple[str, dict[str, Any]]] = []
    for write, op in zip(plan.writes, ops, strict=True):
        rows: list[dict[str, Any]] = []
        for pw in rows_of(write):  # a grouped write (one list per parent) carries one entry per row
            if not pw.before:
                continue
            if pw.action == "update" and pw.record_id is not None:
                after = {**pw.before, **{k: ch.new for k, ch in pw.result.changes.items()}}
                rows.append({"id": str(pw.record_id), "before": dict(pw.before), "after": after})
            elif pw.action == "delete":
                rows.append({"id": None, "before": dict(pw.before), "after": None})
        if len(rows) == 1 and not write.members:
            out.append((op.op_id, rows[0]))
        elif rows:
            out.append((op.op_id, {"rows": rows}))
    return out


def _write_undo(plan: Plan, path: Path, target: Path | None, connector: Connector,
                journal_path: Path) -> Path | None:
    """The undo workbook of every write done and in no undo workbook yet (see ``reports.undo``,
    ``writer.undo_log``: a resume after a killed run includes that run's writes); never overwrites a file."""
    result = plan.result
    key_field = plan.writes[0].key_field if plan.writes else None
    created = [f"row {pw.result.row}: new id {pw.result.created_id} "
               f"{record_label({k: ch.new for k, ch in pw.result.changes.items()}, key_field)}".rstrip()
               for pw in plan.writes if pw.action == "create" and pw.result.status == "applied"]
    entries = undo_log.pending(journal_path, result.endpoint, result.sheet)
    rows = [UndoRow(r["id"], r["before"], r["after"]) for _, e in entries for r in e.get("rows", [e])]
    if not rows:
        return None
    ep = load_templates(connector.system)[result.endpoint]
    out = target if target is not None and not target.exists() else undo_path(target or path)
    tenant = connector.tenant()
    write_undo_workbook(UndoBook(ep, result.system, connector.host, str(path), rows, name=str(out),
                                 created=created, tenant=tenant.id, tenant_label=tenant.label), out)
    undo_log.mark_written(journal_path, [op_id for op_id, _ in entries])
    return out
