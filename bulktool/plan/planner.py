"""Turn a sheet into a plan: one RowResult per row, plus the write each planned row implies.

The dry run and apply both call ``make_plan``; apply calls it again right
before writing so it writes exactly what a dry run at that moment would show.
Planning sends only GET requests.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from ..connectors.base import Connector
from ..errors import ApiError
from ..gcutil import gc_paused
from ..progress import NullProgress, Progress
from ..schema.model import Endpoint
from ..schema.validate import validate_rows
from ..workbook import ReadRow, flatten
from ..workbook.meta import parse_record_time
from .classify import ROW_ACTIONS, Mode, PlanOptions, classify, id_out
from .dependents import Dependents
from .diff import build_body, check_values, three_way
from .excel_habits import lost_zeros, sheet_checks
from .groups import group_writes
from .live import LiveIndex, fetch_details, fetch_live, key_of, needs_detail, row_key
from .model import Action, CellError, FieldChange, ImportResult, RowResult
from .references import unknown_references
from .requests import count_requests, pace
from .resend import feed_is_cheaper, server_notes, top_name, unknown_clears, would_clear
from .source import Source
from .untouched import covers_writes, drop_untouched_required, has_detail_only, same_as_live, user_touched

__all__ = ["ROW_ACTIONS", "Mode", "Plan", "PlanOptions", "PlannedWrite", "count_requests", "make_plan"]

GONE_UNTOUCHED = "no longer exists on the server (the row was not edited: nothing to write)"


@dataclass
class PlannedWrite:
    result: RowResult
    action: Literal["create", "update", "delete"]
    record_id: str | None
    body: dict[str, Any] | None
    key_field: str | None
    key_value: str | None
    before: dict[str, Any] = field(default_factory=dict)  # flat live values of the record (for undo)
    # A versioned partial update: the body's version key, and for each field it changes the plan-time
    # live value and the value written (normalised), so the writer can run the three-way check again
    # when the server says the record moved on (``writer.versions``).
    version_field: str | None = None
    base: dict[str, Any] = field(default_factory=dict)
    want: dict[str, Any] = field(default_factory=dict)
    # A list-valued write (the template's group_by): the per-row writes whose rows share it (groups.py).
    members: list[PlannedWrite] = field(default_factory=list)
    # A create with the client's id: ``record_id`` is that id, ``generated`` when bulktool made it up (the
    # journal keeps it, so a resume or a re-plan sends the same one), and a 409 (the id exists) in upsert
    # mode becomes an update of the fields ``want`` names (``writer.runner``).
    generated: str | None = None  # the body key holding that made-up id
    upsert: bool = False


@dataclass
class Plan:
    result: ImportResult
    writes: list[PlannedWrite]
    endpoint: Endpoint | None = None
    batch_size: int = 1  # records per bulk request, where the endpoint has bulk operations
    # Row -> the live record it was matched to (by id or natural key): what a row of the same run that
    # refers to this one links to when the row needs no write (``migrate.run``).
    targets: dict[int, str] = field(default_factory=dict)


def _changed_since(source: Source, ids: list[str | None]) -> datetime | None:
    """Only records changed since the export need fetching, when the whole sheet has ids.

    The export time is the server's own (its ``Date`` header when the export started;
    ``Source.exported_at`` is None for records stamped by the local clock, and then every
    record is read). The margin covers the server's clocks disagreeing among themselves
    (the web front that sends ``Date`` versus the database that stamps ``lastUpdated``):
    the connector's ``changed_since_params`` adds it, in the vendor's own terms.
    """
    meta = source.sheet.meta
    if not (source.use_export_record and meta and source.endpoint.changed_since_filter):
        return None
    if None in ids:
        return None  # natural-key matching needs every live record
    exported = source.sheet.exported
    if not all(map(exported.__contains__, ids)):  # (no None here: checked above)
        return None  # a row the export did not write (an id typed in): only a full read can check its key
    if _deletes_with_dependents(source):
        return None  # which records point at one being deleted: only a full read can tell
    exported_at = source.exported_at
    if not exported_at:
        return None
    try:
        return parse_record_time(exported_at)
    except ValueError:
        return None  # an unreadable time: read everything rather than guess


def _action_column(columns: list[str]) -> str | None:
    """The optional per-row action column (create/update/delete/skip), spelled any case."""
    return next((c for c in columns if c.strip().lower() == "action"), None)


def _deletes_with_dependents(source: Source) -> bool:
    ep = source.endpoint
    if not any(c.refers_to == ep.name for c in ep.columns):
        return False
    action_col = _action_column(source.sheet.columns)
    return action_col is not None and any(
        str(r.values.get(action_col) or "").strip().lower() == "delete" for r in source.sheet.rows)


def make_plan(
    connector: Connector, source: Source, options: PlanOptions, *, progress: Progress | None = None
) -> Plan:
    """The per-row plan: what the dry run shows and what apply writes."""
    with gc_paused(keep=True):  # 100k rows allocate millions of live objects: collections would find nothing
        return _make_plan(connector, source, options, progress)


def _make_plan(connector: Connector, source: Source, options: PlanOptions, progress: Progress | None) -> Plan:
    progress = progress or NullProgress()
    ep, sheet = source.endpoint, source.sheet
    stats = connector.client.stats
    reads_before = stats.total
    result = ImportResult(
        system=connector.system, endpoint=ep.name, source=str(source.path), sheet=sheet.name,
        columns=list(sheet.columns), rows=[], rate_per_second=float(connector.client.limiter.rate),
        warnings=list(source.warnings),
    )
    ids = [key_of(r.values.get(ep.id_field)) for r in sheet.rows]
    exported = sheet.exported if source.use_export_record else {}
    # A row exactly as exported is unchanged whatever the template thinks of the server's values: validating
    # it could only turn an untouched round trip into "invalid" rows. (The reader hands back the exported
    # objects themselves for untouched cells, so one dict comparison settles it.)
    untouched = [bool(exported) and rid is not None and not r.errors and r.values == exported.get(rid)
                 for r, rid in zip(sheet.rows, ids, strict=True)]
    changed_since = _changed_since(source, ids)
    # A list-valued write sends every live item of its parent: only a whole read knows them all.
    if changed_since is not None and (ep.group_by is not None or not feed_is_cheaper(
            ep, sheet.rows, ids, untouched, exported, page_size=connector.paginator.page_size,
            full_replacement=connector.write_policy.full_replacement)):
        changed_since = None
    live = fetch_live(connector, ep, changed_since=changed_since, progress=progress)
    policy = connector.write_policy_for(ep)
    client_ids = not policy.server_assigns_ids

    def is_create(r: Any) -> bool:
        # Rows without an id that match an existing record by natural key are updates, not creates.
        rid = key_of(r.values.get(ep.id_field))
        if client_ids and rid is not None:
            return live.complete and rid not in live.records  # an id the server lacks: created with it
        if not policy.is_create(rid) and not (client_ids and rid is None):
            return False
        key_field, key = row_key(ep, r.values)
        return key is None or not live.matching(key_field, key)

    # Without a record to compare with, a row holding exactly the live values is as good as untouched.
    sheet_has_detail_only = has_detail_only(ep, dict.fromkeys(sheet.columns))
    sheet_cols = [c for c in ep.columns if c.name in sheet.columns]
    action_col = _action_column(sheet.columns)
    if not sheet_has_detail_only and action_col is None:
        for i in same_as_live(sheet.rows, ids, untouched, exported, live, sheet_cols):
            untouched[i] = True
    to_check = [r for r, same in zip(sheet.rows, untouched, strict=True) if not same]
    errors = validate_rows(ep, sheet.columns, to_check, id_column=ep.id_field, is_create=is_create,
                           required_on_update=policy.required_on_update)
    if source.use_export_record:
        errors = drop_untouched_required(ep, sheet.rows, errors, sheet.exported)
    errors, notes = sheet_checks(ep, sheet.columns, sheet.rows, ids, untouched, exported, live, errors)
    result.warnings += notes

    rows: list[tuple[ReadRow, RowResult, str | None]] = []  # (row, result, target id)
    # The usual row (an id of a live record, no error, no action cell) is an update candidate: decided
    # inline, since classify's general path cost a third of planning 100k rows.
    plain = action_col is None and options.mode != "create-only" and bool(ep.update_path)
    formula_rows = source.formula_cells
    id_field, name, records, complete = ep.id_field, sheet.name, live.records, live.complete
    one_key = ep.natural_key[0] if len(ep.natural_key) == 1 else None  # the usual template: row_key inline
    for r, rid, same in zip(sheet.rows, ids, untouched, strict=True):
        if plain and rid is not None and r.row not in errors and r.row not in formula_rows and (
                rid in records or not complete):
            values = r.values
            key = key_of(values.get(one_key)) if one_key is not None else row_key(ep, values)[1]
            action: Action = "unchanged" if same else "update"
            rows.append((r, RowResult(name, r.row, action, id_out(values[id_field]), key, values=values), rid))
            continue
        if same and action_col is None and complete and rid not in records:
            # Deleted since the export, but this row asks for nothing: worth a mention, not a conflict.
            rows.append((r, RowResult(name, r.row, "unchanged", id_out(r.values[id_field]), status="skipped",
                                      message=GONE_UNTOUCHED, values=r.values), None))
            continue
        rr, target = classify(r, source, options, live, errors, action_col, client_ids=client_ids)
        rows.append((r, rr, target))
    # Rows to update: decide which need a detail GET, fetch those in one concurrent batch.
    detail_ids = []
    for r, rr, target in rows:
        if rr.action == "update" and target is not None:
            exp = exported.get(target)
            if exp is not None and not user_touched(ep, r.values, exp):
                rr.action = "unchanged"
                continue
            if exp is None and not sheet_has_detail_only:
                quick = three_way(sheet_cols, r.values, live.flat(ep, target), _unrecorded(bool(exported)),
                                  ep.natural_key)
                if not quick.changes and not quick.conflicts:
                    rr.action = "unchanged"
                    continue
            live_rec = live.records.get(target)
            covered = exp is not None and covers_writes(ep, exp, full_replacement=policy.full_replacement)
            if live_rec is None and not live.complete and covered:
                # Not in the changed-since list: unchanged since the export, or deleted. One detail GET
                # tells which (a "not found" plans "no longer exists"); feed_is_cheaper bounded their number.
                if ep.get_path:
                    detail_ids.append(target)
                continue
            lu = exp.get(ep.last_updated_field) if exp and ep.last_updated_field else None
            if needs_detail(ep, exp, lu, live_rec, full_replacement=policy.full_replacement):
                detail_ids.append(target)
    details = fetch_details(connector, ep, detail_ids, progress=progress)

    writes: list[PlannedWrite] = []
    dependents = Dependents(ep, live)
    for r, rr, target in rows:
        if rr.action == "update" and target is not None:
            pw = _plan_update(ep, r, rr, target, live, exported.get(target), details.get(target),
                              options.allow_clear, full_replacement=policy.full_replacement,
                              recorded_sheet=bool(exported))
            if pw:
                writes.append(pw)
        elif rr.action == "create":
            pw = _plan_create(ep, r, rr, sheet.columns)
            if client_ids:
                _client_id(connector, ep, pw, r)
            pw.upsert = options.mode == "upsert"
            writes.append(pw)
        elif rr.action == "delete" and target is not None:
            writes.append(PlannedWrite(rr, "delete", target, None, None, None, live.flat(ep, target)))
            if (note := dependents.note(target)) is not None:
                rr.warnings.append(note)
        result.rows.append(rr)
    writes = unknown_references(connector, ep, writes, progress, source.known_ids)
    result.warnings += unknown_clears(ep, options.allow_clear)
    writes = group_writes(ep, writes, live)  # a template with group_by: one write per parent's list
    result.write_requests = len(writes)
    result.write_batches = count_requests(ep, [w.action for w in writes], options.batch_size)
    result.read_requests = stats.total - reads_before
    result.rate_per_second = pace(connector.client.limiter)
    targets = {rr.row: t for _, rr, t in rows if t is not None}
    return Plan(result, writes, ep, options.batch_size, targets)


def _plan_update(
    ep: Endpoint, r: ReadRow, rr: RowResult, target: str, live: LiveIndex,
    exported: Mapping[str, Any] | None, detail: dict[str, Any] | ApiError | None,
    allow_clear: tuple[str, ...] = (),
    *,
    full_replacement: bool = True,
    recorded_sheet: bool = False,
) -> PlannedWrite | None:
    if isinstance(detail, ApiError):
        if detail.status in (400, 404):
            # Some APIs answer a GET of a missing id with 400 rather than 404 (see the vendor's connector);
            # a GET by id has no body, so a client error there means the record is gone.
            rr.action, rr.message = "conflict", f"id {target} no longer exists on the server"
        else:
            rr.action, rr.message = "conflict", f"could not read record {target}: {detail}"
        return None
    raw = {**live.records.get(target, {}), **(detail or {})}
    if not raw and exported is not None:
        current = dict(exported)  # not in the changed-since list: unchanged since the export
    else:
        cols = [c for c in ep.columns if c.in_list or (detail is not None and c.in_detail)]
        current = flatten(raw, cols)
        if detail is None and exported is not None:
            # Detail-only fields: the workbook's exported values are the server's (lastUpdated unchanged).
            for c in ep.columns:
                if not c.in_list and c.name in exported:
                    current.setdefault(c.name, exported[c.name])
    sheet_cols = [c for c in ep.columns if c.name in r.values]
    lost = lost_zeros(sheet_cols, r.values, current, exported)  # detail-only columns are known only now
    if lost:
        rr.action, rr.errors = "invalid", lost
        return None
    base = exported if exported is not None else _unrecorded(recorded_sheet)
    diff = three_way(sheet_cols, r.values, current, base, ep.natural_key)
    if diff.read_only_edits:
        rr.warnings.append(f"edits to read-only columns are ignored: {', '.join(diff.read_only_edits)}")
    if diff.conflicts:
        rr.action, rr.changes = "conflict", {**diff.changes, **diff.conflicts}
        rr.message = "changed on the server since the export: " + ", ".join(diff.conflicts)
        return None
    if not diff.changes:
        rr.action = "unchanged"
        return None
    clash = _key_clash(ep, target, live, diff.changes, in_record=exported is not None)
    if clash:
        rr.action, rr.changes, rr.errors = "invalid", diff.changes, [clash]
        return None
    emptied = [c.name for c in sheet_cols if not c.nullable and c.name in diff.changes
               and diff.changes[c.name].new in (None, "")]
    if emptied:  # the server has no empty value for these (a number); a partial update is checked here
        rr.action, rr.changes = "invalid", diff.changes
        rr.errors = [CellError(name, "cannot be empty") for name in emptied]
        return None
    cleared = would_clear(ep, current, diff.changes) if full_replacement else []  # a partial update clears nothing
    if cleared:
        groups = list(dict.fromkeys(top_name(c) for c in cleared))
        rr.would_clear = groups
        refused = [g for g in groups if g not in allow_clear and not any(
            c in allow_clear for c in cleared if top_name(c) == g)]
        if refused:
            rr.action, rr.changes = "invalid", diff.changes
            flags = " ".join(f"--allow-clear {g}" for g in refused)
            rr.errors = [CellError(None, f"would clear: {', '.join(refused)} (a full-replacement update cannot "
                                         f"resend it); pass {flags} to clear it anyway")]
            return None
        rr.warnings.append(f"would clear: {', '.join(groups)} (allowed by --allow-clear); the undo workbook "
                           "cannot restore it")
    rr.changes = {**diff.changes, **{c: FieldChange(old=current.get(c), new=None) for c in cleared}}
    rr.id = rr.id if rr.id is not None else target
    body = build_body(ep, current, diff.changes, for_create=False, full_replacement=full_replacement, record=raw)
    rr.warnings += server_notes(ep, {**current, **{k: ch.new for k, ch in diff.changes.items()}})
    before = dict(current)  # every live value: the undo workbook restores the changed ones, leaves the rest
    pw = PlannedWrite(rr, "update", target, body, row_key(ep, r.values)[0], rr.key, before)
    if not full_replacement and ep.version_field and ep.version_field in body:
        pw.version_field = ep.version_field
        pw.base, pw.want = check_values(ep, diff.changes)
    return pw



def _unrecorded(recorded_sheet: bool) -> Mapping[str, Any] | None:
    """The export record of a row the export did not write (a row typed in and matched by its natural key).

    In a workbook with an export record, such a row holds only what the user typed: a blank cell there
    is no opinion (``three_way`` given an empty record), never "clear what the server has" (after a
    create, the server's defaults would otherwise be cleared by the next run). A sheet without any
    record (CSV, ``--foreign``) is the whole truth: a blank there clears (None).
    """
    return {} if recorded_sheet else None


def _key_clash(
    ep: Endpoint, target: str, live: LiveIndex, changes: Mapping[str, FieldChange], *, in_record: bool
) -> CellError | None:
    """An update that gives the record a natural key another live record holds (a retyped id, a copied row).

    Only a complete live read can tell; records that already share a key are left alone.
    """
    if not live.complete:
        return None
    for key_field in ep.natural_key:
        if key_field not in changes:
            continue
        new = key_of(changes[key_field].new)
        others = [i for i in live.by_key(key_field).get(new, []) if i != target] if new is not None else []
        if others:
            return _clash(key_field, new, target, others, in_record)
    return None


def _clash(key_field: str, new: str | None, target: str, others: list[str], in_record: bool) -> CellError:
    hint = "" if in_record else f"; id {target} is not in this workbook's export record: was the id retyped?"
    return CellError(key_field, f"{key_field} {new!r} already belongs to id {', '.join(others[:3])} on the "
                                f"server: two records would share it{hint}")


def _plan_create(ep: Endpoint, r: ReadRow, rr: RowResult, columns: list[str]) -> PlannedWrite:
    present = {c.name: c for c in ep.columns if c.name in columns and c.writable}
    changes = {
        name: FieldChange(old=None, new=r.values.get(name))
        for name in present
        if r.values.get(name) is not None and r.values.get(name) != ""
    }
    # Every field the create sets, the template's defaults included, is shown.
    defaults = {c.name: FieldChange(old=None, new=c.create_default) for c in ep.columns
                if c.writable and c.create_default is not None and c.name not in changes}
    rr.changes = {**changes, **defaults}
    for c in ep.columns:
        forced = c.create_server_value
        if forced is None or not c.writable:
            continue
        given = rr.changes.get(c.name)
        if given is not None and str(given.new).casefold() != str(forced).casefold():
            rr.warnings.append(f"the server sets {c.name} to {forced!r} on create; {given.new!r} is not applied")
        rr.changes[c.name] = FieldChange(old=None, new=forced)
    body = build_body(ep, {}, changes, for_create=True)
    rr.warnings += server_notes(ep, {k: ch.new for k, ch in rr.changes.items()})
    key_field = row_key(ep, r.values)[0]
    return PlannedWrite(rr, "create", None, body, key_field, rr.key if key_field else None)


def _client_id(connector: Connector, ep: Endpoint, pw: PlannedWrite, r: ReadRow) -> None:
    """A create where the client gives the id: the row's own, else one the connector makes up (the
    importer swaps in the one an earlier run's journal holds, so it is made up once per row)."""
    rid = key_of(r.values.get(ep.id_field))
    if rid is None and (new := connector.new_record_id(ep)) is not None:
        col = ep.column(ep.id_field)
        if pw.body is not None and col.write is not None:
            rid, pw.generated = new, col.write
            pw.result.changes = {ep.id_field: FieldChange(old=None, new=new), **pw.result.changes}
            pw.body = {col.write: new, **pw.body}
    pw.record_id = rid
    pw.want = check_values(ep, {k: ch for k, ch in pw.result.changes.items() if k != ep.id_field})[1]


def reuse_id(pw: PlannedWrite, record_id: str) -> None:
    """Give a create with a made-up id the one an earlier attempt at it was journaled with."""
    if pw.generated is None or pw.body is None:
        return
    pw.record_id = record_id
    pw.body = {**pw.body, pw.generated: record_id}
    ep_id = next(iter(pw.result.changes), None)
    if ep_id is not None:
        pw.result.changes[ep_id] = FieldChange(old=None, new=record_id)
