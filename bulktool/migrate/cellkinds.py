"""What a column's cells hold, seen from the cells alone: emails, org numbers, phone numbers, dates...

``map suggest`` weighs a header match with this: a "Nummer" column of phone numbers is a phone, one of
1001, 1002 a customer number. A kind is claimed only when most cells agree, so a stray value never decides.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime

from . import values
from .rawtable import RawCell

KIND_WORDS = {"email": "emails", "orgnr": "org numbers", "phone": "phone numbers", "postal": "postal codes",
              "url": "web addresses", "date": "dates", "boolean": "yes/no values", "digits": "whole numbers",
              "number": "numbers", "text": "text"}
MULTI = " ::: "  # how a contacts export joins several values in one cell ("a@x.se ::: b@x.se")
FIRST_OF_MULTI = r"^(.*?)(?: ::: .*)?$"  # a mapping ``pattern`` that keeps the first of them
DISTINCT = frozenset({"email", "orgnr", "phone", "postal", "url", "date"})  # kinds no other field's cells have

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.I)
_URL = re.compile(r"^(https?://|www\.)\S+$|^[a-z0-9-]+(\.[a-z0-9-]+)*\.(com|se|no|dk|fi|net|org|io|nu|eu)(/\S*)?$",
                  re.I)
_ORGNR = re.compile(r"^([1-9]\d{5}-?\d{4}|[89]\d{8}|[89]\d{2} \d{3} \d{3}|\d{7}-\d)$")  # SE, NO, FI
_POSTAL = re.compile(r"^(\d{3} \d{2}|(SE|S|NO|N|DK)-? ?\d{3,5})$", re.I)
_DATE = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./-]\d{1,2}[./-]\d{2,4})([ T]\d{1,2}:\d{2}(:\d{2})?)?$")
_PHONE = re.compile(r"^\+?[\d\s\-()./]{7,22}$")
_NUMBER = re.compile(r"^-?\d[\d\s\u00a0.,']*$")
# What the import reads as a boolean (values.TRUE_WORDS/FALSE_WORDS): a column suggest calls yes/no imports.
BOOLEAN_WORDS = values.TRUE_WORDS | values.FALSE_WORDS


def cell_kind(value: RawCell) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, date | datetime):
        return "date"
    if isinstance(value, int | float):
        return "digits" if float(value).is_integer() else "number"
    v = str(value).strip()
    if _EMAIL.match(v):
        return "email"
    if _URL.match(v):
        return "url"
    if _DATE.match(v):
        return "date"
    if _ORGNR.match(v):
        return "orgnr"
    if _POSTAL.match(v):
        return "postal"
    digits = re.sub(r"\D", "", v)
    if _PHONE.match(v) and 7 <= len(digits) <= 15 and (v[0] in "+0" or re.search(r"[\s\-()/.]", v)):
        return "phone"
    if v.isdigit():
        return "digits"
    return "number" if _NUMBER.match(v) else "text"


def value_kind(values: list[RawCell]) -> str | None:
    """What a column's non-empty cells hold, when at least 80% of them agree; None when unclear or empty."""
    cells = [v.split(MULTI)[0] if isinstance(v, str) else v for v in values if v is not None and str(v).strip() != ""]
    if not cells:
        return None
    if all(isinstance(v, bool) or (isinstance(v, str) and v.strip().lower() in BOOLEAN_WORDS)
           or (isinstance(v, int) and v in (0, 1)) for v in cells) and len({str(v) for v in cells}) <= 2:
        return "boolean"
    kind, count = Counter(cell_kind(v) for v in cells[:500]).most_common(1)[0]
    return kind if count >= 0.8 * min(len(cells), 500) else None


def enum_map(values: list[RawCell], enum: tuple[str, ...], words: dict[str, tuple[str, ...]],
             fold: Callable[[object], str]) -> tuple[dict[str, str], list[str]]:
    """A value map onto ``enum`` for the column's distinct values (``words``: enum value -> what files
    write for it), and the values nothing matched. Values already spelt as the enum need no entry."""
    own = {fold(e): e for e in enum}
    known = {fold(w): e for e in enum for w in words.get(e, ())}
    out: dict[str, str] = {}
    unknown: list[str] = []
    for v in dict.fromkeys(str(v).strip() for v in values if v is not None and str(v).strip()):
        f = fold(v)
        if f in own:
            continue
        if f in known:
            out[v] = known[f]
        elif v not in unknown:
            unknown.append(v)
    return out, unknown


# The forms the import guesses, and a two-digit year, which it never guesses but a mapping may name.
DATE_FORMATS = (*values.DATE_FORMATS, "%d.%m.%y")


def date_formats(values: list[RawCell]) -> list[str]:
    """The date forms every text date of the column reads in (a time after the date ignored); a file
    whose days never pass 12 reads as both %d/%m/%Y and %m/%d/%Y, which only its writer can settle."""
    texts = [str(v).strip().split(" ")[0].split("T")[0] for v in values
             if isinstance(v, str) and v.strip()]
    if not texts:
        return []
    out = []
    for fmt in DATE_FORMATS:
        try:
            for t in texts:
                datetime.strptime(t, fmt)
        except ValueError:
            continue
        out.append(fmt)
    return out
