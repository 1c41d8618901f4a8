"""One normal form per match kind, so a value that names a record compares the way a person would read it.

Used by lookups (``responsible = "Anna Svensson"``) and by natural-key matching of foreign rows: a file
from another system spells the same org number, email or name differently from the API (a dash, capitals,
a macOS NFD "å", a double space). Each kind folds only what cannot tell two records apart.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from ..schema.model import Column, MatchKind
from ..workbook.meta import record_id

_SPACES = re.compile(r"\s+")
_NUMBER_JUNK = re.compile(r"[\s\u00a0\u202f%]")
# What people put between the digits of an org number: "556898-6787", "556 898 6787", "923.609.016".
ORGNR_SEPARATORS = re.compile(r"[\s\-./]")


def text_form(value: object) -> str | None:
    """NFC, case-folded, spaces collapsed; None for an empty value."""
    if value is None:
        return None
    text = _SPACES.sub(" ", unicodedata.normalize("NFC", str(value))).strip().casefold()
    return text or None


# Not ``workbook.parsing.parse_decimal``: a key compares, so "1,2,3" stays text rather than becoming 123.
def number_form(value: object) -> str | None:
    """25, 25.0, "25,0" and "25 %" alike: the shortest decimal text; a non-number falls back to text."""
    if value is None or isinstance(value, bool):
        return text_form(value)
    if isinstance(value, int):
        return str(value)
    text = _NUMBER_JUNK.sub("", str(value)).replace(",", ".")
    if not text:
        return None
    try:
        d = Decimal(text)
    except InvalidOperation:
        return text_form(value)
    if not d.is_finite():
        return text_form(value)
    d = d.normalize()
    return format(d.quantize(Decimal(1)) if d == d.to_integral_value() else d, "f")


def orgnr_form(value: object) -> str | None:
    """Organisation numbers with or without a dash or spaces (556898-6787 = 5568986787); letters kept (SE...01)."""
    text = text_form(value)
    return ORGNR_SEPARATORS.sub("", text) if text else None


def email_form(value: object) -> str | None:
    text = text_form(value)
    return text.replace(" ", "") if text else None


# ``migrate.values.phone_text`` differs on purpose: it writes a readable number (spaces kept), this compares.
def phone_form(value: object) -> str | None:
    """The digits, with "+" for an international prefix: "+46 70-123 45 67" and "0046701234567" agree.

    A national form ("070-123 45 67") keeps its leading 0: without the country it cannot be widened safely.
    """
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    plus = text.startswith("+")
    if plus or text.startswith("00"):  # "+46 (0)70-123 45 67": the national 0 in brackets is not dialled
        text = text.replace("(0)", "")
    digits = re.sub(r"\D", "", text)
    if not digits:
        return text_form(value)
    if plus:
        return "+" + digits
    if digits.startswith("00"):
        return "+" + digits[2:]
    return digits


def code_form(value: object) -> str | None:
    text = text_form(value)
    return text.replace(" ", "") if text else None


_FORMS = {
    "text": text_form, "number": number_form, "orgnr": orgnr_form, "email": email_form, "phone": phone_form,
    "code": code_form,
}


def normal_form(kind: MatchKind, value: object) -> str | None:
    """``value`` in the normal form of ``kind``; None for an empty value (which names nothing)."""
    return _FORMS[kind](value)


def column_form(column: Column, value: object) -> str | None:
    """``value`` in the normal form of the column's match kind."""
    return normal_form(column.match_kind, value)


def column_forms(column: Column | None, values: Iterable[object]) -> list[str | None]:
    """``column_form`` of each value (``record_id`` without a column), a whole column in one pass.

    The duplicate checks fold every key of a 100k-row sheet, twice: the usual cell (ASCII text, an int) is
    folded inline, which gives the same form as ``text_form`` (ASCII is NFC already, and ``str.split``
    splits on exactly the whitespace ``\\s`` matches) at a fraction of the calls.
    """
    if column is None:
        return list(map(record_id, values))
    if column.match_kind != "text":
        return list(map(_FORMS[column.match_kind], values))
    return [(" ".join(v.split()).lower() or None) if v.__class__ is str and v.isascii()
            else str(v) if v.__class__ is int else text_form(v) for v in values]
