"""Import a sheet of many companies: each row to its company, each company planned and applied alone.

Every company gets its own connector (``Connector.for_company``), its own slice of the export record
(trusted only when the record names that company's tenant), its own journal beside the input
(``<input>.company-<id>.bulktool-journal.sqlite``) and its own plan, so the three-way diff, conflicts
and ``--resume`` work as for one company. A company that fails (403, 412, ...) fails alone: its rows
are reported failed and the others go on; the exit code is then 3.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from ..connectors.base import Connector
from ..connectors.companies import Company, choose_companies, parse_company_spec
from ..errors import BulktoolError, UsageError, WorkbookError
from ..importer import (
    EXIT_BLOCKED,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    ImportOptions,
    ImportOutcome,
    Interrupted,
    apply_plan,
    plan_file,
    run_import,
)
from ..plan.model import ImportResult, RowResult
from ..plan.planner import Plan
from ..plan.source import Source, load_source
from ..progress import NullProgress, Progress
from ..writer import Journal, JournalError, default_journal_path
from ..writer.journal import SUFFIX
from .columns import COMPANY_COLUMN, COMPANY_NAME_COLUMN
from .split import split_by_company


@dataclass
class _Company:
    company: Company
    connector: Connector
    options: ImportOptions
    source: Source
    plan: Plan | None = None
    rows: list[RowResult] | None = None  # the rows, once planned (or failed)


def is_multi_company(source: Source) -> bool:
    return source.scope_column is not None


def company_journal(path: Path, options: ImportOptions, company: str) -> Path:
    """``<input>.company-<id>.bulktool-journal.sqlite`` (or beside ``--journal``): one per company."""
    base = options.journal or default_journal_path(path)
    return base.with_name(f"{base.name.removesuffix(SUFFIX)}.company-{company}{SUFFIX}")


def run_multi_import(
    connector: Connector, path: Path, options: ImportOptions, progress: Progress | None = None
) -> ImportOutcome:
    """Import ``path``: a sheet with a company column is routed per company, any other sheet as usual."""
    progress = progress or NullProgress()
    source = load_source(path, connector.system, connector.host, sheet=options.sheet, endpoint=options.endpoint,
                         mode=options.mode, tenant=connector.tenant(), foreign=options.foreign,
                         scope_column=COMPANY_COLUMN)
    if not is_multi_company(source):
        if options.companies:
            raise UsageError(f"--companies: sheet {source.sheet.name!r} has no {COMPANY_COLUMN} column to route by")
        return run_import(connector, path, options, progress, source)
    try:
        return _run(connector, path, source, options, progress)
    except KeyboardInterrupt as exc:
        if isinstance(exc, Interrupted):
            raise
        raise Interrupted("Interrupted while planning (GET requests only): nothing was written.") from None


def _run(
    connector: Connector, path: Path, source: Source, options: ImportOptions, progress: Progress
) -> ImportOutcome:
    visible = {c.id: c for c in connector.visible_companies()}
    parts, refused = split_by_company(source, visible, options.mode)
    wanted = parse_company_spec(options.companies) if options.companies else None
    chosen = {c.id for c in choose_companies(list(visible.values()), wanted)}
    skipped = [RowResult(source.sheet.name, r.row, "skip", status="skipped", company=cid,
                         message=f"company {cid} is not among --companies")
               for cid, sub in parts.items() if cid not in chosen for r in sub.sheet.rows]
    runs = [_start(connector, path, visible[cid], sub, options) for cid, sub in parts.items() if cid in chosen]
    mine = tuple(company_journal(path, options, c) for c in visible)
    for run in runs:
        run.options.own_journals = mine
    for n, run in enumerate(runs, start=1):
        progress.note(f"[{n}/{len(runs)}] planning {run.options.target_label}")
        _plan(run, path, progress)
    extra = refused + skipped
    result = _merged(connector, path, source, runs, extra)
    s = result.summary
    blocked = s.invalid + s.conflict
    if not options.apply:
        return _finish(result, EXIT_BLOCKED if blocked else EXIT_FAILED if s.failed else EXIT_OK)
    if blocked and not options.skip_invalid:
        result.warnings.append("Nothing was written: fix the invalid/conflict rows or use --skip-invalid.")
        return _finish(result, EXIT_BLOCKED)
    _check_journals(path, runs, options)
    result.applied = True
    for n, run in enumerate(runs, start=1):
        if run.plan is None:
            continue
        progress.note(f"[{n}/{len(runs)}] applying to {run.options.target_label}")
        try:
            outcome = apply_plan(run.connector, run.plan, path, run.options, progress)
        except JournalError:
            raise
        except BulktoolError as exc:
            _fail(run.plan.result.rows, run.company, exc, only_planned=True)
            continue
        if outcome.interrupted:
            _refresh(result, runs, extra, source.warnings)
            result.interrupted = True
            return _finish(result, EXIT_INTERRUPTED)
    _refresh(result, runs, extra, source.warnings)
    return _finish(result, EXIT_FAILED if result.summary.failed else EXIT_OK)


def _start(connector: Connector, path: Path, company: Company, sub: Source, options: ImportOptions) -> _Company:
    conn = connector.for_company(company.id)
    label = f"company {company.id}" + (f" ({company.name})" if company.name else "")
    opts = replace(options, journal=company_journal(path, options, company.id), target_label=label, companies=None)
    scope = source_scope = sub.use_export_record and bool(sub.sheet.exported)
    if source_scope:
        scope = _trusted(sub, company, conn)
    return _Company(company, conn, opts, replace(sub, use_export_record=scope))


def _trusted(sub: Source, company: Company, conn: Connector) -> bool:
    """A company's slice of the export record counts only when it names this company's own tenant."""
    recorded = _scopes(sub).get(company.id)
    if recorded is None:
        return False
    here = conn.tenant()
    if recorded.get("tenant") == here.id:
        return True
    raise WorkbookError(f"The rows of company {company.id} were exported from another account "
                        f"({recorded.get('tenant_label') or 'unknown'}) than {here.label}; export again, or pass "
                        "--foreign to compare every cell with live data")


def _scopes(sub: Source) -> dict[str, dict[str, str]]:
    return sub.scopes


def _plan(run: _Company, path: Path, progress: Progress) -> None:
    try:
        run.plan = plan_file(run.connector, path, run.options, progress, run.source)
        run.rows = run.plan.result.rows
    except (WorkbookError, UsageError):
        raise  # the sheet itself is wrong: nothing runs
    except BulktoolError as exc:  # the company answered 403, 412, ...: it fails alone
        run.rows = [RowResult(run.source.sheet.name, r.row, "skip", values=dict(r.values))
                    for r in run.source.sheet.rows]
        _fail(run.rows, run.company, exc, only_planned=False)
    for r in run.rows:
        r.company = run.company.id
        # The reports reproduce the user's sheet: its company columns too, which the plan never saw.
        r.values = {COMPANY_COLUMN: run.company.id, COMPANY_NAME_COLUMN: run.company.name, **r.values}


def _fail(rows: list[RowResult], company: Company, exc: BulktoolError, *, only_planned: bool) -> None:
    for r in rows:
        if only_planned and r.status != "planned":
            continue
        r.status, r.message = "failed", f"company {company.id}: {exc}"
        r.permanent = getattr(exc, "status", None) in (400, 403, 404, 409, 412, 422)


def _merged(
    connector: Connector, path: Path, source: Source, runs: list[_Company], extra: list[RowResult]
) -> ImportResult:
    result = ImportResult(system=connector.system, endpoint=source.endpoint.name, source=str(path),
                          sheet=source.sheet.name, columns=list(source.sheet.columns), rows=[],
                          host=connector.host, warnings=list(source.warnings))
    result.rate_per_second = connector.client.limiter.rate
    result.companies = {r.company.id: r.company.name for r in runs}
    for r in extra:
        if r.company and r.company not in result.companies:
            result.companies[r.company] = ""
    _refresh(result, runs, extra, source.warnings)
    return result


def _refresh(result: ImportResult, runs: list[_Company], extra: list[RowResult], base: list[str]) -> None:
    """The merged rows and totals, again after an apply filled in the companies' results."""
    rows = list(extra)
    result.read_requests = result.write_requests = result.not_sent = result.unfinished = 0
    batches: int | None = None
    journals: list[str] = []
    undos: list[str] = []
    warnings = list(base)
    for run in runs:
        rows += run.rows or []
        if run.plan is None:
            continue
        sub = run.plan.result
        result.read_requests += sub.read_requests
        result.write_requests += sub.write_requests
        result.not_sent += sub.not_sent
        result.unfinished += sub.unfinished
        if sub.write_batches is not None:
            batches = (batches or 0) + sub.write_batches
        journals += [sub.journal] if sub.journal else []
        undos += [sub.undo] if sub.undo else []
        warnings += [f"{run.options.target_label}: {w}" for w in sub.warnings]
    result.rows = sorted(rows, key=lambda r: r.row)
    result.write_batches = batches
    result.journal = ", ".join(journals) or None
    result.undo = ", ".join(undos) or None
    result.warnings = list(dict.fromkeys(warnings))


def _check_journals(path: Path, runs: list[_Company], options: ImportOptions) -> None:
    """Before any write: without --resume an interrupted journal of any company stops the whole run."""
    paths = [run.options.journal for run in runs if run.options.journal is not None]
    existing = [p for p in paths if p.exists()]
    if options.resume:
        if not existing:
            raise UsageError(f"--resume: no journal found for {path.name}; nothing to resume")
        return
    for p in existing:
        with Journal(p) as journal:
            left = journal.interrupted()
        if left:
            raise JournalError(f"An earlier apply of {path.name} was interrupted: {len(left):,} writes in journal "
                               f"{p} were not confirmed. Run again with --resume to finish it safely.")


def _finish(result: ImportResult, code: int) -> ImportOutcome:
    result.exit_code = code
    return ImportOutcome(result, code)
