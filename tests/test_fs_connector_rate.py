"""Finsit's pace: no documented limit, so 4 requests/second by default (the fixed limiter), --rate to
change it without a warning, and a 429 from the server is waited out and retried."""

from __future__ import annotations

import time

from click.testing import CliRunner
from fs_fixtures import DIRECTOR, FIRST_COMPANY, fs_server

from bulktool.cli import cli, rate_warning
from bulktool.schema.loader import load_templates
from bulktool.vendors.finsit import FinsitConnector

T = load_templates("finsit")


def connect(url: str, **kw: int) -> FinsitConnector:
    creds = FinsitConnector.credentials(user=DIRECTOR.user_name, password=DIRECTOR.password, company=FIRST_COMPANY)
    return FinsitConnector(url, creds, **kw)


def test_the_default_pace_is_4_per_second_and_rate_changes_it() -> None:
    with fs_server() as srv:
        conn = connect(srv.url)
        assert conn.client.limiter.rate == 4
        started = time.monotonic()
        for _ in range(9):
            conn.list_endpoint(T["comments"])
        assert time.monotonic() - started >= 1.0  # 9 requests at 4/s cannot finish within a second
        assert connect(srv.url, rate=20).client.limiter.rate == 20


def test_a_rate_above_the_default_is_not_called_a_limit() -> None:
    assert rate_warning("finsit", "https://web.foretagsplatsen.se", 50) is None
    assert rate_warning("blikk", "https://publicapi.blikk.com", 50) is not None


def test_a_429_is_waited_out_and_the_read_succeeds() -> None:
    with fs_server(rate_limit=2, rate_period=1.0) as srv:
        conn = connect(srv.url, rate=50)
        for _ in range(5):
            assert len(conn.list_endpoint(T["fiscal-years"])) == 3
        assert conn.client.stats.status_429 >= 1
        assert [s for _, _, s in srv.request_log()].count(200) == 5


def test_rate_on_the_command_line() -> None:
    with fs_server() as srv:
        res = CliRunner().invoke(cli, ["--system", "finsit", "--base-url", srv.url, "--rate", "50", "endpoints"])
        assert res.exit_code == 0 and "Warning" not in res.output
        assert "key-figure-data" in res.output
