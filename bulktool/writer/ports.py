"""The writer's inputs and outputs, and the client it drives.

The planner builds ``WriteOp``s, the connector layer implements ``WriteClient``;
the writer depends only on these shapes so it can be tested without HTTP.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from ..workbook.meta import canonical_json

WriteAction = Literal["create", "update", "delete"]
OutcomeStatus = Literal["applied", "failed", "skipped", "unknown"]


@dataclass(frozen=True)
class WriteOp:
    """One planned write; ``op_id`` is stable across runs so a resume can find it again."""

    op_id: str
    action: WriteAction
    endpoint: str  # template name
    sheet: str
    row: int  # Excel row number
    record_id: str | None  # for update/delete
    key_field: str | None  # natural key column (read name), e.g. "customerNumber"
    key_value: str | None
    body: dict[str, Any] | None  # JSON body (write names)
    payload_hash: str
    # A versioned partial update: ``body[version_field]`` is the version the plan read, ``base`` the
    # plan-time values of the fields it changes and ``want`` the values it writes (read names,
    # normalised); with them the writer re-runs the three-way check when the version moved on.
    version_field: str | None = None
    base: Mapping[str, Any] = field(default_factory=dict)
    want: Mapping[str, Any] = field(default_factory=dict)
    # A create with the client's id (``record_id``): in upsert mode a 409 (the id exists) becomes an
    # update of the ``want`` fields that differ; otherwise a 409 fails the row.
    upsert: bool = False

    @property
    def version(self) -> Any:
        """The version this update was planned against (None: not a versioned update)."""
        if self.version_field is None or not self.body:
            return None
        return self.body.get(self.version_field)

    @property
    def has_key(self) -> bool:
        return bool(self.key_field) and self.key_value not in (None, "")

    @property
    def where(self) -> str:
        """How a message names the row, e.g. "Customers row 7 (customerNumber=C-1)"."""
        key = f" ({self.key_field}={self.key_value})" if self.has_key else ""
        rid = f" (id {self.record_id})" if self.record_id and not key else ""
        return f"{self.sheet} row {self.row}{key}{rid}"


@dataclass(frozen=True)
class OpOutcome:
    op_id: str
    status: OutcomeStatus
    result_id: str | None = None
    message: str = ""
    request_id: str | None = None
    permanent: bool = False  # the server refused it (e.g. 400/404): sending it again cannot help
    conflict: bool = False  # someone else changed the same field since the plan: nothing was written


@dataclass(frozen=True)
class Current:
    """A record as re-read at apply time: its version and the asked fields, normalised like the plan's."""

    version: Any
    values: dict[str, Any]


class WriteClient(Protocol):
    """Template-level writes; implemented by the connector layer (throttled, retries GETs only).

    ``resend_is_harmless``: re-sending an update whose reply was lost changes nothing more (the
    connector's write policy; true for full-replacement PUTs).

    ``batch_size``: how many creates (updates) one request may carry; 1 means the endpoint has no
    bulk operation and ``create_many``/``update_many`` are not called. Those answer the records in
    the order sent, or raise ``errors.BatchRejected`` (the server saved none of them) naming the
    failing positions. ``reread`` is the record now (None: it is gone), for a version conflict or a
    lost reply. ``update_body`` is the part of a create body (write names) that sets ``fields``
    (read names): what a create refused as existing sends as a partial update instead.
    """

    resend_is_harmless: bool

    def create(self, endpoint: str, body: dict[str, Any]) -> dict[str, Any]: ...
    def update(self, endpoint: str, record_id: str, body: dict[str, Any]) -> dict[str, Any]: ...
    def delete(self, endpoint: str, record_id: str) -> None: ...
    def find_by_key(self, endpoint: str, key_field: str, key_value: str) -> list[dict[str, Any]]: ...
    def batch_size(self, endpoint: str, action: WriteAction) -> int: ...
    def create_many(self, endpoint: str, bodies: Sequence[dict[str, Any]]) -> list[dict[str, Any]]: ...
    def update_many(self, endpoint: str, bodies: Sequence[dict[str, Any]]) -> list[dict[str, Any]]: ...
    def reread(self, endpoint: str, record_id: str, fields: Sequence[str]) -> Current | None: ...
    def update_body(self, endpoint: str, body: dict[str, Any], fields: Sequence[str]) -> dict[str, Any]: ...


def payload_hash(body: dict[str, Any] | None) -> str:
    """sha256 of the canonical JSON body; equal bodies hash equal whatever the key order."""
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


def make_op_id(
    endpoint: str,
    sheet: str,
    row: int,
    action: WriteAction,
    record_id: str | None,
    key_value: str | None,
    body_hash: str,
) -> str:
    """The stable op id: the same planned write in a later run gets the same id."""
    ident = record_id if record_id is not None else key_value
    parts = [endpoint, sheet, str(row), action, "" if ident is None else str(ident), body_hash]
    return hashlib.sha256(canonical_json(parts).encode("utf-8")).hexdigest()


def make_op(
    action: WriteAction,
    endpoint: str,
    sheet: str,
    row: int,
    body: dict[str, Any] | None,
    *,
    record_id: str | int | None = None,
    key_field: str | None = None,
    key_value: str | int | None = None,
    version_field: str | None = None,
    base: Mapping[str, Any] | None = None,
    want: Mapping[str, Any] | None = None,
) -> WriteOp:
    """Build a WriteOp with its hashes filled in (what the planner should call)."""
    rid = None if record_id is None else str(record_id)
    kv = None if key_value is None else str(key_value)
    h = payload_hash(body)
    return WriteOp(
        op_id=make_op_id(endpoint, sheet, row, action, rid, kv, h), action=action, endpoint=endpoint,
        sheet=sheet, row=row, record_id=rid, key_field=key_field, key_value=kv, body=body, payload_hash=h,
        version_field=version_field, base=dict(base or {}), want=dict(want or {}),
    )
