"""Tripletex sandbox fixtures for every test module (tests/conftest.py registers them as a plugin).

    from tt_fixtures import TtClient, tt_server  # helpers; the fixtures need no import

    def test_x(tt_sandbox: SandboxServer, api: TtClient) -> None:
        api.get("/customer", fields="id,name").json()["values"]   # a session made over HTTP, Basic 0:<token>

- ``tt_server(**config)``: a context manager serving a Tripletex sandbox (rate limit 10000 per 60 s
  unless given; any SandboxConfig field, e.g. ``contacts=50`` customers, ``rate_limit=20, rate_period=5``).
- ``tt_sandbox``: a fresh one per test; ``api``: a ``TtClient`` on it; ``tt_env``: TRIPLETEX_*
  credentials in the environment and a private BULKTOOL_CONFIG, as a user would have.
- ``tt_base_url(srv)`` = ``srv.url + "/v2"``.
- ``session_token(srv, account=1, expiration=...)``: a session token made over HTTP.
- ``TtClient(srv, company=0)``: raw ``requests`` calls with Basic ``<company>:<token>``.
- ``CONSUMER``/``EMPLOYEE``: account 1's tokens; ``credentials(srv, account)`` gives any account's.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from bulktool.sandbox import SandboxConfig, SandboxServer
from bulktool.vendors.tripletex.connector import TripletexConnector
from bulktool.vendors.tripletex.sandbox.session import FIRST_CLIENT, company_id

CONSUMER, EMPLOYEE = "sandbox-app", "sandbox-secret"
CLIENT_A, CLIENT_B = company_id(FIRST_CLIENT), company_id(FIRST_CLIENT + 1)  # the accountant's two clients
OTHER_COMPANY = company_id(2)  # account 2: a company of its own, not reachable from account 1


@contextmanager
def tt_server(**config: Any) -> Iterator[SandboxServer]:
    config.setdefault("rate_limit", 10000)
    config.setdefault("rate_period", 60.0)
    config.setdefault("contacts", 60)
    with SandboxServer(SandboxConfig(system="tripletex", port=0, **config)) as srv:
        yield srv


def tt_base_url(srv: SandboxServer) -> str:
    return srv.url + "/v2"


def credentials(srv: SandboxServer, account: int = 1) -> tuple[str, str]:
    """(consumer token, employee token) of ``account``."""
    return srv.credentials(account)


def tt_connector(srv: SandboxServer, account: int = 1) -> TripletexConnector:
    """A connector to ``srv`` as ``account`` (the one way the e2e tests build it)."""
    consumer, employee = credentials(srv, account)
    return TripletexConnector(tt_base_url(srv), TripletexConnector.credentials(
        consumer_token=consumer, employee_token=employee))


def tomorrow() -> str:
    return (date.today() + timedelta(days=2)).isoformat()


def session_token(srv: SandboxServer, account: int = 1, expiration: str | None = None) -> str:
    consumer, employee = credentials(srv, account)
    r = requests.put(tt_base_url(srv) + "/token/session/:create", timeout=10, params={
        "consumerToken": consumer, "employeeToken": employee, "expirationDate": expiration or tomorrow()})
    r.raise_for_status()
    return str(r.json()["value"]["token"])


class TtClient:
    """Raw HTTP against the sandbox with a fresh session (Basic ``<company>:<token>``)."""

    def __init__(self, srv: SandboxServer, company: int = 0, account: int = 1) -> None:
        self.srv = srv
        self.base = tt_base_url(srv)
        self.token = session_token(srv, account)
        self.company = company
        self.http = requests.Session()

    @property
    def auth(self) -> tuple[str, str]:
        return str(self.company), self.token

    def request(self, method: str, path: str, *, json: Any = None, headers: dict[str, str] | None = None,
                **params: Any) -> requests.Response:
        return self.http.request(method, self.base + path, params=params or None, json=json, auth=self.auth,
                                 headers=headers, timeout=30)

    def get(self, path: str, headers: dict[str, str] | None = None, **params: Any) -> requests.Response:
        return self.request("GET", path, headers=headers, **params)

    def post(self, path: str, body: Any, **params: Any) -> requests.Response:
        return self.request("POST", path, json=body, **params)

    def put(self, path: str, body: Any, **params: Any) -> requests.Response:
        return self.request("PUT", path, json=body, **params)

    def delete(self, path: str, **params: Any) -> requests.Response:
        return self.request("DELETE", path, **params)


@pytest.fixture()
def tt_sandbox() -> Iterator[SandboxServer]:
    """A fresh Tripletex sandbox with a high rate limit (tests about behaviour, not pacing)."""
    with tt_server() as srv:
        yield srv


@pytest.fixture()
def api(tt_sandbox: SandboxServer) -> TtClient:
    """Raw HTTP with a fresh session against this test's ``tt_sandbox``."""
    return TtClient(tt_sandbox)


@pytest.fixture()
def tt_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Account 1's tokens in the environment and a private config dir, as a user would have."""
    monkeypatch.setenv("TRIPLETEX_CONSUMER_TOKEN", CONSUMER)
    monkeypatch.setenv("TRIPLETEX_EMPLOYEE_TOKEN", EMPLOYEE)
    monkeypatch.setenv("BULKTOOL_CONFIG", str(tmp_path / "config.toml"))
