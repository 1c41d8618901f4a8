"""Lenient text parsers shared by the cell cleaners.

They accept what people type in Nordic spreadsheets (decimal comma, spaces as
thousand separators, ISO dates with or without seconds or offsets) and what
APIs send, and reduce both to one canonical form.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal, InvalidOperation

from ..datetimes import format_instant, is_instant

# 1899-12-30 is day 0 in both Excel (for serials >= 61) and LibreOffice.
SPREADSHEET_EPOCH = datetime(1899, 12, 30)
# Before this date Excel's fictitious 1900-02-29 makes serials ambiguous, so such values are written as text.
FIRST_SAFE_DATE = date(1900, 3, 1)
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")
_DATETIME = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?"
    r"\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?",
    re.IGNORECASE,
)
# Day first with dots, as Norwegian, Danish, Finnish and German spreadsheets show and save a date
# (05.01.2026 is 5 January): unambiguous, unlike slashes (US month first, UK day first), which stay refused.
_DOTTED = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})(?:\s+(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?)?")
_TIME = re.compile(r"(\d{1,2})[:.](\d{2})(?::(\d{2})(?:[.,]\d+)?)?")


def short(value: object, limit: int = 60) -> str:
    """A raw value for an error message: quoted strings, trimmed."""
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# Lenient for a cell a person typed in our template; ``migrate.values.number_text`` is strict (groups of
# three, currency) because a foreign file's habits are guessed, and a wrong guess would go unseen.
def number_text(text: str) -> str | None:
    """Normalise "1 234,5" / "1.234,5" / "1,234.5" to "1234.5"; None if not numeric-looking."""
    s = _SPACES.sub("", text)
    if not s:
        return None
    if "," in s and "." in s:
        comma_last = s.rfind(",") > s.rfind(".")
        s = s.replace(".", "").replace(",", ".") if comma_last else s.replace(",", "")
    elif s.count(",") == 1:
        s = s.replace(",", ".")
    elif s.count(",") > 1:
        s = s.replace(",", "")
    return s


def parse_decimal(text: str) -> Decimal | None:
    s = number_text(text)
    if s is None:
        return None
    try:
        d = Decimal(s)
    except InvalidOperation:
        return None
    return d if d.is_finite() else None


def round_to_second(dt: datetime) -> datetime:
    """Spreadsheets store datetimes as float days; LibreOffice keeps ~10 µs of noise."""
    return (dt + timedelta(microseconds=500_000)).replace(microsecond=0)


def _offset(text: str | None) -> timezone | None:
    if text is None:
        return None
    t = text.upper()
    if t in ("Z", "UTC", "GMT"):
        return UTC
    sign = -1 if t[0] == "-" else 1
    digits = t[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def parse_datetime(text: str) -> tuple[datetime, timezone | None, bool] | None:
    """Parse an ISO-like date or datetime -> (local naive datetime, its offset or None, had a time part)."""
    m = _DATETIME.fullmatch(text.strip())
    if m is None:
        dotted = _DOTTED.fullmatch(text.strip())
        if dotted is None:
            return None
        d, mo, y, hh, mi, ss = dotted.groups()
        try:
            return datetime(int(y), int(mo), int(d), int(hh or 0), int(mi or 0), int(ss or 0)), None, hh is not None
        except ValueError:
            return None
    y, mo, d, hh, mi, ss, frac, off = m.groups()
    try:
        local = datetime(int(y), int(mo), int(d), int(hh or 0), int(mi or 0), int(ss or 0))
        if frac:
            local += timedelta(microseconds=round(int(frac.ljust(9, "0")) / 1000))
        tz = _offset(off)
    except ValueError:
        return None
    return local, tz, hh is not None


def to_utc(local: datetime, tz: timezone | None) -> datetime:
    """Naive UTC; a value without an offset is taken to be UTC already (that is what we export)."""
    if tz is None:
        return local
    return local.replace(tzinfo=tz).astimezone(UTC).replace(tzinfo=None)


def from_serial(serial: float) -> datetime | None:
    """A spreadsheet day number (a date cell that lost its format) -> naive datetime."""
    if not 1 <= serial < 2958466:  # 9999-12-31
        return None
    return round_to_second(SPREADSHEET_EPOCH + timedelta(days=serial))


def is_canonical_datetime(text: str) -> bool:
    """Already what ``format_datetime`` gives: the core's form (``bulktool.datetimes``), a real date and time."""
    return is_instant(text)


# A whole-second UTC datetime, ISO-like, in ASCII: a "T" or a space, then no offset, "Z" or a zero one
# (+00 or -00, with or without ":00" or "00"), after at most one space: the forms record lists most often carry.
_UTC_SECONDS = re.compile(
    r"([0-9]{4}-[0-9]{2}-[0-9]{2})[T ]([0-9]{2}:[0-9]{2}:[0-9]{2})(?: ?(?:Z|[+-]00(?::?00)?))?"
).fullmatch


def utc_seconds_text(text: str) -> str | None:
    """The canonical form of a whole-second UTC datetime text without parsing it; None for anything else.

    Exactly what ``format_datetime`` gives for these spellings, where it applies (a real date and time). A
    100k-record live list holds one per record and column: the full parse cost most of a foreign-sheet plan.
    """
    m = _UTC_SECONDS(text)
    if m is None:
        return None
    out = f"{m[1]}T{m[2]}"
    try:
        datetime.fromisoformat(out)
    except ValueError:  # 2024-02-30, 24:00: the full parse refuses it with its own message
        return None
    return out + "Z"


def format_datetime(dt: datetime) -> str:
    """The core's canonical form (``bulktool.datetimes``): UTC, whole seconds, ISO 8601 with ``Z``."""
    if dt.tzinfo is not None:
        dt = dt.astimezone(UTC).replace(tzinfo=None)
    return format_instant(round_to_second(dt))


def format_time(hours: int, minutes: int, seconds: int = 0) -> str:
    return f"{hours:02d}:{minutes:02d}" + (f":{seconds:02d}" if seconds else "")


def parse_time(text: str) -> str | None:
    m = _TIME.fullmatch(text.strip())
    if m is None:
        return None
    h, mi, s = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
    if h > 23 or mi > 59 or s > 59:
        return None
    return format_time(h, mi, s)


def time_from_seconds(total: float) -> str | None:
    secs = round(total)
    if not 0 <= secs < 86400:
        return None
    return format_time(secs // 3600, secs % 3600 // 60, secs % 60)


def time_of(value: time) -> str:
    return time_from_seconds(value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6) \
        or format_time(value.hour, value.minute, value.second)
