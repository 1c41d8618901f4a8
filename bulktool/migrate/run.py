"""Run the parts of a migration in waves: parents first, their ids filled into the rows that refer to them.

Why: a row may name a record that another row of the same run creates (``Source.pending``); its id exists
only once that row is written. Each wave is planned against live data and the journal (the usual checks),
then applied, into one journal for the whole run, so a killed run resumes wave by wave: a parent the
journal already created is skipped with the id it recorded (or matched live by its natural key), never
created twice, and its children still link to it. The dry run plans every wave too (GET requests only),
showing "(new id of row 12)" where a parent is still to be created.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from ..connectors.base import Connector
from ..errors import UsageError
from ..importer import (
    EXIT_BLOCKED,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    ImportOptions,
    ImportOutcome,
    Interrupted,
    apply_plan,
    journal_path_for,
    plan_file,
    write_undo,
)
from ..plan.groups import rows_of
from ..plan.lookups import resolve_sources
from ..plan.model import FieldChange, ImportResult, RowResult
from ..plan.pending import Pending
from ..plan.planner import Plan
from ..plan.source import Source
from ..plan.waves import Waves, order_waves, where
from ..progress import NullProgress, Progress
from ..workbook import CellValueError, ReadRow, clean
from ..writer import NOT_SENT

__all__ = ["RunOutcome", "run_parts"]

NOTHING_WRITTEN = "Nothing was written: fix the invalid/conflict rows or use --skip-invalid."
ParentState = Literal["id", "create", "failed", "invalid"]


@dataclass
class RunOutcome:
    """One outcome per part, in part order; ``exit_code`` is the worst of theirs."""

    parts: list[ImportOutcome]
    exit_code: int

    @property
    def interrupted(self) -> bool:
        return any(p.interrupted for p in self.parts)


@dataclass
class _Part:
    source: Source
    plans: dict[int, Plan] = field(default_factory=dict)  # wave -> its plan of this part's rows
    exact: set[int] = field(default_factory=set)  # waves planned with every parent's id known: final
    reads: int = 0  # GET requests of every plan made, a dry run's plan of a wave planned again included
    results: dict[int, RowResult] = field(default_factory=dict)  # row -> the latest result

    @property
    def name(self) -> str:
        return self.source.sheet.name


@dataclass
class _Fill:
    """What planning one wave of a part needs besides the rows: placeholders (dry run) and rows not to send."""

    placeholders: dict[int, dict[str, str]] = field(default_factory=dict)  # row -> id column -> the parent row
    not_sent: dict[int, str] = field(default_factory=dict)  # row -> message


class _Run:
    def __init__(self, connector: Connector, path: Path, parts: Sequence[Source], options: ImportOptions,
                 progress: Progress) -> None:
        self.connector, self.path, self.options, self.progress = connector, path, options, progress
        self.parts = [_Part(p) for p in parts]
        self.by_name = {p.name: p for p in self.parts}
        # Every part's lookups at once, through one cache: one list read per referenced template for the
        # whole run, and a value naming a row of another part becomes a Pending on it.
        resolve_sources(connector, parts, progress)
        for part in self.parts:  # the lookups' requests count in the part's reads (here, or before the run)
            part.reads, part.source.lookup_requests = part.source.lookup_requests, 0
        self.waves: Waves = order_waves(parts)
        self.known: dict[str, set[str]] = {}  # template -> ids of parents this run created or matched

    def plan_wave(self, wave: int) -> list[tuple[_Part, Plan]]:
        """Plan this wave's rows of every part, with what is known of their parents now.

        A plan made earlier with every parent's id known (a resume, a re-run) is kept: planning it again
        would read the same records for the same answer.
        """
        out = []
        for part in self.parts:
            if wave in part.exact:
                out.append((part, part.plans[wave]))
                continue
            rows = [r for r in part.source.sheet.rows if self.waves.wave_of(part.name, r.row) == wave]
            if not rows:
                continue
            source, fill = self._fill(part, rows)
            plan = plan_file(self.connector, self.path, self.options, self.progress, source=source)
            _annotate(plan, fill)
            if not fill.placeholders and not fill.not_sent:
                part.exact.add(wave)
            part.reads += plan.result.read_requests
            part.plans[wave] = plan
            part.results.update({rr.row: rr for rr in plan.result.rows})
            out.append((part, plan))
        return out

    def _fill(self, part: _Part, rows: list[ReadRow]) -> tuple[Source, _Fill]:
        """Copies of ``rows`` with each parent's id filled in, or the reason the row cannot have it."""
        src, fill = part.source, _Fill()
        copies, columns = [], list(src.sheet.columns)
        for r in rows:
            row = ReadRow(r.row, dict(r.values), dict(r.errors))
            bad = self.waves.invalid.get((part.name, r.row))
            if bad is not None:
                row.errors.setdefault(bad[0], bad[1])
            for column, pend in src.pending.get(r.row, {}).items():
                if column not in columns:
                    columns.append(column)
                if bad is None or bad[0] != column:
                    self._link(part, row, column, pend, fill)
            copies.append(row)
        sheet = replace(src.sheet, rows=copies, columns=columns)
        known = {name: {*src.known_ids.get(name, ()), *ids} for name, ids in self.known.items()}
        return replace(src, sheet=sheet, pending={}, known_ids={**src.known_ids, **known}), fill

    def _link(self, part: _Part, row: ReadRow, column: str, pend: Pending, fill: _Fill) -> None:
        named = where(pend, part.name)
        state, rid = self._parent(pend)
        if state == "id" and rid is not None:
            # This run created or matched it: the plan need not read it again to know it exists.
            self.known.setdefault(pend.endpoint, set()).add(rid)
            try:
                row.values[column] = clean(part.source.endpoint.column(column).type, rid)
            except CellValueError:
                row.values[column] = rid
        elif state == "create":
            fill.placeholders.setdefault(row.row, {})[column] = named
        elif state == "failed":
            fill.not_sent.setdefault(row.row, f"not sent: its parent {named} failed")
        else:
            row.errors.setdefault(column, f"its parent {named} is invalid" if rid is None else
                                  f"its parent {named} has no record ({rid})")

    def _parent(self, pend: Pending) -> tuple[ParentState, str | None]:
        """Where the row ``pend`` names stands: its record id, to be created, failed, or no record at all."""
        part = self.by_name.get(pend.sheet)
        rr = part.results.get(pend.row) if part is not None else None
        if rr is None or rr.action in ("invalid", "conflict"):
            return "invalid", None
        if rr.status in ("failed", "unknown"):
            return "failed", None
        if rr.created_id is not None:
            return "id", str(rr.created_id)
        if rr.action == "create":
            return ("create", None) if rr.status == "planned" else ("failed", None)
        plan = next((p for p in part.plans.values() if pend.row in p.targets), None) if part else None
        rid = str(rr.id) if rr.id is not None else plan.targets[pend.row] if plan is not None else None
        if rr.action == "delete":
            return "invalid", "this run deletes it"
        if rid is None:
            return "invalid", rr.message or "it is not created"
        return "id", rid

    def blocked(self) -> bool:
        return any(rr.action in ("invalid", "conflict") for p in self.parts for rr in p.results.values())

    def not_sent(self, plans: Sequence[tuple[_Part, Plan]]) -> None:
        """Plans an interrupted run never applied: their rows say so and ``--resume`` sends them."""
        for _, plan in plans:
            for pw in plan.writes:
                for m in rows_of(pw):
                    m.result.status, m.result.message = "skipped", NOT_SENT
            plan.result.not_sent += len(plan.writes)
            plan.result.interrupted = bool(plan.writes) or plan.result.interrupted


def _annotate(plan: Plan, fill: _Fill) -> None:
    """Show each placeholder as the row's change, and hold back the rows whose parent failed."""
    for rr in plan.result.rows:
        for column, named in fill.placeholders.get(rr.row, {}).items():
            if rr.action not in ("create", "update", "unchanged"):
                continue
            old = rr.changes[column].old if column in rr.changes else None
            rr.changes[column] = FieldChange(old=old, new=f"(new id of {named})")
            if rr.action == "unchanged" and rr.status == "planned":
                rr.action = "update"  # the link is new: the apply writes it
                plan.result.write_requests += 1
            note = f"{'creates' if rr.action == 'create' else 'updates'} after {named}"
            if note not in rr.warnings:
                rr.warnings.append(note)
        if (msg := fill.not_sent.get(rr.row)) is not None and rr.action not in ("invalid", "conflict"):
            rr.status, rr.message = "skipped", msg
    if fill.not_sent:
        plan.writes = [pw for pw in plan.writes if pw.result.row not in fill.not_sent]
        plan.result.write_requests = len(plan.writes)


def run_parts(
    connector: Connector, path: Path, parts: Sequence[Source], options: ImportOptions,
    progress: Progress | None = None,
) -> RunOutcome:
    """Plan (and with ``options.apply``, write) the parts of a run, parents first; one journal for all.

    ``path``: the input file (its default journal and undo workbooks go next to it).
    """
    run = _Run(connector, path, parts, options, progress or NullProgress())
    if (options.apply and options.resume and options.journal is None
            and not journal_path_for(connector, path, options).exists()):
        raise UsageError(f"--resume: no journal found for {path.name}; nothing to resume")
    try:
        first = run.plan_wave(0)
        for wave in range(1, run.waves.count):
            run.plan_wave(wave)
    except KeyboardInterrupt:
        raise Interrupted("Interrupted while planning (GET requests only): nothing was written.") from None
    if not options.apply:
        return _outcome(run, applied=False)
    if run.blocked() and not options.skip_invalid:
        for part in run.parts:
            next(iter(part.plans.values())).result.warnings.append(NOTHING_WRITTEN)
        return _outcome(run, applied=False)
    _apply_waves(run, first)
    return _outcome(run, applied=True)


def _apply_waves(run: _Run, first: list[tuple[_Part, Plan]]) -> None:
    """Apply wave by wave, each later wave planned again once its parents exist (the dry run's plan of it
    had placeholders); after an interrupt nothing further is sent (its rows say "not sent")."""
    plans, wave = first, 0
    while True:
        for i, (_, plan) in enumerate(plans):
            try:
                out = apply_plan(run.connector, plan, run.path, run.options, run.progress, undo=False)
            except KeyboardInterrupt:
                out = None
            if out is None or out.interrupted:
                run.not_sent(plans[i + (out is not None):])
                _not_planned(run, wave + 1)
                return
        wave += 1
        if wave >= run.waves.count:
            return
        try:
            plans = run.plan_wave(wave)
        except KeyboardInterrupt:
            _not_planned(run, wave)
            return


def _not_planned(run: _Run, wave: int) -> None:
    """Rows of waves an interrupted apply never reached: as the dry run planned them, marked not sent."""
    run.not_sent([(p, p.plans[w]) for w in range(wave, run.waves.count) for p in run.parts if w in p.plans])


def _outcome(run: _Run, *, applied: bool) -> RunOutcome:
    journal = journal_path_for(run.connector, run.path, run.options)
    outs = [_part_outcome(run, part, journal, applied) for part in run.parts]
    return RunOutcome(outs, max((o.exit_code for o in outs), default=EXIT_OK))


def _part_outcome(run: _Run, part: _Part, journal: Path, applied: bool) -> ImportOutcome:
    plans = [part.plans[w] for w in sorted(part.plans)]
    base = plans[0].result
    batches = [p.result.write_batches for p in plans if p.result.write_batches is not None]
    result: ImportResult = replace(
        base, applied=applied, rows=sorted((rr for p in plans for rr in p.result.rows), key=lambda r: r.row),
        columns=list(dict.fromkeys(c for p in plans for c in p.result.columns)),  # a filled id column too
        warnings=list(dict.fromkeys(w for p in plans for w in p.result.warnings)),
        read_requests=part.reads,
        write_requests=sum(p.result.write_requests for p in plans), write_batches=sum(batches) if batches else None,
        interrupted=any(p.result.interrupted for p in plans), not_sent=sum(p.result.not_sent for p in plans),
        journal=str(journal) if journal.exists() else None)
    undo = None
    if applied:
        merged = Plan(result, [pw for p in plans for pw in p.writes], part.source.endpoint, plans[0].batch_size)
        undo = write_undo(run.connector, merged, run.path, run.options)
        result.undo = str(undo) if undo else None
    s = result.summary
    code = EXIT_INTERRUPTED if result.interrupted else EXIT_FAILED if s.failed else \
        EXIT_BLOCKED if s.invalid + s.conflict else EXIT_OK
    result.exit_code = code
    return ImportOutcome(result, code, journal if journal.exists() else None, undo)
