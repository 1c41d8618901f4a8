"""The write side end to end over HTTP against the Tripletex sandbox: partial bodies, batches, 409s.

Everything goes through the real import (plan, journal, writer, connector, HTTP) to a sandbox as
strict as the documentation: bulk requests all-or-nothing naming only their first bad item, partial
PUTs checking ``version`` (409/8000), addresses edited in place only with their own id.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_import_e2e import Sheet
from tt_fixtures import tt_connector as connect
from tt_fixtures import tt_server

from bulktool.export import export
from bulktool.importer import ImportOptions, plan_file, run_import
from bulktool.progress import NullProgress
from bulktool.sandbox import SandboxServer

DUPLICATE = "Nummeret er i bruk."


@pytest.fixture
def tt() -> Iterator[SandboxServer]:
    with tt_server(contacts=30) as srv:
        yield srv


def customers(srv: SandboxServer) -> dict[int, dict[str, Any]]:
    return {int(r["id"]): r for r in srv.records("customer")}


def writes(srv: SandboxServer) -> list[tuple[str, str, int]]:
    return [(m, p.split("?")[0], s) for m, p, s in srv.request_log() if m in ("POST", "PUT", "DELETE")
            and "/token/session" not in p]


def assert_bodies_fit_the_spec(srv: SandboxServer, at_least: int) -> None:
    """Every body sent validates against its operation's schema in the official spec (the sandbox checks)."""
    seen = srv.bodies()
    assert seen["total"] >= at_least and seen["violations"] == 0, [b for b in seen["bodies"] if b.get("violations")]


def exported(srv: SandboxServer, tmp_path: Path) -> tuple[Path, Sheet]:
    path = tmp_path / "customers.xlsx"
    export(connect(srv), "tripletex", ["customers"], path)
    return path, Sheet(path, "customers")


class EditBeforeWriting(NullProgress):
    """Someone else saves records after the apply's own plan, right before its first write."""

    def __init__(self, srv: SandboxServer, edits: dict[int, dict[str, Any]]) -> None:
        self.srv, self.edits = srv, edits

    def task(self, title: str, total: int | None = None, unit: str = "") -> None:
        if title.startswith("Applying"):
            for rid, changes in self.edits.items():
                self.srv.edit("customer", rid, changes)
            self.edits = {}


def test_an_edited_export_sends_only_the_changes_in_one_bulk_request(tt: SandboxServer, tmp_path: Path) -> None:
    path, sheet = exported(tt, tmp_path)
    before = customers(tt)
    a, b = sorted(before)[:2]
    sheet.set(sheet.row_of(a), "postalAddress.city", "Bergen")
    sheet.set(sheet.row_of(b), "name", "Nytt Navn AS")
    sheet.save()
    plan = plan_file(connect(tt), path, ImportOptions())
    bodies = {w.record_id: w.body for w in plan.writes}
    assert bodies == {
        str(a): {"id": a, "version": before[a]["version"],
                 "postalAddress": {"id": before[a]["postalAddress"]["id"], "city": "Bergen"}},
        str(b): {"id": b, "version": before[b]["version"], "name": "Nytt Navn AS"},
    }
    assert {r.id: set(r.changes) for r in plan.result.rows if r.action == "update"} == \
        {a: {"postalAddress.city"}, b: {"name"}}  # the dry run names exactly the fields sent
    assert plan.result.write_requests == 2 and plan.result.write_batches == 1
    tt.reset_stats()
    out = run_import(connect(tt), path, ImportOptions(apply=True))
    assert out.exit_code == 0 and out.result.summary.applied == 2
    assert writes(tt) == [("PUT", "/v2/customer/list", 200)]
    assert_bodies_fit_the_spec(tt, 1)
    after = customers(tt)
    assert after[a]["postalAddress"]["city"] == "Bergen"
    assert after[a]["postalAddress"]["id"] == before[a]["postalAddress"]["id"]  # edited in place
    assert after[a]["version"] == before[a]["version"] + 1
    assert {k: v for k, v in after[b].items() if k not in ("name", "version", "displayName")} == \
        {k: v for k, v in before[b].items() if k not in ("name", "version", "displayName")}
    again = run_import(connect(tt), path, ImportOptions())
    assert again.result.summary.unchanged == len(after) and again.result.write_requests == 0


def test_a_batch_of_100_with_one_duplicate_number_applies_the_other_99(tt: SandboxServer, tmp_path: Path) -> None:
    taken = min(int(r["customerNumber"]) for r in customers(tt).values())
    path = tmp_path / "customers.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["action", "name", "customerNumber", "postalAddress.city"])
        for i in range(100):
            w.writerow(["create", f"Ny Kunde {i} AS", taken if i == 37 else 50000 + i, "Ålesund"])
    opts = ImportOptions(endpoint="customers")
    dry = plan_file(connect(tt), path, opts)
    assert dry.result.summary.create == 100 and dry.result.write_batches == 1
    tt.reset_stats()
    out = run_import(connect(tt), path, ImportOptions(endpoint="customers", apply=True))
    assert out.exit_code == 3
    rows = out.result.rows
    bad = rows[37]
    assert bad.status == "failed" and bad.permanent
    assert bad.message == f"customerNumber: {DUPLICATE}" and bad.request_id
    assert [r.status for i, r in enumerate(rows) if i != 37] == ["applied"] * 99
    assert writes(tt) == [("POST", "/v2/customer/list", 422), ("POST", "/v2/customer/list", 201)]
    assert_bodies_fit_the_spec(tt, 2)
    numbers = [int(r["customerNumber"]) for r in customers(tt).values()]
    assert sorted(n for n in numbers if n >= 50000) == [50000 + i for i in range(100) if i != 37]
    assert numbers.count(taken) == 1
    created = {int(r.created_id) for r in rows if r.created_id is not None}
    assert len(created) == 99 and created <= set(customers(tt))


def test_an_edit_between_plan_and_write_is_kept_or_reported_as_a_conflict(tt: SandboxServer, tmp_path: Path) -> None:
    path, sheet = exported(tt, tmp_path)
    before = customers(tt)
    a, b, c = sorted(before)[:3]
    sheet.set(sheet.row_of(a), "name", "Vårt Navn AS")
    sheet.set(sheet.row_of(b), "postalAddress.city", "Bodø")
    sheet.set(sheet.row_of(c), "name", "Uberørt AS")
    sheet.save()
    colleague = EditBeforeWriting(tt, {a: {"email": "kollega@firma.no"}, b: {"postalAddress": {"city": "Tromsø"}}})
    tt.reset_stats()
    out = run_import(connect(tt), path, ImportOptions(apply=True), colleague)
    after = customers(tt)
    by_id = {r.id: r for r in out.result.rows}
    assert by_id[a].status == "applied" and "their edit is kept" in by_id[a].message
    assert (after[a]["name"], after[a]["email"]) == ("Vårt Navn AS", "kollega@firma.no")
    assert by_id[b].action == "conflict" and by_id[b].status == "failed"
    assert "postalAddress.city is now 'Tromsø'" in by_id[b].message and "'Bodø'" in by_id[b].message
    assert after[b]["postalAddress"]["city"] == "Tromsø" and after[b]["version"] == before[b]["version"] + 1
    assert by_id[c].status == "applied" and after[c]["name"] == "Uberørt AS"
    assert out.exit_code == 3
    puts = [w for w in writes(tt) if w[0] == "PUT"]
    # The batch is refused whole for its stale versions; halving it isolates them: [a b c] -> [a b] [c] -> [a] [b]
    assert puts[:2] == [("PUT", "/v2/customer/list", 409)] * 2
    assert sorted(puts[2:]) == sorted([(
        "PUT", f"/v2/customer/{a}", 409), ("PUT", f"/v2/customer/{a}", 200),
        ("PUT", f"/v2/customer/{b}", 409), ("PUT", f"/v2/customer/{c}", 200)])
    assert_bodies_fit_the_spec(tt, 5)


def test_the_dry_run_estimate_counts_batches_at_the_announced_rate(tmp_path: Path) -> None:
    with tt_server(contacts=10, rate_limit=20, rate_period=5) as srv:
        path = tmp_path / "customers.csv"
        with path.open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["name", "customerNumber"])
            for i in range(250):
                w.writerow([f"Kunde {i} AS", 60000 + i])
        conn = connect(srv)
        result = plan_file(conn, path, ImportOptions(endpoint="customers")).result
        assert result.summary.create == 250 and result.write_requests == 250
        assert result.write_batches == 3  # 100 + 100 + 50
        assert result.rate_per_second == pytest.approx(20 / 5)  # what the server announced, not --rate
        assert result.estimated_seconds == pytest.approx((3 + result.read_requests) / 4)
        small = plan_file(connect(srv), path, ImportOptions(endpoint="customers", batch_size=1)).result
        assert small.write_batches == 250
        assert small.to_json()["requests"]["write_batches"] == 250
        assert result.to_json()["requests"] == {"read": result.read_requests, "write": 250, "write_batches": 3,
                                                "estimated_seconds": round(result.estimated_seconds, 1)}


def test_an_edit_after_the_export_is_a_conflict_on_the_same_field_and_kept_on_another(
    tt: SandboxServer, tmp_path: Path
) -> None:
    path, sheet = exported(tt, tmp_path)
    before = customers(tt)
    a, b = sorted(before)[:2]
    sheet.set(sheet.row_of(a), "name", "Vårt Navn AS")
    sheet.set(sheet.row_of(b), "name", "Også Vårt AS")
    sheet.save()
    tt.edit("customer", a, {"name": "Kollegans Navn AS"})  # the same field
    tt.edit("customer", b, {"email": "kollega@firma.no"})  # another field
    plan = plan_file(connect(tt), path, ImportOptions())
    rows = {r.id: r for r in plan.result.rows}
    assert rows[a].action == "conflict" and "name" in rows[a].message
    assert rows[b].action == "update"
    [write] = plan.writes
    assert write.body == {"id": b, "version": before[b]["version"] + 1, "name": "Også Vårt AS"}  # the live version
    tt.reset_stats()
    out = run_import(connect(tt), path, ImportOptions(apply=True, skip_invalid=True))
    assert out.exit_code == 0 and writes(tt) == [("PUT", "/v2/customer/list", 200)]
    after = customers(tt)
    assert (after[b]["name"], after[b]["email"]) == ("Også Vårt AS", "kollega@firma.no")
    assert after[a]["name"] == "Kollegans Navn AS"
