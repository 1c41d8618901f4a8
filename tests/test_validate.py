"""Import validation: pandera schema built from a template, errors mapped back to Excel cells."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import pandera.pandas as pa
import pytest

from bulktool.plan.model import CellError
from bulktool.schema.model import Column, Endpoint
from bulktool.schema.validate import build_schema, summarize_errors, validate_rows


@dataclass
class Row:
    row: int
    values: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)


CONTACTS = Endpoint(
    name="contacts", system="blikk", version=1, title="Contacts", list_path="/v1/Core/Contacts",
    create_path="/v1/Core/Contacts", update_path="/v1/Core/Contacts/{id}",
    columns=(
        Column("id", "integer", read_only=True, nullable=False),
        Column("name", "string", write="name", required_create=True, required_update=True, max_length=50),
        Column("contactType", "string", write="contactType", required_create=True,
               enum=("person", "company")),
        Column("organizationNumber", "string", write="organizationNumber", pattern=r"\d{6}-\d{4}"),
        Column("hours", "decimal", write="hours", decimals=2),
        Column("clockStart", "time", write="clockStart", pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$"),
        Column("birthday", "date", write="birthday"),
        Column("lastSeen", "datetime", write="lastSeen"),
        Column("age", "integer", write="age"),
        Column("isActive", "boolean", write="isActive", nullable=False),
        Column("tagIds", "int_list", write="tagIds"),
        Column("labels", "string_list", write="labels", enum=("red", "green")),
        Column("addresses", "json", write="addresses"),
        Column("createdBy", "string", read_only=True, max_length=3, required_create=True),
    ),
)
ALL = [c.name for c in CONTACTS.columns]
GOOD: dict[str, Any] = {
    "name": "Acme AB", "contactType": "company", "organizationNumber": "556677-8899", "hours": 7.25,
    "clockStart": "08:30", "birthday": "1990-02-28", "lastSeen": "2024-05-06 10:11:12 +00:00", "age": 34,
    "isActive": True, "tagIds": [10, 16], "labels": ["red"], "addresses": [{"street": "Storgatan 1"}],
    "createdBy": "a name far longer than three characters",
}


def make(row: int, id_: int | None = None, errors: dict[str, str] | None = None, **values: Any) -> Row:
    return Row(row, {"id": id_, **GOOD, **values}, errors or {})


def messages(result: dict[int, list[CellError]], row: int) -> dict[str | None, str]:
    return {e.column: e.message for e in result.get(row, [])}


def test_clean_rows_have_no_errors_and_read_only_columns_are_not_checked() -> None:
    assert validate_rows(CONTACTS, ALL, [make(2), make(3, id_=7)], id_column="id") == {}


def test_required_on_create_versus_update() -> None:
    rows = [
        make(2, contactType=None, name="  "),  # create: both required
        make(3, id_=5, contactType=None),  # update: contactType is only required on create
        make(4, id_=6, name=""),  # update: name is required on update too
    ]
    result = validate_rows(CONTACTS, ALL, rows, id_column="id")
    assert messages(result, 2) == {"name": "required", "contactType": "required"}
    assert 3 not in result
    assert messages(result, 4) == {"name": "required"}


def test_custom_is_create_decides_which_rows_are_creates() -> None:
    rows = [make(2, contactType=None)]
    result = validate_rows(CONTACTS, ALL, rows, id_column="id", is_create=lambda r: False)
    assert result == {}


def test_non_nullable_column_cannot_be_blanked_on_update_but_may_be_left_empty_on_create() -> None:
    rows = [make(2, isActive=None), make(3, id_=9, isActive=None)]
    result = validate_rows(CONTACTS, ALL, rows, id_column="id")
    assert 2 not in result
    assert messages(result, 3) == {"isActive": "cannot be empty"}


def test_enum_is_case_insensitive_and_error_lists_valid_values() -> None:
    rows = [make(2, contactType="PERSON"), make(3, contactType="Company "), make(4, contactType="persn")]
    result = validate_rows(CONTACTS, ALL, rows, id_column="id")
    assert list(result) == [4]
    assert messages(result, 4) == {"contactType": "must be one of: person, company (got 'persn')"}


def test_enum_on_list_column_checks_each_item() -> None:
    rows = [make(2, labels=["RED", "green"]), make(3, labels=["red", "blue"])]
    result = validate_rows(CONTACTS, ALL, rows, id_column="id")
    assert messages(result, 3) == {"labels": "must be one of: red, green (got ['red', 'blue'])"}
    assert 2 not in result


def test_max_length_decimals_pattern_and_time() -> None:
    rows = [
        make(2, name="x" * 63),
        make(3, hours=1.234),
        make(4, hours=0.1 + 0.2),  # binary noise is not a third decimal
        make(5, organizationNumber="5566778899"),
        make(6, clockStart="25:00"),
        make(7, hours=8),
    ]
    result = validate_rows(CONTACTS, ALL, rows, id_column="id")
    assert messages(result, 2) == {"name": "longer than 50 characters (63)"}
    assert messages(result, 3) == {"hours": "at most 2 decimals (1.234)"}
    assert messages(result, 5) == {
        "organizationNumber": r"does not match the pattern \d{6}-\d{4} (got '5566778899')"
    }
    assert messages(result, 6) == {"clockStart": "does not match hh:mm (got '25:00')"}
    assert sorted(result) == [2, 3, 5, 6]


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("age", "abc", "expected a whole number (got 'abc')"),
        ("age", True, "expected a whole number (got TRUE)"),
        ("hours", "7,5", "expected a number (got '7,5')"),
        ("isActive", "yes", "expected TRUE or FALSE (got 'yes')"),
        ("birthday", "2023-02-29", "not a valid date YYYY-MM-DD (got '2023-02-29')"),
        ("birthday", "28.02.1990", "not a valid date YYYY-MM-DD (got '28.02.1990')"),
        ("lastSeen", "2024-05-06 10:11", "not a valid date and time YYYY-MM-DDThh:mm:ssZ "
                                         "(got '2024-05-06 10:11')"),
        ("tagIds", [1, "x"], "expected a list of whole numbers, like 10, 16 (got [1, 'x'])"),
        ("labels", "red", "expected a list of text values (got 'red')"),
        ("addresses", "Storgatan 1", "expected a JSON list or object (got 'Storgatan 1')"),
        ("name", 12, "expected text (got 12)"),
    ],
)
def test_type_and_format_errors(column: str, value: Any, message: str) -> None:
    result = validate_rows(CONTACTS, ALL, [make(2), make(3, **{column: value})], id_column="id")
    assert result == {3: [CellError(column, message)]}


def test_conversion_errors_are_merged_and_skip_further_checks() -> None:
    # The reader could not convert the age cell and left None: no "required"/type error is added on top.
    row = make(2, age=None, contactType="nope", errors={"age": "expected a whole number, got 'abc'"})
    result = validate_rows(CONTACTS, ALL, [row], id_column="id")
    assert result[2] == [
        CellError("contactType", "must be one of: person, company (got 'nope')"),
        CellError("age", "expected a whole number, got 'abc'"),
    ]
    # ...even where the column is required: the conversion message is the only one for that cell.
    row = make(3, name=None, errors={"name": "cell holds an error value (#REF!)"})
    assert validate_rows(CONTACTS, ALL, [row], id_column="id") == {
        3: [CellError("name", "cell holds an error value (#REF!)")]
    }


def test_missing_required_column_is_an_error_for_every_create_row_only() -> None:
    cols = ["id", "name"]
    rows = [Row(2, {"id": None, "name": "A"}), Row(3, {"id": 4, "name": "B"}),
            Row(4, {"id": None, "name": "C"})]
    result = validate_rows(CONTACTS, cols, rows, id_column="id")
    msg = "column 'contactType' is required to create records but is not in the sheet"
    assert result == {2: [CellError("contactType", msg)], 4: [CellError("contactType", msg)]}


def test_without_id_column_every_row_is_a_create() -> None:
    rows = [Row(2, {"name": "A"})]
    result = validate_rows(CONTACTS, ["name"], rows, id_column="id")
    assert [e.column for e in result[2]] == ["contactType"]


def test_unknown_columns_are_ignored() -> None:
    rows = [Row(2, {"id": 1, "name": "A", "Comment": 12})]
    assert validate_rows(CONTACTS, ["id", "name", "Comment"], rows, id_column="id") == {}


def test_lazy_reports_every_error_at_once() -> None:
    rows = [
        make(2, name=None, contactType="x", hours=1.001, age="old", clockStart="7:5"),
        make(3, id_=1, name="y" * 51, tagIds="1,2"),
        make(4),
        make(5, birthday="2024-13-01"),
    ]
    result = validate_rows(CONTACTS, ALL, rows, id_column="id")
    assert {row: [e.column for e in errs] for row, errs in result.items()} == {
        2: ["name", "contactType", "hours", "clockStart", "age"],  # sheet column order
        3: ["name", "tagIds"],
        5: ["birthday"],
    }


def test_build_schema_is_a_pandera_schema_over_writable_present_columns() -> None:
    create = build_schema(CONTACTS, ["id", "name", "contactType", "createdBy"], for_create=True)
    update = build_schema(CONTACTS, ["id", "name", "contactType", "createdBy"], for_create=False)
    assert isinstance(create, pa.DataFrameSchema)
    assert list(create.columns) == ["name", "contactType"]  # read-only id / createdBy never checked
    assert "bulktool:required" in [c.name for c in create.columns["contactType"].checks]
    assert "bulktool:required" not in [c.name for c in update.columns["contactType"].checks]


def test_summarize_errors_one_line_per_error_when_few() -> None:
    errors = {7: [CellError("contactType", "must be one of: person, company (got 'x')")],
              9: [CellError(None, "delete needs an id")]}
    assert summarize_errors(errors) == [
        "row 7, column contactType: must be one of: person, company (got 'x')",
        "row 9: delete needs an id",
    ]


def test_summarize_errors_groups_by_column_when_many() -> None:
    rows = [make(i, name=None if i % 2 == 0 else "ok", contactType="persn" if i % 3 == 0 else "person")
            for i in range(2, 2500)]
    result = validate_rows(CONTACTS, ALL, rows, id_column="id")
    lines = summarize_errors(result, limit=50)
    assert lines == [
        "name: 1,249 rows — required (first at row 2)",
        "contactType: 833 rows — must be one of: person, company (first at row 3)",
    ]


def test_100k_rows_without_errors() -> None:
    cols = [Column("id", "integer", read_only=True)]
    types: list[tuple[str, dict[str, Any]]] = [
        ("string", {"max_length": 50, "required_create": True}), ("string", {"enum": ("person", "company")}),
        ("integer", {}), ("decimal", {"decimals": 2}), ("boolean", {}), ("date", {}), ("datetime", {}),
        ("time", {"pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9]$"}), ("int_list", {}),
        ("string", {"pattern": r"\d{6}-\d{4}"}), ("string_list", {}), ("json", {}),
        ("string", {"max_length": 200, "required_update": True}), ("integer", {"nullable": False}),
        ("decimal", {}), ("string", {}), ("date", {"required_create": True}),
        ("string", {"enum": tuple("abcdefgh")}), ("boolean", {"nullable": False}),
    ]
    sample = {"string": "Storgatan 12", "integer": 42, "decimal": 12.25, "boolean": True,
              "date": "2024-05-06", "datetime": "2024-05-06 10:11:12 +00:00", "time": "08:30",
              "int_list": [10, 16], "string_list": ["a", "b"], "json": [{"a": 1}]}
    for i, (t, kw) in enumerate(types):
        cols.append(Column(f"c{i}", t, write=f"c{i}", **kw))  # type: ignore[arg-type]
    ep = Endpoint("things", "blikk", 1, "Things", "/x", columns=tuple(cols))

    def value(c: Column, i: int) -> Any:
        if c.enum:
            v = c.enum[i % len(c.enum)]
            return v.upper() if i % 3 == 0 else v
        if c.pattern and c.type == "string":
            return f"{i:06d}-1234"
        return sample[c.type]

    rows = [Row(i + 2, {"id": i or None, **{c.name: value(c, i) for c in cols[1:]}}) for i in range(100_000)]
    names = [c.name for c in cols]
    started = time.perf_counter()
    result = validate_rows(ep, names, rows, id_column="id")
    elapsed = time.perf_counter() - started
    print(f"\nvalidated 100,000 rows x {len(names)} columns in {elapsed:.2f} s")
    assert result == {}


def test_odd_values_only_fail_their_own_cell() -> None:
    rows = [make(2, hours=10**400), make(3, hours=float("inf")), make(4, contactType={"a": 1}), make(5)]
    result = validate_rows(CONTACTS, ALL, rows, id_column="id")
    assert result == {
        3: [CellError("hours", "expected a number (got inf)")],
        4: [CellError("contactType", "expected text (got {'a': 1})")],
    }
