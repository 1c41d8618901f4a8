"""Finsit's error object and tenant, on answers built here (the mapper is a pure function of the answer)
and against the sandbox (a workbook from one company is never diffed against another)."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from click.testing import CliRunner
from fs_fixtures import DIRECTOR, FIRST_COMPANY, company_ids, fs_env, fs_server

from bulktool.cli import cli
from bulktool.errors import ApiError, ServerError, ValidationFailed
from bulktool.vendors.finsit import FinsitConnector
from bulktool.vendors.finsit.errors import error_object, finsit_error


def answer(status: int, body: str, ctype: str = "application/json") -> requests.Response:
    r = requests.Response()
    r.status_code = status
    r._content = body.encode("utf-8")
    r.headers["Content-Type"] = ctype
    return r


def test_the_error_object_is_read_in_any_case_and_missing_fields_are_empty() -> None:
    got = error_object(answer(409, '{"TypeOfError": "Conflict", "Message": "Finns redan"}'))
    assert got == {"typeOfError": "Conflict", "message": "Finns redan", "identifier": ""}
    assert error_object(answer(502, "<html><title>Bad gateway</title></html>", "text/html")) is None


def test_each_type_of_error_is_named_with_its_identifier() -> None:
    conflict = finsit_error(answer(409, '{"typeOfError":"Conflict","message":"Comment \'x\' already exists",'
                                        '"identifier":"B678F083"}'), "POST", "http://h/Api/v2/Company/c/Comment/")
    assert isinstance(conflict, ValidationFailed) and conflict.status == 409
    assert str(conflict) == ("POST /Api/v2/Company/c/Comment/: HTTP 409 Conflict: the element already exists: "
                             "Comment 'x' already exists (identifier B678F083).")
    cancelled = finsit_error(answer(500, '{"typeOfError":"OperationCancelled","message":"","identifier":"1-2"}'),
                             "PUT", "/Api/v2/Company/c")
    assert isinstance(cancelled, ServerError)
    assert str(cancelled).startswith("PUT /Api/v2/Company/c: HTTP 500 OperationCancelled: the server cancelled "
                                     "the operation before it finished (identifier 1-2). Whether a write took effect")
    odd = finsit_error(answer(418, '{"typeOfError":"Teapot","message":"kort och stout"}'), "GET", "/Api/v2/Me")
    assert type(odd) is ApiError and str(odd) == "GET /Api/v2/Me: HTTP 418 Teapot: kort och stout."


def test_a_proxy_503_without_the_object_says_what_came_back() -> None:
    err = finsit_error(answer(503, "<html><head><title>Service Unavailable</title></head></html>", "text/html"),
                       "GET", "https://web.foretagsplatsen.se/Api/v2/Company/?showAll=True")
    assert str(err) == ("GET /Api/v2/Company/: HTTP 503: the server sent an HTML page (Service Unavailable) "
                        "instead of Finsit's error object. The API (or a proxy before it) may be restarting; "
                        "try again later.")


def test_the_tenant_is_host_plus_company() -> None:
    creds = {"user": DIRECTOR.user_name, "password": DIRECTOR.password}
    a, b = company_ids(2)
    one = FinsitConnector("https://web.foretagsplatsen.se", FinsitConnector.credentials(**creds, company=a))
    two = FinsitConnector("https://web.foretagsplatsen.se", FinsitConnector.credentials(**creds, company=b))
    again = FinsitConnector("https://WEB.foretagsplatsen.se/", FinsitConnector.credentials(
        **creds, agency="testagency", org="556898-6787"))
    assert one.tenant().id != two.tenant().id
    assert one.tenant().id == again.tenant().id  # the same server, however spelt, and the same company
    assert one.tenant().label == f"company {a} on web.foretagsplatsen.se"
    switched = one.for_company(b)  # one sign-in and one pace, another company
    assert switched.tenant().id == two.tenant().id and switched.client is one.client
    assert one.company == a


def test_a_workbook_from_one_company_is_refused_for_another(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fs_env(monkeypatch, tmp_path)
    other = company_ids(2)[1]
    with fs_server() as srv:
        base = ["--system", "finsit", "--base-url", srv.url]
        out = tmp_path / "comments.xlsx"
        res = CliRunner().invoke(cli, [*base, "--company", FIRST_COMPANY, "export", "comments", "-o", str(out)])
        assert res.exit_code == 0, res.output
        res = CliRunner().invoke(cli, [*base, "--company", other, "import", str(out)])
        assert res.exit_code == 2
        assert f"company {FIRST_COMPANY}" in res.output and f"company {other}" in res.output


def test_names_in_any_case_read_as_documented() -> None:
    from bulktool.schema.loader import get_endpoint
    from bulktool.vendors.finsit import codec
    from bulktool.vendors.finsit.records import endpoint_casing, global_casing

    served = {"ID": "a-x-1", "ContactInfo": {"PHONE": "08-1"}, "companytypeid": "AB", "Unknown": 1,
              "id": "a-x-1"}
    got = codec.normalise_names(served, global_casing())  # what FinsitConnector.from_wire does
    assert got == {"id": "a-x-1", "contactInfo": {"phone": "08-1"}, "CompanyTypeId": "AB", "Unknown": 1}
    types = endpoint_casing(get_endpoint("finsit", "company-types"))
    assert types["id"] == "Id" and types["name"] == "Name"  # CompanyType's PascalCase wins there
