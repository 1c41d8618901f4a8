"""Versioned partial updates: what the record as it is now says about an update.

An update that carries the version it was planned against is refused (409) when someone saved
the record in between; and when its reply is lost, the version tells whether it landed. Both
questions are answered from a re-read (``WriteClient.reread``) by the rules here, never by
sending the same body blindly: a partial update sent twice, or over someone else's edit, can
undo that edit.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from .ports import Current, WriteOp

Decision = Literal["applied", "resend", "conflict", "unknown", "gone"]


@dataclass(frozen=True)
class Verdict:
    decision: Decision
    message: str = ""
    op: WriteOp | None = None  # for "resend": the op to send (with the new version after a 409)


def same_version(a: Any, b: Any) -> bool:
    return a is not None and b is not None and str(a) == str(b)


def show(value: Any) -> str:
    """A normalised value as a message quotes it."""
    if value is None:
        return "empty"
    if isinstance(value, Decimal):
        return str(value)
    return repr(value) if isinstance(value, str) else str(value)


def gone(op: WriteOp) -> Verdict:
    return Verdict("gone", f"id {op.record_id} no longer exists on the server (deleted since the plan)")


def after_lost_reply(op: WriteOp, current: Current | None) -> Verdict:
    """An update was sent, its answer lost: did it land?

    Version unchanged: the server never saved it, send it again. Version moved on and the
    record holds our values: it landed. Moved on to other values: someone else wrote too,
    and only a person can tell what is right.
    """
    if current is None:
        return gone(op)
    if same_version(current.version, op.version):
        return Verdict("resend", op=op)
    if all(current.values.get(f) == v for f, v in op.want.items()):
        return Verdict("applied", "updated (the earlier attempt had landed; not sent again)")
    fields = ", ".join(f for f, v in op.want.items() if current.values.get(f) != v)
    return Verdict("unknown", f"an earlier attempt may have been applied, and the record has changed since "
                              f"(version {op.version} -> {current.version}; {fields} differ from this row): "
                              "not sent again; check the record")


def after_conflict(op: WriteOp, current: Current | None) -> Verdict:
    """The server refused the update's version (409): someone saved the record since the plan.

    The three-way check again, for the fields this update changes: where the other edit left
    them as planned (or made the same change), send the update with the new version; where it
    changed one to something else, that row is a conflict and nothing is written.
    """
    if current is None:
        return gone(op)
    if op.want and all(current.values.get(f) == v for f, v in op.want.items()):
        # An earlier attempt of ours landed after all (a gateway timeout), or the other edit was this one.
        return Verdict("applied", "updated (the record already holds these values; not sent again)")
    clashes = [f for f, want in op.want.items() if current.values.get(f) not in (op.base.get(f), want)]
    if clashes:
        parts = [f"{f} is now {show(current.values.get(f))} on the server (it was {show(op.base.get(f))} "
                 f"when planned; this row sets {show(op.want.get(f))})" for f in clashes]
        return Verdict("conflict", "conflict: changed on the server since the plan by someone else: "
                                   + "; ".join(parts) + ". Nothing was written; export again to see it")
    return Verdict("resend", op=with_version(op, current.version))


def with_version(op: WriteOp, version: Any) -> WriteOp:
    """The same planned write against a newer version (same op id: the journal tracks one write)."""
    assert op.version_field is not None and op.body is not None
    return dataclasses.replace(op, body={**op.body, op.version_field: version})
