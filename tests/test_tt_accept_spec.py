"""Issue 8, acceptance 7: every request body of a full end-to-end run fits the official spec.

All ten writable Tripletex templates, through the CLI: export, edit a cell of an existing record, add a
record to create, apply. The sandbox validates each body it receives against its operation's schema in
the official spec (``required`` relaxed on PUT) and logs the verdict (``SandboxServer.bodies()``):
every template's create and update operation is in the log, and no body has a violation.
(tests/test_tt_writer_e2e.py checks the bodies of its customer runs the same way; this covers the rest.)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from tt_fixtures import CONSUMER, EMPLOYEE, tt_base_url, tt_server

from bulktool.cli import cli
from bulktool.schema.loader import load_templates

TEMPLATES = load_templates("tripletex")
REF = object()  # "the first exported row's value": a reference that must exist

# template -> (column edited on the first row, its new value or None for a create-only template, the row to create)
CASES: dict[str, tuple[str | None, Any, dict[str, Any]]] = {
    "customers": ("name", "Endret Kunde Æ AS", {"customerNumber": 99001, "name": "Ny Kunde Ø AS",
                                                "postalAddress.city": "Ålesund", "accountManager.id": REF}),
    "suppliers": ("name", "Endret Leverandør AS", {"supplierNumber": 99002, "name": "Ny Leverandør Å AS",
                                                   "postalAddress.postalCode": "0150"}),
    "contacts": ("firstName", "Åse", {"email": "ny.kontakt@eksempel.no", "firstName": "Ny", "lastName": "Kontaktø",
                                      "customer.id": REF}),
    "products": ("name", "Endret Vare Å", {"number": "0099", "name": "Ny Vare Æ", "priceExcludingVatCurrency": 125.5,
                                           "vatType.id": REF}),
    "projects": ("name", "Endret Prosjekt Ø", {"number": "P-9001", "name": "Nytt Prosjekt Å",
                                               "projectManager.id": REF, "startDate": "2026-01-05"}),
    "employees": ("phoneNumberMobile", "40000001", {"employeeNumber": "0777", "email": "ny.ansatt@eksempel.no",
                                                    "firstName": "Nils", "lastName": "Nyansatt",
                                                    "dateOfBirth": "1990-05-17"}),
    "departments": ("name", "Endret Avdeling Ø", {"departmentNumber": "0990", "name": "Ny Avdeling Å"}),
    "activities": (None, None, {"number": "A-990", "name": "Ny Aktivitet Æ", "activityType": REF}),
    "accounts": ("name", "Endret Konto Ø", {"number": 7799, "name": "Ny Konto Å"}),
    "timesheet-entries": ("comment", "Endret kommentar æøå", {"date": "2026-03-02", "employee.id": REF,
                                                              "project.id": REF, "activity.id": REF, "hours": 2.5}),
}


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TRIPLETEX_CONSUMER_TOKEN", CONSUMER)
    monkeypatch.setenv("TRIPLETEX_EMPLOYEE_TOKEN", EMPLOYEE)
    monkeypatch.setenv("BULKTOOL_CONFIG", str(tmp_path / "config.toml"))


def edit(path: Path, endpoint: str, column: str | None, value: Any, create: dict[str, Any]) -> None:
    wb = load_workbook(path)
    ws = wb[endpoint]
    header = [c.value for c in ws[1]]
    if column is not None:
        ws.cell(2, header.index(column) + 1).value = value
    new_row = ws.max_row + 1
    for name, v in create.items():
        col = header.index(name) + 1
        ws.cell(new_row, col).value = ws.cell(2, col).value if v is REF else v
        assert ws.cell(new_row, col).value is not None, (endpoint, name)
    wb.save(path)


def test_every_body_of_a_run_over_all_ten_writable_templates_fits_the_spec(tmp_path: Path) -> None:
    assert set(CASES) == {n for n, ep in TEMPLATES.items() if ep.create_path}  # every writable template
    with tt_server(contacts=15) as srv:
        base = ["--system", "tripletex", "--base-url", tt_base_url(srv)]
        for endpoint, (column, value, create) in CASES.items():
            path = tmp_path / f"{endpoint}.xlsx"
            res = CliRunner().invoke(cli, [*base, "export", endpoint, "-o", str(path), "--quiet"])
            assert res.exit_code == 0, res.output
            edit(path, endpoint, column, value, create)
            res = CliRunner().invoke(cli, [*base, "import", str(path), "--apply", "--yes", "--quiet"])
            assert res.exit_code == 0, (endpoint, res.output)
        seen = srv.bodies()
    assert seen["violations"] == 0, [b for b in seen["bodies"] if b.get("violations")]
    operations = {b["operation"] for b in seen["bodies"]}
    expected = set()
    for endpoint, (column, _, _) in CASES.items():
        ep = TEMPLATES[endpoint]
        expected.add(f"POST {ep.bulk_create_path or ep.create_path}")
        if column is not None:
            expected.add(f"PUT {ep.bulk_update_path or ep.update_path}")
    assert expected <= operations, expected - operations
    assert seen["total"] == 2 * len(CASES) - 1  # one create and one update request each; activities only create


def test_an_enum_whose_message_is_past_excels_limit_keeps_its_dropdown(tmp_path: Path) -> None:
    """The account type's 13 values fit Excel's list, but "Expected one of: ..." does not fit its message."""
    path = tmp_path / "accounts.xlsx"
    with tt_server(contacts=5) as srv:
        res = CliRunner().invoke(cli, ["--system", "tripletex", "--base-url", tt_base_url(srv), "export",
                                       "accounts", "-o", str(path), "--quiet"])
    assert res.exit_code == 0, res.output
    ws = load_workbook(path)["accounts"]
    col = [c.value for c in ws[1]].index("type")
    letter = ws.cell(1, col + 1).column_letter
    [dv] = [dv for dv in ws.data_validations.dataValidation if str(dv.sqref).startswith(f"{letter}2:")]
    assert "OPERATING_REVENUES" in str(dv.formula1) and len(dv.error or "") <= 255
