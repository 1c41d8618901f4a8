"""Datetimes: the core holds one ISO 8601 form; each vendor's codec spells its own at the edge.

Blikk's bodies keep the reference's ``2022-07-01 05:43:12 +00:00`` (and ``2022-07-11 04:43:00`` for a
task's start), a Tripletex body carries ``YYYY-MM-DDThh:mm:ssZ``, and workbooks written before the
change (their export record holds Blikk's spelling) read back in the core's form.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from conftest import connector_for

from bulktool.connectors.wire import DatetimeWire, datetime_write_paths
from bulktool.datetimes import format_instant, is_instant, parse_instant
from bulktool.plan.diff import build_body
from bulktool.plan.model import FieldChange
from bulktool.plan.normalize import same
from bulktool.sandbox import SandboxServer
from bulktool.schema import load_templates
from bulktool.schema.checks import TYPE_WORDS
from bulktool.schema.model import Column, Endpoint
from bulktool.vendors.blikk import BLIKK_DATETIMES, BlikkConnector, blikk_credentials
from bulktool.vendors.tripletex import TripletexConnector
from bulktool.workbook import flatten, read_table
from bulktool.workbook.cells import clean
from bulktool.workbook.meta import format_record_time, parse_record_time
from bulktool.workbook.render import render_text
from bulktool.writer.template_client import TemplateWriteClient

GOLDEN = Path(__file__).parent / "golden"
SEEN = Column("seenAt", "datetime", write="seen.at")
NOTE = Column("note", "string", write="note")
THINGS = Endpoint("things", "any", 1, "Things", "/things", columns=(Column("id", "integer"), SEEN, NOTE))


@pytest.mark.parametrize("given", [
    "2024-05-06 07:08:09 +00:00", "2024-05-06 09:08:09 +02:00", "2024-05-06T07:08:09Z",
    "2024-05-06T07:08:09.000Z", "2024-05-06T07:08:09", datetime(2024, 5, 6, 7, 8, 9),
    datetime(2024, 5, 6, 9, 8, 9, tzinfo=timezone(timedelta(hours=2))),
])
def test_every_spelling_cleans_to_the_one_core_form(given: Any) -> None:
    assert clean("datetime", given) == "2024-05-06T07:08:09Z"
    assert render_text("datetime", given) == "2024-05-06T07:08:09Z"  # what a CSV shows


def test_the_core_form_round_trips_and_compares_with_any_spelling() -> None:
    text = format_instant(datetime(987, 1, 2, 3, 4, 5, tzinfo=UTC))
    assert text == "0987-01-02T03:04:05Z" and is_instant(text)
    assert parse_instant(text) == datetime(987, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert not is_instant("2024-02-30T00:00:00Z") and not is_instant("2024-05-06 07:08:09 +00:00")
    col = Column("lastUpdated", "datetime")
    for other in ("2024-05-06 07:08:09 +00:00", "2024-05-06T09:08:09+02:00", "2024-05-06T07:08:09.2Z"):
        assert same(col, "2024-05-06T07:08:09Z", other), other
    assert not same(col, "2024-05-06T07:08:09Z", "2024-05-06T07:08:10Z")
    assert "YYYY-MM-DDThh:mm:ssZ" in TYPE_WORDS["datetime"]


def test_the_export_record_time_is_iso_and_old_records_still_parse() -> None:
    when = datetime(2024, 3, 1, 9, 0, tzinfo=timezone(timedelta(hours=1)))
    text = format_record_time(when)
    assert is_instant(text) and parse_record_time(text) == when
    assert parse_record_time("2024-03-01 08:00:00 +00:00") == datetime(2024, 3, 1, 8, 0, tzinfo=UTC)
    with pytest.raises(ValueError):
        parse_record_time("2024-03-01 08:00:00")  # no zone: not a time the record can vouch for


def test_blikk_spells_instants_and_zone_less_parts_as_its_reference() -> None:
    conn = BlikkConnector("http://127.0.0.1:1", blikk_credentials("a", "b"))
    body = {"id": 1, "seen": {"at": "2024-05-06T07:08:09Z"}, "note": "2024-05-06T07:08:09Z"}
    assert conn.to_wire(THINGS, body) == {
        "id": 1, "seen": {"at": "2024-05-06 07:08:09 +00:00"}, "note": "2024-05-06T07:08:09Z",  # text stays
    }
    assert body["seen"] == {"at": "2024-05-06T07:08:09Z"}  # the caller's body is not changed
    assert BLIKK_DATETIMES.convert("2026-03-02T09:00:00") == "2026-03-02 09:00:00"
    assert BLIKK_DATETIMES.convert(None) is None and BLIKK_DATETIMES.convert("") == ""


def test_a_tripletex_body_carries_iso_8601() -> None:
    conn = object.__new__(TripletexConnector)  # to_wire needs no connection
    out = conn.to_wire(THINGS, {"seen": {"at": "2024-05-06T07:08:09Z"}, "note": "x"})
    assert out["seen"] == {"at": "2024-05-06T07:08:09Z"} and out["note"] == "x"
    assert TripletexConnector.datetime_wire == DatetimeWire()


def test_only_datetime_and_write_part_paths_are_respelt() -> None:
    tasks = load_templates("blikk")["tasks"]
    assert list(datetime_write_paths(tasks)) == ["startDate", "endDate"]
    assert list(datetime_write_paths(THINGS)) == ["seen.at"]


def test_a_blikk_task_update_sends_the_documented_form_over_http(fast_sandbox: SandboxServer) -> None:
    """Through the real write client: the PUT body the sandbox receives spells startDate as Blikk does."""
    conn = connector_for(fast_sandbox, 1000)
    tasks = load_templates("blikk")["tasks"]
    raw = next(t for t in conn.list_all(tasks.list_path) if t.get("startDate"))
    live = flatten(raw, tasks.columns)
    body = build_body(tasks, live, {"startTime": FieldChange(live.get("startTime"), "09:15")}, for_create=False)
    assert body["startDate"] == f"{live['startDate']}T09:15:00"  # the core's zone-less form
    sent: list[Any] = []
    request_json = conn.client.request_json

    def recording(method: str, path: str, **kw: Any) -> Any:
        if method == "PUT":
            sent.append(kw.get("json_body"))
        return request_json(method, path, **kw)

    conn.client.request_json = recording  # type: ignore[method-assign]
    TemplateWriteClient(conn, {"tasks": tasks}).update("tasks", str(raw["id"]), body)
    assert [b["startDate"] for b in sent] == [f"{live['startDate']} 09:15:00"]
    again = next(t for t in conn.list_all(tasks.list_path) if t["id"] == raw["id"])
    assert flatten(again, tasks.columns)["startTime"] == "09:15"  # and the server took it as meant


def test_a_workbook_from_before_the_change_reads_back_in_the_core_form() -> None:
    """tricky_pre_iso.xlsx is tricky.xlsx as the writer made it while the core held Blikk's spelling."""
    old = read_table(GOLDEN / "tricky_pre_iso.xlsx").sheets["contacts"]
    new = read_table(GOLDEN / "tricky.xlsx").sheets["contacts"]
    assert [r.values for r in old.rows] == [r.values for r in new.rows]
    assert [r.errors for r in old.rows] == [{}] * len(old.rows)
    assert old.rows[0].values["created"] == "2021-06-17T05:43:54Z"
    assert old.exported == new.exported
