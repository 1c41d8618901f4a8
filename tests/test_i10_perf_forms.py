"""The whole-column key forms (the duplicate checks' fast path) agree with the one-value rule cell for cell."""

from __future__ import annotations

import sys

import pytest

from bulktool.plan.live import key_form, key_forms
from bulktool.schema import get_endpoint
from bulktool.schema.model import Column
from bulktool.workbook.cells import CellValueError, _datetime_value, clean
from bulktool.workbook.flatten import flatten, flatten_columns
from bulktool.workbook.parsing import format_datetime, utc_seconds_text

VALUES: list[object] = [
    None, "", " ", "  Anna  Svensson ", "ANNA svensson", "a\tb\nc\x1cd", "\u00a0x\u2003y\u00a0", "Åsa", "A\u030asa",
    "ß", "Straße", "İ", "ﬁ", 0, 12, -5, True, False, 12.0, 12.5, "12", " 0012 ", "556898-6787", "5568986787",
    "anna@X.se", "+46 70-123 45 67", "-", "x", ["a"],
]


def _columns() -> list[Column | None]:
    ep = get_endpoint("blikk", "contacts")
    kinds: dict[str, Column] = {}
    for c in ep.columns:
        kinds.setdefault(c.match_kind, c)
    return [None, *kinds.values()]


@pytest.mark.parametrize("column", _columns(), ids=lambda c: "id" if c is None else c.match_kind)
def test_key_forms_equal_key_form_per_value(column: Column | None) -> None:
    assert key_forms(column, VALUES) == [key_form(column, v) for v in VALUES]


def test_every_ascii_character_folds_alike() -> None:
    text = next(c for c in _columns() if c is not None and c.match_kind == "text")
    values = [f"{chr(a)}x{chr(b)}" for a in range(128) for b in (32, 9, 65, 97, 0x1F)]
    values += [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]
    assert key_forms(text, values) == [key_form(text, v) for v in values]


@pytest.mark.parametrize("text", [
    "2024-01-02 03:04:05 +00:00", "2024-01-02T03:04:05Z", "2024-01-02 03:04:05", "2024-01-02T03:04:05",
    "2024-01-02 03:04:05Z", "2024-02-29 23:59:59 +00:00", "0001-01-01 00:00:00 +00:00", "2024-01-02T03:04:05+00",
    "2024-01-02T03:04:05-00:00", "2024-01-02 03:04:05 +0000", "2024-01-02T03:04:05+00:00",
])
def test_utc_seconds_text_is_the_full_parse(text: str) -> None:
    assert utc_seconds_text(text) == format_datetime(_datetime_value(text)) == clean("datetime", text)


@pytest.mark.parametrize("text", [
    "2024-02-30 00:00:00 +00:00", "2024-01-01 24:00:00", "0000-01-01 00:00:00", "2024-01-01 23:59:60",
    "2024-01-02 03:04:05 +01:00", "2024-01-02 03:04:05.5", " 2024-01-02 03:04:05", "2024-1-02 03:04:05",
    "\u0662\u0660\u0662\u0664-01-02 03:04:05", "2024-01-02 03:04:05 +00:00 ", "2024-01-02 03:04", "",
    "2024-01-02 03:04:05 +01", "2024-01-02 03:04:05  Z", "2024-01-02t03:04:05Z", "2024-01-02 03:04:05 UTC",
    "2024-01-02 03:04:05+00:0", "2024-01-02 03:04:05z",
])
def test_other_datetime_texts_take_the_full_parse(text: str) -> None:
    assert utc_seconds_text(text) is None
    try:
        expected: str | None = format_datetime(_datetime_value(text))
    except CellValueError:
        expected = None
    try:
        got: str | None = clean("datetime", text)
    except CellValueError:
        got = None
    assert got == expected


def test_flatten_columns_is_flatten_per_record() -> None:
    """The column-at-a-time flatten of live records (same_as_live) gives each record's ``flatten``."""
    ep = get_endpoint("blikk", "contacts")
    cols = [c for c in ep.columns if c.in_list]
    base = {"id": 1, "name": "Åsa", "customerNumber": "000001", "visitingAddress": {"city": "Umeå"},
            "created": "2024-01-02 03:04:05 +00:00", "lastUpdated": None}
    records: list[dict[str, object]] = [
        base,
        {**base, "id": 2, "company": None, "parentCompany": {"id": 7, "name": "Moder AB"},
         "created": "2024-01-02T03:04:05Z", "lastUpdated": "2024-02-30 00:00:00 +00:00"},
        {**base, "id": 3, "company": {"id": 5}, "created": "2024-01-02T05:04:05+02:00",
         "lastUpdated": "not a date"},
        {**base, "id": 4, "company": {"id": 6, "name": "Dotter AB"}, "visitingAddress": None, "created": 45000.5},
    ]
    by_column = flatten_columns(records, cols)
    assert [{c.name: by_column[c.name][i] for c in cols} for i in range(len(records))] == \
        [flatten(r, cols) for r in records]
    odd = [*records, {**base, "id": 5, "company": "Acme"}]  # a head that is no object: the generic walk
    by_column = flatten_columns(odd, cols)
    assert [{c.name: by_column[c.name][i] for c in cols} for i in range(len(odd))] == [flatten(r, cols) for r in odd]
