"""Reference ids the sheet introduces that name no record: invalid in the dry run, not a failed apply.

Why: a retyped or made-up ``<ref>.id`` (an account manager 99999) passed every check the plan
could make from the sheet alone, the dry run said "update", and only the apply learned from the
server that the record does not exist. Each distinct id a write introduces (one that differs from
the live value) in a column whose ``refers_to`` template can be read one by one is read once; a
"not found" makes the rows that use it invalid. Ids the record already holds are not re-checked.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..connectors.base import Connector
from ..errors import ApiError
from ..progress import Progress
from ..schema import load_templates
from ..schema.model import Endpoint
from .live import fetch_details, key_of
from .model import CellError

if TYPE_CHECKING:
    from .planner import PlannedWrite

NOT_FOUND = 404


def unknown_references(
    connector: Connector, ep: Endpoint, writes: list[PlannedWrite], progress: Progress | None = None,
    known: Mapping[str, set[str]] | None = None,
) -> list[PlannedWrite]:
    """``writes`` without those naming a missing referenced record; their rows are made invalid.

    ``known``: template -> ids known to exist (``Source.known_ids``), not read again.
    """
    known = known or {}
    templates = load_templates(connector.system)
    refs = {c.name: templates[c.refers_to] for c in ep.columns
            if c.refers_to and c.writable and c.refers_to in templates and templates[c.refers_to].get_path}
    if not refs:
        return writes
    wanted: dict[str, set[str]] = {}
    for pw in writes:
        if pw.action not in ("create", "update"):
            continue
        for col, target in refs.items():
            ch = pw.result.changes.get(col)
            rid = key_of(ch.new) if ch is not None and ch.new not in (None, "") else None
            if rid is not None and rid not in known.get(target.name, ()):
                wanted.setdefault(target.name, set()).add(rid)
    missing: dict[str, set[str]] = {}
    for name, ids in wanted.items():
        got = fetch_details(connector, templates[name], sorted(ids), progress=progress)
        missing[name] = {rid for rid, rec in got.items() if isinstance(rec, ApiError) and rec.status == NOT_FOUND}
    if not any(missing.values()):
        return writes
    kept: list[PlannedWrite] = []
    for pw in writes:
        bad = []
        for col, target in refs.items():
            ch = pw.result.changes.get(col)
            if ch is not None and key_of(ch.new) in missing.get(target.name, ()):
                bad.append(CellError(col, f"no {target.name} record has id {ch.new} on this account; "
                                          "check the id (export that endpoint to see the ids)"))
        if bad and pw.action in ("create", "update"):
            pw.result.action, pw.result.errors = "invalid", [*pw.result.errors, *bad]
        else:
            kept.append(pw)
    return kept
