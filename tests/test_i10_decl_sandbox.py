"""Every declared lookup can be answered from one list read: its ``by`` fields come back over HTTP.

A lookup compares a sheet's human value with the ``by`` columns of the looked-up template's list records
(one list read per run). A ``by`` column the list does not really return would make every row "not found",
so this reads each looked-up list from the sandbox, as the connector does, and checks each ``by`` field
(each part of a "firstName+lastName" join) is there and filled in on some record.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from conftest import connector_for
from tt_fixtures import credentials, tt_base_url, tt_server

from bulktool.connectors.base import Connector
from bulktool.http.throttle import RateLimiter
from bulktool.sandbox import SandboxConfig, SandboxServer
from bulktool.schema.loader import load_templates
from bulktool.schema.lookup_check import by_parts
from bulktool.vendors.blikk import blikk_credentials
from bulktool.vendors.blikk.connector import VismaTidConnector
from bulktool.vendors.tripletex.connector import TripletexConnector
from bulktool.workbook import flatten

SYSTEMS = ("blikk", "vismatid", "tripletex")


def declarations(systems: tuple[str, ...] = SYSTEMS) -> list[tuple[str, str, str]]:
    """(system, template, id column) of every declared lookup (Finsit's: tests/test_i10_finsit_mapped.py)."""
    return [(s, ep.name, c.name) for s in systems for ep in load_templates(s).values()
            for c in ep.columns if c.lookup is not None]


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[str, SandboxServer]]:
    with SandboxServer(SandboxConfig(contacts=60, port=0, rate_limit=1000)) as blikk, tt_server() as tt:
        yield {"blikk": blikk, "vismatid": blikk, "tripletex": tt}


def connector(system: str, srv: SandboxServer) -> Connector:
    if system == "blikk":
        return connector_for(srv, rate=1000)
    if system == "vismatid":
        return VismaTidConnector(srv.url, blikk_credentials(srv.app_id, srv.app_secret), limiter=RateLimiter(1000))
    consumer, employee = credentials(srv)
    return TripletexConnector(tt_base_url(srv), TripletexConnector.credentials(
        consumer_token=consumer, employee_token=employee))


_LISTS: dict[tuple[str, str], list[dict[str, Any]]] = {}


def list_records(servers: dict[str, SandboxServer], system: str, name: str) -> list[dict[str, Any]]:
    """The looked-up list as the import reads it (list shape, flattened to template columns), read once."""
    if (system, name) not in _LISTS:
        ep = load_templates(system)[name]
        items = connector(system, servers[system]).list_endpoint(ep, {})
        _LISTS[system, name] = [flatten(i, [c for c in ep.columns if c.in_list]) for i in items]
    return _LISTS[system, name]


@pytest.mark.parametrize(("system", "template", "column"), declarations())
def test_each_lookups_by_fields_are_in_the_sandbox_list(
        servers: dict[str, SandboxServer], system: str, template: str, column: str) -> None:
    lookup = load_templates(system)[template].column(column).lookup
    assert lookup is not None
    records = list_records(servers, system, lookup.endpoint)
    assert len(records) >= 2, f"{system} {lookup.endpoint}: the sandbox list is (nearly) empty"
    target = load_templates(system)[lookup.endpoint]
    detail_only = {c.name for c in target.columns if not c.in_list}
    for entry in lookup.by:
        if entry in detail_only:  # read from the details, only when a value names nothing by the list's fields
            continue
        for part in by_parts(entry):
            assert all(part in r for r in records), f"{system} {lookup.endpoint} list has no {part!r}"
            filled = [r[part] for r in records if r[part] not in (None, "")]
            assert filled, f"{system} {lookup.endpoint}: no record has a {part!r} value"


def test_blikk_and_tripletex_declare_lookups_visma_tid_a_subset_and_finsit_one() -> None:
    found = declarations((*SYSTEMS, "finsit"))
    counts = {s: sum(1 for d in found if d[0] == s) for s in (*SYSTEMS, "finsit")}
    assert counts["blikk"] >= 19 and counts["tripletex"] >= 28
    # Visma Tid shares the Blikk templates but has no users, countries or contact-tags registries.
    assert 0 < counts["vismatid"] < counts["blikk"]
    # Its references are text: GUIDs, and the company type's code ("AB"), which can be named ("Aktiebolag").
    assert counts["finsit"] == 1


def test_the_blikk_users_list_holds_look_alike_names_and_namesakes(servers: dict[str, SandboxServer]) -> None:
    users = list_records(servers, "blikk", "users")
    names = [f"{u['firstName']} {u['lastName']}" for u in users]
    assert {"Anna Svensson", "Anna Svenson", "Annika Svensson", "Anna Lindqvist"} <= set(names)
    assert names.count("Erik Johansson") == 2  # a name that cannot tell two people apart
    namesakes = [u["id"] for u in users if f"{u['firstName']} {u['lastName']}" == "Erik Johansson"]
    conn = connector("blikk", servers["blikk"])
    mails = {conn.get_record(load_templates("blikk")["users"], str(i))["email"] for i in namesakes}
    assert len(mails) == 2
