"""Issue 7: the template keys that say what a write resends, defaults and what the server does on its own."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bulktool.errors import TemplateError
from bulktool.plan.diff import build_body
from bulktool.plan.model import FieldChange
from bulktool.schema import load_templates
from bulktool.schema.loader import load_template_file

BASE = """\
name = "widgets"
title = "Widgets"
version = 1
systems = ["blikk"]

[paths]
list = "/v1/Core/Widgets"
create = "/v1/Core/Widgets"
update = "/v1/Core/Widgets/{id}"

[[columns]]
name = "id"
type = "integer"
read_only = true

[[columns]]
name = "day"
type = "date"
write = "start"
write_part = "date"

[[columns]]
name = "clock"
type = "time"
write = "start"
write_part = "time"

[[columns]]
name = "active"
type = "boolean"
write = "isActive"
create_default = true

[[columns]]
name = "place.city"
cleared_by_update = true
read_only = true
"""

BAD = [
    ("a lone time part", BASE.replace('write = "start"\nwrite_part = "date"', 'write = "begin"'),
     r"write name 'start': a write_part needs exactly one 'date' and one 'time'"),
    ("a part on the wrong type", BASE.replace('type = "time"\nwrite = "start"', 'type = "string"\nwrite = "start"'),
     r"columns\[2\] \(clock\)\.write_part: 'time' must be 'date' on a date column"),
    ("cleared but resent",
     BASE.replace('cleared_by_update = true\nread_only = true', 'cleared_by_update = true\nwrite = "city"'),
     r"cleared_by_update: a writable column is resent by every update"),
    ("a default on a read-only column",
     BASE.replace("read_only = true\n", "read_only = true\ncreate_default = 1\n", 1),
     r"columns\[0\] \(id\)\.create_default: only a writable column"),
    ("a default of the wrong type", BASE.replace("create_default = true", 'create_default = "yes"'),
     r"create_default: must be true or false"),
]


@pytest.mark.parametrize(("label", "text", "message"), BAD, ids=[b[0] for b in BAD])
def test_loader_rejects_bad_write_keys(tmp_path: Path, label: str, text: str, message: str) -> None:
    path = tmp_path / "widgets.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TemplateError) as info:
        load_template_file(path)
    assert re.search(message, str(info.value)), str(info.value)


def test_write_parts_defaults_and_clears_in_the_body(tmp_path: Path) -> None:
    path = tmp_path / "widgets.toml"
    path.write_text(BASE, encoding="utf-8")
    ep = load_template_file(path)
    live = {"id": 1, "day": "2026-03-02", "clock": "07:30", "active": False, "place.city": "Piteå"}
    assert build_body(ep, live, {"clock": FieldChange("07:30", "09:00")}, for_create=False) == {
        "start": "2026-03-02T09:00:00", "isActive": False}  # the core's form; to_wire respells it
    assert build_body(ep, {}, {"day": FieldChange(None, "2026-03-02")}, for_create=True) == {
        "start": "2026-03-02T00:00:00", "isActive": True}
    assert build_body(ep, {}, {"active": FieldChange(None, False)}, for_create=True) == {"isActive": False}


def test_the_shipped_templates_declare_what_the_docs_say() -> None:
    t = load_templates("blikk")
    tasks = t["tasks"]
    assert [(c.name, c.write, c.write_part) for c in tasks.columns if c.write_part] == [
        ("startDate", "startDate", "date"), ("startTime", "startDate", "time"),
        ("endDate", "endDate", "date"), ("endTime", "endDate", "time")]
    assert {c.name for c in t["projects"].columns if c.cleared_by_update} == {
        "location.longitude", "location.latitude", "location.streetAddress", "location.postalCode",
        "location.city", "location.countryName"}
    assert {c.name for c in t["time-reports"].columns if c.cleared_by_update} == {
        "travelReport", "allowanceReport", "materials", "equipments", "additions"}
    assert t["contacts"].column("isActive").create_default is True
    assert t["contacts"].column("customerNumber").server_assigns
    assert t["projects"].column("invoiceType").create_server_value == "ongoing"
