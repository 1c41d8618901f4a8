"""The three-way diff of one row, and the write body it implies.

    exported  what the export record says the record was (None for foreign files)
    live      what the server has now
    row       what the user wants

A field the user changed that the server also changed, to something else, is
a conflict and the row is not written. A field only the server changed is
kept: the update body starts from live and applies only the user's changes,
because a full-replacement PUT (the connector's ``write_policy``) replaces the whole record;
a partial update sends the changes alone.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..schema.model import Column, Endpoint, WriteOnlyField
from ..workbook import unflatten
from .model import FieldChange
from .normalize import clean_for_write, normalizer


@dataclass
class RowDiff:
    changes: dict[str, FieldChange] = field(default_factory=dict)
    conflicts: dict[str, FieldChange] = field(default_factory=dict)
    read_only_edits: list[str] = field(default_factory=list)


def user_edited_columns(
    columns: Sequence[Column], row: Mapping[str, Any], exported: Mapping[str, Any]
) -> list[Column]:
    """Columns whose cell differs from what was exported (no server data needed)."""
    out = []
    for c in columns:
        if c.name in row and c.name in exported:
            n = normalizer(c)
            if n(row[c.name]) != n(exported[c.name]):
                out.append(c)
    return out


def three_way(
    columns: Sequence[Column],
    row: Mapping[str, Any],
    live: Mapping[str, Any],
    exported: Mapping[str, Any] | None,
    keys: Collection[str] = (),
) -> RowDiff:
    """Diff the sheet's columns; read-only columns are never written, only reported when edited.

    An empty cell in a natural-key column (``keys``) is no opinion, never "clear the key": the server
    assigns a new one when a write sends none, so clearing could never converge.
    """
    diff = RowDiff()
    for c in columns:
        if c.name not in row:
            continue
        n = normalizer(c)
        mine = n(row[c.name])
        if mine is None and c.name in keys:
            continue
        theirs = n(live.get(c.name))
        if exported is not None and c.name in exported:
            base = n(exported[c.name])
            if mine == base:
                continue  # the user did not touch it; whatever the server has stays
            if not c.writable:
                diff.read_only_edits.append(c.name)
                continue
            if mine == theirs:
                continue  # both sides arrived at the same value
            if theirs != base:
                diff.conflicts[c.name] = FieldChange(
                    old=live.get(c.name), new=row[c.name], exported=exported[c.name], server=live.get(c.name),
                    conflict=True,
                )
                continue
        else:
            if mine == theirs:
                continue
            if exported is not None and mine is None:
                continue  # a column the user added to an exported sheet: empty means "no opinion"

            if not c.writable:
                if mine is not None and c.name in live:
                    diff.read_only_edits.append(c.name)
                continue
        diff.changes[c.name] = FieldChange(old=live.get(c.name), new=clean_for_write(c, row[c.name]))
    return diff


def _derive(w: WriteOnlyField, values: Mapping[str, Any]) -> Any:
    if w.from_column is None:
        return w.default
    src = values.get(w.from_column)
    if w.rule == "not_null":
        return src is not None and src != ""
    return src if src is not None else w.default


def _null_if_all_none(body: dict[str, Any], top: bool = True) -> Any:
    out: dict[str, Any] = {}
    for k, v in body.items():
        out[k] = _null_if_all_none(v, False) if isinstance(v, dict) else v
    if not top and all(v is None for v in out.values()):
        return None
    return out


def _datetime_write(date: Any, time: Any) -> str | None:
    """A date and an optional HH:MM time as one zone-less write value, "2022-07-11T04:43:00" (the
    connector's ``to_wire`` spells it as its API does)."""
    if date is None or date == "":
        return None
    clock = str(time).strip() if time not in (None, "") else "00:00"
    return f"{str(date)[:10]}T{clock[:5]}:00"


def _dotted(record: Mapping[str, Any], path: str) -> Any:
    cur: Any = record
    for part in path.split("."):
        if not isinstance(cur, Mapping):
            return None
        cur = cur.get(part)
    return cur


def partial_frame(
    endpoint: Endpoint, flat: Mapping[str, Any], base: Mapping[str, Any], record: Mapping[str, Any]
) -> dict[str, Any]:
    """What a partial update carries besides the changes: the id, the live version, touched nested ids.

    The id names the record inside a batch (and in a versioned body); the version is the live one,
    so the server refuses the write if someone saved the record since it was read; a nested object
    whose fields change carries its own live id (``nested_ids``) so it is edited in place rather than
    replaced by a new one. Values come from the raw live ``record``, else the flat ``base``.
    """
    out: dict[str, Any] = {}

    def live_value(path: str) -> Any:
        got = _dotted(record, path)
        return base.get(path) if got is None else got

    if endpoint.version_field or endpoint.bulk_update_path:
        rid = live_value(endpoint.id_field)
        if rid is not None:
            out[endpoint.id_field] = rid
    if endpoint.version_field:
        version = live_value(endpoint.version_field)
        if version is not None:
            out[endpoint.version_field] = version
    for nested in endpoint.nested_ids:
        prefix = nested.rsplit(".", 1)[0] + "."
        if nested not in flat and any(k.startswith(prefix) for k in flat):
            value = live_value(nested)
            if value is not None:
                out[nested] = value
    return out


def build_body(
    endpoint: Endpoint,
    base: Mapping[str, Any],
    changes: Mapping[str, FieldChange],
    *,
    for_create: bool,
    full_replacement: bool = True,
    record: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Write-name body: every writable column from ``base`` (full replacement) plus the changes.

    Without ``full_replacement`` (a partial update) the body carries only the changed columns, in
    write shape, plus ``partial_frame`` (id, live version, nested ids; ``record`` is the raw live
    record they are read from). Nothing the user did not change is sent: on some APIs an unchanged
    field sent back has side effects.

    A create sends only the given values plus the template's ``create_default`` ones. A column the
    update cannot resend (``cleared_by_update``) is sent empty unless the user changed it; the planner
    lets such a row through only when that clears nothing or the user allowed it.
    """
    flat: dict[str, Any] = {}
    partial = not (full_replacement or for_create)
    live = base
    if partial:
        base = {}
    merged = dict(base)
    for name, ch in changes.items():
        merged[name] = ch.new
    parts: dict[str, dict[str, Any]] = {}
    for c in endpoint.columns:
        if not c.writable or c.write is None:
            continue
        if c.cleared_by_update and c.name not in changes:
            if not for_create and full_replacement:
                flat[c.write] = None
            continue
        if c.name not in merged:
            if for_create and c.create_default is not None:
                flat[c.write] = c.create_default
            continue
        value = clean_for_write(c, merged[c.name])
        if for_create and (value is None or value == ""):
            if c.create_default is not None:
                flat[c.write] = c.create_default
            continue
        if c.write_part is not None:
            parts.setdefault(c.write, {})[c.write_part] = value
            continue
        flat[c.write] = value
    if partial:  # a changed date (or time) is written with the live other half of its field
        for c in endpoint.columns:
            if c.write in parts and c.write_part is not None and c.write_part not in parts[c.write]:
                parts[c.write][c.write_part] = clean_for_write(c, live.get(c.name))
    for write, p in parts.items():
        value = _datetime_write(p.get("date"), p.get("time"))
        if value is not None or not for_create:
            flat[write] = value
    for w in endpoint.write_only:
        if w.write in flat:
            continue
        if for_create and (w.from_column is None or merged.get(w.from_column) in (None, "")):
            continue  # a create sends only what the user gave
        if partial and w.from_column not in changes:
            continue  # derived from a field this update leaves alone
        flat[w.write] = _derive(w, merged)
    if partial:  # the frame first: a body reads id, version, then the changes
        flat = {**partial_frame(endpoint, flat, live, record or {}), **flat}
    nested = unflatten(flat)
    result = _null_if_all_none(nested)
    return result if isinstance(result, dict) else {}


def check_values(ep: Endpoint, changes: Mapping[str, FieldChange]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(plan-time live value, value written) of each changed field, normalised as the diff compares them.

    The writer compares a record re-read at apply time against these (``writer.versions``).
    """
    base: dict[str, Any] = {}
    want: dict[str, Any] = {}
    for name, ch in changes.items():
        n = normalizer(ep.column(name))
        base[name], want[name] = n(ch.old), n(ch.new)
    return base, want
