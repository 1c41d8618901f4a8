"""Issue 7 point 20: the token request is retried on 503, and tokens are requested no more often than needed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bulktool.errors import ServerError
from bulktool.http.throttle import RateLimiter
from bulktool.sandbox import SandboxConfig, SandboxServer
from bulktool.vendors.blikk import REFRESH_MARGIN, BlikkConnector, BlikkTokenAuth, blikk_credentials, refresh_margin


def _connector(srv: SandboxServer) -> BlikkConnector:
    return BlikkConnector(srv.url, blikk_credentials(srv.app_id, srv.app_secret), limiter=RateLimiter(4))


def _contact_ids(srv: SandboxServer, n: int) -> list[int]:
    return [int(c["id"]) for c in srv.records("contacts")][:n]


def test_a_503_on_the_token_request_is_retried_after_retry_after() -> None:
    with SandboxServer(SandboxConfig(contacts=3, port=0, token_fail=2)) as srv:
        conn = _connector(srv)
        started = datetime.now(UTC)
        assert conn.get(f"/v1/Core/Contacts/{_contact_ids(srv, 1)[0]}")["id"]
        waited = (datetime.now(UTC) - started).total_seconds()
        assert srv.token_requests() == 3  # two 503s, then the token
        assert waited >= 2.0  # Retry-After: 1 honoured on each
        assert conn.client.stats.retries == 2


def test_a_token_endpoint_that_stays_down_fails_with_the_maintenance_hint() -> None:
    with SandboxServer(SandboxConfig(contacts=3, port=0, token_fail=100)) as srv:
        conn = _connector(srv)
        conn.client.max_retries = 1
        with pytest.raises(ServerError, match=r"POST /v1/Auth/Token failed \(HTTP 503\).*try again later"):
            conn.get("/v1/Core/Contacts/1")
        assert srv.token_requests() == 2


def test_a_token_shorter_lived_than_the_margin_is_reused() -> None:
    # 60 s tokens: the old fixed 2-minute margin took every token for stale and fetched one per call.
    with SandboxServer(SandboxConfig(contacts=30, port=0, token_ttl=60, rate_limit=1000)) as srv:
        conn = _connector(srv)
        for rid in _contact_ids(srv, 12):
            conn.get(f"/v1/Core/Contacts/{rid}")
        assert srv.token_requests() == 1


def test_a_very_short_token_is_refreshed_before_it_expires_but_not_per_call() -> None:
    # 4 s tokens over ~6 s of calls at 4 req/s: a refresh every ~3 s, never a 401.
    with SandboxServer(SandboxConfig(contacts=30, port=0, token_ttl=4)) as srv:
        conn = _connector(srv)
        ids = _contact_ids(srv, 24)
        for rid in ids:
            conn.get(f"/v1/Core/Contacts/{rid}")
        assert 2 <= srv.token_requests() <= 4
        assert [s for _, _, s in srv.request_log()] == [200] * len(ids)


def test_a_clock_ahead_of_the_server_does_not_make_every_token_stale() -> None:
    # A 10-minute token and a PC 45 minutes ahead: by the local clock the token expired before it came.
    with SandboxServer(SandboxConfig(contacts=30, port=0, token_ttl=600, rate_limit=1000)) as srv:
        conn = _connector(srv)
        auth = conn.client.auth
        assert isinstance(auth, BlikkTokenAuth)
        auth._now = lambda: datetime.now(UTC) + timedelta(minutes=45)
        for rid in _contact_ids(srv, 8):
            conn.get(f"/v1/Core/Contacts/{rid}")
        assert srv.token_requests() == 1


@pytest.mark.parametrize(
    ("lifetime", "margin"),
    [
        (timedelta(hours=1), REFRESH_MARGIN),
        (timedelta(minutes=8), REFRESH_MARGIN),
        (timedelta(minutes=4), timedelta(minutes=1)),
        (timedelta(seconds=4), timedelta(seconds=1)),
        (timedelta(seconds=-5), timedelta(0)),
    ],
)
def test_refresh_margin_is_a_quarter_of_a_short_lifetime(lifetime: timedelta, margin: timedelta) -> None:
    assert refresh_margin(lifetime) == margin


class _TokenAnswer:
    """The token endpoint's answer as requests gives it: a Date header and the documented body."""

    status_code = 200

    def __init__(self, date: str, expires: str) -> None:
        self.headers = {"Date": date}
        self._body = {"accessToken": "pk_1.pa_1", "expires": expires}

    def json(self) -> dict[str, str]:
        return self._body


class _TokenClient:
    def __init__(self, answer: _TokenAnswer) -> None:
        self.answer, self.posts = answer, 0

    def request(self, *_args: object, **_kw: object) -> _TokenAnswer:
        self.posts += 1
        return self.answer


def test_an_expiry_before_the_servers_own_date_does_not_mean_a_token_per_call() -> None:
    # expires 10 min before the Date header: the server's clocks disagree; trust the 401 refresh instead.
    client = _TokenClient(_TokenAnswer("Tue, 01 Dec 2026 12:00:00 GMT", "2026-12-01 11:50:00 +00:00"))
    auth = BlikkTokenAuth(client, blikk_credentials("a", "b"))  # type: ignore[arg-type]
    for _ in range(5):
        assert auth.token() == "pk_1.pa_1"
    assert client.posts == 1
    assert auth.refresh() and auth.token() and client.posts == 2  # a 401 still gets a new token


def test_expiry_is_judged_on_the_servers_clock() -> None:
    # Server Date 12:00, expires 12:08 (margin 2 min). This PC runs 45 min ahead: still fresh at first...
    client = _TokenClient(_TokenAnswer("Tue, 01 Dec 2026 12:00:00 GMT", "2026-12-01 12:08:00 +00:00"))
    local = [datetime(2026, 12, 1, 12, 45, tzinfo=UTC)]
    auth = BlikkTokenAuth(client, blikk_credentials("a", "b"), now=lambda: local[0])  # type: ignore[arg-type]
    auth.token()
    local[0] += timedelta(minutes=5)
    auth.token()
    assert client.posts == 1
    local[0] += timedelta(minutes=1, seconds=1)  # server time 12:06:01: inside the 2-minute margin
    auth.token()
    assert client.posts == 2
