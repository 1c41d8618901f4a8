"""Tripletex's wire codec: what a record looks like to the core, and what a write body looks like here.

Reading: a single record comes wrapped in ``{"value": {...}}`` (lists in ``{"values": [...]}``,
which the paginator unwraps). Every object carries a ``url`` (``tripletex.no/v2/customer/123``,
no scheme): the server's noise, never a column, never compared, never written back, so it is
dropped at any depth. A reference then reads as ``{"id": n}``, which is exactly its write shape.
Empty strings stay ``""`` and empty references ``null``, as the server sends them.

Writing: references are ``{"id": n}`` objects (the template's dotted ``accountManager.id`` write
path already nests that way), dates are ``YYYY-MM-DD`` like the core's, and a datetime is sent in
ISO 8601 (``2024-05-01T10:00:00``), the form Tripletex reads and writes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ...schema.model import Endpoint

NOISE = frozenset({"url"})


def drop_noise(value: Any) -> Any:
    """Without the server's ``url`` values, at any depth."""
    if isinstance(value, dict):
        return {k: drop_noise(v) if isinstance(v, dict | list) else v for k, v in value.items() if k not in NOISE}
    if isinstance(value, list):
        return [drop_noise(v) if isinstance(v, dict | list) else v for v in value]
    return value


def unwrap(body: Any) -> Any:
    """``{"value": record}`` -> record (a single-object answer); anything else as it is."""
    if isinstance(body, dict) and set(body) == {"value"} and isinstance(body["value"], dict):
        return body["value"]
    return body


def from_wire(record: dict[str, Any]) -> dict[str, Any]:
    got = unwrap(record)
    return dict(drop_noise(got)) if isinstance(got, dict) else {}


def iso_datetime(value: Any) -> Any:
    """A core datetime ("2024-05-01 10:00:00 +00:00", or any ISO form) as ISO 8601 text."""
    if not isinstance(value, str) or not value.strip():
        return value
    text = value.strip()
    for fmt in ("%Y-%m-%d %H:%M:%S %z", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"):
        try:
            return datetime.strptime(text, fmt).isoformat()
        except ValueError:
            continue
    return text


def to_wire(endpoint: Endpoint, body: dict[str, Any]) -> dict[str, Any]:
    """The core's body with datetimes in ISO 8601 and no ``url`` (read-only everywhere)."""
    out: dict[str, Any] = drop_noise(body)
    for col in endpoint.columns:
        if col.type != "datetime" or not col.write:
            continue
        parts = col.write.split(".")
        node: Any = out
        for part in parts[:-1]:
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, dict) and parts[-1] in node:
            node[parts[-1]] = iso_datetime(node[parts[-1]])
    return out
