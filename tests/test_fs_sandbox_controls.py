"""Finsit sandbox controls: faults (HTML 502/503, 429, drop after commit, OperationCancelled), edit as
another user, delete, records, stats, the PUT-body log, the per-company 403 switch and the banner."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
import requests
from fs_fixtures import (
    COMPANY_USER,
    CONSUMER_KEY,
    CONSUMER_SECRET,
    DIRECTOR,
    FIRST_COMPANY,
    FsClient,
    company_ids,
    control,
    forbid,
    fs_server,
    parse,
    puts,
)

from bulktool.sandbox import SandboxServer

C = f"/Company/{FIRST_COMPANY}"


@pytest.fixture
def srv() -> Iterator[SandboxServer]:
    with fs_server(companies=4) as server:
        yield server


def _error(r: requests.Response) -> tuple[int, str, str]:
    body = r.json()
    assert set(body) == {"typeOfError", "message", "identifier"}
    return r.status_code, body["typeOfError"], body["message"]


def test_fifty_companies_each_with_their_own_data() -> None:
    with fs_server(companies=50) as srv:
        api = FsClient(srv)
        ids = [c["id"] for c in api.get("/Company/").json()]
        assert ids == company_ids(50) and len(set(ids)) == 50
        assert ids[0] == "a-testagency-556898-6787"
        assert all(i.startswith("a-testagency-556") for i in ids)
        phones = {c["contactInfo"]["phone"] for c in api.get("/Company/").json()}
        assert all(p.startswith("0") for p in phones)
        comments = [api.get(f"/Company/{cid}/Comment/").json() for cid in (ids[0], ids[49])]
        assert {c["id"] for c in comments[0]}.isdisjoint({c["id"] for c in comments[1]})


def test_per_company_403_switch_fails_that_company_alone(srv: SandboxServer) -> None:
    api = FsClient(srv)
    bad = company_ids(4)[2]
    forbid(srv, bad)
    assert _error(api.get(f"/Company/{bad}/Comment/")) == (403, "Forbidden", f"Access to company '{bad}' is forbidden.")
    assert _error(api.put(f"/Company/{bad}", {"name": "X"}))[0] == 403
    assert api.get(f"/Company/{company_ids(4)[1]}/Comment/").status_code == 200
    assert bad in [c["id"] for c in api.get("/Company/").json()]  # still listed
    assert control(srv, "finsit", {}).json()["forbidden_companies"] == [bad]
    forbid(srv, bad, forbidden=False)
    assert api.get(f"/Company/{bad}/Comment/").status_code == 200


def test_proxy_html_errors_without_the_error_object(srv: SandboxServer) -> None:
    api = FsClient(srv)
    control(srv, "finsit", {"proxy_502": 1}).raise_for_status()
    r = api.get("/Company/")
    assert r.status_code == 502
    assert r.headers["Content-Type"] == "text/html"
    assert r.text.startswith("<html>") and "502 Bad Gateway" in r.text
    control(srv, "finsit", {"proxy_502": 0}).raise_for_status()
    srv.set_faults(fail_rate=1.0)
    r = api.get("/Company/")
    assert r.status_code == 503 and "503 Service Temporarily Unavailable" in r.text
    srv.set_faults(fail_rate=0.0)
    assert api.get("/Company/").status_code == 200


def test_operation_cancelled_on_demand(srv: SandboxServer) -> None:
    control(srv, "finsit", {"operation_cancelled": 1}).raise_for_status()
    assert _error(FsClient(srv).get("/Company/")) == (500, "OperationCancelled", "The operation was cancelled.")


def test_burst_429_carries_the_error_object_and_retry_after(srv: SandboxServer) -> None:
    srv.set_faults(burst_429=1.0)
    r = FsClient(srv).get("/Company/")
    assert _error(r) == (429, "Unknown", "Too many requests; slow down.")
    assert r.headers["Retry-After"] == "1"
    assert srv.stats()["429"] == 1


def test_rate_limit_per_user() -> None:
    with fs_server(companies=1, rate_limit=3, rate_period=30.0) as srv:
        api = FsClient(srv)
        assert [api.get("/Me").status_code for _ in range(4)] == [200, 200, 200, 429]
        assert FsClient(srv, COMPANY_USER).get("/Me").status_code == 200  # another user, another window


def test_drop_after_commit_writes_and_closes_the_connection(srv: SandboxServer) -> None:
    api = FsClient(srv)
    srv.set_faults(drop_after_commit=1.0)
    new = {"id": "d0d0d0d0-0000-4000-8000-000000000001", "type": "KeyFigureComment", "message": "Tappad"}
    with pytest.raises(requests.ConnectionError):
        api.post(f"{C}/Comment/", new)
    srv.set_faults(drop_after_commit=0.0)
    assert FsClient(srv).get(f"{C}/Comment/{new['id']}").json()["message"] == "Tappad"
    assert _error(FsClient(srv).post(f"{C}/Comment/", new))[0] == 409


def test_put_log_holds_every_put_body_as_sent(srv: SandboxServer) -> None:
    api = FsClient(srv)
    api.put(C, {"contactInfo": {"phone": "08-1"}})
    api.put(f"/Company/{company_ids(4)[1]}", {"name": None})
    api.post(f"{C}/Comment/", {"id": "c-x", "type": "KeyFigureComment"})
    log = puts(srv)
    assert [(p["path"], p["text"]) for p in log] == [
        (f"/Api/v2{C}", '{"contactInfo": {"phone": "08-1"}}'),
        (f"/Api/v2/Company/{company_ids(4)[1]}", '{"name": null}')]
    assert log[1]["body"] == {"name": None}
    bodies = requests.get(srv.url + "/_sandbox/bodies", timeout=9).json()
    assert [b["method"] for b in bodies["bodies"]] == ["PUT", "PUT", "POST"]


def test_put_log_keeps_oauth_signed_paths_with_their_query(srv: SandboxServer) -> None:
    from requests_oauthlib import OAuth1

    auth = OAuth1(CONSUMER_KEY, CONSUMER_SECRET, DIRECTOR.token, DIRECTOR.token_secret, signature_type="query")
    r = requests.put(srv.url + f"/Api/v2{C}", data=b'{"name": "OAuth AB"}', auth=auth, timeout=9,
                     headers={"Content-Type": "application/json"})
    assert r.status_code == 200
    assert puts(srv)[0]["text"] == '{"name": "OAuth AB"}'
    assert "oauth_signature=" in puts(srv)[0]["path"]


def test_edit_as_another_user_and_records(srv: SandboxServer) -> None:
    r = control(srv, f"edit/Company/{FIRST_COMPANY}", {"contactInfo": {"phone": "08-555 000 11"}})
    assert r.status_code == 200 and r.json()["contactInfo"]["phone"] == "08-555 000 11"
    assert FsClient(srv).get(C).json()["contactInfo"]["phone"] == "08-555 000 11"
    comment = FsClient(srv).get(f"{C}/Comment/").json()[0]
    edited = control(srv, f"edit/Comment/{FIRST_COMPANY}/{comment['id']}", {"message": "Ändrad av kollega"}).json()
    assert edited["message"] == "Ändrad av kollega" and edited["lastModified"] != comment["lastModified"]
    records = requests.get(srv.url + "/_sandbox/records/Comment", params={"company": FIRST_COMPANY}, timeout=9)
    assert records.json()[0]["message"] == "Ändrad av kollega"
    fiscal = FsClient(srv).get(f"{C}/FiscalYear").json()[2]
    year = fiscal["id"]
    items = [{"keyFigureInfoId": "TaxRate", "period": {"start": fiscal["start"], "end": fiscal["end"]},
              "value": Decimal("0.25"), "dimensionId": None}]
    assert control(srv, f"edit/KeyFigureData/{FIRST_COMPANY}/{year}", items).status_code == 200
    assert parse(FsClient(srv).get(f"{C}/FiscalYear/{year}/KeyFigureData"))[0]["value"] == Decimal("0.25")
    assert control(srv, f"edit/Company/{FIRST_COMPANY}", {"colour": "x"}).status_code == 400
    assert control(srv, "edit/Company/a-testagency-000000-0000", {}).status_code == 404


def test_fixture_helpers_edit_and_records(srv: SandboxServer) -> None:
    from fs_fixtures import edit, records

    changed = edit(srv, "Company", [FIRST_COMPANY], {"name": "Ändrat AB"})
    assert changed["name"] == "Ändrat AB"
    assert records(srv, "Company")[0]["name"] == "Ändrat AB"
    data = records(srv, "KeyFigureData", FIRST_COMPANY)
    assert len(data) == 3 and any(item["value"] == Decimal("1234567890123456789012.345678") for item in data[2])


def test_delete_as_another_user(srv: SandboxServer) -> None:
    comment = FsClient(srv).get(f"{C}/Comment/").json()[0]
    assert control(srv, f"delete/Comment/{FIRST_COMPANY}/{comment['id']}", {}).status_code == 200
    assert _error(FsClient(srv).get(f"{C}/Comment/{comment['id']}")) == (
        404, "NotFound", f"Comment '{comment['id']}' not found")


def test_stats_and_log_count_api_requests_only(srv: SandboxServer) -> None:
    api = FsClient(srv)
    srv.reset_stats()
    api.get("/Company/")
    api.put(C, {"name": "X"})
    requests.get(srv.url + "/_sandbox/stats", timeout=9)
    stats = requests.get(srv.url + "/_sandbox/stats", timeout=9).json()
    assert stats["GET"] == 1 and stats["PUT"] == 1 and stats["total"] == 2
    assert requests.get(srv.url + "/_sandbox/log", timeout=9).json() == [
        ["GET", "/Api/v2/Company/", 200], ["PUT", f"/Api/v2{C}", 200]]


def test_banner_names_users_passwords_oauth_keys_agency_and_companies(srv: SandboxServer) -> None:
    text = srv.banner()
    for needle in (DIRECTOR.user_name, DIRECTOR.password, COMPANY_USER.password, DIRECTOR.token,
                   DIRECTOR.token_secret, CONSUMER_KEY, CONSUMER_SECRET, "testagency", FIRST_COMPANY,
                   "with 4 companies", "--system finsit --base-url " + srv.url):
        assert needle in text, needle


def test_unknown_setting_is_400(srv: SandboxServer) -> None:
    r = control(srv, "finsit", {"proxy_504": 1})
    assert r.status_code == 400
    assert "unknown setting 'proxy_504'" in r.json()["message"]
