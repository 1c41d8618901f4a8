"""Nordic and foreign value forms -> plain values: numbers, dates, booleans, phone and org numbers.

A file from another system writes "1 234,50 kr", "31.12.2024", "SANT" or "070-123 45 67"; the template's
cell cleaner (``workbook.clean``) wants "1234.50", a date, True. These parsers sit in between and say
``None`` when a text is not of their kind, so the caller can name the column and the value in its error.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from ..plan.matching import ORGNR_SEPARATORS
from ..workbook import cells

# Every space a spreadsheet or a locale puts between thousands: space, NBSP, narrow NBSP, thin space.
_GAPS = re.compile(r"[ \u00a0\u202f\u2009]+")
_CURRENCY = re.compile(r"^(?:kr\.?|sek|nok|dkk|eur|usd|€|\$|£)\s*|\s*(?:kr\.?|sek|nok|dkk|eur|usd|:-|,-|€|\$|£)$",
                       re.IGNORECASE)
_PLAIN = re.compile(r"\d+(?:[.,]\d+)?|[.,]\d+")

# The template's words plus the tick marks a foreign file writes for "yes" (its empty cell is no value).
TRUE_WORDS = cells.TRUE_WORDS | {"x", "✓", "✔"}
FALSE_WORDS = cells.FALSE_WORDS

# The date forms a foreign file is guessed to use, day-first before month-first; "%m/%d/%Y" is what
# US-configured Google and Outlook exports write.
DATE_FORMATS: tuple[str, ...] = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%m/%d/%Y", "%d-%m-%Y", "%Y/%m/%d")
_YEAR = re.compile(r"(?<!\d)\d{4}(?!\d)")
_TIME = re.compile(r"^(.*?)[ T](\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?$")


def _grouped(digits: str, sep: str) -> bool:
    return re.fullmatch(r"\d{1,3}(?:" + re.escape(sep) + r"\d{3})+", digits) is not None


# Stricter than ``workbook.parsing.number_text`` (our template's lenient reader) on purpose: see its note.
def number_text(text: str, *, currency: bool = False) -> str | None:
    """ "1 234,50", "1.234,50", "1,234.50", "-12,5" -> "1234.50" / "-12.5"; None if not a number.

    A lone comma is a decimal comma (the Nordic reading); a lone "." a decimal point; a separator that
    repeats in groups of three is a thousands separator. ``currency`` also strips "kr", "SEK", "NOK", ":-".
    """
    s = text.strip().replace("\u2212", "-")
    if currency:
        s = _CURRENCY.sub("", s).strip()
    sign = ""
    if s[:1] in ("-", "+"):
        sign, s = ("-" if s[0] == "-" else ""), s[1:].lstrip()
    if not s:
        return None
    if _GAPS.search(s):
        s = _GAPS.sub(" ", s)
        if not _grouped(re.split(r"[.,]", s)[0], " "):
            return None
        s = s.replace(" ", "")
    if "," in s and "." in s:
        point = "," if s.rfind(",") > s.rfind(".") else "."
        thousands = "." if point == "," else ","
        whole, _, frac = s.rpartition(point)
        if not _grouped(whole, thousands) or not frac.isdigit():
            return None
        return sign + whole.replace(thousands, "") + "." + frac
    for sep in (",", "."):
        if s.count(sep) > 1:
            return sign + s.replace(sep, "") if _grouped(s, sep) else None
    if not _PLAIN.fullmatch(s):
        return None
    s = s.replace(",", ".")
    return sign + ("0" + s if s.startswith(".") else s)


def parse_number(text: str, *, currency: bool = False) -> Decimal | None:
    """The number ``text`` writes (see ``number_text``), or None."""
    s = number_text(text, currency=currency)
    if s is None:
        return None
    try:
        return Decimal(s)
    except InvalidOperation:
        return None


def parse_bool(text: str) -> bool | None:
    """SANT/FALSKT, SANN/USANN, Ja/Nej, J/N, Yes/No, True/False, 1/0, x (case-folded); None if none of them."""
    key = text.strip().casefold()
    if key in TRUE_WORDS:
        return True
    if key in FALSE_WORDS:
        return False
    return None


def human_format(fmt: str) -> str:
    """ "%d.%m.%Y" -> "dd.mm.yyyy", for messages a user reads."""
    for code, shown in (("%d", "dd"), ("%m", "mm"), ("%Y", "yyyy"), ("%y", "yy"), ("%H", "hh"), ("%M", "mm"),
                        ("%S", "ss"), ("%b", "mon"), ("%B", "month")):
        fmt = fmt.replace(code, shown)
    return fmt


def parse_date(text: str, fmt: str) -> date | None:
    """``text`` as a date in ``fmt`` (a strftime format), or None.

    ``%Y`` wants four digits: strptime reads "1.2.24" as the year 24, which no file means.
    """
    if "%Y" in fmt and not _YEAR.search(text):
        return None
    try:
        return datetime.strptime(text.strip(), fmt).date()
    except ValueError:
        return None


def parse_datetime(text: str, fmt: str) -> datetime | None:
    """A date in ``fmt``, optionally followed by a clock time ("31.12.2024 14:30"); None if it isn't."""
    s = text.strip()
    if "%Y" in fmt and not _YEAR.search(s):
        return None
    try:
        return datetime.strptime(s, fmt)
    except ValueError:
        pass
    m = _TIME.match(s)
    day = parse_date(m.group(1), fmt) if m else None
    if m is None or day is None:
        return None
    try:
        return datetime(day.year, day.month, day.day, int(m.group(2)), int(m.group(3)), int(m.group(4) or 0))
    except ValueError:
        return None


def _date_part(text: str) -> str:
    m = _TIME.match(text.strip())
    return m.group(1) if m else text.strip()


def guess_date_format(texts: Iterable[str]) -> tuple[str | None, bool]:
    """The one known format that reads every text, and whether another one did too (then day-first wins).

    (None, False) when no format reads them all: each bad value then gets its own error.
    """
    values = [_date_part(t) for t in texts if t.strip()]
    if not values:
        return None, False
    fits = [f for f in DATE_FORMATS if all(parse_date(v, f) is not None for v in values)]
    if not fits:
        return None, False
    return fits[0], len(fits) > 1


def phone_text(text: str) -> str:
    """A phone number with only "+", digits and single spaces: "+46 (0)70-123.45.67" -> "+46 70 123 45 67"."""
    s = text.strip()
    s = re.sub(r"^(\+\d{1,3})\s*\(0\)\s*", r"\1 ", s)  # the "(0)" a national caller dials, not an intl one
    plus = s.startswith("+")
    s = re.sub(r"[^\d]+", " ", s).strip()
    return ("+" + s) if plus and s else s


# The written forms (dash, spaces) of ``plan.matching.orgnr_form``/``phone_form``, which compare digits only.
def orgnr_text(text: str) -> str:
    """A Swedish 10-digit org number as NNNNNN-NNNN; a 9-digit (Norwegian) one as its digits; else as written."""
    s = text.strip()
    digits = ORGNR_SEPARATORS.sub("", s)
    if digits.isdigit() and len(digits) == 10:
        return f"{digits[:6]}-{digits[6:]}"
    if digits.isdigit() and len(digits) == 9:
        return digits
    return s
