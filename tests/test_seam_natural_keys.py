"""A natural key of several fields is used whole: each row is keyed by the first field it has a value for.

(Tripletex customers: ``customerNumber``, then ``organizationNumber``.) Before, every place that needed
the key took ``natural_key[0]`` and ignored the rest.
"""

from __future__ import annotations

from dataclasses import replace

from bulktool.plan.live import LiveIndex, row_key
from bulktool.schema import get_endpoint

CONTACTS = replace(get_endpoint("blikk", "contacts"), natural_key=("customerNumber", "email"))
RECORDS = {
    "1": {"id": 1, "customerNumber": "0012", "email": "a@example.se"},
    "2": {"id": 2, "customerNumber": None, "email": "b@example.se"},
}


def test_a_row_is_keyed_by_its_first_key_field_with_a_value() -> None:
    assert row_key(CONTACTS, {"customerNumber": " 0012 ", "email": "x@example.se"}) == ("customerNumber", "0012")
    assert row_key(CONTACTS, {"customerNumber": "", "email": "b@example.se"}) == ("email", "b@example.se")
    assert row_key(CONTACTS, {"customerNumber": None}) == ("customerNumber", None)
    assert row_key(replace(CONTACTS, natural_key=()), {"email": "b@example.se"}) == (None, None)


def test_live_records_are_indexed_by_every_key_field() -> None:
    live = LiveIndex(RECORDS, key_fields=CONTACTS.natural_key)
    assert live.by_key("customerNumber") == {"0012": ["1"]}
    assert live.by_key("email") == {"a@example.se": ["1"], "b@example.se": ["2"]}
    assert live.by_key("name") == {} and live.by_key(None) == {}
