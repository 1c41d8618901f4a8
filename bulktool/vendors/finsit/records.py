"""Finsit records as the core sees them: path segments, names in the documented casing, the rows
bulktool composes (key-figure data and values have no id of their own), local filters, and the
client-computed flags that are never sent."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from functools import cache
from typing import Any
from urllib.parse import quote

from ...schema.model import Endpoint
from . import codec

# The query parameters the vendor's client sends (fact sheet §1.8); anything else is filtered here.
SERVER_PARAMS = frozenset({"showAll", "startDate", "endDate", "numberOfYears", "keyFigurePresetId", "latest"})
# Flags the vendor's model computes on the client and serialises; never fields to send (§1.2).
NEVER_SEND = frozenset(n.lower() for n in (
    "isFortnoxCompany", "hasFortnoxAuthorizationCode", "hasFortnoxExtendedAuthorizationCode", "IsKeyFigureComment",
))
PATH_SAFE = "@!$&'()*+,;=:"  # a path segment may hold these as they are (user names hold "@")
# KeyFigureResult = {keyFigure, keyFigureValues: [{value, period}]}: one row per key figure and period,
# named keyFigure.id|period.start (the list field, and the parts of the row id).
EXPLODE: dict[str, tuple[str, tuple[str, ...]]] = {
    "key-figure-values": ("keyFigureValues", ("keyFigure.id", "period.start")),
}
KEY_PARTS = ("fiscalYearId", "keyFigureInfoId", "period.start", "period.end", "dimensionId")


def company_id(agency: str, org: str) -> str:
    """The documented id of an agency's company: ``a-{agency}-{businessIdentityCode}``."""
    return f"a-{agency.strip()}-{org.strip()}"


def segment(value: Any) -> str:
    return quote(str(value), safe=PATH_SAFE)


@cache
def global_casing() -> dict[str, str]:
    from ...schema.loader import load_templates

    names: list[str] = []
    for ep in load_templates("finsit").values():
        names += [ep.id_field, *ep.natural_key, *(c.name for c in ep.columns)]
        names += [c.write for c in ep.columns if c.write]
    return codec.casing_map(names)


def endpoint_casing(endpoint: Endpoint) -> dict[str, str]:
    names = [endpoint.id_field, *endpoint.natural_key, *(c.name for c in endpoint.columns)]
    return {**global_casing(), **codec.casing_map(names)}


def value_at(record: Mapping[str, Any], dotted: str) -> Any:
    value: Any = record
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def composite_id(record: Mapping[str, Any]) -> str:
    """A key-figure data row's id: its fiscal year, item, period and dimension (it has no id of its own)."""
    return "|".join("" if (v := value_at(record, k)) is None else str(v) for k in KEY_PARTS)


def explode(
    records: list[dict[str, Any]], field: str, parts: tuple[str, ...], *, id_field: str
) -> list[dict[str, Any]]:
    """One row per element of each record's ``field`` list, the element's keys beside the record's."""
    out: list[dict[str, Any]] = []
    for rec in records:
        base = {k: v for k, v in rec.items() if k != field}
        for item in rec.get(field) or [None]:
            row = {**base, **(item if isinstance(item, dict) else {})}
            row[id_field] = "|".join("" if (v := value_at(row, k)) is None else str(v) for k in parts)
            out.append(row)
    return out


def drop_never_send(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: drop_never_send(v) for k, v in value.items() if str(k).lower() not in NEVER_SEND}
    if isinstance(value, list):
        return [drop_never_send(v) for v in value]
    return value


def local_match(record: Mapping[str, Any], name: str, wanted: str) -> bool:
    got = value_at(record, name)
    if isinstance(got, bool):
        return str(got).lower() == wanted.strip().lower()
    if isinstance(got, int | Decimal | float):
        try:
            return Decimal(str(got)) == Decimal(wanted.strip().replace(",", "."))
        except ArithmeticError:
            return False
    return str("" if got is None else got).strip().casefold() == wanted.strip().casefold()
