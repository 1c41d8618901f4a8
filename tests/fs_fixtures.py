"""Finsit sandbox fixtures for every stream's tests (import them into a test module).

    from fs_fixtures import FsClient, fs_server, DIRECTOR

    def test_x() -> None:
        with fs_server(companies=50) as srv:          # one agency, 50 companies, rate 10000/s
            api = FsClient(srv)                        # Basic as the AgencyDirector (ISO-8859-1)
            api.get("/Company/").json()                # paths after /Api/v2

- ``fs_server(**config)``: a context manager serving a Finsit sandbox (``companies=5`` and a rate
  limit of 10000 per second unless given; any SandboxConfig field).
- ``fs_sandbox``: a fresh 5-company server per test; ``fs_env(monkeypatch, srv)``: FINSIT_USER /
  FINSIT_PASSWORD (the director) and a private BULKTOOL_CONFIG, as a user would have;
  ``fs_oauth_env(monkeypatch, srv)``: FINSIT_CONSUMER_KEY/_SECRET and FINSIT_TOKEN/_TOKEN_SECRET.
- ``DIRECTOR`` (sees every company), ``CONSULTANT`` (the first two), ``COMPANY_USER`` (only
  ``FIRST_COMPANY``): ``.user_name``, ``.password``, ``.token``, ``.token_secret``; ``CONSUMER_KEY``/_SECRET.
- ``company_ids(n)``: the seeded ids in order; ``FsClient(srv, login, oauth=False)``: raw ``requests``
  calls (Basic, or OAuth 1.0a HMAC-SHA1 via requests-oauthlib); ``puts(srv)``: every PUT body as sent;
  ``forbid(srv, company)``: that company answers 403; ``control(srv, name, body)``: any /_sandbox/ POST;
  ``edit(srv, "Comment", [company, id], {...})`` / ``records(srv, "Comment", company)``: as another user.
- Switches: ``control(srv, "finsit", {"proxy_502": 1})`` (HTML 502s), ``{"operation_cancelled": 1}``,
  ``{"lock": [company, fiscalYearId]}``; the kit's ``srv.set_faults(fail_rate=, drop_after_commit=,
  burst_429=)`` (fail_rate answers the HTML 503 page).
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests
from requests_oauthlib import OAuth1

from bulktool.sandbox import SandboxConfig, SandboxServer
from bulktool.vendors.finsit.sandbox import fsjson
from bulktool.vendors.finsit.sandbox.seed_people import (
    AGENCY,
    COMPANY_USER,
    CONSULTANT,
    CONSUMER_KEY,
    CONSUMER_SECRET,
    DIRECTOR,
    Login,
    company_id,
    org_number,
)

FIRST_COMPANY = company_id(org_number(0))  # a-testagency-556898-6787
__all__ = ["AGENCY", "COMPANY_USER", "CONSULTANT", "CONSUMER_KEY", "CONSUMER_SECRET", "DIRECTOR", "FIRST_COMPANY",
           "FsClient", "basic_header", "company_ids", "control", "edit", "forbid", "fs_env", "fs_oauth_env",
           "fs_server", "parse", "puts", "records"]


@contextmanager
def fs_server(**config: Any) -> Iterator[SandboxServer]:
    config.setdefault("companies", 5)
    config.setdefault("rate_limit", 10000)
    config.setdefault("rate_period", 1.0)
    with SandboxServer(SandboxConfig(system="finsit", port=0, **config)) as srv:
        yield srv


@pytest.fixture
def fs_sandbox() -> Iterator[SandboxServer]:
    with fs_server() as srv:
        yield srv


def company_ids(n: int) -> list[str]:
    return [company_id(org_number(k)) for k in range(n)]


def basic_header(user: str, password: str, encoding: str = "iso-8859-1") -> str:
    """``Basic base64(user:password)`` with the bytes in ``encoding`` (the vendor's client: ISO-8859-1)."""
    return "Basic " + base64.b64encode(f"{user}:{password}".encode(encoding)).decode("ascii")


def fs_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, login: Login = DIRECTOR) -> None:
    monkeypatch.setenv("FINSIT_USER", login.user_name)
    monkeypatch.setenv("FINSIT_PASSWORD", login.password)
    monkeypatch.setenv("BULKTOOL_CONFIG", str(tmp_path / "bulktool-config.toml"))


def fs_oauth_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, login: Login = DIRECTOR) -> None:
    for name in ("FINSIT_USER", "FINSIT_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FINSIT_CONSUMER_KEY", CONSUMER_KEY)
    monkeypatch.setenv("FINSIT_CONSUMER_SECRET", CONSUMER_SECRET)
    monkeypatch.setenv("FINSIT_TOKEN", login.token)
    monkeypatch.setenv("FINSIT_TOKEN_SECRET", login.token_secret)
    monkeypatch.setenv("BULKTOOL_CONFIG", str(tmp_path / "bulktool-config.toml"))


class FsClient:
    """Raw HTTP against the sandbox's /Api/v2 as ``login`` (Basic, or OAuth 1.0a HMAC-SHA1)."""

    def __init__(self, srv: SandboxServer, login: Login = DIRECTOR, oauth: bool = False) -> None:
        self.srv = srv
        self.base = srv.url + "/Api/v2"
        self.http = requests.Session()
        if oauth:
            self.http.auth = OAuth1(CONSUMER_KEY, CONSUMER_SECRET, login.token, login.token_secret)
        else:
            self.http.headers["Authorization"] = basic_header(login.user_name, login.password)
        self.http.headers["Accept"] = "application/json"

    def get(self, path: str, **params: Any) -> requests.Response:
        return self.http.get(self.base + path, params=params or None, timeout=15)

    def send(self, method: str, path: str, body: Any) -> requests.Response:
        data = body if isinstance(body, (str, bytes)) else fsjson.dumps(body)
        raw = data.encode("utf-8") if isinstance(data, str) else data
        return self.http.request(method, self.base + path, data=raw, timeout=15,
                                 headers={"Content-Type": "application/json"})

    def put(self, path: str, body: Any) -> requests.Response:
        return self.send("PUT", path, body)

    def post(self, path: str, body: Any) -> requests.Response:
        return self.send("POST", path, body)

    def delete(self, path: str) -> requests.Response:
        return self.http.delete(self.base + path, timeout=15)


def parse(response: requests.Response) -> Any:
    """A response body in Finsit's dialect (Decimal numbers, NaN/Infinity tokens)."""
    return fsjson.loads(response.content.decode("utf-8"))


def control(srv: SandboxServer, name: str, body: Any) -> requests.Response:
    r = requests.post(f"{srv.url}/_sandbox/{name}", data=fsjson.dumps(body).encode("utf-8"), timeout=15,
                      headers={"Content-Type": "application/json"})
    return r


def puts(srv: SandboxServer) -> list[dict[str, Any]]:
    """Every PUT body the sandbox received: [{"path", "text" (as sent), "body"}] in arrival order."""
    r = requests.get(f"{srv.url}/_sandbox/puts", timeout=15)
    r.raise_for_status()
    return list(r.json())


def edit(srv: SandboxServer, resource: str, ids: list[str], changes: Any) -> Any:
    """Change a record as another user would: ids = [companyId, id] (or [id] for Company and User)."""
    r = control(srv, "edit/" + "/".join([resource, *ids]), changes)
    r.raise_for_status()
    return parse(r)


def records(srv: SandboxServer, resource: str, company: str | None = None) -> list[Any]:
    """The stored records of ``resource`` as served (exact numbers), of one company when given."""
    r = requests.get(f"{srv.url}/_sandbox/records/{resource}", params={"company": company} if company else None,
                     timeout=15)
    r.raise_for_status()
    return list(parse(r))


def forbid(srv: SandboxServer, company: str, forbidden: bool = True) -> None:
    """Make ``company`` answer 403 Forbidden to everyone (or stop)."""
    control(srv, "finsit", {"forbid" if forbidden else "allow": company}).raise_for_status()
