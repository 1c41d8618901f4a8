"""The normal forms a value that names a record is compared in (lookups, natural keys): what a person would
read as the same value is the same, and nothing more."""

from __future__ import annotations

import unicodedata

import pytest

from bulktool.plan.matching import normal_form


@pytest.mark.parametrize(("kind", "a", "b"), [
    ("text", "  Åsa   Öberg ", unicodedata.normalize("NFD", "åsa öberg")),
    ("number", "25,0 %", 25),
    ("number", 10001.0, "10001"),
    ("orgnr", "556898-6787", "5568986787"),
    ("orgnr", "891 884 174", "891884174"),
    ("email", "Anna.Lindqvist@Example.COM ", "anna.lindqvist@example.com"),
    ("phone", "+46 (0)70-123 45 67", "0046 70 123 45 67"),
    ("code", "se", "SE"),
])
def test_values_a_person_reads_as_the_same_have_one_form(kind: str, a: object, b: object) -> None:
    assert normal_form(kind, a) == normal_form(kind, b)  # type: ignore[arg-type]


@pytest.mark.parametrize(("kind", "a", "b"), [
    ("phone", "070-123 45 67", "+46 70 123 45 67"),  # no country known for the national form: not widened
    ("orgnr", "556898-6787", "556898-6788"),
    ("number", "1,2,3", "123"),
    ("text", "Anna Svensson", "Anna Svenson"),
])
def test_values_that_may_differ_keep_apart(kind: str, a: object, b: object) -> None:
    assert normal_form(kind, a) != normal_form(kind, b)  # type: ignore[arg-type]


def test_an_empty_value_names_nothing() -> None:
    assert {normal_form(k, v) for k in ("text", "orgnr", "email", "phone", "code") for v in (None, "", "  ")} \
        == {None}
