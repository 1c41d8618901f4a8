"""Date formats and collation the way the Blikk API renders and compares them."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from bulktool.sandbox.clock import server_now

# Seed data is laid out relative to this instant, never the clock, so a seed is reproducible.
BASE = datetime(2024, 3, 1, 8, 0, 0)

_DT_FMT = "%Y-%m-%d %H:%M:%S"
_SPACED_OFFSET = re.compile(r"\s+([+-]\d\d:?\d\d|Z)$")
# Swedish collation (Finnish_Swedish_CI_AS): case-insensitive, å ä ö after z.
_SV = str.maketrans({"å": "{", "ä": "|", "æ": "|", "ö": "}", "ø": "}", "ü": "y", "é": "e"})


def fmt_dt(dt: datetime) -> str:
    """'YYYY-MM-DD HH:MM:SS +00:00', the API's datetime form."""
    return dt.strftime(_DT_FMT) + " +00:00"


def seed_dt(days_before: float) -> str:
    return fmt_dt((BASE - timedelta(days=days_before)).replace(microsecond=0))


def now_dt() -> str:
    return fmt_dt(server_now())


def parse_dt(text: Any) -> datetime | None:
    """Accept the documented 'YYYY-MM-DD HH:MM:SS' and ISO variants; naive UTC or None if invalid."""
    if not isinstance(text, str) or not text.strip():
        return None
    value = _SPACED_OFFSET.sub(r"\1", text.strip())
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        return None
    if dt.tzinfo is not None:
        dt = dt.astimezone(UTC).replace(tzinfo=None)
    return dt


def stored_dt(text: Any) -> datetime | None:
    """Parse a stored API datetime string (or None)."""
    return parse_dt(text) if text else None


def sv_key(value: str) -> str:
    return value.casefold().translate(_SV)


def sort_value(value: Any) -> tuple[int, Any]:
    """Nulls first when ascending (as SQL Server does); strings collate Swedish."""
    if value is None:
        return (0, 0)
    if isinstance(value, bool):
        return (1, int(value))
    if isinstance(value, str):
        return (2, sv_key(value))
    return (1, value)
