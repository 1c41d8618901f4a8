"""The Blikk connector against the sandbox over real HTTP: auth, paging, error envelopes, retries."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta

import pytest

from bulktool.errors import (
    AuthenticationError,
    InsecureConfig,
    NotFound,
    PermissionDenied,
    ServerError,
    TransportError,
    ValidationFailed,
)
from bulktool.http.throttle import RateLimiter
from bulktool.sandbox import SandboxConfig, SandboxServer
from bulktool.vendors.blikk import BlikkConnector, BlikkTokenAuth, blikk_credentials


class NoSleepClock:
    """Backoff sleeps are recorded, not slept, so retry tests run instantly."""

    def __init__(self) -> None:
        self.sleeps: list[float] = []
        self._now = 0.0
        self._lock = threading.Lock()

    def monotonic(self) -> float:
        with self._lock:
            return self._now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self._now += seconds


def make(srv: SandboxServer, *, secret: str | None = None, clock: NoSleepClock | None = None) -> BlikkConnector:
    return BlikkConnector(srv.url, blikk_credentials(srv.app_id, secret or srv.app_secret),
                          limiter=RateLimiter(1000), clock=clock)


def test_pages_until_the_first_short_page(fast_sandbox: SandboxServer) -> None:
    conn = make(fast_sandbox)
    fast_sandbox.reset_stats()
    items = conn.list_all("/v1/Core/Contacts")
    assert len(items) == 60
    assert len({i["id"] for i in items}) == 60
    log = fast_sandbox.request_log()
    assert [m for m, _p, _s in log] == ["GET"]
    assert "pageSize=100" in log[0][1]


def test_many_pages_fetched_concurrently_and_in_order() -> None:
    with SandboxServer(SandboxConfig(contacts=450, port=0, rate_limit=1000)) as srv:
        conn = make(srv)
        items = conn.list_all("/v1/Core/Contacts")
        assert [i["id"] for i in items] == sorted(i["id"] for i in items)
        assert len(items) == 450
        pages = sorted(int(p.split("page=")[1].split("&")[0]) for m, p, _ in srv.request_log()
                       if m == "GET" and "/Contacts" in p)
        assert pages == [1, 2, 3, 4, 5]


def test_token_is_fetched_once_and_reused(fast_sandbox: SandboxServer) -> None:
    conn = make(fast_sandbox)
    conn.list_all("/v1/Admin/Countries")
    conn.list_all("/v1/Admin/Users")
    auth = conn.client.auth
    assert isinstance(auth, BlikkTokenAuth)
    assert auth.fetches == 1


def test_token_refreshed_before_it_expires(fast_sandbox: SandboxServer) -> None:
    conn = make(fast_sandbox)
    auth = conn.client.auth
    assert isinstance(auth, BlikkTokenAuth)
    conn.list_all("/v1/Admin/Countries")
    assert auth._expires is not None
    later = auth._expires - timedelta(seconds=30)  # inside the refresh margin
    auth._now = lambda: later
    conn.list_all("/v1/Admin/Countries")
    assert auth.fetches == 2


def test_token_refreshed_once_after_a_401(fast_sandbox: SandboxServer) -> None:
    conn = make(fast_sandbox)
    auth = conn.client.auth
    assert isinstance(auth, BlikkTokenAuth)
    conn.list_all("/v1/Admin/Countries")
    auth._token = "pk_00000000-0000-0000-0000-000000000000.pa_00000000-0000-0000-0000-000000000000"
    auth._expires = datetime.now(UTC) + timedelta(hours=1)  # the client thinks it is still valid
    assert conn.list_all("/v1/Admin/Countries")
    assert auth.fetches == 2


def test_wrong_credentials_give_a_clear_401(fast_sandbox: SandboxServer) -> None:
    with pytest.raises(AuthenticationError, match=r"rejected the app id/secret \(HTTP 401"):
        make(fast_sandbox, secret="wrong").list_all("/v1/Core/Contacts")


def test_missing_permission_is_named() -> None:
    with SandboxServer(SandboxConfig(contacts=5, port=0, permissions={"Project_Read"})) as srv:
        with pytest.raises(PermissionDenied, match="lacks permission Contact_Read") as info:
            make(srv).list_all("/v1/Core/Contacts")
        assert info.value.permissions == ["Contact_Read"]


def test_unknown_path_is_a_clear_404(fast_sandbox: SandboxServer) -> None:
    with pytest.raises(NotFound, match=r"GET /v1/EndpointThatDoesNotExist: not found \(HTTP 404\)"):
        make(fast_sandbox).list_all("/v1/EndpointThatDoesNotExist")


def test_400_model_state_is_spelled_out(fast_sandbox: SandboxServer) -> None:
    conn = make(fast_sandbox)
    with pytest.raises(ValidationFailed) as info:
        conn.client.request_json("POST", "/v1/Core/Contacts", json_body={"contactType": "person"})
    assert "rejected (HTTP 400)" in str(info.value)
    assert any("name" in k.lower() for k in info.value.field_errors)


def test_gets_retry_503_with_backoff_then_give_a_clear_error() -> None:
    clock = NoSleepClock()
    with SandboxServer(SandboxConfig(contacts=5, port=0, rate_limit=1000, fail_rate=1.0)) as srv:
        conn = make(srv, clock=clock)
        with pytest.raises(ServerError, match=r"HTTP 503.*an HTML page.*maintenance") as info:
            conn.list_all("/v1/Core/Contacts")
        assert info.value.status == 503
        gets = [m for m, _p, _s in srv.request_log() if m == "GET"]
        assert len(gets) == 6  # the first try and five retries
    assert len(clock.sleeps) == 5
    assert all(s <= 20 for s in clock.sleeps)


def test_post_is_never_retried_on_503() -> None:
    clock = NoSleepClock()
    with SandboxServer(SandboxConfig(contacts=5, port=0, rate_limit=1000, fail_rate=1.0)) as srv:
        conn = make(srv, clock=clock)
        conn.client.auth.token()  # type: ignore[union-attr]
        with pytest.raises(ServerError):
            conn.client.request_json("POST", "/v1/Core/Contacts", json_body={"name": "x"})
        posts = [p for m, p, _s in srv.request_log() if m == "POST" and "Contacts" in p]
        assert len(posts) == 1


def test_429_is_honoured_for_any_method() -> None:
    clock = NoSleepClock()
    with SandboxServer(SandboxConfig(contacts=5, port=0, rate_limit=1000)) as srv:
        conn = make(srv, clock=clock)
        conn.list_all("/v1/Admin/Countries")
        srv.set_faults(burst_429=1.0)
        done = threading.Event()

        def clear_after_two() -> None:
            while srv.stats().get("429", 0) < 2:
                threading.Event().wait(0.01)
            srv.set_faults(burst_429=0.0)
            done.set()

        t = threading.Thread(target=clear_after_two)
        t.start()
        assert conn.list_all("/v1/Admin/Countries")
        t.join()
        assert conn.client.stats.status_429 >= 2


def test_unreachable_host_is_one_clear_error() -> None:
    conn = BlikkConnector("http://127.0.0.1:9", blikk_credentials("a", "b"), limiter=RateLimiter(1000),
                          clock=NoSleepClock())
    with pytest.raises(TransportError, match=r"Could not connect to 127.0.0.1:9: connection refused"):
        conn.list_all("/v1/Core/Contacts")


def test_plain_http_to_a_remote_host_is_refused_before_sending() -> None:
    with pytest.raises(InsecureConfig, match=r"Refusing plain http:// to publicapi\.blikk\.com"):
        BlikkConnector("http://publicapi.blikk.com", blikk_credentials("a", "b"))


def test_secrets_never_reach_the_logs(fast_sandbox: SandboxServer, caplog: pytest.LogCaptureFixture,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # An earlier CLI test in this process leaves the "bulktool" logger at its own level, with its own
    # handler and without propagation: undo that for this test, so caplog sees every record.
    lib = logging.getLogger("bulktool")
    monkeypatch.setattr(lib, "propagate", True)
    monkeypatch.setattr(lib, "handlers", [])
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="bulktool")
    conn = make(fast_sandbox)
    conn.list_all("/v1/Core/Contacts")
    auth = conn.client.auth
    assert isinstance(auth, BlikkTokenAuth) and auth._token
    text = caplog.text
    assert "GET" in text
    assert fast_sandbox.app_secret not in text
    assert auth._token not in text
    assert "Basic " not in text
