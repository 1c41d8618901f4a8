"""Nordic value parsing and the mapping transforms: each case is a form a real export writes."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

import pytest

from bulktool.migrate.transforms import TransformFailed, apply_transforms, check_date_format, parse_transform
from bulktool.migrate.values import (
    guess_date_format,
    human_format,
    number_text,
    orgnr_text,
    parse_bool,
    parse_date,
    parse_datetime,
    parse_number,
    phone_text,
)


@pytest.mark.parametrize(("text", "want"), [
    ("1 234,50", "1234.50"),  # Swedish: space thousands, decimal comma
    ("1\u00a0234,50", "1234.50"),  # Excel's NBSP thousands
    ("1\u202f234\u202f567", "1234567"),  # narrow NBSP (newer locales)
    ("1.234,50", "1234.50"),  # German/Norwegian dots
    ("1,234.50", "1234.50"),  # English
    ("1.234.567", "1234567"),  # repeated dots in threes: thousands
    ("1,234,567", "1234567"),
    ("-12,5", "-12.5"),
    ("\u2212 3", "-3"),  # a typographic minus
    ("12.5", "12.5"),  # a lone point stays a decimal point
    ("0,5", "0.5"),
    (",5", "0.5"),
    ("1234", "1234"),
])
def test_number_forms(text: str, want: str) -> None:
    assert number_text(text) == want


@pytest.mark.parametrize("text", ["12,34,5", "1 23,4", "abc", "1.2.3", "", "1,234.5,6", "12 kr"])
def test_not_numbers(text: str) -> None:
    assert number_text(text) is None


def test_currency_is_stripped_only_when_asked() -> None:
    assert number_text("1 234,50 kr", currency=True) == "1234.50"
    assert number_text("SEK 99", currency=True) == "99"
    assert number_text("100:-", currency=True) == "100"
    assert number_text("250 NOK", currency=True) == "250"
    assert number_text("1 234,50 kr") is None
    assert parse_number("1 234,50 kr", currency=True) == Decimal("1234.50")


@pytest.mark.parametrize(("text", "want"), [
    ("SANT", True), ("falskt", False), ("Sann", True), ("USANN", False), ("Ja", True), ("nej", False),
    ("nei", False), ("J", True), ("N", False), ("Yes", True), ("no", False), ("TRUE", True), ("False", False),
    ("1", True), ("0", False), ("x", True), (" X ", True), ("kanske", None), ("", None),
])
def test_booleans(text: str, want: bool | None) -> None:
    assert parse_bool(text) is want


def test_date_guess_picks_the_one_format_that_reads_every_value() -> None:
    assert guess_date_format(["2024-01-31", "2023-12-01"]) == ("%Y-%m-%d", False)
    assert guess_date_format(["31.12.2024", "1.2.2023"]) == ("%d.%m.%Y", False)
    assert guess_date_format(["13/02/2024", "01/02/2024"]) == ("%d/%m/%Y", False)
    assert guess_date_format(["02/13/2024", "01/02/2024"]) == ("%m/%d/%Y", False)  # a US export
    assert guess_date_format(["31-12-2024"]) == ("%d-%m-%Y", False)
    assert guess_date_format(["31.12.2024 14:30"]) == ("%d.%m.%Y", False)
    assert guess_date_format(["", "  "]) == (None, False)
    assert guess_date_format(["31.12.2024", "2024-01-01"]) == (None, False)


def test_a_date_both_ways_is_day_first_and_flagged() -> None:
    assert guess_date_format(["01/02/2024", "03/04/2024"]) == ("%d/%m/%Y", True)


def test_datetime_with_a_clock_and_human_formats() -> None:
    assert parse_datetime("31.12.2024 14:30", "%d.%m.%Y") == datetime(2024, 12, 31, 14, 30)
    assert parse_datetime("31.12.2024", "%d.%m.%Y") == datetime(2024, 12, 31)
    assert parse_datetime("31.02.2024", "%d.%m.%Y") is None
    assert parse_date("1.2.24", "%d.%m.%Y") is None  # not the year 24
    assert parse_datetime("1.2.24 10:00", "%d.%m.%Y") is None
    assert parse_date("1.2.24", "%d.%m.%y") == date(2024, 2, 1)
    assert guess_date_format(["1.2.24"]) == (None, False)
    assert human_format("%d.%m.%Y") == "dd.mm.yyyy"
    assert human_format("%m/%d/%Y") == "mm/dd/yyyy"


def test_phone_keeps_plus_digits_and_single_spaces() -> None:
    assert phone_text("+46 (0)70-123.45.67") == "+46 70 123 45 67"
    assert phone_text("070-123  45 67") == "070 123 45 67"
    assert phone_text("(08) 12 34 56") == "08 12 34 56"
    assert phone_text("+47 22 33 44 55") == "+47 22 33 44 55"


def test_orgnr() -> None:
    assert orgnr_text("5568986787") == "556898-6787"
    assert orgnr_text("556898 6787") == "556898-6787"
    assert orgnr_text("923 609 016") == "923609016"  # Norwegian: nine digits, no dash
    assert orgnr_text("SE556898678701") == "SE556898678701"


@pytest.mark.parametrize(("spec", "value", "want"), [
    ("trim", "  Anna  ", "Anna"),
    ("lower", "Anna@X.SE", "anna@x.se"),
    ("upper", "se", "SE"),
    ("title", "anna svensson", "Anna Svensson"),
    ("collapse", " Storgatan   12  B ", "Storgatan 12 B"),
    ("digits", "K-00123", "00123"),
    ("phone", "070-123 45 67", "070 123 45 67"),
    ("orgnr", "5568986787", "556898-6787"),
    ("decimal_comma", "1 234,50 kr", "1234.50"),
    ("date:%m/%d/%Y", "12/31/2024", date(2024, 12, 31)),
    ("date:%d.%m.%Y", "31.12.2024 08:15", datetime(2024, 12, 31, 8, 15)),
    ("none_if:-", " - ", None),
    ("none_if:N/A", "n/a", None),
    ("none_if:-", "Anna", "Anna"),
    ("trim", "   ", None),  # nothing left is no value
    ("first", "anna@x.se ::: anna@home.se", "anna@x.se"),  # Google's multi-value cell
    ("first", "070-1\n08-2", "070-1"),
])
def test_each_transform(spec: str, value: str, want: object) -> None:
    assert apply_transforms([parse_transform(spec)], value) == want


def test_transforms_run_in_order_and_pass_empty_values() -> None:
    chain = [parse_transform(s) for s in ("trim", "collapse", "title")]
    assert apply_transforms(chain, "  anna   maria ") == "Anna Maria"
    assert apply_transforms(chain, None) is None


def test_a_transform_that_cannot_read_its_value_says_why() -> None:
    with pytest.raises(TransformFailed, match=r"is not a date \(mm/dd/yyyy\)"):
        apply_transforms([parse_transform("date:%m/%d/%Y")], "31/12/2024")
    with pytest.raises(TransformFailed, match="is not a number"):
        apply_transforms([parse_transform("decimal_comma")], "twelve")


@pytest.mark.parametrize(("spec", "message"), [
    ("lowr", "unknown transform 'lowr' (did you mean lower?)"),
    ("frobnicate", "unknown transform 'frobnicate' (known: trim, lower"),
    ("date", "transform 'date' needs its argument, e.g. 'date:%d.%m.%Y'"),
    ("none_if:", "transform 'none_if:' needs its argument"),
    ("date:%Y", "date format '%Y' names no day and month"),
    ("trim:x", "unknown transform 'trim:x'"),
])
def test_bad_transform_specs(spec: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_transform(spec)


def test_date_format_checks() -> None:
    assert check_date_format("%d.%m.%Y") is None
    assert check_date_format("%d/%m/%y") is None
    assert "names no year" in (check_date_format("%d.%m") or "")
