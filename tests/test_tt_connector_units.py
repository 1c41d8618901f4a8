"""The Tripletex connector's pure pieces: the error mapper on recorded envelopes, the codec, ``fields``,
the paginator, the base URL rule, token redaction and the company setting in config and profiles."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests
from requests.structures import CaseInsensitiveDict

from bulktool.config import resolve_connection, save_profile, show_profile
from bulktool.errors import (
    ApiError,
    AuthenticationError,
    BatchRejected,
    NotFound,
    ServerError,
    UsageError,
    ValidationFailed,
    VersionConflict,
)
from bulktool.http.security import redact
from bulktool.schema.loader import load_templates
from bulktool.vendors.tripletex import TripletexConnector, codec
from bulktool.vendors.tripletex.auth import register_token
from bulktool.vendors.tripletex.connector import endpoint_fields, fields_param
from bulktool.vendors.tripletex.errors import tripletex_error
from bulktool.vendors.tripletex.paging import OffsetPaginator


def answer(status: int, body: Any, headers: dict[str, str] | None = None) -> requests.Response:
    resp = requests.Response()
    resp.status_code = status
    resp._content = json.dumps(body).encode() if not isinstance(body, bytes) else body
    resp.headers = CaseInsensitiveDict({"Content-Type": "application/json", **(headers or {})})
    return resp


def envelope(status: int, code: int, message: str, vms: list[dict[str, Any]] | None = None,
             developer: str | None = None, rid: str = "a1b2-c3") -> dict[str, Any]:
    return {"status": status, "code": code, "message": message, "link": "https://tripletex.no/v2-docs/",
            "developerMessage": developer, "validationMessages": vms, "requestId": rid}


# -- the error mapper ---------------------------------------------------------------------------
def test_a_bulk_422_names_each_failing_position_verbatim() -> None:
    body = envelope(422, 18000, "Validering feilet.", [
        {"field": "number", "message": "Produktnummeret 42 er i bruk.", "path": "[3].number", "rootId": 3},
        {"field": "name", "message": "Feltet må fylles ut.", "path": "[7].name", "rootId": 7},
        {"field": "name", "message": "Kan ikke være null.", "path": "[7].name", "rootId": 7},
    ], developer="VALIDATION_ERROR")
    err = tripletex_error(answer(422, body), "POST", "http://127.0.0.1:1/v2/product/list")
    assert isinstance(err, BatchRejected)
    assert err.items == {3: ["number: Produktnummeret 42 er i bruk."],
                         7: ["name: Feltet må fylles ut.", "name: Kan ikke være null."]}
    assert err.request_id == "a1b2-c3" and "(requestId a1b2-c3)" in str(err)
    assert "a business rule refused it (HTTP 422, code 18000)" in str(err)
    assert "POST /v2/product/list" in str(err) and "127.0.0.1" not in str(err)


def test_a_single_object_422_is_validation_with_its_fields() -> None:
    body = envelope(422, 15000, "Validation failed",
                    [{"field": "name", "message": "Kan ikke være null.", "path": "null.name", "rootId": None}])
    err = tripletex_error(answer(422, body), "POST", "/v2/customer")
    assert type(err) is ValidationFailed
    assert err.field_errors == {"name": ["Kan ikke være null."]}
    assert "a value is invalid (HTTP 422, code 15000): name: Kan ikke være null." in str(err)


def test_version_conflict_and_duplicates() -> None:
    stale = tripletex_error(answer(409, envelope(409, 8000, "RevisionException")), "PUT", "/v2/customer/5")
    assert isinstance(stale, VersionConflict) and "changed by someone else" in str(stale)
    dup = tripletex_error(answer(409, envelope(409, 7000, "Det er allerede registrert timer på den ansatte på "
                                                            "denne dagen")), "POST", "/v2/timesheet/entry")
    assert type(dup) is ValidationFailed and "would duplicate a record" in str(dup)
    assert "Det er allerede registrert timer" in str(dup)
    assert "duplicate" in str(tripletex_error(answer(422, envelope(422, 14000, "Duplikat")), "POST", "/v2/x"))


@pytest.mark.parametrize(("code", "words"), [
    (16000, "does not fit the API's model"),
    (11000, "template may not match"),
    (23000, "result set is too large"),
])
def test_the_documented_codes_have_their_own_words(code: int, words: str) -> None:
    err = tripletex_error(answer(400, envelope(400, code, "x")), "GET", "/v2/customer")
    assert words in str(err) and f"code {code}" in str(err)


def test_the_request_id_header_stands_in_for_a_body_without_one() -> None:
    err = tripletex_error(answer(500, b"<html><title>Bad gateway</title></html>", {"x-tlx-request-id": "hdr-9"}),
                          "GET", "/v2/customer")
    assert isinstance(err, ServerError) and err.request_id == "hdr-9" and "requestId hdr-9" in str(err)


def test_auth_errors() -> None:
    bad_user = envelope(401, 3000, "Unauthorized", developer="Authorization header has invalid username: acme")
    err = tripletex_error(answer(401, bad_user), "GET", "/v2/customer")
    assert isinstance(err, AuthenticationError) and "--company" in str(err)
    gone = tripletex_error(answer(404, envelope(404, 6000, "Object not found")), "GET", "/v2/customer/9")
    assert isinstance(gone, NotFound)
    token = envelope(422, 18000, "Validering feilet.",
                     [{"field": "arg:employeeToken", "message": "The employee token is invalid or does not exist."}])
    err = tripletex_error(answer(422, token), "PUT", "/v2/token/session/:create")
    assert isinstance(err, AuthenticationError)
    assert "the employee token is invalid" in str(err) and "TRIPLETEX_EMPLOYEE_TOKEN" in str(err)


def test_an_unknown_status_is_still_an_api_error_with_the_message() -> None:
    err = tripletex_error(answer(418, envelope(418, 99, "Teapot")), "GET", "/v2/x")
    assert type(err) is ApiError and "Teapot" in str(err)


# -- codec, fields, paging -------------------------------------------------------------------------
def test_from_wire_drops_url_at_any_depth_and_unwraps_value() -> None:
    got = codec.from_wire({"value": {"id": 1, "url": "tripletex.no/v2/customer/1",
                                     "accountManager": {"id": 7, "url": "tripletex.no/v2/employee/7"},
                                     "categories": [{"id": 2, "url": "u"}], "email": ""}})
    assert got == {"id": 1, "accountManager": {"id": 7}, "categories": [{"id": 2}], "email": ""}


def test_to_wire_sends_iso_8601_datetimes_and_no_url() -> None:
    from bulktool.schema.model import Column, Endpoint

    ep = Endpoint("x", "tripletex", 1, "X", "/x", columns=(Column("when", "datetime", write="when"),
                                                           Column("day", "date", write="day")))
    conn = TripletexConnector("https://tripletex.no/v2", TripletexConnector.credentials(
        consumer_token="unit-consumer-token-0001", employee_token="unit-employee-token-0001"))
    body = conn.to_wire(ep, {"when": "2024-05-01T10:00:00Z", "day": "2024-05-01", "ref": {"id": 3, "url": "u"}})
    assert body == {"when": "2024-05-01T10:00:00Z", "day": "2024-05-01", "ref": {"id": 3}}


def test_fields_param_nests_dotted_names() -> None:
    assert fields_param(["id", "version", "name", "postalAddress.id", "postalAddress.city", "accountManager.id"]) \
        == "id,version,name,postalAddress(id,city),accountManager(id)"
    assert fields_param(["a.b.c", "a.d", "e"], whole={"e"}) == "a(b(c),d),e(*)"


def test_every_template_field_selection_names_its_version_and_keys() -> None:
    for ep in load_templates("tripletex").values():
        got = endpoint_fields(ep).split(",")
        assert got[0] == ep.id_field
        for name in (ep.version_field, *ep.natural_key):
            if name:
                assert name in got


def test_offset_paging_is_from_count_and_stops_at_a_short_page() -> None:
    p = OffsetPaginator()
    assert p.params_for(1) == {"from": 0, "count": 1000} and p.params_for(3) == {"from": 2000, "count": 1000}
    page = p.parse(1, {"fullResultSize": 2500, "from": 0, "count": 1000, "versionDigest": "d", "values": [{}] * 1000})
    assert page.total_pages == 3 and p.has_more(page)
    last = p.parse(3, {"fullResultSize": 2500, "values": [{}] * 500})
    assert not p.has_more(last)
    with pytest.raises(ValueError):
        p.parse(1, {"value": {}})


# -- base URL and secrets ---------------------------------------------------------------------------
def test_the_base_url_must_be_the_api_root_with_v2() -> None:
    assert TripletexConnector.check_base_url("https://tripletex.no/v2/") == "https://tripletex.no/v2"
    with pytest.raises(UsageError, match=r"does not end in /v2.*--base-url https://api-test.tripletex.tech/v2"):
        TripletexConnector.check_base_url("https://api-test.tripletex.tech")


def test_tokens_are_scrubbed_in_urls_and_text() -> None:
    url = ("PUT http://127.0.0.1:9/v2/token/session/:create?consumerToken=abc%3D%3D&employeeToken=xyz"
           "&expirationDate=2030-01-01")
    assert redact(url) == ("PUT http://127.0.0.1:9/v2/token/session/:create?consumerToken=***&employeeToken=***"
                           "&expirationDate=2030-01-01")
    session = "eyJ0b2tlbklkIjoxMDEsInRva2VuIjoidGVzdC1kZGUyNmU0OSJ9"
    assert session not in redact(f"token {session} leaked")
    register_token("a-long-employee-token-without-shape")
    assert "a-long-employee-token-without-shape" not in redact("x a-long-employee-token-without-shape y")
    register_token("tok+en/with=signs-0123456789")  # URL-encoded in a query string: tok%2Ben%2Fwith%3Dsigns
    assert "tok%2Ben%2Fwith%3Dsigns" not in redact("GET /x?a=tok%2Ben%2Fwith%3Dsigns-0123456789")


# -- the company setting -------------------------------------------------------------------------------
@pytest.fixture()
def tokens(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("TRIPLETEX_CONSUMER_TOKEN", "c-token")
    monkeypatch.setenv("TRIPLETEX_EMPLOYEE_TOKEN", "e-token")
    monkeypatch.delenv("TRIPLETEX_COMPANY_ID", raising=False)
    config = tmp_path / "config.toml"
    monkeypatch.setenv("BULKTOOL_CONFIG", str(config))
    return config


def test_company_from_option_then_environment_then_profile(tokens: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve_connection("tripletex", None, None).credentials.get("company") is None
    monkeypatch.setenv("TRIPLETEX_COMPANY_ID", "1200003")
    assert resolve_connection("tripletex", None, None).credentials.get("company") == "1200003"
    got = resolve_connection("tripletex", None, None, {"company": "1200004"})
    assert got.credentials.get("company") == "1200004"
    monkeypatch.delenv("TRIPLETEX_COMPANY_ID")
    save_profile("office", system="tripletex", base_url="https://api-test.tripletex.tech/v2",
                 values={"consumer_token": "c2", "employee_token": "e2", "company": "1200005"}, store="file")
    conn = resolve_connection(None, None, "office")
    assert conn.credentials.get("company") == "1200005"
    assert ("company id", "1200005") in show_profile("office").identity
    assert "c2" not in repr(conn.credentials) and "e2" not in repr(conn.credentials)


def test_company_does_not_apply_to_blikk(tokens: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BLIKK_APP_ID", "a")
    monkeypatch.setenv("BLIKK_APP_SECRET", "s")
    with pytest.raises(UsageError, match="--company does not apply to Blikk"):
        resolve_connection("blikk", None, None, {"company": "5"})
    assert resolve_connection("blikk", None, None, {"company": None}).credentials["app_id"] == "a"
