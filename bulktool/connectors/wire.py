"""A vendor's datetime spelling, applied to write bodies at the edge (``Connector.to_wire``).

The core holds every datetime in one form (``bulktool.datetimes``: ``2024-05-06T07:08:09Z``, and
``2024-05-06T07:08:00`` for a zone-less date plus clock). A connector declares how its API spells
them (``Connector.datetime_wire``); ``DatetimeWire.to_wire`` rewrites exactly the body fields the
template types as datetimes, so a text field that happens to look like a date is never touched.
Reading needs no counterpart: the core's cell parser takes any ISO-like spelling, offsets included.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..datetimes import is_instant, is_local, parse_instant, parse_local
from ..schema.model import Endpoint

_ISO_INSTANT = "%Y-%m-%dT%H:%M:%SZ"
_ISO_LOCAL = "%Y-%m-%dT%H:%M:%S"


def _strftime(dt: datetime, fmt: str) -> str:
    # %Y by hand: strftime drops the zero padding of years before 1000 on some platforms.
    return dt.strftime(fmt.replace("%Y", f"{dt.year:04d}"))


@dataclass(frozen=True)
class DatetimeWire:
    """strftime patterns for a UTC instant and for a zone-less date and clock, as the API takes them."""

    instant: str = _ISO_INSTANT
    local: str = _ISO_LOCAL

    @property
    def is_canonical(self) -> bool:
        return (self.instant, self.local) == (_ISO_INSTANT, _ISO_LOCAL)

    def instant_text(self, canonical: str) -> str:
        """A canonical instant (``...Z``) in the wire form."""
        return _strftime(parse_instant(canonical), self.instant)

    def local_text(self, canonical: str) -> str:
        """A canonical zone-less datetime in the wire form."""
        return _strftime(parse_local(canonical), self.local)

    def convert(self, value: Any) -> Any:
        """One canonical datetime value in the wire form; anything else (None, other text) as it is."""
        if isinstance(value, str):
            if is_instant(value):
                return self.instant_text(value)
            if is_local(value):
                return self.local_text(value)
        return value

    def to_wire(self, endpoint: Endpoint, body: dict[str, Any]) -> dict[str, Any]:
        """``body`` (write shape, nested by dotted ``write`` paths) with its datetime fields respelt."""
        if self.is_canonical:
            return body
        out = _copy_dicts(body)
        for path in datetime_write_paths(endpoint):
            parent, leaf = _parent(out, path)
            if parent is not None and leaf in parent:
                parent[leaf] = self.convert(parent[leaf])
        return out


ISO_8601 = DatetimeWire()  # the default: the core's own form, unchanged


def datetime_write_paths(endpoint: Endpoint) -> Iterator[str]:
    """The dotted write paths that carry a datetime: datetime columns, and date + clock pairs."""
    seen: set[str] = set()
    for c in endpoint.columns:
        if c.write and (c.type == "datetime" or c.write_part is not None) and c.write not in seen:
            seen.add(c.write)
            yield c.write


def _copy_dicts(value: dict[str, Any]) -> dict[str, Any]:
    return {k: _copy_dicts(v) if isinstance(v, dict) else v for k, v in value.items()}


def _parent(body: dict[str, Any], path: str) -> tuple[dict[str, Any] | None, str]:
    *heads, leaf = path.split(".")
    node: Any = body
    for h in heads:
        node = node.get(h) if isinstance(node, dict) else None
    return (node if isinstance(node, dict) else None), leaf
