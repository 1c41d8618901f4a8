"""The cross-template check of lookup declarations in ``load_templates``, one failure at a time.

Each case copies the shipped templates, breaks one lookup and loads the system: the error names the file
and the key, so a typo is found at start-up instead of as "no such record" on every row of an import.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bulktool.errors import TemplateError
from bulktool.schema import loader
from bulktool.schema.loader import load_template_file, load_templates

SHIPPED = Path(__file__).resolve().parent.parent / "templates"
RESPONSIBLE = 'lookup = { column = "responsible", endpoint = "users", by = ["firstName+lastName", "email"] }'
ACCOUNT_MANAGER = 'lookup = {column = "accountManager", endpoint = "employees", by = ["email", "firstName+lastName"]}'


def templates_with(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, file: str, old: str, new: str) -> Path:
    """A copy of the shipped templates with ``old`` replaced by ``new`` in ``file``; the loader reads it."""
    root = tmp_path / "templates"
    shutil.copytree(SHIPPED, root)
    path = root / file
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} not once in {file}"
    path.write_text(text.replace(old, new), encoding="utf-8")
    monkeypatch.setattr(loader, "templates_dir", lambda: root)
    return path


def load_error(system: str) -> str:
    with pytest.raises(TemplateError) as exc:
        load_templates(system)
    return str(exc.value)


def lookup_key(path: Path, key: str, column: str = "responsible.id") -> str:
    i = [c.name for c in load_template_file(path).columns].index(column)
    return f"Bad endpoint template {path}: columns[{i}] ({column}).lookup.{key}: "


@pytest.mark.parametrize(("new", "key", "problem"), [
    (RESPONSIBLE.replace('"users"', '"userz"'), "endpoint", "'userz' is not a blikk template (did you mean users?)"),
    (RESPONSIBLE.replace("firstName+lastName", "title"), "by", "'title' is not a list column of 'users'"),
    (RESPONSIBLE.replace("firstName+lastName", "firstName+lastNme"), "by",
     "'lastNme' is not a list column of 'users' (did you mean lastName?)"),
    (RESPONSIBLE.replace('"firstName+lastName", "email"', '"email"'), "by",
     "'email' is not in the list shape of 'users' (detail only): a detail-only field may only follow list "
     "fields, on its own, in a template with a get path"),
    (RESPONSIBLE.replace("firstName+lastName", "firstName+"), "by",
     "'firstName+' has an empty part (join columns as 'firstName+lastName')"),
    (RESPONSIBLE.replace('column = "responsible"', 'column = "name"'), "column",
     "'name' is already a column or write name of 'contacts': the sheet could not tell the id from the human value"),
    (RESPONSIBLE.replace('column = "responsible"', 'column = "responsibleId"'), "column",
     "'responsibleId' is already a column or write name of 'contacts': the sheet could not tell the id from the "
     "human value"),
])
def test_a_broken_lookup_fails_the_load_naming_file_and_key(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, new: str, key: str, problem: str) -> None:
    path = templates_with(tmp_path, monkeypatch, "blikk/contacts.toml", RESPONSIBLE, new)
    assert load_error("blikk") == lookup_key(path, key) + problem


def test_two_lookups_sharing_a_column_fail(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = templates_with(tmp_path, monkeypatch, "blikk/contacts.toml", RESPONSIBLE,
                          RESPONSIBLE.replace('column = "responsible"', 'column = "company"'))
    assert load_error("blikk") == (lookup_key(path, "column", "company.id")
                                   + "'company' is also the lookup column of 'responsible.id'")


def test_a_lookup_of_another_systems_template_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = templates_with(tmp_path, monkeypatch, "tripletex/customers.toml", ACCOUNT_MANAGER,
                          ACCOUNT_MANAGER.replace('"employees"', '"users"'))
    assert load_error("tripletex") == (lookup_key(path, "endpoint", "accountManager.id")
                                       + "'users' is not a tripletex template")


def test_a_shared_template_drops_for_visma_tid_the_lookups_of_registries_it_lacks() -> None:
    blikk, visma = load_templates("blikk")["contacts"], load_templates("vismatid")["contacts"]
    assert {c.name: c.lookup.column for c in blikk.columns if c.lookup} == {
        "responsible.id": "responsible", "tags.id": "tags", "company.id": "company",
        "parentCompany.id": "parentCompany", "visitingAddress.countryId": "visitingAddress.country",
        "deliveryAddress.countryId": "deliveryAddress.country", "invoiceAddress.countryId": "invoiceAddress.country",
    }
    # Visma Tid has no users, contact-tags or countries templates: those columns take ids only there.
    assert {c.name for c in visma.columns if c.lookup} == {"company.id", "parentCompany.id"}
    assert "users" not in load_templates("vismatid")


def test_a_typo_in_a_shared_template_still_fails_for_its_home_system(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    templates_with(tmp_path, monkeypatch, "blikk/contacts.toml", RESPONSIBLE,
                   RESPONSIBLE.replace('"users"', '"userz"'))
    assert "'userz' is not a blikk template" in load_error("blikk")
    assert "contacts" in load_templates("vismatid")  # dropped there, as a lookup of a registry it lacks


def test_every_tripletex_reference_with_a_list_template_is_looked_up() -> None:
    for ep in load_templates("tripletex").values():
        for c in ep.columns:
            if c.writable and c.refers_to is not None:
                assert c.lookup is not None and c.lookup.endpoint == c.refers_to, (ep.name, c.name)
                assert c.lookup.column == c.name.removesuffix(".id"), (ep.name, c.name)


@pytest.mark.parametrize(("system", "template", "column", "kind"), [
    ("tripletex", "customers", "organizationNumber", "orgnr"), ("tripletex", "contacts", "email", "email"),
    ("tripletex", "employees", "phoneNumberMobile", "phone"), ("tripletex", "countries", "isoAlpha2Code", "code"),
    ("tripletex", "currencies", "code", "code"), ("tripletex", "vat-types", "percentage", "number"),
    ("blikk", "contacts", "organizationalOrSocialSecurityNumber", "orgnr"), ("blikk", "contacts", "email", "email"),
    ("blikk", "contacts", "cellPhoneNumber", "phone"), ("finsit", "companies", "businessIdentityCode", "orgnr"),
    ("finsit", "users", "email", "email"),
])
def test_key_and_lookup_columns_declare_how_they_match(system: str, template: str, column: str, kind: str) -> None:
    assert load_templates(system)[template].column(column).match_kind == kind
