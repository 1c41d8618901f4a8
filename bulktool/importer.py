"""Import a sheet: plan (GETs only), report, and on --apply write through the journal.

Exit codes: 0 all good; 1 invalid or conflict rows (nothing written unless
--skip-invalid); 3 apply finished with rows that failed at the API.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .connectors.base import Connector
from .errors import UsageError
from .plan.model import ImportResult
from .plan.planner import Mode, Plan, PlannedWrite, PlanOptions, make_plan
from .plan.source import load_source
from .progress import NullProgress, Progress
from .schema import load_templates
from .schema.model import Endpoint
from .writer import Journal, OpOutcome, WriteOp, apply_ops, default_journal_path, make_op


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
    undo: Path | None = None
    workers: int = 4
    foreign: bool = False  # ignore the export record (e.g. another account's): diff every cell against live


@dataclass
class ImportOutcome:
    result: ImportResult
    exit_code: int
    journal_path: Path | None = None
    undo_path: Path | None = None


class TemplateWriteClient:
    """The writer's view of the API: CRUD by endpoint name, through the throttled connector."""

    def __init__(self, connector: Connector, endpoints: dict[str, Endpoint]) -> None:
        self.connector = connector
        self.endpoints = endpoints

    def create(self, endpoint: str, body: dict[str, Any]) -> dict[str, Any]:
        ep = self.endpoints[endpoint]
        got = self.connector.client.request_json("POST", self.connector.endpoint_path(ep, "create"), json_body=body)
        return got if isinstance(got, dict) else {}

    def update(self, endpoint: str, record_id: str, body: dict[str, Any]) -> dict[str, Any]:
        ep = self.endpoints[endpoint]
        path = self.connector.endpoint_path(ep, "update", record_id)
        got = self.connector.client.request_json("PUT", path, json_body=body)
        return got if isinstance(got, dict) else {}

    def delete(self, endpoint: str, record_id: str) -> None:
        ep = self.endpoints[endpoint]
        self.connector.client.request("DELETE", self.connector.endpoint_path(ep, "delete", record_id))

    def find_by_key(self, endpoint: str, key_field: str, key_value: str) -> list[dict[str, Any]]:
        ep = self.endpoints[endpoint]
        params = {"filter.query": key_value} if "query" in ep.filters else {}
        items = self.connector.list_all(ep.list_path, params, id_field=ep.id_field)
        return [i for i in items if str(i.get(key_field) or "").strip() == key_value.strip()]


def _op(pw: PlannedWrite, endpoint: str) -> WriteOp:
    return make_op(pw.action, endpoint, pw.result.sheet, pw.result.row, pw.body, record_id=pw.record_id,
                   key_field=pw.key_field, key_value=pw.key_value)


def plan_file(
    connector: Connector, path: Path, options: ImportOptions, progress: Progress | None = None
) -> Plan:
    source = load_source(path, connector.system, connector.host, sheet=options.sheet, endpoint=options.endpoint,
                         mode=options.mode, tenant=connector.tenant(), foreign=options.foreign)
    return make_plan(connector, source, PlanOptions(options.mode, options.allow_delete), progress=progress)


def run_import(
    connector: Connector, path: Path, options: ImportOptions, progress: Progress | None = None
) -> ImportOutcome:
    progress = progress or NullProgress()
    plan = plan_file(connector, path, options, progress)
    result = plan.result
    summary = result.summary
    blocked = summary.invalid + summary.conflict
    if not options.apply:
        return ImportOutcome(result, 1 if blocked else 0)
    if blocked and not options.skip_invalid:
        result.warnings.append("Nothing was written: fix the invalid/conflict rows or use --skip-invalid.")
        return ImportOutcome(result, 1)
    if options.resume and options.journal is None and not default_journal_path(path).exists():
        raise UsageError(f"--resume: no journal found for {path.name}; nothing to resume")
    journal_path = options.journal or default_journal_path(path)
    result.applied = True
    for r in result.rows:
        if r.action in ("invalid", "conflict"):
            r.status = "skipped"
    ops = [_op(pw, result.endpoint) for pw in plan.writes]
    client = TemplateWriteClient(connector, load_templates(connector.system))
    title = f"Applying to {connector.host}"
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
    finally:
        journal.close()
    result.write_requests = connector.client.stats.writes - writes_before
    _record_outcomes(plan, ops, outcomes)
    undo = _write_undo(plan, path, options.undo)
    failed = result.summary.failed
    return ImportOutcome(result, 3 if failed else 0, journal_path, undo)


def _record_outcomes(plan: Plan, ops: list[WriteOp], outcomes: list[OpOutcome]) -> None:
    by_id = {o.op_id: o for o in outcomes}
    for pw, op in zip(plan.writes, ops, strict=True):
        out = by_id.get(op.op_id)
        if out is None:
            continue
        r = pw.result
        r.status = out.status  # type: ignore[assignment]
        r.message = out.message or r.message
        r.request_id = out.request_id
        if pw.action == "create" and out.result_id is not None:
            r.created_id = out.result_id


def _write_undo(plan: Plan, path: Path, target: Path | None) -> Path | None:
    rows = [(str(pw.record_id), pw.before) for pw in plan.writes
            if pw.action == "update" and pw.result.status == "applied" and pw.before]
    if not rows:
        return None
    from .reports import write_undo_workbook

    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    out = target or path.with_name(f"{path.stem}.undo-{stamp}.xlsx")
    columns = sorted({k for _, before in rows for k in before})
    write_undo_workbook(rows, columns, plan.result.endpoint, out)
    return out
