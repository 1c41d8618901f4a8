"""Issue 7, point 3: a full-replacement update resends every value the record holds, or refuses.

End to end for every writable template: export (with --detail where the template has detail-only
fields), edit one writable cell, import --apply, then compare the sandbox's record field by field with
what it was. The sandbox is as strict as the docs: a PUT clears every field its body leaves out.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import requests
from helpers.cli import run

from bulktool.sandbox import SandboxServer
from bulktool.schema import load_templates

# Stamps the server itself sets on every update: the only fields besides the edited one that may change.
STAMPS = {
    "contacts": {"lastUpdated", "lastUpdatedBy"},
    "projects": {"updated", "updatedBy"},
    "tasks": {"updatedDate"},
    "time-reports": {"updatedDate"},
}
Pick = Callable[[dict[str, Any]], bool]


def _plain_report(r: dict[str, Any]) -> bool:
    return not any(r[k] for k in ("materials", "equipments", "additions", "travelReport", "allowanceReport"))


# (case id, template, column to edit, which record, expected outcome)
CASES: list[tuple[str, str, str, Pick, str]] = [
    ("contacts", "contacts", "email", lambda r: bool(r["customerNumber"] and r["email"] and r["tags"]), "applied"),
    ("projects", "projects", "title", lambda r: r["location"] is None and bool(r["description"]), "applied"),
    ("projects-with-location", "projects", "title", lambda r: r["location"] is not None, "refused"),
    ("tasks", "tasks", "title", lambda r: bool(r["startTime"] and r["endTime"]), "applied"),
    ("time-reports", "time-reports", "comment", _plain_report, "applied"),
    ("time-reports-with-materials", "time-reports", "comment", lambda r: bool(r["materials"]), "refused"),
]


@pytest.fixture()
def srv(fast_sandbox: SandboxServer, sandbox_env: None) -> Iterator[SandboxServer]:
    yield fast_sandbox



def export(srv: SandboxServer, endpoint: str, path: Path) -> None:
    ep = load_templates("blikk")[endpoint]
    detail = ["--detail"] if ep.get_path and ep.detail_only_columns else []
    res = run(srv, "export", endpoint, "-o", str(path), "--quiet", *detail)
    assert res.exit_code == 0, res.output


def edit_cell(path: Path, sheet: str, rid: int, column: str, value: Any) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    cols = {c.value: i + 1 for i, c in enumerate(ws[1])}
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, cols["id"]).value == rid)
    cell = ws.cell(row, cols[column])
    cell.value = value
    cell.data_type = "s"
    wb.save(path)


def record(srv: SandboxServer, resource: str, rid: int) -> dict[str, Any]:
    return next(r for r in srv.records(resource) if r["id"] == rid)


def test_every_writable_template_is_covered() -> None:
    writable = {n for n, ep in load_templates("blikk").items() if ep.update_path}
    assert writable == {t for _, t, _, _, outcome in CASES if outcome == "applied"}


@pytest.mark.parametrize(("case", "resource", "column", "pick", "outcome"), CASES, ids=[c[0] for c in CASES])
def test_editing_one_field_changes_only_that_field(
    srv: SandboxServer, tmp_path: Path, case: str, resource: str, column: str, pick: Pick, outcome: str,
) -> None:
    before = next(r for r in srv.records(resource) if pick(r))
    rid = before["id"]
    wb = tmp_path / f"{resource}.xlsx"
    export(srv, resource, wb)
    edit_cell(wb, resource, rid, column, "Ändrad av testet")
    res = run(srv, "import", str(wb), "--apply", "--yes", "--quiet")
    after = record(srv, resource, rid)
    if outcome == "refused":
        assert res.exit_code == 1, res.output
        assert "would clear:" in res.output
        assert after == before  # nothing was written
        return
    assert res.exit_code == 0, res.output
    assert after[column] == "Ändrad av testet"
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    assert changed - STAMPS[resource] == {column}, {
        k: (before.get(k), after.get(k)) for k in changed - STAMPS[resource] - {column}}


def test_project_location_dry_run_says_would_clear_and_allow_clear_clears_it(
        srv: SandboxServer, tmp_path: Path) -> None:
    before = next(r for r in srv.records("projects") if r["location"] is not None)
    wb = tmp_path / "projects.xlsx"
    export(srv, "projects", wb)
    edit_cell(wb, "projects", before["id"], "title", "Ny titel")
    res = run(srv, "import", str(wb), "--json", "-", "--quiet")
    assert res.exit_code == 1
    row = next(r for r in json.loads(res.stdout)["rows"] if r["id"] == before["id"])
    assert row["action"] == "invalid" and row["would_clear"] == ["location"]
    assert row["errors"][0]["message"].startswith("would clear: location")
    assert "--allow-clear location" in row["errors"][0]["message"]
    text = run(srv, "import", str(wb), "--quiet")
    assert f"id {before['id']}: would clear: location (a full-replacement update cannot resend it)" in text.output

    res = run(srv, "import", str(wb), "--json", "-", "--quiet", "--allow-clear", "location")
    assert res.exit_code == 0, res.output
    row = next(r for r in json.loads(res.stdout)["rows"] if r["id"] == before["id"])
    typo = run(srv, "import", str(wb), "--quiet", "--allow-clear", "locaton")
    assert typo.exit_code == 1
    assert ("Warning: --allow-clear locaton: no projects field by that name is cleared by an update "
            "(fields that are: location)") in typo.output.splitlines()
    assert row["action"] == "update" and row["would_clear"] == ["location"]
    assert row["changes"]["title"] == {"old": before["title"], "new": "Ny titel"}
    assert row["changes"]["location.city"] == {"old": before["location"]["city"], "new": None}
    res = run(srv, "import", str(wb), "--apply", "--yes", "--quiet", "--allow-clear", "location")
    assert res.exit_code == 0, res.output
    after = record(srv, "projects", before["id"])
    assert after["title"] == "Ny titel" and after["location"] is None


def test_task_update_and_create_keep_the_time_of_day(srv: SandboxServer, tmp_path: Path) -> None:
    task = next(r for r in srv.records("tasks") if r["startTime"] and r["endTime"])
    wb = tmp_path / "tasks.xlsx"
    export(srv, "tasks", wb)
    edit_cell(wb, "tasks", task["id"], "startTime", "09:15")
    book = openpyxl.load_workbook(wb)
    ws = book["tasks"]
    cols = {c.value: i + 1 for i, c in enumerate(ws[1])}
    new_row = ws.max_row + 1
    for k, v in {"title": "Ny uppgift", "startDate": "2026-03-02", "startTime": "06:45"}.items():
        ws.cell(new_row, cols[k]).value = v
        ws.cell(new_row, cols[k]).data_type = "s"
    for k, v in {"title": "Bara klockslag", "endTime": "15:00"}.items():
        ws.cell(new_row + 1, cols[k]).value = v
        ws.cell(new_row + 1, cols[k]).data_type = "s"
    book.save(wb)
    res = run(srv, "import", str(wb), "--json", "-", "--quiet")
    rows = json.loads(res.stdout)["rows"]
    create = next(r for r in rows if r["action"] == "create" and r["row"] == new_row)
    assert create["changes"]["startTime"] == {"old": None, "new": "06:45"}
    lone = next(r for r in rows if r["row"] == new_row + 1)
    assert lone["action"] == "create" and "endTime is not written: it needs endDate" in lone["warnings"]
    res = run(srv, "import", str(wb), "--apply", "--yes", "--quiet")
    assert res.exit_code == 0, res.output
    after = record(srv, "tasks", task["id"])
    assert (after["startDate"], after["startTime"]) == (task["startDate"], "09:15")
    assert (after["endDate"], after["endTime"]) == (task["endDate"], task["endTime"])
    made = next(r for r in srv.records("tasks") if r["title"] == "Ny uppgift")
    assert (made["startDate"], made["startTime"]) == ("2026-03-02", "06:45")


def _token(srv: SandboxServer) -> dict[str, str]:
    got = requests.post(f"{srv.url}/v1/Auth/Token", auth=(srv.app_id, srv.app_secret), timeout=10)
    return {"Authorization": f"Bearer {got.json()['accessToken']}"}


def test_the_sandbox_put_clears_every_field_the_body_leaves_out(srv: SandboxServer) -> None:
    """As strict as the docs: a PUT is the whole record. Server-computed fields stay."""
    headers = _token(srv)
    project = next(r for r in srv.records("projects") if r["location"] is not None and r["description"])
    got = requests.put(f"{srv.url}/v1/Core/Projects/{project['id']}", json={"title": "Bara titeln"},
                       headers=headers, timeout=10)
    assert got.status_code == 200, got.text
    after = record(srv, "projects", project["id"])
    assert after["location"] is None and after["description"] is None and after["customer"] is None
    assert (after["created"], after["createdBy"]) == (project["created"], project["createdBy"])

    task = next(r for r in srv.records("tasks") if r["startTime"] and r["numberOfAttachments"])
    got = requests.put(f"{srv.url}/v1/Core/Tasks/{task['id']}",
                       json={"title": task["title"], "startDate": task["startDate"]}, headers=headers, timeout=10)
    assert got.status_code == 200, got.text
    after = record(srv, "tasks", task["id"])
    assert after["startTime"] is None and after["endDate"] is None and after["tags"] == []
    assert after["numberOfAttachments"] == task["numberOfAttachments"]  # computed: stays
