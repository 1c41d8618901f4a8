"""The Blikk sandbox over real HTTP (plain ``requests``, not bulktool's client)."""

from __future__ import annotations

import base64
import http.client
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from bulktool.sandbox import SandboxConfig, SandboxServer
from bulktool.vendors.blikk.sandbox.util import sv_key

TOKEN_RE = re.compile(r"^pk_[0-9a-f-]{36}\.pa_[0-9a-f-]{36}$")
DT_RE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+00:00$")
CONTACT_LIST_KEYS = {
    "objectName",
    "id",
    "name",
    "customerNumber",
    "contactType",
    "organizationalOrSocialSecurityNumber",
    "visitingAddress",
    "company",
    "parentCompany",
    "created",
    "lastUpdated",
}
CONTACT_DETAIL_KEYS = CONTACT_LIST_KEYS | {
    "isActive",
    "email",
    "invoiceEmail",
    "phoneNumber",
    "cellPhoneNumber",
    "importantInformation",
    "isSupplier",
    "isWholeSale",
    "isRetailer",
    "isSubContractor",
    "isPartner",
    "isCustomer",
    "useReverseBuildTax",
    "responsible",
    "tags",
    "deliveryAddress",
    "invoiceAddress",
    "createdBy",
    "lastUpdatedBy",
}


def config(**kw: Any) -> SandboxConfig:
    base: dict[str, Any] = {"contacts": 60, "rate_limit": 1000}
    return SandboxConfig(**{**base, **kw})


def token(srv: SandboxServer) -> str:
    r = requests.post(srv.url + "/v1/Auth/Token", auth=(srv.app_id, srv.app_secret), timeout=10)
    assert r.status_code == 200
    return str(r.json()["accessToken"])


def session(srv: SandboxServer) -> requests.Session:
    s = requests.Session()
    s.headers["Authorization"] = "Bearer " + token(srv)
    return s


@pytest.fixture(scope="module")
def shared() -> Iterator[SandboxServer]:
    """Read-only tests share one server."""
    with SandboxServer(config()) as srv:
        yield srv


@pytest.fixture()
def srv() -> Iterator[SandboxServer]:
    """Tests that write get their own server."""
    with SandboxServer(config()) as s:
        yield s


@pytest.fixture(scope="module")
def api(shared: SandboxServer) -> Callable[..., requests.Response]:
    s = session(shared)

    def call(method: str, path: str, **kw: Any) -> requests.Response:
        return s.request(method, shared.url + path, timeout=10, **kw)

    return call


def new_contact(**extra: Any) -> dict[str, Any]:
    return {"name": "Örjan Ångström", "contactType": "person", "responsibleId": 3, **extra}


# -- auth ---------------------------------------------------------------------------------


def test_token_flow_issues_a_documented_token(shared: SandboxServer) -> None:
    raw = base64.b64encode(f"{shared.app_id}:{shared.app_secret}".encode()).decode()
    r = requests.post(shared.url + "/v1/Auth/Token", headers={"Authorization": "Basic " + raw}, timeout=10)
    body = r.json()
    assert r.status_code == 200 and body["objectName"] == "auth.token"
    assert TOKEN_RE.match(body["accessToken"])
    assert DT_RE.match(body["expires"])
    expires = datetime.strptime(body["expires"], "%Y-%m-%d %H:%M:%S %z")
    assert timedelta(minutes=59) < expires - datetime.now(UTC) <= timedelta(hours=1, seconds=1)
    ok = requests.get(
        shared.url + "/v1/Admin/Countries?page=1",
        timeout=10,
        headers={"Authorization": "Bearer " + body["accessToken"]},
    )
    assert ok.status_code == 200 and ok.json()["totalItemCount"] == 4


def test_wrong_credentials_and_missing_or_unknown_tokens_are_401(shared: SandboxServer) -> None:
    bad = requests.post(shared.url + "/v1/Auth/Token", auth=(shared.app_id, "wrong"), timeout=10)
    assert bad.status_code == 401 and bad.json() == {"message": "Invalid credentials"}
    none = requests.post(shared.url + "/v1/Auth/Token", timeout=10)
    assert none.status_code == 401
    for headers in (
        {},
        {"Authorization": "Bearer pk_0.pa_0"},
        {"Authorization": "Basic " + base64.b64encode(b"sandbox-app:sandbox-secret").decode()},
    ):
        r = requests.get(shared.url + "/v1/Core/Contacts?page=1", headers=headers, timeout=10)
        assert r.status_code == 401 and r.json() == {"message": "Invalid token"}


def test_expired_token_is_401() -> None:
    with SandboxServer(config(contacts=3, token_ttl=0)) as srv:
        r = requests.post(srv.url + "/v1/Auth/Token", auth=(srv.app_id, srv.app_secret), timeout=10)
        assert r.status_code == 200
        stale = requests.get(
            srv.url + "/v1/Admin/Countries?page=1",
            timeout=10,
            headers={"Authorization": "Bearer " + r.json()["accessToken"]},
        )
        assert stale.status_code == 401 and stale.json() == {"message": "Invalid token"}


def test_missing_permission_is_403_with_the_documented_envelope() -> None:
    with SandboxServer(config(contacts=3, permissions={"Project_Read"})) as srv:
        s = session(srv)
        r = s.get(srv.url + "/v1/Core/Contacts?page=1", timeout=10)
        assert r.status_code == 403
        assert r.json() == {
            "message": "You dont have the nessecery permissions to perform this action",
            "ipAddressAllowed": True,
            "permissionsRequired": ["Contact_Read"],
        }
        assert s.get(srv.url + "/v1/Core/Projects?page=1", timeout=10).status_code == 200
        assert (
            s.get(srv.url + "/v1/Admin/Countries?page=1", timeout=10).status_code == 200
        )  # admin lists need none
        w = s.post(srv.url + "/v1/Core/Projects", json={"title": "x"}, timeout=10)
        assert w.status_code == 403 and w.json()["permissionsRequired"] == ["Project_Write"]


# -- rate limit ---------------------------------------------------------------------------


def _fire(url: str, headers: dict[str, str], n: int) -> list[requests.Response]:
    barrier = threading.Barrier(n)
    out: list[requests.Response] = []
    lock = threading.Lock()

    def go() -> None:
        barrier.wait()
        r = requests.get(url, headers=headers, timeout=10)
        with lock:
            out.append(r)

    threads = [threading.Thread(target=go) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def test_more_than_four_requests_in_a_second_get_the_429_envelope() -> None:
    with SandboxServer(config(contacts=3, rate_limit=4)) as srv:
        headers = {"Authorization": "Bearer " + token(srv)}
        answers = _fire(srv.url + "/v1/Admin/Countries?page=1", headers, 10)
        ok = [r for r in answers if r.status_code == 200]
        limited = [r for r in answers if r.status_code == 429]
        assert len(ok) == 4 and len(limited) == 6
        assert all(r.json() == {"waitInSeconds": 1} and r.headers["Retry-After"] == "1" for r in limited)
        assert srv.stats()["429"] == 6 and srv.stats()["GET"] == 10
        other = {"Authorization": "Bearer " + token(srv)}  # the limit is per token
        assert (
            requests.get(srv.url + "/v1/Admin/Countries?page=1", headers=other, timeout=10).status_code == 200
        )


def test_rejected_requests_do_not_extend_the_window() -> None:
    with SandboxServer(config(contacts=3, rate_limit=2)) as srv:
        s = session(srv)
        url = srv.url + "/v1/Admin/Countries?page=1"
        assert s.get(url, timeout=10).status_code == 200  # A
        t0 = time.monotonic()  # A has arrived before this instant
        time.sleep(0.5)
        assert s.get(url, timeout=10).status_code == 200  # B, about t0 + 0.5
        assert [s.get(url, timeout=10).status_code for _ in range(3)] == [429] * 3  # window full: A and B
        time.sleep(max(0.0, t0 + 1.1 - time.monotonic()))
        # A is now > 1 s old and B ~0.6 s; had the rejected ones counted, the window would still be full.
        assert s.get(url, timeout=10).status_code == 200


def test_burst_429_fault_can_be_switched_at_runtime(srv: SandboxServer) -> None:
    s = session(srv)
    srv.set_faults(burst_429=1.0)
    r = s.get(srv.url + "/v1/Admin/Countries?page=1", timeout=10)
    assert r.status_code == 429 and r.json() == {"waitInSeconds": 1} and r.headers["Retry-After"] == "1"
    srv.set_faults(burst_429=0.0)
    assert s.get(srv.url + "/v1/Admin/Countries?page=1", timeout=10).status_code == 200


def test_latency_overlaps_across_concurrent_requests() -> None:
    with SandboxServer(config(contacts=3, latency=0.4)) as srv:
        headers = {"Authorization": "Bearer " + token(srv)}
        t0 = time.monotonic()
        answers = _fire(srv.url + "/v1/Admin/Countries?page=1", headers, 8)
        elapsed = time.monotonic() - t0
        assert all(r.status_code == 200 for r in answers)
        assert 0.4 <= elapsed < 1.6  # 8 x 0.4 s served in parallel, not 3.2 s in a row


# -- lists ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("", "page", "The field Page must be greater than or equal to 1."),
        ("page=0", "page", "The field Page must be greater than or equal to 1."),
        ("page=abc", "page", "The value 'abc' is not valid for Page."),
        ("page=1&pageSize=0", "pageSize", "The field PageSize must be between 1 and 100."),
        ("page=1&pageSize=101", "pageSize", "The field PageSize must be between 1 and 100."),
        ("page=1&pageSize=x", "pageSize", "The value 'x' is not valid for PageSize."),
    ],
)
def test_paging_parameters_are_validated(
    api: Callable[..., requests.Response], query: str, field: str, message: str
) -> None:
    r = api("GET", "/v1/Core/Contacts?" + query)
    assert r.status_code == 400
    assert r.json() == {"message": "The request is invalid.", "modelState": {field: [message]}}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("sortBy=email", "sortBy"),
        ("sortOrder=upwards", "sortOrder"),
        ("filter.tagIds=1,x", "filter.tagIds"),
        ("filter.contactType=robot", "filter.contactType"),
        ("filter.createdOrUpdatedSince=yesterday", "filter.createdOrUpdatedSince"),
    ],
)
def test_bad_sort_and_filter_values_are_400(
    api: Callable[..., requests.Response], query: str, field: str
) -> None:
    r = api("GET", "/v1/Core/Contacts?page=1&" + query)
    assert r.status_code == 400 and list(r.json()["modelState"]) == [field]


def test_pages_sizes_and_past_the_end(api: Callable[..., requests.Response]) -> None:
    first = api("GET", "/v1/Core/Contacts?page=1").json()
    assert first["pageSize"] == 25 and first["itemCount"] == 25 and first["totalItemCount"] == 60
    assert first["totalPages"] == 3 and [i["id"] for i in first["items"]] == list(range(1, 26))
    second = api("GET", "/v1/Core/Contacts?page=2&pageSize=10").json()
    assert [i["id"] for i in second["items"]] == list(range(11, 21))
    past = api("GET", "/v1/Core/Contacts?page=9&pageSize=10").json()
    assert past["items"] == [] and past["itemCount"] == 0 and past["totalItemCount"] == 60
    unknown = api("GET", "/v1/Core/Contacts?page=1&filter.nonsense=1").json()
    assert unknown["totalItemCount"] == 60


def test_sorting_is_swedish_and_case_insensitive(api: Callable[..., requests.Response]) -> None:
    items = api("GET", "/v1/Core/Contacts?page=1&pageSize=100&SORTBY=name&sortorder=DESCENDING").json()[
        "items"
    ]
    names = [i["name"] for i in items]
    assert names == sorted(names, key=sv_key, reverse=True)
    assert sv_key("Zorn") < sv_key("Åkesson") < sv_key("Ängel") < sv_key("Öberg")
    by_id_desc = api("GET", "/v1/Core/Contacts?page=1&pageSize=5&sortOrder=descending").json()["items"]
    assert [i["id"] for i in by_id_desc] == [60, 59, 58, 57, 56]


def test_documented_filters(shared: SandboxServer, api: Callable[..., requests.Response]) -> None:
    every = shared.records("contacts")
    companies = api("GET", "/v1/Core/Contacts?page=1&pageSize=100&filter.contactType=Company").json()
    assert {i["id"] for i in companies["items"]} == {c["id"] for c in every if c["contactType"] == "Company"}
    tagged = api("GET", "/v1/Core/Contacts?page=1&pageSize=100&filter.tagids=1,2").json()
    assert {i["id"] for i in tagged["items"]} == {
        c["id"] for c in every if {1, 2} <= {t["id"] for t in c["tags"]}
    }
    query = api("GET", "/v1/Core/Contacts", params={"page": 1, "filter.query": "björk & SÖN"}).json()
    assert 1 in {i["id"] for i in query["items"]}
    reports = api(
        "GET",
        "/v1/Core/TimeReports?page=1&pageSize=100&filter.userIds=2,3&filter.from=2024-01-01"
        "&filter.to=2024-02-15",
    ).json()["items"]
    assert reports and all(
        r["user"]["id"] in (2, 3) and "2024-01-01" <= r["date"] <= "2024-02-15" for r in reports
    )
    no_board = api("GET", "/v1/Core/Tasks?page=1&pageSize=100&filter.taskBoardId=-1").json()["items"]
    assert no_board and all(t["board"] is None for t in no_board)


def test_created_or_updated_since_is_exact_and_inclusive(srv: SandboxServer) -> None:
    s = session(srv)
    seeded = [c for c in srv.records("contacts") if c["lastUpdated"]]
    pivot = sorted(c["lastUpdated"] for c in seeded)[len(seeded) // 2]
    since = pivot[:19]
    expected = {
        c["id"]
        for c in srv.records("contacts")
        if c["created"][:19] >= since or (c["lastUpdated"] or "")[:19] >= since
    }
    got = s.get(
        srv.url + "/v1/Core/Contacts",
        params={"page": 1, "pageSize": 100, "filter.createdOrUpdatedSince": since},
        timeout=10,
    ).json()
    assert {i["id"] for i in got["items"]} == expected and got["totalItemCount"] == len(expected)
    edited = srv.edit("contacts", 7, {"phoneNumber": "0911-10000"})
    stamp = edited["lastUpdated"][:19]
    just = s.get(
        srv.url + "/v1/Core/Contacts", timeout=10, params={"page": 1, "filter.createdOrUpdatedSince": stamp}
    ).json()
    assert [i["id"] for i in just["items"]] == [7]
    later = (datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S") + timedelta(seconds=1)).strftime(
        "%Y-%m-%d %H:%M:%S"
    )
    after = s.get(
        srv.url + "/v1/Core/Contacts", timeout=10, params={"page": "1", "filter.createdOrUpdatedSince": later}
    ).json()
    assert after["items"] == []


# -- shapes -----------------------------------------------------------------------------------


def test_list_and_detail_shapes_differ_as_documented(api: Callable[..., requests.Response]) -> None:
    item = api("GET", "/v1/Core/Contacts?page=1").json()["items"][1]
    detail = api("GET", "/v1/Core/Contacts/2").json()
    assert set(item) == CONTACT_LIST_KEYS and item["objectName"] == "contact.list"
    assert set(detail) == CONTACT_DETAIL_KEYS and detail["objectName"] == "contact.detail"
    assert item["contactType"] == "person" and detail["contactType"] == "Person"
    assert detail["company"] == {"objectName": "generic.name_id", "id": 1, "name": "Björk & Söner AB"}
    assert detail["visitingAddress"] is None or detail["visitingAddress"]["objectName"] == "generic.address"
    assert DT_RE.match(detail["created"])
    project = api("GET", "/v1/Core/Projects?page=1").json()["items"][0]
    assert project["objectName"] == "project.list"
    assert project["invoiceType"] in ("Ongoing", "FixedPrice", "None")
    assert re.match(r"^\d{4}-\d\d-\d\d$", project["startDate"] or "2024-01-01")
    full = api("GET", f"/v1/Core/Projects/{project['id']}").json()
    assert full["objectName"] == "project.detail" and set(full) == set(project) | {"description"}


def test_seed_carries_the_awkward_values(
    shared: SandboxServer, api: Callable[..., requests.Response]
) -> None:
    contacts = shared.records("contacts")
    first = contacts[0]
    assert first["name"] == "Björk & Söner AB" and first["customerNumber"] == "0001"
    assert first["importantInformation"] == "=SUM(A1:A3)"
    assert contacts[1]["cellPhoneNumber"] == "0707788994" and contacts[1]["company"]["id"] == 1
    assert any(c["email"] is None for c in contacts) and any(c["email"] == "" for c in contacts)
    assert any(c["lastUpdated"] is None for c in contacts)
    articles = api("GET", "/v1/Admin/Articles?page=1&filter.query=12345678901234567").json()["items"]
    assert [a["articleNumber"] for a in articles] == ["12345678901234567"]
    cars = api("GET", "/v1/Admin/CompanyCars?page=1").json()["items"]
    assert {c["type"] for c in cars} == {"CompanyCar", "OfficalCar"}
    for path in (
        "/v1/Admin/Users",
        "/v1/Core/Tasks",
        "/v1/Core/TaskBoards",
        "/v1/Core/TimeReports",
        "/v1/Admin/ContactTags",
        "/v1/Admin/Activities",
        "/v1/Admin/TimeCodes",
        "/v1/Admin/AbsenceProjects",
        "/v1/Admin/InternalProjects",
        "/v1/Admin/Equipments",
        "/v1/Admin/Allowances",
        "/v1/Admin/TimeArticles",
        "/v1/Admin/TimeAdditions",
    ):
        body = api("GET", path + "?page=1").json()
        assert body["objectName"] == "generic.pagedlist" and body["totalItemCount"] >= 3, path


def test_seeding_is_deterministic_and_fast() -> None:
    t0 = time.monotonic()
    with SandboxServer(SandboxConfig(contacts=2000, seed=7)) as a:
        elapsed = time.monotonic() - t0
        with (
            SandboxServer(SandboxConfig(contacts=2000, seed=7)) as b,
            SandboxServer(SandboxConfig(contacts=2000, seed=8)) as c,
        ):
            assert a.records("contacts") == b.records("contacts")
            assert a.records("time-reports") == b.records("time-reports")
            assert a.records("contacts") != c.records("contacts")
            assert len(a.records("contacts")) == 2000
    assert elapsed < 3.0


# -- writes -----------------------------------------------------------------------------------


def test_create_is_201_and_put_is_a_full_replacement(srv: SandboxServer) -> None:
    s = session(srv)
    body = new_contact(
        customerNumber="0999",
        email="orjan@example.com",
        isActive=True,
        tagIds=[1, 3],
        visitingAddress={"streetAddress": "Åvägen 1", "postalCode": "94132", "city": "Piteå", "countryId": 1},
    )
    created = s.post(srv.url + "/v1/Core/Contacts", json=body, timeout=10)
    assert created.status_code == 201
    c = created.json()
    assert (
        c["objectName"] == "contact.detail" and c["contactType"] == "Person" and c["customerNumber"] == "0999"
    )
    assert [t["id"] for t in c["tags"]] == [1, 3] and c["visitingAddress"]["countryName"] == "Sverige"
    assert c["createdBy"]["id"] == 1 and c["lastUpdated"] is None and DT_RE.match(c["created"])
    put = s.put(
        f"{srv.url}/v1/Core/Contacts/{c['id']}",
        json={"name": "Örjan Å.", "contactType": "PERSON", "responsibleId": 3},
        timeout=10,
    )
    assert put.status_code == 200
    u = put.json()
    assert u["name"] == "Örjan Å." and u["email"] is None and u["tags"] == [] and u["visitingAddress"] is None
    assert u["isActive"] is False and u["customerNumber"] not in (None, "0999")  # re-assigned, as documented
    assert u["lastUpdatedBy"]["id"] == 1 and DT_RE.match(u["lastUpdated"]) and u["created"] == c["created"]
    assert s.get(f"{srv.url}/v1/Core/Contacts/{c['id']}", timeout=10).json() == u


def test_tags_alias_trailing_commas_and_auto_customer_numbers(srv: SandboxServer) -> None:
    s = session(srv)
    numbers = [
        int(c["customerNumber"]) for c in srv.records("contacts") if (c["customerNumber"] or "").isdigit()
    ]
    raw = (
        '{"name": "Lotta Larsson", "contactType": "Person", "responsibleId": 5, "tags": [2], '
        '"visitingAddress": {"streetAddress": "Solberga", "countryId": 1, }, }'
    )
    r = s.post(
        srv.url + "/v1/Core/Contacts",
        data=raw.encode(),
        timeout=10,
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 201
    assert [t["id"] for t in r.json()["tags"]] == [2]
    assert r.json()["customerNumber"] == str(max(numbers) + 1)
    dup = s.post(srv.url + "/v1/Core/Contacts", json=new_contact(customerNumber="0001"), timeout=10)
    assert dup.status_code == 201  # customer numbers are not unique


def test_missing_required_fields_and_bad_ids_are_400_model_state(srv: SandboxServer) -> None:
    s = session(srv)
    r = s.post(srv.url + "/v1/Core/Contacts", json={}, timeout=10)
    assert r.status_code == 400 and r.json()["message"] == "The request is invalid."
    assert set(r.json()["modelState"]) == {"name", "contactType", "responsibleId"}
    person = next(c["id"] for c in srv.records("contacts") if c["contactType"] == "Person")
    bad = s.post(
        srv.url + "/v1/Core/Contacts",
        timeout=10,
        json=new_contact(responsibleId=999, companyId=person, visitingAddress={"countryId": 99}),
    )
    assert set(bad.json()["modelState"]) == {"responsibleId", "companyId", "visitingAddress.countryId"}
    empty = s.post(srv.url + "/v1/Core/Contacts", data=b"", timeout=10)
    assert empty.status_code == 400 and "body" in empty.json()["modelState"]
    before = len(srv.records("contacts"))
    for method in ("GET", "PUT", "DELETE"):
        missing = s.request(method, srv.url + "/v1/Core/Contacts/99999", json=new_contact(), timeout=10)
        assert missing.status_code == 400 and "modelState" in missing.json()
    assert len(srv.records("contacts")) == before


def test_delete_contact_is_200_with_empty_body(srv: SandboxServer) -> None:
    s = session(srv)
    r = s.delete(srv.url + "/v1/Core/Contacts/60", timeout=10)
    assert r.status_code == 200 and r.content == b""
    assert s.get(srv.url + "/v1/Core/Contacts/60", timeout=10).status_code == 400


def test_projects_tasks_and_time_reports(srv: SandboxServer) -> None:
    s = session(srv)
    p = s.post(
        srv.url + "/v1/Core/Projects",
        json={"title": "Takbyte", "invoiceType": "fixedPrice", "customerId": 1, "startDate": "2024-05-01"},
        timeout=10,
    )
    assert p.status_code == 201 and p.json()["invoiceType"] == "Ongoing"  # always created as Ongoing
    pid = p.json()["id"]
    up = s.put(
        f"{srv.url}/v1/Core/Projects/{pid}",
        json={"title": "Takbyte", "invoiceType": "FIXEDPRICE", "customerId": 1},
        timeout=10,
    ).json()
    assert up["invoiceType"] == "FixedPrice" and up["customer"]["id"] == 1 and up["startDate"] is None
    t = s.post(
        srv.url + "/v1/Core/Tasks",
        json={
            "title": "Beställ plåt",
            "projectId": pid,
            "memberIds": [2],
            "startDate": "2024-05-02 07:00:00",
            "isCompleted": True,
        },
        timeout=10,
    )
    assert t.status_code == 200 and t.json()["startTime"] == "07:00" and t.json()["completedDate"]
    assert (
        s.get(f"{srv.url}/v1/Core/Tasks/{t.json()['id']}", timeout=10).status_code == 404
    )  # no get in the docs
    missing = s.post(srv.url + "/v1/Core/TimeReports", json={"date": "2024-05-02"}, timeout=10)
    assert set(missing.json()["modelState"]) == {
        "hours",
        "invoiceableHours",
        "userId",
        "activityId",
        "timeCodeId",
        "timeArticleId",
    }
    tr = s.post(
        srv.url + "/v1/Core/TimeReports",
        timeout=10,
        json={
            "date": "2024-05-02 00:00:00",
            "hours": 7.75,
            "invoiceableHours": 7.0,
            "userId": 3,
            "projectId": pid,
            "activityId": 1,
            "timeCodeId": 1,
            "timeArticleId": 1,
            "taskId": t.json()["id"],
            "clockStart": "07:00",
            "materials": [{"articleId": 2, "title": "Brytjärn", "units": 2, "unitPrice": 125.0}],
        },
    )
    assert tr.status_code == 200
    report = tr.json()
    assert report["objectName"] == "timereport.detail" and report["date"] == "2024-05-02"
    assert report["contact"]["id"] == 1 and report["materials"][0]["amount"] == 250.0
    blocked = s.delete(f"{srv.url}/v1/Core/Tasks/{t.json()['id']}", timeout=10)
    assert blocked.status_code == 400  # the task has time reported on it
    attested = next(r for r in srv.records("time-reports") if r["attestedDate"])
    assert s.delete(f"{srv.url}/v1/Core/TimeReports/{attested['id']}", timeout=10).status_code == 400
    assert s.delete(f"{srv.url}/v1/Core/TimeReports/{report['id']}", timeout=10).status_code == 200
    assert s.delete(f"{srv.url}/v1/Core/Tasks/{t.json()['id']}", timeout=10).status_code == 200
    comments = s.get(srv.url + "/v1/Core/Tasks/99999/Comments?page=1", timeout=10)
    assert comments.status_code == 400


# -- faults ------------------------------------------------------------------------------------


def test_fail_rate_gives_503_html_before_anything_but_tokens_still_work() -> None:
    with SandboxServer(config(contacts=3, fail_rate=1.0)) as srv:
        s = session(srv)  # the token endpoint is exempt
        r = s.post(srv.url + "/v1/Core/Contacts", json=new_contact(), timeout=10)
        assert r.status_code == 503 and r.headers["Content-Type"].startswith("text/html")
        with pytest.raises(ValueError):
            json.loads(r.text)
        assert len(srv.records("contacts")) == 3


def test_drop_after_commit_commits_but_the_client_sees_a_dropped_connection() -> None:
    with SandboxServer(config(contacts=3, drop_after_commit=1.0)) as srv:
        s = session(srv)
        with pytest.raises(requests.ConnectionError):
            s.post(srv.url + "/v1/Core/Contacts", json=new_contact(name="Tappad Anslutning"), timeout=10)
        assert [c["name"] for c in srv.records("contacts")][-1] == "Tappad Anslutning"
        with pytest.raises(requests.ConnectionError):
            s.put(srv.url + "/v1/Core/Contacts/3", json=new_contact(name="Ändrad"), timeout=10)
        assert srv.records("contacts")[2]["name"] == "Ändrad"
        assert s.get(srv.url + "/v1/Core/Contacts/3", timeout=10).status_code == 200  # reads are not dropped
        assert [(m, st) for m, _p, st in srv.request_log()] == [("POST", 201), ("PUT", 200), ("GET", 200)]


# -- edits, controls, persistence --------------------------------------------------------------


def test_edit_acts_as_another_user(srv: SandboxServer) -> None:
    before = next(c for c in srv.records("contacts") if c["id"] == 2)
    after = srv.edit(
        "contacts", 2, {"email": "ny@example.com", "visitingAddress": {"city": "Luleå"}, "tagIds": [4]}
    )
    assert after["email"] == "ny@example.com" and [t["id"] for t in after["tags"]] == [4]
    assert after["visitingAddress"]["city"] == "Luleå"
    assert after["visitingAddress"]["streetAddress"] == before["visitingAddress"]["streetAddress"]
    assert after["lastUpdatedBy"]["id"] == 2 and after["lastUpdated"] != before["lastUpdated"]
    stamp = datetime.strptime(after["lastUpdated"], "%Y-%m-%d %H:%M:%S %z")
    assert abs((datetime.now(UTC) - stamp).total_seconds()) < 5
    s = session(srv)
    assert s.get(srv.url + "/v1/Core/Contacts/2", timeout=10).json() == after
    with pytest.raises(ValueError):
        srv.edit("contacts", 2, {"favouriteColour": "blå"})
    with pytest.raises(KeyError):
        srv.edit("contacts", 99999, {"email": "x"})
    task = srv.edit("tasks", 1, {"title": "Ny titel"})
    assert task["title"] == "Ny titel" and task["updatedDate"]


def test_sandbox_control_endpoints(srv: SandboxServer) -> None:
    s = session(srv)
    s.get(srv.url + "/v1/Core/Contacts?page=1", timeout=10)
    s.get(srv.url + "/v1/nothing", timeout=10)
    stats = requests.get(srv.url + "/_sandbox/stats", timeout=10).json()
    assert stats == {"GET": 2, "POST": 0, "PUT": 0, "DELETE": 0, "429": 0, "total": 2}
    edited = requests.post(
        srv.url + "/_sandbox/edit/contacts/5",
        timeout=10,
        json={"importantInformation": "@ändrad av kollega", "visitingAddress": {"city": "Umeå"}},
    )
    assert edited.status_code == 200 and edited.json()["lastUpdatedBy"]["id"] == 2
    assert (
        s.get(srv.url + "/v1/Core/Contacts/5", timeout=10).json()["importantInformation"]
        == "@ändrad av kollega"
    )
    assert (
        requests.post(srv.url + "/_sandbox/edit/contacts/5", json={"nope": 1}, timeout=10).status_code == 400
    )
    assert requests.post(srv.url + "/_sandbox/edit/contacts/99999", json={}, timeout=10).status_code == 404
    faults = requests.post(srv.url + "/_sandbox/faults", json={"fail_rate": 1}, timeout=10).json()
    assert faults["fail_rate"] == 1.0
    assert s.get(srv.url + "/v1/Core/Contacts?page=1", timeout=10).status_code == 503
    requests.post(srv.url + "/_sandbox/faults", json={"fail_rate": 0}, timeout=10)
    assert requests.post(srv.url + "/_sandbox/faults", json={"fail_rate": 2}, timeout=10).status_code == 400
    assert requests.post(srv.url + "/_sandbox/reset-stats", timeout=10).status_code == 200
    assert srv.stats()["total"] == 0 and srv.request_log() == []
    records = requests.get(srv.url + "/_sandbox/records/countries", timeout=10).json()
    assert [c["name"] for c in records] == ["Sverige", "Norge", "Danmark", "Finland"]
    assert srv.stats()["total"] == 0  # control calls are not counted


def test_routing_quirks(api: Callable[..., requests.Response]) -> None:
    missing = api("GET", "/v1/EndpointThatDoesNotExist")
    assert missing.status_code == 404 and missing.content == b""
    assert api("GET", "/v1/core/contacts?page=1").status_code == 200  # paths are case-insensitive
    assert api("GET", "/V1/ADMIN/TIMECODES/?page=1").status_code == 200
    assert api("PATCH", "/v1/Core/Contacts/1").status_code == 405
    assert api("GET", "/v1/Core/Contacts/abc").status_code == 404


def test_connections_are_kept_alive(shared: SandboxServer) -> None:
    host, port = shared.url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    headers = {"Authorization": "Bearer " + token(shared)}
    try:
        for _ in range(3):
            conn.request("GET", "/v1/Admin/Countries?page=1", headers=headers)
            resp = conn.getresponse()
            assert resp.status == 200 and resp.version == 11
            assert json.loads(resp.read())["itemCount"] == 4
            assert (resp.getheader("Connection") or "").lower() != "close"
    finally:
        conn.close()


def test_data_survives_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "rehearsal.sqlite"
    with SandboxServer(config(db_path=db, contacts=20)) as srv:
        s = session(srv)
        made = s.post(
            srv.url + "/v1/Core/Contacts", json=new_contact(name="Kvar Efter Omstart"), timeout=10
        ).json()
        srv.edit("contacts", 3, {"email": "persistent@example.com"})
        assert s.delete(f"{srv.url}/v1/Core/Contacts/{made['id']}", timeout=10).status_code == 200
        kept = s.post(
            srv.url + "/v1/Core/Contacts", json=new_contact(name="Kvar Efter Omstart"), timeout=10
        ).json()
        snapshot = srv.records("contacts")
    with SandboxServer(config(db_path=db, contacts=500, seed=99)) as again:  # existing data wins over seeding
        assert again.records("contacts") == snapshot
        assert next(c for c in again.records("contacts") if c["id"] == 3)["email"] == "persistent@example.com"
        s = session(again)
        newer = s.post(again.url + "/v1/Core/Contacts", json=new_contact(), timeout=10).json()
        assert newer["id"] == kept["id"] + 1  # ids are not reused after a delete or a restart


def test_banner_explains_how_to_connect_and_edit(shared: SandboxServer) -> None:
    text = shared.banner()
    assert shared.url in text and shared.app_id in text
    assert f"--base-url {shared.url} export contacts" in text and "BLIKK_APP_ID" in text
    assert "/_sandbox/edit/contacts/" in text
