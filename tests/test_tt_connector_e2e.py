"""The Tripletex connector end to end against the Tripletex sandbox over real HTTP.

Sessions (creation, renewal before expiry and after a 401, the company id as the Basic user),
paging (2500 rows = 3 requests), ``fields``, list passes, the error mapper on real envelopes, and
the tenant.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from tt_fixtures import CLIENT_A, CLIENT_B, CONSUMER, EMPLOYEE, OTHER_COMPANY, tt_base_url, tt_server

from bulktool.errors import (
    AuthenticationError,
    BatchRejected,
    PermissionDenied,
    UsageError,
    ValidationFailed,
    VersionConflict,
)
from bulktool.sandbox import SandboxServer
from bulktool.schema.loader import load_templates
from bulktool.vendors.tripletex import TripletexConnector
from bulktool.vendors.tripletex.auth import OSLO, session_expiry
from bulktool.vendors.tripletex.connector import endpoint_fields

TEMPLATES = load_templates("tripletex")


@pytest.fixture()
def srv() -> Iterator[SandboxServer]:
    with tt_server(contacts=60) as s:
        yield s


class MovableNow:
    """The connector's idea of "now" (Oslo), moved by the test."""

    def __init__(self) -> None:
        self.at = datetime.now(OSLO)

    def __call__(self) -> datetime:
        return self.at


def connect(srv: SandboxServer, *, consumer: str = CONSUMER, employee: str = EMPLOYEE, **kw: Any) -> TripletexConnector:
    creds = TripletexConnector.credentials(consumer_token=consumer, employee_token=employee)
    return TripletexConnector(tt_base_url(srv), creds, **kw)


def api_log(srv: SandboxServer) -> list[tuple[str, str, int]]:
    return srv.request_log()


def test_a_session_is_made_once_and_reused_with_user_0(srv: SandboxServer) -> None:
    conn = connect(srv)
    first = conn.list_all("/customer", {"fields": "id"})
    conn.list_all("/product", {"fields": "id"})
    assert first and conn.session.sessions == 1 and srv.token_requests() == 1
    assert conn.company == "0"
    assert all(status == 200 for _, _, status in api_log(srv))


def test_the_company_id_is_the_basic_user_and_reaches_that_client_company(srv: SandboxServer) -> None:
    own = {c["id"]: c["name"] for c in connect(srv).list_all("/customer", {"fields": "id,name"})}
    a = {c["id"]: c["name"] for c in connect(srv, company=str(CLIENT_A)).list_all("/customer", {"fields": "id,name"})}
    b = {c["id"]: c["name"] for c in connect(srv, company=str(CLIENT_B)).list_all("/customer", {"fields": "id,name"})}
    assert a and b and own
    assert a != own and b != a  # each client company's own customers, over the accountant's one session pair


def test_two_client_companies_on_one_host_are_two_accounts(srv: SandboxServer) -> None:
    own, a, b = connect(srv), connect(srv, company=str(CLIENT_A)), connect(srv, company=str(CLIENT_B))
    assert len({own.tenant().id, a.tenant().id, b.tenant().id}) == 3
    assert a.tenant().label == f"company {CLIENT_A} on {a.host}"
    # user 0 is the token's own company, as >whoAmI names it: the same account as naming it outright
    me = own.tenant()
    own_id = me.label.split()[1]
    assert connect(srv, company=own_id).tenant().id == me.id


def test_a_company_without_access_is_a_clear_403(srv: SandboxServer) -> None:
    with pytest.raises(PermissionDenied) as err:
        connect(srv, company=str(OTHER_COMPANY)).list_all("/customer", {"fields": "id"})
    assert err.value.status == 403 and "code 9000" in str(err.value)
    assert "withLoginAccess" in str(err.value) and err.value.request_id
    assert f"requestId {err.value.request_id}" in str(err.value)


def test_a_non_numeric_company_is_refused_before_any_request(srv: SandboxServer) -> None:
    with pytest.raises(UsageError, match="must be a number"):
        connect(srv, company="acme")
    assert srv.token_requests() == 0


@pytest.mark.parametrize(("consumer", "employee", "named"), [
    ("wrong-consumer", EMPLOYEE, "the consumer token is invalid"),
    (CONSUMER, "wrong-employee", "the employee token is invalid"),
])
def test_wrong_tokens_say_which_one_is_invalid(srv: SandboxServer, consumer: str, employee: str, named: str) -> None:
    with pytest.raises(AuthenticationError) as err:
        connect(srv, consumer=consumer, employee=employee).list_all("/customer")
    assert named in str(err.value) and "code 18000" in str(err.value)
    assert "wrong-" not in str(err.value)


def test_the_session_is_renewed_before_it_expires(srv: SandboxServer) -> None:
    now = MovableNow()
    conn = connect(srv, now=now)
    conn.list_all("/customer", {"fields": "id"})
    expires = conn.session._expires
    assert expires is not None and expires == session_expiry(now.at.date() + timedelta(days=2))
    now.at = expires - timedelta(minutes=30)  # inside the renewal margin
    conn.list_all("/customer", {"fields": "id"})
    assert conn.session.sessions == 2
    assert [s for _, _, s in api_log(srv)] == [200, 200]  # renewed ahead: no request was refused


def test_the_session_is_renewed_once_after_a_401(srv: SandboxServer) -> None:
    now = MovableNow()
    conn = connect(srv, now=now)
    conn.list_all("/customer", {"fields": "id"})
    first_end = conn.session._expires
    assert first_end is not None
    # The server's clock reaches the session's expiration date (it stops at midnight Oslo at its start)
    # while ours says six hours are left, outside the renewal margin: only the 401 can tell us.
    srv.set_clock_offset(timedelta(days=2).total_seconds())
    now.at = first_end - timedelta(hours=6)
    items = conn.list_all("/customer", {"fields": "id"})
    assert items and conn.session.sessions == 2
    assert [s for _, _, s in api_log(srv)] == [200, 401, 200]


def test_a_clock_days_behind_still_gets_a_live_session(srv: SandboxServer) -> None:
    """The first session, dated by our clock, is dead on arrival; its answer's Date dates the second."""
    now = MovableNow()
    now.at -= timedelta(days=3)
    conn = connect(srv, now=now)
    assert conn.list_all("/customer", {"fields": "id"})
    assert conn.session.sessions == 2
    assert [s for _, _, s in api_log(srv)] == [200]  # no request was refused
    srv.reset_stats()
    assert conn.list_all("/customer", {"fields": "id"}) and conn.session.sessions == 2  # and it is kept


def test_2500_rows_take_3_list_requests_of_1000() -> None:
    with tt_server(contacts=2500) as srv:
        conn = connect(srv)
        srv.reset_stats()
        items = conn.list_all("/customer", {"fields": "id", "isInactive": "false"})
        log = api_log(srv)
    assert len({i["id"] for i in items}) == len(items) >= 2000
    assert len(log) == 3, log
    assert all("count=1000" in path for _, path, _ in log)
    assert sorted(int(p.split("from=")[1].split("&")[0]) for _, p, _ in log) == [0, 1000, 2000]


def test_fields_asks_for_exactly_the_template_columns_nested_included(srv: SandboxServer) -> None:
    ep = TEMPLATES["customers"]
    selection = endpoint_fields(ep)
    assert selection.startswith("id,version,customerNumber,organizationNumber,postalAddress(id,")
    conn = connect(srv)
    records = conn.list_endpoint(ep)
    wanted_top = {c.name.split(".")[0] for c in ep.columns}
    assert records and all(set(r) <= wanted_top for r in records)
    addressed = [r for r in records if isinstance(r.get("postalAddress"), dict)]
    assert addressed and all("id" in r["postalAddress"] and "url" not in r["postalAddress"] for r in addressed)
    assert all("url" not in r for r in records)  # the codec drops the server's url noise
    assert all(f"fields={selection}" in _unquoted(p) for _, p, _ in api_log(srv))


def _unquoted(path: str) -> str:
    from urllib.parse import unquote_plus

    return unquote_plus(path)


def test_a_detail_export_reads_nothing_beyond_the_list(srv: SandboxServer) -> None:
    ep = TEMPLATES["customers"]
    conn = connect(srv)
    assert conn.list_covers_detail(ep)
    one = conn.list_endpoint(ep)[0]
    srv.reset_stats()
    got = conn.get_record(ep, one["id"])
    assert got == one  # a single read has the same shape as the list's (same fields)


def test_list_passes_read_inactive_customers_too_merged_by_id(srv: SandboxServer) -> None:
    ep = TEMPLATES["customers"]
    conn = connect(srv)
    active = conn.list_all("/customer", {"fields": "id"})  # isInactive defaults to false: the inactive are hidden
    inactive = conn.list_all("/customer", {"fields": "id", "isInactive": "true"})
    srv.edit("customer", active[0]["id"], {"isInactive": True})
    srv.reset_stats()
    records = conn.list_endpoint(ep)
    ids = [r["id"] for r in records]
    assert active[0]["id"] in ids and len(ids) == len(set(ids)) == len(active) + len(inactive)
    passes = [p for _, p, _ in api_log(srv)]
    assert len(passes) == 2 and "isInactive=false" in passes[0] and "isInactive=true" in passes[1]
    # A caller's own isInactive filter wins: one pass, theirs
    srv.reset_stats()
    only = conn.list_endpoint(ep, conn.list_filter_params({"isInactive": "true"}))
    assert active[0]["id"] in [r["id"] for r in only] and len(only) == len(inactive) + 1
    assert len(api_log(srv)) == 1


def test_sorting_and_search_parameters(srv: SandboxServer) -> None:
    ep = TEMPLATES["customers"]
    conn = connect(srv)
    srv.reset_stats()
    desc = conn.list_endpoint(ep, conn.sort_params("name", True), order=("name", True))
    names = [conn.collate(r["name"]) for r in desc]
    assert names == sorted(names, reverse=True)  # across both passes, merged, in Norwegian order
    assert conn.collate("Ås") > conn.collate("Øy") > conn.collate("Ære") > conn.collate("Zebra")
    assert all("sorting=-name" in p for _, p, _ in api_log(srv))
    target = desc[3]
    found = conn.list_endpoint(ep, conn.list_filter_params({"customerName": target["name"]}))
    assert target["id"] in [r["id"] for r in found]


def test_find_by_key_uses_the_search_parameter(srv: SandboxServer) -> None:
    ep = TEMPLATES["customers"]
    conn = connect(srv)
    target = conn.list_endpoint(ep)[5]
    srv.reset_stats()
    found = conn.find_by_key(ep, "customerNumber", str(target["customerNumber"]))
    assert [r["id"] for r in found] == [target["id"]]
    log = api_log(srv)
    assert all(f"customerAccountNumber={target['customerNumber']}" in p for _, p, _ in log)
    assert len(log) == 2  # one per list pass (active, inactive): never a full read


def test_changed_since_reads_only_records_changed_after(srv: SandboxServer) -> None:
    ep = TEMPLATES["customers"]
    conn = connect(srv)
    records = conn.list_endpoint(ep)
    assert srv.stats  # the sandbox's Date header gives the server's time
    since = conn.client.stats.last_server_date
    assert since is not None
    srv.set_clock_offset(timedelta(minutes=10).total_seconds())  # the edit happens well after the margin
    srv.edit("customer", records[2]["id"], {"name": "Endret Kunde AS"})
    changed = conn.list_endpoint(ep, conn.changed_since_params(ep, since))
    assert [r["id"] for r in changed] == [records[2]["id"]]


def test_a_duplicate_in_a_batch_names_its_position_with_the_norwegian_text(srv: SandboxServer) -> None:
    conn = connect(srv)
    taken = conn.list_all("/customer", {"fields": "id,customerNumber"})[0]["customerNumber"]
    body = [{"name": "Ny Kunde A"}, {"name": "Ny Kunde B", "customerNumber": taken}, {"name": "Ny Kunde C"}]
    with pytest.raises(BatchRejected) as err:
        conn.client.request_json("POST", "/customer/list", json_body=body)
    assert err.value.items == {1: ["customerNumber: Nummeret er i bruk."]}
    assert err.value.request_id and f"requestId {err.value.request_id}" in str(err.value)
    assert "nothing in it was saved" in str(err.value)


def test_a_stale_version_is_a_version_conflict(srv: SandboxServer) -> None:
    conn = connect(srv)
    rec = conn.list_all("/customer", {"fields": "id,version,name"})[0]
    srv.edit("customer", rec["id"], {"name": "Endret av en annen"})
    with pytest.raises(VersionConflict) as err:
        conn.client.request_json("PUT", f"/customer/{rec['id']}",
                                 json_body={"id": rec["id"], "version": rec["version"], "name": "Mitt navn"})
    assert err.value.status == 409 and "code 8000" in str(err.value) and err.value.request_id


def test_a_missing_name_is_a_validation_failure_with_the_field(srv: SandboxServer) -> None:
    conn = connect(srv)
    with pytest.raises(ValidationFailed) as err:
        conn.client.request_json("POST", "/customer", json_body={"email": "x@example.no"})
    assert not isinstance(err.value, BatchRejected)
    assert "name" in err.value.field_errors and "HTTP 422" in str(err.value)


def test_an_unknown_field_in_fields_is_worded_as_a_template_mismatch(srv: SandboxServer) -> None:
    conn = connect(srv)
    with pytest.raises(ValidationFailed) as err:
        conn.list_all("/customer", {"fields": "id,notAField"})
    assert "code 11000" in str(err.value) and "template may not match" in str(err.value)


def test_the_checksum_says_unchanged_with_304s_and_reads_no_rows(srv: SandboxServer) -> None:
    ep = TEMPLATES["customers"]
    conn = connect(srv)
    digest = conn.list_checksum(ep)
    assert digest and len(digest.split(",")) == 2  # one per list pass
    srv.reset_stats()
    assert conn.list_unchanged(ep, digest)
    log = api_log(srv)
    assert [s for _, _, s in log] == [304, 304]
    target = conn.list_all("/customer", {"fields": "id"})[4]
    srv.edit("customer", target["id"], {"name": "Endret av en annen AS"})
    assert not conn.list_unchanged(ep, digest)
    assert conn.list_checksum(ep) != digest


def test_no_checksum_where_the_endpoint_has_none(srv: SandboxServer) -> None:
    conn = connect(srv)
    assert conn.list_checksum(TEMPLATES["contacts"]) is None
    assert not conn.list_unchanged(TEMPLATES["contacts"], "abc")


def test_the_cli_company_option_exports_that_client_company(srv: SandboxServer, tmp_path: Any,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner
    from openpyxl import load_workbook

    from bulktool.cli import cli

    monkeypatch.setenv("TRIPLETEX_CONSUMER_TOKEN", CONSUMER)
    monkeypatch.setenv("TRIPLETEX_EMPLOYEE_TOKEN", EMPLOYEE)
    monkeypatch.setenv("BULKTOOL_CONFIG", str(tmp_path / "config.toml"))
    out = tmp_path / "a.xlsx"
    res = CliRunner().invoke(cli, ["--system", "tripletex", "--base-url", tt_base_url(srv), "--company", str(CLIENT_A),
                                   "export", "customers", "-o", str(out), "-q"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    sheet = load_workbook(out)["customers"]
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    names = {row[header.index("name")] for row in sheet.iter_rows(min_row=2, values_only=True)}
    want = {c["name"] for c in connect(srv, company=str(CLIENT_A)).list_endpoint(TEMPLATES["customers"])}
    assert want and names == want


def test_a_given_date_range_replaces_one_bound_of_the_timesheet_pass(srv: SandboxServer) -> None:
    ep = TEMPLATES["timesheet-entries"]
    conn = connect(srv)
    every = conn.list_endpoint(ep)
    assert every
    srv.reset_stats()
    later = conn.list_endpoint(ep, conn.list_filter_params({"dateFrom": "2100-01-01"}))
    assert later == []
    (_, path, status), = api_log(srv)
    assert status == 200 and "dateFrom=2100-01-01" in path and "dateTo=2100-01-01" in path
