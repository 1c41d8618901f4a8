"""Tripletex sandbox: session flow, Basic auth, companies, rate-limit headers and the error envelope."""

from __future__ import annotations

import base64
import json
import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import requests
from tt_fixtures import CLIENT_A, CLIENT_B, OTHER_COMPANY, TtClient, session_token, tt_base_url, tt_server

from bulktool.sandbox import SandboxServer

OSLO = ZoneInfo("Europe/Oslo")


def _create(srv: SandboxServer, **params: str) -> requests.Response:
    return requests.put(tt_base_url(srv) + "/token/session/:create", params=params, timeout=10)


def _oslo_today() -> date:
    return datetime.now(OSLO).date()


def test_session_create_needs_no_auth_header_and_answers_value_with_token(tt_sandbox: SandboxServer) -> None:
    r = _create(tt_sandbox, consumerToken="sandbox-app", employeeToken="sandbox-secret",
                expirationDate=(_oslo_today() + timedelta(days=1)).isoformat())
    assert r.status_code == 200
    value = r.json()["value"]
    assert {"id", "version", "url", "consumerToken", "employeeToken", "expirationDate", "token"} <= set(value)
    assert json.loads(base64.b64decode(value["token"]))  # base64 text of a small JSON object
    assert value["url"].startswith("tripletex.no/v2/")


def test_wrong_consumer_token_is_422_18000_naming_arg_consumer_token(tt_sandbox: SandboxServer) -> None:
    r = _create(tt_sandbox, consumerToken="nope", employeeToken="sandbox-secret", expirationDate="2099-01-01")
    body = r.json()
    assert (r.status_code, body["code"]) == (422, 18000)
    assert body["validationMessages"][0]["field"] == "arg:consumerToken"
    assert body["validationMessages"][0]["message"] == "The consumer token is invalid or does not exist."


def test_wrong_employee_token_names_arg_employee_token(tt_sandbox: SandboxServer) -> None:
    r = _create(tt_sandbox, consumerToken="sandbox-app", employeeToken="nope", expirationDate="2099-01-01")
    assert (r.status_code, r.json()["code"]) == (422, 18000)
    assert r.json()["validationMessages"][0]["field"] == "arg:employeeToken"


def test_session_for_today_fails_at_once_with_401(tt_sandbox: SandboxServer) -> None:
    token = session_token(tt_sandbox, expiration=_oslo_today().isoformat())
    r = requests.get(tt_base_url(tt_sandbox) + "/customer", auth=("0", token), timeout=10)
    assert (r.status_code, r.json()["code"], r.json()["developerMessage"]) == (401, 3000, "Could not log in")


def test_session_expires_at_midnight_oslo_at_the_start_of_its_expiration_date(tt_sandbox: SandboxServer) -> None:
    expiry = _oslo_today() + timedelta(days=3)
    token = session_token(tt_sandbox, expiration=expiry.isoformat())
    midnight = datetime(expiry.year, expiry.month, expiry.day, tzinfo=OSLO).astimezone(UTC)
    url = tt_base_url(tt_sandbox) + "/token/session/>whoAmI"
    tt_sandbox.set_clock_offset((midnight - datetime.now(UTC)).total_seconds() - 30)  # 23:59:30 the day before
    assert requests.get(url, auth=("0", token), timeout=10).status_code == 200
    tt_sandbox.set_clock_offset((midnight - datetime.now(UTC)).total_seconds() + 30)  # 00:00:30 on the day
    assert requests.get(url, auth=("0", token), timeout=10).status_code == 401


def test_clock_can_be_moved_over_http(tt_sandbox: SandboxServer) -> None:
    token = session_token(tt_sandbox, expiration=(_oslo_today() + timedelta(days=1)).isoformat())
    r = requests.post(tt_sandbox.url + "/_sandbox/clock", json={"offset_seconds": 3 * 86400}, timeout=10)
    assert r.status_code == 200
    assert requests.get(tt_base_url(tt_sandbox) + "/customer", auth=("0", token), timeout=10).status_code == 401


def test_non_numeric_basic_user_is_401_3000(tt_sandbox: SandboxServer) -> None:
    token = session_token(tt_sandbox)
    r = requests.get(tt_base_url(tt_sandbox) + "/customer", auth=("abc", token), timeout=10)
    body = r.json()
    assert (r.status_code, body["code"]) == (401, 3000)
    assert body["developerMessage"] == "Authorization header has invalid username: abc"


def test_missing_or_unknown_session_is_401_3000(tt_sandbox: SandboxServer) -> None:
    assert requests.get(tt_base_url(tt_sandbox) + "/customer", timeout=10).json()["code"] == 3000
    r = requests.get(tt_base_url(tt_sandbox) + "/customer", auth=("0", "bm90LWEtdG9rZW4="), timeout=10)
    assert (r.status_code, r.json()["message"]) == (401, "Unauthorized")


def test_company_without_access_is_403_9000(tt_sandbox: SandboxServer) -> None:
    r = TtClient(tt_sandbox, company=OTHER_COMPANY).get("/customer")
    body = r.json()
    assert (r.status_code, body["code"]) == (403, 9000)
    assert body["message"] == "You do not have permission to access this feature."


def test_accountant_lists_two_client_companies_with_login_access(tt_sandbox: SandboxServer) -> None:
    values = TtClient(tt_sandbox).get("/company/>withLoginAccess", fields="id,name").json()["values"]
    ids = [v["id"] for v in values]
    assert CLIENT_A in ids and CLIENT_B in ids and OTHER_COMPANY not in ids


def test_each_client_company_has_its_own_data_under_the_same_ids(tt_sandbox: SandboxServer) -> None:
    names = {}
    for company in (0, CLIENT_A, CLIENT_B):
        r = TtClient(tt_sandbox, company=company).get("/customer/1000001", fields="id,name")
        assert r.status_code == 200
        names[company] = r.json()["value"]["name"]
    assert len(set(names.values())) == 3


def test_who_am_i_names_the_company_acted_for(tt_sandbox: SandboxServer) -> None:
    value = TtClient(tt_sandbox, company=CLIENT_A).get("/token/session/>whoAmI").json()["value"]
    assert value["companyId"] == CLIENT_A
    assert value["employee"]["url"].startswith("tripletex.no/v2/employee/")


def test_another_account_has_its_own_tokens_company_and_data(tt_sandbox: SandboxServer) -> None:
    other = TtClient(tt_sandbox, account=2)
    companies = other.get("/company/>withLoginAccess", fields="id").json()["values"]
    assert [c["id"] for c in companies] == [OTHER_COMPANY]
    mine = TtClient(tt_sandbox).get("/customer/1000001", fields="name").json()["value"]["name"]
    assert other.get("/customer/1000001", fields="name").json()["value"]["name"] != mine
    assert TtClient(tt_sandbox, company=CLIENT_A, account=2).get("/customer").status_code == 403


def test_rate_limit_headers_on_every_response_including_errors() -> None:
    with tt_server(rate_limit=20, rate_period=5) as srv:
        api = TtClient(srv)
        for r in (api.get("/customer", count=1), api.get("/nothing-here"), api.get("/customer/1"),
                  requests.get(tt_base_url(srv) + "/customer", timeout=10),
                  _create(srv, consumerToken="x", employeeToken="y", expirationDate="2099-01-01")):
            assert r.headers["X-Rate-Limit-Limit"] == "20"
            assert int(r.headers["X-Rate-Limit-Remaining"]) <= 20
            assert 0 <= int(r.headers["X-Rate-Limit-Reset"]) <= 5
            assert r.headers["x-tlx-request-id"]


def test_remaining_counts_down_and_over_the_limit_everything_is_429_until_the_period_ends() -> None:
    with tt_server(rate_limit=20, rate_period=1.5) as srv:
        api = TtClient(srv)
        remaining = [int(api.get("/customer", count=1).headers["X-Rate-Limit-Remaining"]) for _ in range(20)]
        assert remaining == list(range(19, -1, -1))
        over = [api.get(path) for path in ("/customer", "/product", "/token/session/>whoAmI")]
        assert [r.status_code for r in over] == [429, 429, 429]
        assert over[0].headers["X-Rate-Limit-Remaining"] == "0"
        time.sleep(float(over[-1].headers["X-Rate-Limit-Reset"]) + 0.1)  # the period under test must end
        assert api.get("/customer", count=1).status_code == 200
        assert srv.stats()["429"] == 3


def test_429_can_lack_the_reset_header() -> None:
    with tt_server(rate_limit=2, rate_period=30, rate_reset_on_429=False) as srv:
        api = TtClient(srv)
        assert "X-Rate-Limit-Reset" in api.get("/customer", count=1).headers
        api.get("/customer", count=1)
        r = api.get("/customer", count=1)
        assert r.status_code == 429 and "X-Rate-Limit-Reset" not in r.headers
        assert r.headers["X-Rate-Limit-Limit"] == "2"


def test_error_envelope_has_every_key_and_the_request_id_of_its_header(tt_sandbox: SandboxServer) -> None:
    r = TtClient(tt_sandbox).get("/customer/42")
    body = r.json()
    assert r.status_code == 404
    assert list(body) == ["status", "code", "message", "link", "developerMessage", "validationMessages", "requestId"]
    assert (body["status"], body["code"], body["message"]) == (404, 6000, "Object not found")
    assert body["link"] == "https://tripletex.no/v2-docs/"
    assert body["requestId"] == r.headers["x-tlx-request-id"]


def test_unknown_path_is_404_and_unsupported_verb_405(tt_sandbox: SandboxServer) -> None:
    api = TtClient(tt_sandbox)
    assert api.get("/nothing").status_code == 404
    assert api.delete("/contact/3000001").status_code == 405  # the spec has no DELETE /contact/{id}


def test_session_can_also_be_created_by_post_with_a_json_body(tt_sandbox: SandboxServer) -> None:
    r = requests.post(tt_base_url(tt_sandbox) + "/token/session/:create", timeout=10, json={
        "consumerToken": "sandbox-app", "employeeToken": "sandbox-secret",
        "expirationDate": (_oslo_today() + timedelta(days=1)).isoformat()})
    assert r.status_code == 201
    token = r.json()["value"]["token"]
    assert requests.get(tt_base_url(tt_sandbox) + "/customer", auth=("0", token), timeout=10).status_code == 200


def test_blank_basic_user_means_the_tokens_own_company(tt_sandbox: SandboxServer) -> None:
    token = session_token(tt_sandbox)
    r = requests.get(tt_base_url(tt_sandbox) + "/token/session/>whoAmI", auth=("", token), timeout=10)
    assert r.status_code == 200 and r.json()["value"]["companyId"] == 1_200_001
