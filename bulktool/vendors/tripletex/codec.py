"""Tripletex's wire codec: what a record looks like to the core, and what a write body looks like here.

Reading: a single record comes wrapped in ``{"value": {...}}`` (lists in ``{"values": [...]}``,
which the paginator unwraps). Every object carries a ``url`` (``tripletex.no/v2/customer/123``,
no scheme): the server's noise, never a column, never compared, never written back, so it is
dropped at any depth. A reference then reads as ``{"id": n}``, which is exactly its write shape.
Empty strings stay ``""`` and empty references ``null``, as the server sends them.

Writing: references are ``{"id": n}`` objects (the template's dotted ``accountManager.id`` write
path already nests that way), dates are ``YYYY-MM-DD`` like the core's, and datetimes go in the
core's own ISO 8601 form (``Connector.datetime_wire`` = ``ISO_8601``), which Tripletex reads and writes.
A cleared text field is sent as ``""``: the server refuses ``null`` for a string ("Verdien er ikke av
korrekt type for dette feltet.") and clears it with ``""`` (tripletex-facts.md "Nulls"); references,
dates and enums take ``null``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

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


def to_wire(body: dict[str, Any]) -> dict[str, Any]:
    """A write body without ``url`` (read-only everywhere); datetimes are the core's ISO 8601 already."""
    return dict(drop_noise(body))


def clear_texts(body: dict[str, Any], text_paths: Iterable[str]) -> dict[str, Any]:
    """``body`` with ``None`` at each dotted ``text_paths`` entry (a cleared string field) sent as ``""``."""
    out = dict(body)
    for path in text_paths:
        head, _, rest = path.partition(".")
        if head not in out:
            continue
        if rest:
            if isinstance(out[head], dict):
                out[head] = clear_texts(out[head], [rest])
        elif out[head] is None:
            out[head] = ""
    return out
