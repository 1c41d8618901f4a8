"""Business rules the real API enforces on writes (tripletex-facts.md "Validation messages seen").

Each check returns validation messages with their code: 18000 for business rules (name required,
number in use, unknown references, project manager required), 15000 for values the model rejects
(bad email, hours over 24). Texts are the server's, Norwegian and verbatim where recorded. An
unknown reference has no recorded text; the sandbox says "Objektet med id N finnes ikke.".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from bulktool.sandbox.store import Record, Store

from .model import BY_SCHEMA, OWNED, Resource, ref_name, schemas

NAME_REQUIRED = "Kan ikke være null."
PRODUCT_NAME_REQUIRED = "Feltet må fylles ut."
NUMBER_IN_USE = "Nummeret er i bruk."
BAD_EMAIL = "Ugyldig format."
EMAIL_TAKEN = "Det finnes allerede en bruker med denne e-postadressen."
USER_TYPE = 'Brukertype kan ikke være "0" eller tom.'
PROJECT_MANAGER = 'Feltet "Prosjektleder" må fylles ut.'
HOURS_OVER = "Kan ikke være over 24"
BAD_VAT = "Ugyldig mva-kode."
TIMESHEET_DUPLICATE = ("Det er allerede registrert timer på den ansatte på denne dagen, "
                       "for denne aktiviteten og dette prosjektet.")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
EMAIL_FIELDS = ("email", "invoiceEmail", "overdueNoticeEmail")


@dataclass
class Problems:
    """What one item broke, by code (15000 value, 18000 business rule, 7000 duplicate entry)."""

    items: dict[int, list[tuple[str, str]]] = field(default_factory=dict)

    def add(self, code: int, fld: str, message: str) -> None:
        self.items.setdefault(code, []).append((fld, message))

    def __bool__(self) -> bool:
        return bool(self.items)


@dataclass
class Batch:
    """Numbers and keys taken by earlier items of the same request (a batch sees itself)."""

    numbers: dict[str, set[str]] = field(default_factory=dict)
    keys: set[tuple[Any, ...]] = field(default_factory=set)
    emails: set[str] = field(default_factory=set)
    stored: dict[str, dict[str, set[int]]] = field(default_factory=dict)  # field -> value -> stored ids

    def holders(self, store: Store, resource: str, fld: str, value: str) -> set[int]:
        """Ids of stored records whose ``fld`` is ``value`` (indexed once per request)."""
        key = f"{resource}.{fld}"
        if key not in self.stored:
            index: dict[str, set[int]] = {}
            for rec in store.values(resource):
                raw = rec.get(fld)
                text = str(raw).lower() if fld == "email" else str(raw)
                index.setdefault(text, set()).add(int(rec["id"]))
            self.stored[key] = index
        return self.stored[key].get(value, set())


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def check(store: Store, res: Resource, rec: Record, creating: bool, batch: Batch, problems: Problems) -> None:
    """Every rule for the merged record ``rec`` (the stored one plus the body's changes)."""
    for name in res.required:
        if _blank(rec.get(name)):
            if name == "projectManager":
                problems.add(18000, name, PROJECT_MANAGER)
            elif res.name == "product" and name == "name":
                problems.add(18000, name, PRODUCT_NAME_REQUIRED)
            else:
                problems.add(18000, name, NAME_REQUIRED)
    _references(store, res, rec, problems)
    for name in EMAIL_FIELDS:
        value = rec.get(name)
        if isinstance(value, str) and value and not _EMAIL.match(value):
            problems.add(15000, name, BAD_EMAIL)
    if res.number_field:
        _unique_number(store, res, rec, batch, problems)
    if res.name == "employee":
        _employee(store, rec, creating, batch, problems)
    if res.name == "timesheetEntry":
        _timesheet(store, rec, batch, problems)


def _references(store: Store, res: Resource, rec: Record, problems: Problems) -> None:
    props = schemas()[res.schema]["properties"]
    for name, prop in props.items():
        target = ref_name(prop)
        value = rec.get(name)
        if target is None or target in OWNED or not isinstance(value, dict) or name not in rec:
            continue
        target_res = BY_SCHEMA.get(target)
        if target_res is None:
            continue  # a model the sandbox does not keep (categories, documents): not checked
        rid = value.get("id")
        if rid is None or not store.exists(target_res.name, rid):
            problems.add(18000, f"{name}.id" if target != "VatType" else name,
                         BAD_VAT if target == "VatType" else f"Objektet med id {rid} finnes ikke.")


def _unique_number(store: Store, res: Resource, rec: Record, batch: Batch, problems: Problems) -> None:
    fld = res.number_field or ""
    value = rec.get(fld)
    if _blank(value) or value == 0:
        return
    text = str(value)
    taken = batch.numbers.setdefault(fld, set())
    clash = text in taken or bool(batch.holders(store, res.name, fld, text) - {rec.get("id")})
    if clash:
        problems.add(18000, fld, f"Produktnummeret {text} er i bruk." if res.name == "product" else NUMBER_IN_USE)
    taken.add(text)


def _employee(store: Store, rec: Record, creating: bool, batch: Batch, problems: Problems) -> None:
    user_type = rec.get("_userType")
    if (creating and _blank(user_type)) or str(user_type) == "0":
        problems.add(18000, "userType", USER_TYPE)
    email = str(rec.get("email") or "").lower()
    if email:
        clash = email in batch.emails or bool(batch.holders(store, "employee", "email", email) - {rec.get("id")})
        if clash:
            problems.add(18000, "email", EMAIL_TAKEN)
        batch.emails.add(email)


def _timesheet(store: Store, rec: Record, batch: Batch, problems: Problems) -> None:
    hours = rec.get("hours")
    if isinstance(hours, (int, float)) and not isinstance(hours, bool) and hours > 24:
        problems.add(15000, "hours", HOURS_OVER)

    def key(r: Record) -> tuple[Any, ...]:
        refs = [r[k].get("id") if isinstance(r.get(k), dict) else None for k in ("employee", "activity", "project")]
        return (*refs, r.get("date"))

    mine = key(rec)
    if mine in batch.keys or any(key(o) == mine and o["id"] != rec.get("id") for o in store.values("timesheetEntry")):
        problems.add(7000, "date", TIMESHEET_DUPLICATE)
    batch.keys.add(mine)
