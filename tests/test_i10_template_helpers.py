"""Blank-template test helpers (no tests here): fill a workbook as a user would, read its validations back."""

from __future__ import annotations

import re
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bulktool.schema import get_endpoint
from bulktool.schema import loader as schema_loader

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
# The lookups these tests need on Blikk contacts, for a checkout whose templates do not declare them yet.
LOOKUPS = {
    "responsible.id": '{ column = "responsible", endpoint = "users", by = ["firstName+lastName"] }',
    "tags.id": '{ column = "tags", endpoint = "contact-tags", by = ["title"] }',
}


def declare_contact_lookups(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, only: Sequence[str] = tuple(LOOKUPS)) -> None:
    """Point the template loader at a copy of the templates where contacts' references (``only``) have lookups.

    The real templates are used as they are when they already declare them.
    """
    ep = get_endpoint("blikk", "contacts")
    if all(ep.column(name).lookup is not None for name in only):
        return
    root = tmp_path / "templates"
    shutil.copytree(TEMPLATES, root)
    path = root / "blikk" / "contacts.toml"
    text = path.read_text(encoding="utf-8")
    for name, decl in LOOKUPS.items():
        if name in only and ep.column(name).lookup is None:
            text, n = re.subn(rf'(name = "{re.escape(name)}"\n)', rf"\1lookup = {decl}\n", text)
            assert n == 1, name
    path.write_text(text, encoding="utf-8")
    monkeypatch.setattr(schema_loader, "templates_dir", lambda: root)


def headers(path: Path, sheet: str) -> list[str]:
    ws = load_workbook(path)[sheet]
    return [str(c.value) for c in ws[1] if c.value is not None]


def fill(path: Path, sheet: str, rows: Sequence[Mapping[str, object]], out: Path | None = None) -> Path:
    """Write ``rows`` under the headers they name (every name must be a header), from row 2."""
    wb = load_workbook(path)
    ws = wb[sheet]
    where = {str(c.value): c.column for c in ws[1] if c.value is not None}
    for r, values in enumerate(rows, start=2):
        for name, value in values.items():
            assert name in where, f"{name} is not a header: {sorted(where)}"
            ws.cell(row=r, column=where[name], value=value)
    target = out or path
    wb.save(target)
    return target


def validations(path: Path, sheet: str) -> dict[str, tuple[str, str | None, str | None, str]]:
    """Header -> (type, formula1, sqref, error style) of the validation covering its row-2 cell."""
    ws = load_workbook(path)[sheet]
    letters = {c.column_letter: str(c.value) for c in ws[1] if c.value is not None}
    out: dict[str, tuple[str, str | None, str | None, str]] = {}
    for dv in ws.data_validations.dataValidation:
        for rng in str(dv.sqref).split():
            letter = re.match(r"[A-Z]+", rng)
            if letter and letter.group(0) in letters:
                out[letters[letter.group(0)]] = (str(dv.type), dv.formula1, rng, str(dv.errorStyle or "stop"))
    return out


def owner(cols: Sequence[str], users: Sequence[Mapping[str, object]], user_id: int) -> dict[str, object]:
    """The responsible-user cell of a row: by name where the template has the lookup column, else the id."""
    if "responsible" not in cols:
        return {"responsible.id": user_id}
    user = next(u for u in users if u["id"] == user_id)
    return {"responsible": f"{user['firstName']} {user['lastName']}"}
