"""Vendor behaviour the shared HTTP client and redaction used to hard-code now comes from the vendor."""

from __future__ import annotations

import pytest
import requests

from bulktool.errors import UsageError
from bulktool.http.client import HttpClient
from bulktool.http.security import check_base_url, redact
from bulktool.vendors.blikk import BlikkConnector
from bulktool.vendors.blikk.connector import wait_in_seconds


def _response(status: int, body: bytes, headers: dict[str, str] | None = None) -> requests.Response:
    resp = requests.Response()
    resp.status_code, resp._content = status, body
    resp.headers.update(headers or {})
    return resp


def test_the_shared_client_reads_no_vendor_body_but_the_vendors_hint_is_used() -> None:
    busy = _response(429, b'{"waitInSeconds": 7}', {"Retry-After": "1"})
    assert HttpClient("http://127.0.0.1:1")._retry_after(busy) == 1.0  # a plain client: Retry-After only
    hinted = HttpClient("http://127.0.0.1:1", wait_hint=wait_in_seconds)
    assert hinted._retry_after(busy) == 7.0
    assert hinted._retry_after(_response(429, b'{"waitInSeconds": 900}')) == 120.0  # capped
    assert wait_in_seconds(_response(429, b"<html>busy</html>")) is None


def test_a_v1_suffix_is_blikks_rule_not_the_transports() -> None:
    assert check_base_url("https://api.example.com/v1") == "https://api.example.com/v1"
    with pytest.raises(UsageError, match="ends in /v1"):
        BlikkConnector.check_base_url("https://publicapi.blikk.com/v1/")


def test_blikk_registers_its_token_shape_for_redaction() -> None:
    token = "pk_0123abcd-0000-0000-0000-000000000000.pa_0123abcd-0000-0000-0000-000000000000"
    assert token not in redact(f"sent {token} along")


def test_type_tags_are_dropped_by_the_connector_not_the_workbook(fast_sandbox: object) -> None:
    """The workbook keeps every key it is given; Blikk's reader is what drops ``objectName``."""
    from conftest import connector_for

    from bulktool.sandbox import SandboxServer
    from bulktool.schema.model import Column
    from bulktool.workbook import flatten

    assert isinstance(fast_sandbox, SandboxServer)
    raw = {"id": 1, "rows": [{"objectName": "row", "qty": 2}]}
    assert flatten(raw, [Column(name="rows", type="json")])["rows"] == [{"objectName": "row", "qty": 2}]
    conn = connector_for(fast_sandbox, 1000)
    detail = conn.get("/v1/Core/Contacts/1")
    raw_detail = conn.client.request_json("GET", "/v1/Core/Contacts/1")
    assert "objectName" in raw_detail and "objectName" not in detail
    assert all("objectName" not in i for i in conn.list_all("/v1/Core/Contacts"))


def test_every_write_body_goes_out_through_the_connectors_to_wire(fast_sandbox: object) -> None:
    """A vendor whose wire form differs (its datetime format, say) converts bodies in ``to_wire``."""
    from typing import Any

    from bulktool.sandbox import SandboxServer
    from bulktool.schema import get_endpoint
    from bulktool.schema.model import Endpoint
    from bulktool.vendors.blikk import blikk_credentials
    from bulktool.writer.template_client import TemplateWriteClient

    class WireNamed(BlikkConnector):
        def to_wire(self, endpoint: Endpoint, body: dict[str, Any]) -> dict[str, Any]:
            return {**body, "name": f"{body['name']} (wire form)"}

    assert isinstance(fast_sandbox, SandboxServer)
    conn = WireNamed(fast_sandbox.url, blikk_credentials(fast_sandbox.app_id, fast_sandbox.app_secret))
    client = TemplateWriteClient(conn, {"contacts": get_endpoint("blikk", "contacts")})
    made = client.create("contacts", {"name": "Ny Kund AB", "contactType": "company", "responsibleId": 1})
    assert made["name"] == "Ny Kund AB (wire form)" and "objectName" not in made  # read back through from_wire
    stored = next(r for r in fast_sandbox.records("contacts") if r["id"] == made["id"])
    assert stored["name"] == "Ny Kund AB (wire form)"
