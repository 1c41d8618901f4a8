"""The core's one datetime form, whatever form a vendor sends or wants.

Every datetime the core holds (a cleaned cell, the export record, a diff, a write body before the
connector's ``to_wire``) is ISO 8601 in UTC to the second: ``2024-05-06T07:08:09Z``. A date plus a
clock that a template writes as one zone-less value (a ``write_part`` pair) is the same form
without the ``Z``: ``2024-05-06T07:08:00``. A connector declares its own wire spelling
(``Connector.datetime_wire``, ``connectors/wire.py``) and converts at the edge; the core's cell
parser reads any ISO-like spelling, so what a server sends needs no conversion to be read.

This module imports nothing from the package, so schema, workbook and plan can all use it.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z").fullmatch
_LOCAL = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}").fullmatch
EXAMPLE = "YYYY-MM-DDThh:mm:ssZ"  # how messages name the form


def _fields(dt: datetime) -> str:
    # Not strftime: it drops the zero padding of years before 1000 on some platforms.
    return f"{dt.year:04d}-{dt.month:02d}-{dt.day:02d}T{dt.hour:02d}:{dt.minute:02d}:{dt.second:02d}"


def format_instant(dt: datetime) -> str:
    """The canonical form of a moment: an aware datetime is taken to UTC, a naive one is UTC already."""
    if dt.tzinfo is not None:
        dt = dt.astimezone(UTC).replace(tzinfo=None)
    return _fields(dt) + "Z"


def format_local(dt: datetime) -> str:
    """The canonical form of a zone-less date and clock (``2024-05-06T07:08:00``)."""
    return _fields(dt.replace(tzinfo=None))


def _real(text: str) -> bool:
    try:
        datetime.fromisoformat(text[:19])
    except ValueError:  # 2024-02-30 and the like
        return False
    return True


def is_instant(text: str) -> bool:
    """Already in the canonical instant form, and a real date and time."""
    return _INSTANT(text) is not None and _real(text)


def is_local(text: str) -> bool:
    """Already in the canonical zone-less form, and a real date and time."""
    return _LOCAL(text) is not None and _real(text)


def parse_instant(text: str) -> datetime:
    """A canonical instant as an aware UTC datetime; ValueError for anything else."""
    if not is_instant(text):
        raise ValueError(f"not a canonical datetime ({EXAMPLE}): {text!r}")
    return datetime.fromisoformat(text[:19]).replace(tzinfo=UTC)


def parse_local(text: str) -> datetime:
    """A canonical zone-less datetime as a naive datetime; ValueError for anything else."""
    if not is_local(text):
        raise ValueError(f"not a canonical local datetime: {text!r}")
    return datetime.fromisoformat(text)
