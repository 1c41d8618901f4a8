"""Finsit sandbox: serving under /Api/v2, Basic (ISO-8859-1) and OAuth 1.0a, who sees which company."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import requests
from fs_fixtures import (
    COMPANY_USER,
    CONSULTANT,
    CONSUMER_KEY,
    CONSUMER_SECRET,
    DIRECTOR,
    FIRST_COMPANY,
    FsClient,
    basic_header,
    company_ids,
    fs_server,
)
from requests_oauthlib import OAuth1

from bulktool.sandbox import SandboxServer


@pytest.fixture(scope="module")
def srv() -> Iterator[SandboxServer]:
    with fs_server(companies=5) as server:
        yield server


def _error(r: requests.Response) -> tuple[int, str, str]:
    body = r.json()
    assert set(body) == {"typeOfError", "message", "identifier"}
    assert len(body["identifier"]) == 36
    return r.status_code, body["typeOfError"], body["message"]


def test_director_lists_every_company_as_a_bare_array(srv: SandboxServer) -> None:
    r = FsClient(srv).get("/Company/")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/json; charset=utf-8"
    body = r.json()
    assert isinstance(body, list)
    assert [c["id"] for c in body] == company_ids(5)
    assert body[0]["id"] == "a-testagency-556898-6787"
    assert body[0]["businessIdentityCode"] == "556898-6787"
    assert set(body[0]) == {"id", "typeOfCompany", "name", "businessIdentityCode", "contactInfo",
                            "isVirtualFarmerCompany", "CompanyTypeId"}
    assert set(body[0]["contactInfo"]) == {"name", "address", "postalAddress", "phone"}


def test_basic_password_with_aring_is_iso_8859_1_and_utf8_is_refused(srv: SandboxServer) -> None:
    url = srv.url + "/Api/v2/Me"
    latin = requests.get(url, headers={"Authorization": basic_header(DIRECTOR.user_name, DIRECTOR.password)}, timeout=9)
    assert latin.status_code == 200
    assert latin.json()["userName"] == DIRECTOR.user_name
    assert latin.json()["type"] == "AgencyDirector"
    assert "password" not in latin.json() and "_password" not in latin.json()
    utf8 = requests.get(url, headers={"Authorization": basic_header(DIRECTOR.user_name, DIRECTOR.password, "utf-8")},
                        timeout=9)
    assert _error(utf8) == (401, "Forbidden", "Invalid user name or password.")
    assert utf8.headers["WWW-Authenticate"] == 'Basic realm="Foretagsplatsen"'


def test_no_credentials_is_401_with_the_error_object(srv: SandboxServer) -> None:
    r = requests.get(srv.url + "/Api/v2/Company", timeout=9)
    assert _error(r) == (401, "Forbidden", "Authentication required: use HTTP Basic or OAuth 1.0a.")


def test_company_user_sees_one_company_and_gets_403_on_the_others(srv: SandboxServer) -> None:
    api = FsClient(srv, COMPANY_USER)
    assert [c["id"] for c in api.get("/Company").json()] == [FIRST_COMPANY]
    assert api.get(f"/Company/{FIRST_COMPANY}/FiscalYear").status_code == 200
    other = company_ids(5)[3]
    assert _error(api.get(f"/Company/{other}/FiscalYear")) == (
        403, "Forbidden", f"User '{COMPANY_USER.user_name}' has no access to company '{other}'.")
    assert _error(api.get(f"/Company/{other}"))[0] == 403
    # an id that does not exist is 403 too for a company user (it cannot tell), 404 for the director
    ghost = "a-testagency-000000-0000"
    assert _error(api.get(f"/Company/{ghost}/Comment/"))[0] == 403
    assert _error(FsClient(srv).get(f"/Company/{ghost}/Comment/")) == (404, "NotFound", f"Company '{ghost}' not found")


def test_consultant_sees_its_attached_companies_even_with_show_all(srv: SandboxServer) -> None:
    api = FsClient(srv, CONSULTANT)
    assert [c["id"] for c in api.get("/Company/", showAll="True").json()] == company_ids(2)
    assert api.get(f"/Company/{company_ids(5)[2]}/Comment/").status_code == 403


def test_show_all_takes_true_or_false_only(srv: SandboxServer) -> None:
    api = FsClient(srv)
    assert len(api.get("/Company/", showAll="True").json()) == 5
    assert len(api.get("/Company/", showAll="false").json()) == 5
    assert _error(api.get("/Company/", showAll="yes")) == (
        400, "BadRequest", "showAll must be True or False, not 'yes'.")


def test_unknown_query_parameter_is_400_as_there_is_no_paging(srv: SandboxServer) -> None:
    r = FsClient(srv).get("/Company/", page="2")
    assert _error(r) == (400, "BadRequest", "Unknown query parameter 'page' (this resource takes: showAll).")


def test_oauth_hmac_sha1_in_the_header(srv: SandboxServer) -> None:
    r = FsClient(srv, COMPANY_USER, oauth=True).get("/Me")
    assert r.status_code == 200
    assert r.json()["userName"] == COMPANY_USER.user_name


def test_oauth_in_the_query_string_as_the_vendor_client_sends_it(srv: SandboxServer) -> None:
    auth = OAuth1(CONSUMER_KEY, CONSUMER_SECRET, DIRECTOR.token, DIRECTOR.token_secret,
                  signature_type="query")
    r = requests.get(srv.url + "/Api/v2/Company/", params={"showAll": "True"}, auth=auth, timeout=9)
    assert r.status_code == 200
    assert len(r.json()) == 5


def test_oauth_plaintext_is_accepted(srv: SandboxServer) -> None:
    auth = OAuth1(CONSUMER_KEY, CONSUMER_SECRET, DIRECTOR.token, DIRECTOR.token_secret,
                  signature_method="PLAINTEXT")
    assert requests.get(srv.url + "/Api/v2/Me", auth=auth, timeout=9).status_code == 200


def test_oauth_bad_signature_is_401(srv: SandboxServer) -> None:
    auth = OAuth1(CONSUMER_KEY, "wrong-secret", DIRECTOR.token, DIRECTOR.token_secret)
    r = requests.get(srv.url + "/Api/v2/Me", auth=auth, timeout=9)
    assert _error(r) == (401, "Forbidden", "Invalid OAuth signature.")


def test_oauth_signature_covers_the_query(srv: SandboxServer) -> None:
    auth = OAuth1(CONSUMER_KEY, CONSUMER_SECRET, DIRECTOR.token, DIRECTOR.token_secret)
    prepared = requests.Request("GET", srv.url + "/Api/v2/Company/?showAll=True", auth=auth).prepare()
    assert prepared.url is not None
    prepared.url = prepared.url.replace("showAll=True", "showAll=False")  # tampered after signing
    r = requests.Session().send(prepared, timeout=9)
    assert _error(r) == (401, "Forbidden", "Invalid OAuth signature.")


def test_oauth_replayed_nonce_and_old_timestamp_are_refused(srv: SandboxServer) -> None:
    auth = OAuth1(CONSUMER_KEY, CONSUMER_SECRET, DIRECTOR.token, DIRECTOR.token_secret)
    prepared = requests.Request("GET", srv.url + "/Api/v2/Me", auth=auth).prepare()
    session = requests.Session()
    assert session.send(prepared, timeout=9).status_code == 200
    assert _error(session.send(prepared, timeout=9)) == (401, "Forbidden", "oauth_nonce already used.")
    old = OAuth1(CONSUMER_KEY, CONSUMER_SECRET, DIRECTOR.token, DIRECTOR.token_secret,
                 timestamp=str(int(time.time()) - 3600), nonce="n-old")
    r = requests.get(srv.url + "/Api/v2/Me", auth=old, timeout=9)
    assert _error(r) == (401, "Forbidden", "oauth_timestamp is more than 10 minutes off the server's clock.")


def test_oauth_unknown_token_is_401(srv: SandboxServer) -> None:
    auth = OAuth1(CONSUMER_KEY, CONSUMER_SECRET, "no-such-token", "x")
    r = requests.get(srv.url + "/Api/v2/Me", auth=auth, timeout=9)
    assert _error(r) == (401, "Forbidden", "Unknown OAuth consumer key or access token.")


def test_paths_outside_api_v2_are_404(srv: SandboxServer) -> None:
    r = FsClient(srv).http.get(srv.url + "/v2/Company", timeout=9)
    assert _error(r) == (404, "NotFound", "No resource at '/v2/Company'")
