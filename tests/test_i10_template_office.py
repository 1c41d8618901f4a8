"""Issue 10, acceptance 2: a blank template keeps its checks after a LibreOffice re-save and still imports.

The soffice tests re-save here and now (they skip without LibreOffice, as in CI); the committed golden,
a filled-in template that LibreOffice re-saved (made by ``make_golden`` below), is imported always.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.cli import run
from openpyxl import load_workbook
from test_i10_template_helpers import declare_contact_lookups, fill, headers, owner, validations

from bulktool.sandbox import SandboxServer

GOLDEN = Path(__file__).resolve().parent / "data" / "i10" / "template" / "contacts-libreoffice.xlsx"
ROWS = [
    {"name": "Ödegärdets Åkeri AB", "customerNumber": "G-0601", "contactType": "company",
     "organizationalOrSocialSecurityNumber": "556898-6787", "visitingAddress.postalCode": "09120",
     "visitingAddress.city": "Luleå", "isCustomer": True, "isSupplier": False},
    {"name": "Märta Sjöberg", "customerNumber": "G-0602", "contactType": "person", "isActive": False,
     "email": "marta@example.se", "cellPhoneNumber": "070-123 45 67"},
]


@pytest.fixture()
def srv(fast_sandbox: SandboxServer, sandbox_env: None) -> Iterator[SandboxServer]:
    yield fast_sandbox


def resave(soffice: str, path: Path, outdir: Path) -> Path:
    """LibreOffice opens the workbook and saves it as .xlsx again, as a user's "Save" does."""
    subprocess.run([soffice, f"-env:UserInstallation=file://{outdir}/profile", "--headless", "--convert-to",
                    "xlsx", "--outdir", str(outdir), str(path)], check=True, capture_output=True, timeout=180)
    return outdir / path.name


def _imports_cleanly(srv: SandboxServer, book: Path) -> None:
    res = run(srv, "import", str(book), "--json", "-", "--quiet")
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout)
    assert [r["action"] for r in report["rows"]] == ["create", "create"], report["rows"]
    res = run(srv, "import", str(book), "--apply", "--yes", "--quiet")
    assert res.exit_code == 0, res.output
    made = {c["customerNumber"]: c for c in srv.records("contacts") if c["customerNumber"] in ("G-0601", "G-0602")}
    company, person = made["G-0601"], made["G-0602"]
    assert company["name"] == "Ödegärdets Åkeri AB" and company["organizationalOrSocialSecurityNumber"] == "556898-6787"
    assert company["visitingAddress"]["postalCode"] == "09120" and company["visitingAddress"]["city"] == "Luleå"
    assert company["isCustomer"] is True and company["isSupplier"] is False and company["isActive"] is True
    assert company["responsible"]["id"] == 1 and person["responsible"]["id"] == 2
    tag_ids = {t["title"]: t["id"] for t in srv.records("contact-tags")}
    assert sorted(t["id"] for t in company["tags"]) == sorted([tag_ids["VIP"], tag_ids["Leverantör"]])
    assert person["name"] == "Märta Sjöberg" and person["isActive"] is False
    assert person["cellPhoneNumber"] == "070-123 45 67" and person["email"] == "marta@example.se"


def make_golden(srv: SandboxServer, soffice: str, work: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The golden: the contacts template with its Lookups sheet, filled in by names, re-saved by LibreOffice."""
    declare_contact_lookups(monkeypatch, work)
    out = work / GOLDEN.name
    assert run(srv, "template", "contacts", "-o", str(out)).exit_code == 0
    cols, users = headers(out, "contacts"), srv.records("users")
    fill(out, "contacts", [{**ROWS[0], **owner(cols, users, 1), "tags": "VIP, Leverantör"},
                           {**ROWS[1], **owner(cols, users, 2)}])
    return resave(soffice, out, work / "resaved")


def test_libreoffice_keeps_the_validations_lookups_and_notes(
        srv: SandboxServer, soffice: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    declare_contact_lookups(monkeypatch, tmp_path)
    out = tmp_path / "t.xlsx"
    assert run(srv, "template", "contacts", "-o", str(out)).exit_code == 0
    fill(out, "contacts", [{"name": f"Firma {i}", "contactType": "company"} for i in range(1, 21)])
    again = resave(soffice, out, tmp_path / "lo")
    before, after = validations(out, "contacts"), validations(again, "contacts")
    assert set(after) == set(before) and {"contactType", "isActive", "responsible", "tags"} <= set(after)
    assert (before["responsible"][3], before["tags"][3], before["contactType"][3]) == ("warning", "information", "stop")
    for header, (kind, formula, _, style) in before.items():
        got_kind, got_formula, got_range, got_style = after[header]
        assert (got_kind, got_style) == (kind, style), header
        if kind in ("whole", "decimal"):  # LibreOffice writes -1000000000000000 for -1000000000000000.0
            assert float(got_formula or "nan") == float(formula or "nan"), header
        else:
            assert got_formula == formula, header
        # LibreOffice saves a validation over the used rows and 1,000 more, not the full 5,000.
        assert got_range is not None and re.fullmatch(r"[A-Z]+2:[A-Z]+(\d+)", got_range), got_range
        assert int(got_range.split(":")[1].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")) >= 21 + 1000, got_range
    book = load_workbook(again)
    assert book.sheetnames == ["contacts", "Lookups"]
    first = load_workbook(out)["Lookups"]
    assert [c.value for c in book["Lookups"][1]] == [c.value for c in first[1]]
    assert list(book["Lookups"].values) == list(first.values)
    notes = {str(c.value): c.comment for c in book["contacts"][1]}
    assert notes["name"] is not None and notes["name"].text.startswith("Required (on create and update).")
    assert headers(again, "contacts") == headers(out, "contacts")


def test_a_template_resaved_by_libreoffice_imports_cleanly(
        srv: SandboxServer, soffice: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _imports_cleanly(srv, make_golden(srv, soffice, tmp_path, monkeypatch))


def test_the_committed_libreoffice_golden_keeps_its_checks_and_imports_cleanly(
        srv: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    declare_contact_lookups(monkeypatch, tmp_path)
    book = tmp_path / GOLDEN.name
    shutil.copy(GOLDEN, book)
    got = validations(book, "contacts")
    assert got["contactType"][:2] == ("list", '"person,company"') and got["isActive"][:2] == ("list", '"TRUE,FALSE"')
    assert got["responsible"][:2] == ("list", "Lookups!$A$2:$A$9")  # the Lookups sheet, which the import skips
    assert load_workbook(book).sheetnames == ["contacts", "Lookups"]
    _imports_cleanly(srv, book)
