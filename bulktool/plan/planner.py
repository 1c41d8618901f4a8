"""Turn a sheet into a plan: one RowResult per row, plus the write each planned row implies.

The dry run and apply both call ``make_plan``; apply calls it again right
before writing so it writes exactly what a dry run at that moment would show.
Planning sends only GET requests.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import compress, count, repeat
from operator import ne
from typing import Any, Literal

from ..connectors.base import Connector
from ..errors import ApiError
from ..gcutil import gc_paused
from ..progress import NullProgress, Progress
from ..schema.model import Column, Endpoint
from ..schema.validate import validate_rows
from ..workbook import ReadRow, flatten
from ..workbook.flatten import flatten_columns
from .diff import build_body, three_way, user_edited_columns
from .live import LiveIndex, fetch_details, fetch_live, key_of, needs_detail
from .model import Action, CellError, FieldChange, ImportResult, RowResult
from .source import Source

Mode = Literal["upsert", "create-only", "update-only"]
ROW_ACTIONS = ("create", "update", "delete", "skip")


@dataclass
class PlanOptions:
    mode: Mode = "upsert"
    allow_delete: bool = False


@dataclass
class PlannedWrite:
    result: RowResult
    action: Literal["create", "update", "delete"]
    record_id: str | None
    body: dict[str, Any] | None
    key_field: str | None
    key_value: str | None
    before: dict[str, Any] = field(default_factory=dict)  # flat live values of changed fields (for undo)


@dataclass
class Plan:
    result: ImportResult
    writes: list[PlannedWrite]


def _changed_since(source: Source, ids: list[str | None]) -> str | None:
    """Only records changed since the export need fetching, when the whole sheet has ids."""
    meta = source.sheet.meta
    if not (source.use_export_record and meta and source.endpoint.changed_since_filter):
        return None
    if None in ids:
        return None  # natural-key matching needs every live record
    exported_at = source.exported_at
    if not exported_at:
        return None
    # A generous margin absorbs clock skew between this machine and the server.
    when = datetime.strptime(exported_at[:19], "%Y-%m-%d %H:%M:%S") - timedelta(minutes=30)
    return when.strftime("%Y-%m-%d %H:%M:%S")


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
    live = fetch_live(connector, ep, changed_since=_changed_since(source, ids), progress=progress)
    key_field = ep.natural_key[0] if ep.natural_key else None

    def is_create(r: Any) -> bool:
        # Rows without an id that match an existing record by natural key are updates, not creates.
        if key_of(r.values.get(ep.id_field)) is not None:
            return False
        key = key_of(r.values.get(key_field)) if key_field else None
        return key is None or not live.by_key.get(key)

    # A row exactly as exported is unchanged whatever the template thinks of the server's values: validating
    # it could only turn an untouched round trip into "invalid" rows. (The reader hands back the exported
    # objects themselves for untouched cells, so one dict comparison settles it.)
    exported = sheet.exported if source.use_export_record else {}
    untouched = [bool(exported) and rid is not None and not r.errors and r.values == exported.get(rid)
                 for r, rid in zip(sheet.rows, ids, strict=True)]
    # Without a record to compare with, a row holding exactly the live values is as good as untouched.
    sheet_has_detail_only = _has_detail_only(ep, dict.fromkeys(sheet.columns))
    sheet_cols = [c for c in ep.columns if c.name in sheet.columns]
    action_col = next((c for c in sheet.columns if c.strip().lower() == "action"), None)
    if not sheet_has_detail_only and action_col is None:
        for i in _same_as_live(sheet.rows, ids, untouched, exported, live, sheet_cols):
            untouched[i] = True
    to_check = [r for r, same in zip(sheet.rows, untouched, strict=True) if not same]
    errors = validate_rows(ep, sheet.columns, to_check, id_column=ep.id_field, is_create=is_create)
    if source.use_export_record:
        errors = _drop_untouched_required(ep, sheet.rows, errors, sheet.exported)

    rows: list[tuple[ReadRow, RowResult, str | None]] = []  # (row, result, target id)
    # The usual row (an id of a live record, no error, no action cell) is an update candidate: decided
    # inline, since _classify's general path costs a third of planning 100k rows.
    plain = action_col is None and options.mode != "create-only" and bool(ep.update_path)
    formula_rows = source.formula_cells
    id_field, name, records, complete = ep.id_field, sheet.name, live.records, live.complete
    for r, rid, same in zip(sheet.rows, ids, untouched, strict=True):
        if plain and rid is not None and r.row not in errors and r.row not in formula_rows and (
                rid in records or not complete):
            values = r.values
            key = key_of(values.get(key_field)) if key_field else None
            action: Action = "unchanged" if same else "update"
            rows.append((r, RowResult(name, r.row, action, _id_out(values[id_field]), key, values=values), rid))
            continue
        rr, target = _classify(r, source, options, live, errors, action_col)
        rows.append((r, rr, target))
    # Rows to update: decide which need a detail GET, fetch those in one concurrent batch.
    detail_ids = []
    for i, (r, rr, target) in enumerate(rows):
        if rr.action == "update" and target is not None:
            exp = exported.get(target)
            if exp is not None and not _user_touched(ep, r.values, exp):
                rr.action = "unchanged"
                continue
            if exp is None and not sheet_has_detail_only:
                if untouched[i]:
                    rr.action = "unchanged"  # exactly the canonical live values: nothing to normalise
                    continue
                quick = three_way(sheet_cols, r.values, live.flat(ep, target), None)
                if not quick.changes and not quick.conflicts:
                    rr.action = "unchanged"
                    continue
            live_rec = live.records.get(target)
            if live_rec is None and not live.complete and exp is not None and _covers_writes(ep, exp):
                continue  # not in the changed-since list: the exported values are the server's
            lu = exp.get(ep.last_updated_field) if exp and ep.last_updated_field else None
            if needs_detail(ep, exp, lu, live_rec):
                detail_ids.append(target)
    details = fetch_details(connector, ep, detail_ids, progress=progress)

    writes: list[PlannedWrite] = []
    for r, rr, target in rows:
        if rr.action == "update" and target is not None:
            pw = _plan_update(ep, r, rr, target, live, exported.get(target), details.get(target))
            if pw:
                writes.append(pw)
        elif rr.action == "create":
            writes.append(_plan_create(ep, r, rr, sheet.columns))
        elif rr.action == "delete" and target is not None:
            writes.append(PlannedWrite(rr, "delete", target, None, None, None, live.flat(ep, target)))
        result.rows.append(rr)
    result.write_requests = len(writes)
    result.read_requests = stats.total - reads_before
    return Plan(result, writes)


def _same_as_live(
    rows: Sequence[ReadRow], ids: Sequence[str | None], untouched: Sequence[bool], exported: Mapping[str, Any],
    live: LiveIndex, columns: Sequence[Column],
) -> list[int]:
    """Indexes of rows with no export record entry whose cells are exactly their live record's values.

    Compared column by column over all such rows at once; equal canonical
    values are equal after normalising too, so only the rest need ``three_way``.
    """
    records = live.records
    picked = [(i, r.values, records[rid]) for i, (r, rid, same) in enumerate(zip(rows, ids, untouched, strict=True))
              if not same and rid is not None and not r.errors and rid not in exported and rid in records]
    if not picked:
        return []
    differs: set[int] = set()
    live_cols = flatten_columns([rec for _, _, rec in picked], columns)
    values = [v for _, v, _ in picked]
    for c in columns:
        differs.update(compress(count(), map(ne, map(dict.get, values, repeat(c.name)), live_cols[c.name])))
    return [i for k, (i, _, _) in enumerate(picked) if k not in differs]


def _drop_untouched_required(
    ep: Endpoint, rows: list[ReadRow], errors: dict[int, list[CellError]], exported: Mapping[str, Any]
) -> dict[int, list[CellError]]:
    """A blank required cell blocks an update only if the user blanked it.

    The update body starts from the live record, so a cell that was already
    empty when exported (or a column the user added) sends the server's value.
    """
    out: dict[int, list[CellError]] = {}
    for r in rows:
        errs = errors.get(r.row)
        if not errs:
            continue
        exp = exported.get(key_of(r.values.get(ep.id_field)) or "")
        if exp is not None:
            errs = [e for e in errs if not (e.message == "required" and key_of(exp.get(e.column or "")) is None)]
        if errs:
            out[r.row] = errs
    return out


def _covers_writes(ep: Endpoint, exported: Mapping[str, Any]) -> bool:
    """Whether the export record holds every field a full-replacement write needs."""
    return all(c.name in exported for c in ep.columns if c.writable)


def _has_detail_only(ep: Endpoint, values: Mapping[str, Any]) -> bool:
    return any(c.name in values and not c.in_list for c in ep.columns)


def _user_touched(ep: Endpoint, values: Mapping[str, Any], exported: Mapping[str, Any]) -> bool:
    # Fast path: the reader hands back exactly the exported value for every untouched cell.
    if values == exported:
        return False
    if all(v == exported.get(k) for k, v in values.items() if k in exported):
        return False
    cols = [c for c in ep.columns if c.name in values]
    return bool(user_edited_columns(cols, values, exported))


def _classify(
    r: ReadRow, source: Source, options: PlanOptions, live: LiveIndex, errors: Mapping[int, list[CellError]],
    action_col: str | None,
) -> tuple[RowResult, str | None]:
    ep = source.endpoint
    key_field = ep.natural_key[0] if ep.natural_key else None
    rid = key_of(r.values.get(ep.id_field))
    key = key_of(r.values.get(key_field)) if key_field else None
    rr = RowResult(sheet=source.sheet.name, row=r.row, action="unchanged", id=_id_out(r.values.get(ep.id_field)),
                   key=key, values=r.values)
    # A formula cell's value is whatever Excel cached (nothing, if another tool wrote it): its other errors
    # are noise, so the formula is named first and alone for that column.
    formulas = source.formula_cells.get(r.row, {})
    cell_errors = [CellError(col, msg) for col, msg in formulas.items()]
    cell_errors += [e for e in errors.get(r.row, []) if e.column not in formulas]
    raw_action = r.values.get(action_col) if action_col else None
    requested = str(raw_action).strip().lower() or None if raw_action is not None else None
    if requested is not None and requested not in ROW_ACTIONS:
        cell_errors.append(CellError("action", f"must be one of: {', '.join(ROW_ACTIONS)} (got {requested!r})"))
    if requested == "skip":
        rr.action, rr.status, rr.message = "unchanged", "skipped", "skipped (action column says skip)"
        return rr, None
    target = rid
    if target is None and key is not None:
        matches = live.by_key.get(key, [])
        if len(matches) > 1:
            cell_errors.append(CellError(key_field, f"{key_field} {key!r} matches {len(matches)} records "
                                                    f"(ids {', '.join(matches[:5])}); add the id column"))
        elif matches:
            target = matches[0]
            rr.message = f"matched existing id {target} by {key_field}"
    if requested == "delete":
        if target is None:
            cell_errors.append(CellError(ep.id_field, "delete needs an id (or a natural key that matches)"))
        elif not options.allow_delete:
            cell_errors.append(CellError("action", "delete needs --allow-delete"))
        elif not ep.delete_path:
            cell_errors.append(CellError("action", f"{ep.name} cannot be deleted through the API"))
    if cell_errors:
        rr.action, rr.errors = "invalid", cell_errors
        return rr, target
    if requested == "delete":
        rr.action = "delete"
        return rr, target
    if rid is not None and live.complete and rid not in live.records:
        rr.action = "conflict"
        rr.message = f"id {rid} no longer exists on the server"
        return rr, None
    wants_create = target is None or requested == "create"
    if wants_create:
        if options.mode == "update-only" or not ep.create_path:
            rr.message = "no matching record (update-only mode)" if ep.create_path else "endpoint is read-only"
            rr.status = "skipped"
            return rr, None
        rr.action = "create"
        return rr, None
    if options.mode == "create-only" or not ep.update_path:
        rr.status = "skipped"
        rr.message = "exists (create-only mode)" if ep.update_path else "endpoint is read-only"
        return rr, target
    rr.action = "update"
    return rr, target


def _id_out(v: Any) -> str | int | None:
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v if isinstance(v, int | str) else str(v)


def _plan_update(
    ep: Endpoint, r: ReadRow, rr: RowResult, target: str, live: LiveIndex,
    exported: Mapping[str, Any] | None, detail: dict[str, Any] | ApiError | None,
) -> PlannedWrite | None:
    if isinstance(detail, ApiError):
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
    diff = three_way(sheet_cols, r.values, current, exported)
    if diff.read_only_edits:
        rr.warnings.append(f"edits to read-only columns are ignored: {', '.join(diff.read_only_edits)}")
    if diff.conflicts:
        rr.action, rr.changes = "conflict", {**diff.changes, **diff.conflicts}
        rr.message = "changed on the server since the export: " + ", ".join(diff.conflicts)
        return None
    if not diff.changes:
        rr.action = "unchanged"
        return None
    unsafe = _unsafe_nested(ep, current, diff.changes)
    if unsafe:
        rr.action = "invalid"
        rr.errors = [CellError(c, "this record has nested data that a full-replacement update cannot resend "
                                  "faithfully (read and write shapes differ); edit it in the application")
                     for c in unsafe]
        return None
    rr.changes = diff.changes
    rr.id = rr.id if rr.id is not None else target
    body = build_body(ep, current, diff.changes, for_create=False)
    before = {name: current.get(name) for name in diff.changes}
    key_field = ep.natural_key[0] if ep.natural_key else None
    return PlannedWrite(rr, "update", target, body, key_field, rr.key, before)


def _unsafe_nested(ep: Endpoint, current: Mapping[str, Any], changes: Mapping[str, FieldChange]) -> list[str]:
    """JSON columns holding data whose read shape is not its write shape (e.g. time-report materials).

    Blikk's PUT replaces the whole record, so an update must resend them; sending
    the read shape back would corrupt or drop them. Refuse instead of guessing.
    """
    return [c.name for c in ep.columns
            if c.type == "json" and c.name not in changes and current.get(c.name) not in (None, [], {})]


def _plan_create(ep: Endpoint, r: ReadRow, rr: RowResult, columns: list[str]) -> PlannedWrite:
    present = {c.name: c for c in ep.columns if c.name in columns and c.writable}
    changes = {
        name: FieldChange(old=None, new=r.values.get(name))
        for name in present
        if r.values.get(name) is not None and r.values.get(name) != ""
    }
    rr.changes = changes
    body = build_body(ep, {}, changes, for_create=True)
    key_field = ep.natural_key[0] if ep.natural_key else None
    return PlannedWrite(rr, "create", None, body, key_field, rr.key if key_field else None)
