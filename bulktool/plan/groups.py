"""List-valued writes: records a template writes as one list per parent (its ``group_by`` column).

Some APIs have no write for one item of such a list, only a PUT of the parent's whole list, and do
not say whether that PUT replaces the stored list or merges into it. The planner then sends, once per
parent, the complete list: every live item of that parent, with the user's changes in the rows that
changed. Under either reading the server ends up with exactly the live list plus the changes.

Each parent's list is one planned write (one journal entry, one request), so ``--resume`` sends it
exactly once; the rows that share it are its ``members`` and all get its outcome.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..schema.model import Endpoint
from .diff import build_body
from .live import LiveIndex, key_of

if TYPE_CHECKING:
    from .planner import PlannedWrite

ITEMS = "items"  # the grouped write's body: {"items": [item, ...]}, the list the connector sends


def group_writes(ep: Endpoint, writes: Sequence[PlannedWrite], live: LiveIndex) -> list[PlannedWrite]:
    """One update per parent holding the parent's complete list; other writes pass through unchanged."""
    group_by = ep.group_by
    if group_by is None:
        return list(writes)
    from .planner import PlannedWrite

    by_parent: dict[str, list[PlannedWrite]] = {}
    order: list[PlannedWrite | str] = []  # the plan's order: a parent's list where its first row was
    for pw in writes:
        parent = _parent(live, group_by, pw) if pw.action == "update" else None
        if parent is None:
            order.append(pw)
            continue
        if parent not in by_parent:
            by_parent[parent] = []
            order.append(parent)
        by_parent[parent].append(pw)
    out: list[PlannedWrite] = []
    for entry in order:
        if not isinstance(entry, str):
            out.append(entry)
            continue
        members = by_parent[entry]
        items = complete_list(ep, live, group_by, entry, {m.record_id: m for m in members if m.record_id})
        first = members[0]
        out.append(PlannedWrite(first.result, "update", entry, {ITEMS: items}, None, None, dict(first.before),
                                members=list(members)))
    return out


def complete_list(
    ep: Endpoint, live: LiveIndex, group_by: str, parent: str, changed: dict[str, PlannedWrite]
) -> list[dict[str, Any]]:
    """Every live item of ``parent`` in live order (write names, every writable column), changes applied."""
    items: list[dict[str, Any]] = []
    for rid, rec in live.records.items():
        if key_of(rec.get(group_by)) != parent:
            continue
        pw = changed.get(rid)
        changes = pw.result.changes if pw is not None else {}
        items.append(build_body(ep, live.flat(ep, rid), changes, for_create=False, full_replacement=True))
    return items


def _parent(live: LiveIndex, group_by: str, pw: PlannedWrite) -> str | None:
    rec = live.records.get(pw.record_id) if pw.record_id is not None else None
    return key_of(rec.get(group_by)) if rec is not None else None


def rows_of(pw: PlannedWrite) -> list[PlannedWrite]:
    """The per-row writes a planned write carries: its members when grouped, else itself."""
    return list(pw.members) if pw.members else [pw]
