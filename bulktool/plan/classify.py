"""Per-row decisions: what a row asks for (create, update, delete, skip) and whether it may.

The common row, an id of a live record with no error and no action cell, is
decided inline by the planner; everything else comes here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ..workbook import ReadRow
from ..workbook.meta import record_id
from .live import LiveIndex, key_of, row_key
from .model import CellError, RowResult
from .source import Source

Mode = Literal["upsert", "create-only", "update-only"]
ROW_ACTIONS = ("create", "update", "delete", "skip")


@dataclass
class PlanOptions:
    mode: Mode = "upsert"
    allow_delete: bool = False
    # Fields (a column, or its top-level name such as "location") an update may clear because the
    # template cannot resend them (``cleared_by_update``); other such rows are refused.
    allow_clear: tuple[str, ...] = field(default_factory=tuple)
    batch_size: int = 100  # records per bulk request where the endpoint has bulk operations (1: none)


def classify(
    r: ReadRow, source: Source, options: PlanOptions, live: LiveIndex, errors: Mapping[int, list[CellError]],
    action_col: str | None, *, client_ids: bool = False,
) -> tuple[RowResult, str | None]:
    """What one row asks for; with ``client_ids`` (the client gives ids) an id the server lacks is a create."""
    ep = source.endpoint
    key_field, key = row_key(ep, r.values)
    rid = key_of(r.values.get(ep.id_field))
    rr = RowResult(sheet=source.sheet.name, row=r.row, action="unchanged", id=id_out(r.values.get(ep.id_field)),
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
        matches = live.matching(key_field, key)
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
    if rid is not None and live.complete and rid not in live.records and client_ids:
        target = None  # a new record with the id the row gives it
    elif rid is not None and live.complete and rid not in live.records:
        rr.action = "conflict"
        rr.message = f"id {rid} no longer exists on the server"
        return rr, None
    wants_create = target is None or requested == "create"
    if wants_create:
        if options.mode == "update-only" or not ep.create_path:
            rr.message = ("no matching record (update-only mode)" if ep.create_path
                          else f"{ep.name} cannot be created through the API (it has no create); only existing "
                               "records can be updated" if ep.update_path else "endpoint is read-only")
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


def id_out(v: Any) -> str | int | None:
    """The row's id as reports show it: ``record_id``'s rule, but a number stays a number (JSON ``"id": 12``)."""
    k = record_id(v)
    return int(k) if k is not None and (v.__class__ is int or (isinstance(v, float) and v.is_integer())) else k
