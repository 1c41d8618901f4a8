"""Issue 8, acceptance 2: export, edit, dry run, apply and a second dry run on Tripletex, through the CLI.

For customers, products, contacts, employees and projects: the export is edited in openpyxl (one cell
of an existing row, plus a new row to create), the dry run shows exactly those changes, the apply
writes them, a second dry run shows every row unchanged (the created row included: what the server
filled in on the create is not proposed for clearing), and the sandbox holds exactly the edits.
An untouched export imports as all unchanged with one list read per 1,000 rows per list pass and no
detail reads, counted by the sandbox.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from tt_fixtures import CONSUMER, EMPLOYEE, tt_base_url, tt_server

from bulktool.cli import cli
from bulktool.sandbox import SandboxServer
from bulktool.schema.loader import load_templates

TEMPLATES = load_templates("tripletex")

# endpoint -> (sandbox resource, (column, new value) set on the first data rows in turn, the row to create)
CASES: dict[str, tuple[str, list[tuple[str, Any]], dict[str, Any]]] = {
    "customers": ("customer", [("name", "Ærlig Endret AS"), ("postalAddress.city", "Bodø")],
                  {"customerNumber": 99001, "name": "Ny Kunde Ø AS", "postalAddress.city": "Ålesund"}),
    "products": ("product", [("name", "Endret Vare Å"), ("description", "Ny beskrivelse æøå")],
                 {"number": "0099", "name": "Ny Vare Æ"}),
    "contacts": ("contact", [("firstName", "Åse"), ("phoneNumberMobile", "41234567")],
                 {"email": "ny.kontakt@eksempel.no", "firstName": "Ny", "lastName": "Kontaktø"}),
    "employees": ("employee", [("phoneNumberMobile", "40000001"), ("lastName", "Østby")],
                  {"employeeNumber": "0777", "email": "ny.ansatt@eksempel.no", "firstName": "Nils",
                   "lastName": "Nyansatt"}),
    "projects": ("project", [("name", "Endret Prosjekt Ø"), ("description", "Ny beskrivelse æøå")],
                 {"number": "P-9001", "name": "Nytt Prosjekt Å", "projectManager.id": 101}),
}
# Fields the server derives from others (it recomputes them on a save): not an edit of ours.
DERIVED = {"version", "displayName", "changes", "url", "addressAsString"}


@pytest.fixture()
def srv() -> Iterator[SandboxServer]:
    with tt_server(contacts=30) as s:
        yield s


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TRIPLETEX_CONSUMER_TOKEN", CONSUMER)
    monkeypatch.setenv("TRIPLETEX_EMPLOYEE_TOKEN", EMPLOYEE)
    monkeypatch.setenv("BULKTOOL_CONFIG", str(tmp_path / "config.toml"))


def bulktool(srv: SandboxServer, *args: str) -> Any:
    res = CliRunner().invoke(cli, ["--system", "tripletex", "--base-url", tt_base_url(srv), *args])
    return res


def export_to(srv: SandboxServer, endpoint: str, path: Path) -> None:
    res = bulktool(srv, "export", endpoint, "-o", str(path), "--quiet")
    assert res.exit_code == 0, res.output


def dry_run(srv: SandboxServer, path: Path) -> dict[str, Any]:
    res = bulktool(srv, "import", str(path), "--json", "-", "--quiet")
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)  # type: ignore[no-any-return]


def records(srv: SandboxServer, resource: str) -> dict[int, dict[str, Any]]:
    return {int(r["id"]): r for r in srv.records(resource)}


def flat(rec: Any, prefix: str = "") -> dict[str, Any]:
    """A record as dotted paths (``postalAddress.city``), leaving out what the server derives."""
    if not isinstance(rec, dict):
        return {prefix[:-1]: rec}
    out: dict[str, Any] = {}
    for k, v in rec.items():
        if k not in DERIVED:
            out.update(flat(v, f"{prefix}{k}."))
    return out


def edit(path: Path, endpoint: str, edits: list[tuple[str, Any]], create: dict[str, Any]) -> dict[int, tuple[str, Any]]:
    """Set each edit on the next data row and append ``create`` as a new row; {id: (column, old value)}."""
    wb = load_workbook(path)
    ws = wb[endpoint]
    header = [c.value for c in ws[1]]
    olds = {}
    for row, (column, value) in enumerate(edits, start=2):
        rid, old = ws.cell(row, header.index("id") + 1).value, ws.cell(row, header.index(column) + 1).value
        assert old != value
        ws.cell(row, header.index(column) + 1).value = value
        olds[int(rid)] = (column, old)
    new_row = ws.max_row + 1
    for name, v in create.items():
        ws.cell(new_row, header.index(name) + 1).value = v
    wb.save(path)
    return olds


def list_reads(srv: SandboxServer, resource: str) -> tuple[int, int]:
    """(list GETs of ``resource``, detail GETs of one ``resource`` record) in the request log."""
    gets = [p.split("?")[0] for m, p, _ in srv.request_log() if m == "GET"]
    lists = sum(1 for p in gets if p == f"/v2/{resource}")
    details = sum(1 for p in gets if p.startswith(f"/v2/{resource}/") and p.rsplit("/", 1)[-1].isdigit())
    return lists, details


@pytest.mark.parametrize("endpoint", list(CASES))
def test_export_edit_dry_run_apply_and_the_second_dry_run_is_unchanged(
    srv: SandboxServer, tmp_path: Path, endpoint: str
) -> None:
    resource, edits, create = CASES[endpoint]
    path = tmp_path / f"{endpoint}.xlsx"
    export_to(srv, endpoint, path)
    before = records(srv, resource)
    passes = max(1, len(TEMPLATES[endpoint].list_passes))

    # An untouched export: all unchanged, one list read per 1,000 rows per pass, no detail reads.
    srv.reset_stats()
    untouched = dry_run(srv, path)
    assert untouched["summary"]["unchanged"] == len(before) and untouched["requests"]["write"] == 0
    assert {r["action"] for r in untouched["rows"]} == {"unchanged"}
    assert list_reads(srv, resource) == (passes * max(1, math.ceil(len(before) / 1000)), 0)
    assert srv.stats()["POST"] == srv.stats()["PUT"] == 0

    olds = edit(path, endpoint, edits, create)
    wanted = {rid: {column: value} for (rid, (column, _)), (_, value) in zip(olds.items(), edits, strict=True)}
    plan = dry_run(srv, path)
    by_action: dict[str, list[dict[str, Any]]] = {}
    for row in plan["rows"]:
        by_action.setdefault(row["action"], []).append(row)
    assert set(by_action) == {"unchanged", "update", "create"}, plan["rows"]
    # old: the server's value (an empty cell may stand for "" there), new: the cell's
    assert {r["id"]: r["changes"] for r in by_action["update"]} == {
        rid: {column: {"old": flat(before[rid]).get(column), "new": wanted[rid][column]}}
        for rid, (column, _) in olds.items()}
    assert all(flat(before[rid]).get(column) in (old, "") for rid, (column, old) in olds.items())
    [created] = by_action["create"]
    defaults = {c.name: c.create_default for c in TEMPLATES[endpoint].columns
                if c.writable and c.create_default is not None and c.name not in create}
    assert created["changes"] == {n: {"old": None, "new": v} for n, v in {**create, **defaults}.items()}
    assert len(by_action["unchanged"]) == len(before) - len(edits)

    res = bulktool(srv, "import", str(path), "--apply", "--yes", "--quiet")
    assert res.exit_code == 0, res.output

    again = dry_run(srv, path)
    assert {r["action"] for r in again["rows"]} == {"unchanged"}, [r for r in again["rows"]
                                                                 if r["action"] != "unchanged"]
    assert again["summary"]["unchanged"] == len(before) + 1

    # The server holds exactly the edits and the new record; nothing else changed.
    after = records(srv, resource)
    [new_id] = set(after) - set(before)
    assert set(before) <= set(after)
    made = flat(after[new_id])
    assert {name: str(made.get(name)) for name in create} == {name: str(v) for name, v in create.items()}
    for rid, changes in wanted.items():
        assert flat(after[rid]) == {**flat(before[rid]), **changes}
        assert after[rid]["version"] == before[rid]["version"] + 1
    assert {i: after[i] for i in before if i not in wanted} == {i: r for i, r in before.items() if i not in wanted}
