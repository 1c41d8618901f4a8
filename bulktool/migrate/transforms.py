"""The named value transforms a mapping file lists (``transform = ["trim", "lower"]``).

Each works on one text value and gives a text (or a date, for ``date:<format>``), or None for "no value";
a value it cannot read raises ``TransformFailed`` whose message finishes the sentence
"column 'X': 'value' ..." the caller writes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from ..messages import did_you_mean
from ..plan.matching import text_form
from .values import human_format, number_text, orgnr_text, parse_datetime, phone_text

Value = str | date | None


class TransformFailed(ValueError):
    """A value a transform cannot read; ``str()`` is "is not a date (mm/dd/yyyy)" style."""


def _collapse(v: str) -> str:
    return re.sub(r"\s+", " ", v).strip()


def _decimal_comma(v: str) -> str:
    got = number_text(v, currency=True)
    if got is None:
        raise TransformFailed("is not a number")
    return got


def _first(v: str) -> str:
    """The first of a multi-value cell: Google writes "a@x.se ::: b@x.se", others one per line."""
    return re.split(r"\s*:::\s*|\s*\n\s*", v.strip(), maxsplit=1)[0]


_SIMPLE: dict[str, Callable[[str], str]] = {
    "trim": str.strip,
    "lower": str.lower,
    "upper": str.upper,
    "title": str.title,
    "collapse": _collapse,
    "digits": lambda v: re.sub(r"\D", "", v),
    "phone": phone_text,
    "orgnr": orgnr_text,
    "decimal_comma": _decimal_comma,
    "first": _first,
}
_WITH_ARG = ("date", "none_if")
NAMES: tuple[str, ...] = (*_SIMPLE, *(f"{n}:" for n in _WITH_ARG))


@dataclass(frozen=True)
class Transform:
    """One parsed transform: ``name`` and, for ``date:`` and ``none_if:``, its argument."""

    name: str
    arg: str = ""

    @property
    def spec(self) -> str:
        return f"{self.name}:{self.arg}" if self.name in _WITH_ARG else self.name

    def __call__(self, value: Value) -> Value:
        if value is None or isinstance(value, date):
            return value
        if self.name == "none_if":
            return None if text_form(value) == text_form(self.arg) else value
        if self.name == "date":
            when = parse_datetime(value, self.arg) if value.strip() else None
            if when is None and value.strip():
                raise TransformFailed(f"is not a date ({human_format(self.arg)})")
            return None if when is None else when if when.time() != datetime.min.time() else when.date()
        out = _SIMPLE[self.name](value)
        return out if out != "" else None


def _check_strftime(fmt: str) -> str | None:
    """Why ``fmt`` is no usable date format, or None: it must name a day, a month and a year."""
    if not all(code in fmt for code in ("%d", "%m")) and "%b" not in fmt and "%B" not in fmt and "%j" not in fmt:
        return f"date format {fmt!r} names no day and month (use %d and %m, e.g. '%d.%m.%Y')"
    if "%Y" not in fmt and "%y" not in fmt:
        return f"date format {fmt!r} names no year (use %Y, e.g. '%d.%m.%Y')"
    sample = datetime(2024, 12, 31)
    try:
        back = datetime.strptime(sample.strftime(fmt), fmt)
    except ValueError as exc:
        return f"date format {fmt!r} cannot read back its own dates ({exc})"
    return None if back.date() == sample.date() else f"date format {fmt!r} does not read back its own dates"


def check_date_format(fmt: str) -> str | None:
    """Why ``fmt`` (a mapping's ``date_format`` or ``--date-format``) is unusable, or None."""
    return _check_strftime(fmt)


def parse_transform(spec: str) -> Transform:
    """ "lower" / "date:%m/%d/%Y" -> Transform; ValueError with a did-you-mean for an unknown name."""
    name, colon, arg = spec.partition(":")
    name = name.strip()
    if name in _WITH_ARG:
        if not colon or not arg:
            example = "date:%d.%m.%Y" if name == "date" else "none_if:-"
            raise ValueError(f"transform {spec!r} needs its argument, e.g. '{example}'")
        if name == "date" and (problem := _check_strftime(arg)):
            raise ValueError(problem)
        return Transform(name, arg)
    if name in _SIMPLE and not colon:
        return Transform(name)
    hint = did_you_mean(name, [*_SIMPLE, *_WITH_ARG]) or f" (known: {', '.join(NAMES)})"
    raise ValueError(f"unknown transform {spec!r}{hint}")


def apply_transforms(transforms: Sequence[Transform], value: Value) -> Value:
    """``value`` through each transform in turn; TransformFailed from the first that cannot read it."""
    for t in transforms:
        value = t(value)
    return value
