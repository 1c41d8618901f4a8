"""Records a plan deletes: every value read first, so the undo workbook re-creates them and the prompt names
them; a record already gone makes its row "unchanged" (a second run of a delete converges)."""

from __future__ import annotations

from ..connectors.base import Connector
from ..errors import ApiError
from ..progress import Progress
from ..schema.model import Endpoint
from ..workbook import flatten
from .live import fetch_details, row_key
from .model import display_name
from .planner import Plan


def read_deleted(connector: Connector, ep: Endpoint, plan: Plan, progress: Progress | None) -> None:
    """Every value of each record to delete: the undo workbook re-creates it, the prompt names it."""
    deletes = [pw for pw in plan.writes if pw.action == "delete" and pw.record_id]
    if not deletes:
        return
    before = connector.client.stats.total
    details = fetch_details(connector, ep, [str(pw.record_id) for pw in deletes], progress=progress)
    plan.result.read_requests += connector.client.stats.total - before
    detail_cols = [c for c in ep.columns if c.in_detail]
    gone: set[int] = set()
    for pw in deletes:
        got = details.get(str(pw.record_id))
        if isinstance(got, dict):
            pw.before = {**pw.before, **flatten(got, detail_cols)}
        elif isinstance(got, ApiError) and got.status in (400, 404):  # a missing id: 404, or 400 where the API says so
            r = pw.result
            # Already what the row asks for: a second run of a delete converges instead of failing at the API.
            r.action, r.status = "unchanged", "skipped"
            r.message = f"id {pw.record_id} no longer exists on the server: nothing to delete"
            gone.add(id(pw))
        pw.result.label = record_label(pw.before, row_key(ep, pw.before)[0])
    if gone:
        plan.writes = [pw for pw in plan.writes if id(pw) not in gone]
        plan.result.write_requests = len(plan.writes)


def record_label(values: dict[str, object], key_field: str | None) -> str:
    """How a message names a record: its name (or title) and its natural key."""
    name = display_name(values)
    key = values.get(key_field) if key_field else None
    parts = [repr(name) if name is not None else "", f"({key_field} {key})" if key not in (None, "") else ""]
    return " ".join(p for p in parts if p)


