"""Tripletex sandbox: the kit's controls (faults, edit/delete/records as another user, stats) and the CLI."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import requests
from tt_fixtures import CLIENT_A, CONSUMER, EMPLOYEE, TtClient, session_token, tt_base_url, tt_server

from bulktool.sandbox import SandboxServer


def test_fail_rate_answers_503_html_but_sessions_still_work() -> None:
    with tt_server(fail_rate=1.0) as srv:
        token = session_token(srv)  # the session endpoint is exempt, as a rehearsal must sign in
        r = requests.get(tt_base_url(srv) + "/customer", auth=("0", token), timeout=10)
        assert r.status_code == 503 and r.headers["Content-Type"].startswith("text/html")
        assert "X-Rate-Limit-Limit" in r.headers


def test_drop_after_commit_saves_then_closes_the_connection() -> None:
    with tt_server(drop_after_commit=1.0) as srv:
        api = TtClient(srv)
        with pytest.raises(requests.ConnectionError):
            api.post("/customer", {"name": "Mistet Svar AS"})
        assert [c for c in srv.records("customer") if c["name"] == "Mistet Svar AS"]
        assert api.get("/customer", count=1).status_code == 200  # reads are not dropped


def test_burst_429_answers_429_with_the_rate_headers() -> None:
    with tt_server(burst_429=1.0) as srv:
        r = TtClient(srv).get("/customer")
        assert r.status_code == 429 and r.json()["status"] == 429
        assert {"X-Rate-Limit-Limit", "X-Rate-Limit-Remaining", "X-Rate-Limit-Reset"} <= set(r.headers)


def test_faults_can_be_changed_over_http(tt_sandbox: SandboxServer) -> None:
    api = TtClient(tt_sandbox)
    requests.post(tt_sandbox.url + "/_sandbox/faults", json={"fail_rate": 1}, timeout=10)
    assert api.get("/customer").status_code == 503
    requests.post(tt_sandbox.url + "/_sandbox/faults", json={"fail_rate": 0}, timeout=10)
    assert api.get("/customer").status_code == 200


def test_stats_and_log_count_api_requests_only(tt_sandbox: SandboxServer) -> None:
    api = TtClient(tt_sandbox)
    api.get("/customer", count=1)
    api.post("/customer", {"name": "Telling AS"})
    stats = requests.get(tt_sandbox.url + "/_sandbox/stats", timeout=10).json()
    assert (stats["GET"], stats["POST"], stats["total"]) == (1, 1, 2)
    assert [e[0] for e in tt_sandbox.request_log()] == ["GET", "POST"]
    assert tt_sandbox.token_requests() == 1


def test_records_and_edit_reach_a_client_companys_data(tt_sandbox: SandboxServer) -> None:
    own = requests.get(tt_sandbox.url + "/_sandbox/records/customer", timeout=10).json()
    client = requests.get(tt_sandbox.url + "/_sandbox/records/customer?account=3", timeout=10).json()
    assert own[0]["id"] == client[0]["id"] and own[0]["name"] != client[0]["name"]
    r = requests.post(tt_sandbox.url + "/_sandbox/edit/customer/1000001?account=3", json={"name": "Klient Endret AS"},
                      timeout=10)
    assert r.status_code == 200
    seen = TtClient(tt_sandbox, company=CLIENT_A).get("/customer/1000001", fields="name").json()["value"]["name"]
    assert seen == "Klient Endret AS"
    assert TtClient(tt_sandbox).get("/customer/1000001", fields="name").json()["value"]["name"] != seen


def test_delete_as_another_user(tt_sandbox: SandboxServer) -> None:
    r = requests.post(tt_sandbox.url + "/_sandbox/delete/product/4000003", timeout=10)
    assert r.status_code == 200 and r.json()["id"] == 4000003
    assert TtClient(tt_sandbox).get("/product/4000003").status_code == 404


def test_edit_rejects_unknown_resources_and_bookkeeping_fields(tt_sandbox: SandboxServer) -> None:
    assert requests.post(tt_sandbox.url + "/_sandbox/edit/nothing/1", json={}, timeout=10).status_code == 404
    assert requests.post(tt_sandbox.url + "/_sandbox/edit/customer/1000001", json={"version": 9},
                         timeout=10).status_code == 400
    missing = requests.post(tt_sandbox.url + "/_sandbox/edit/customer/5", json={"name": "x"}, timeout=10)
    assert missing.status_code == 404


def test_cli_sandbox_banner_names_tokens_companies_and_base_url() -> None:
    env = {**os.environ, "PYTHONPATH": os.getcwd() + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "bulktool", "--system", "tripletex", "sandbox", "--port", "0", "--contacts", "5",
         "--rate-limit", "20", "--rate-period", "5"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    try:
        assert proc.stdout is not None
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if "Press Ctrl-C" in line:
                break
        banner = "".join(lines)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert f"TRIPLETEX_CONSUMER_TOKEN={CONSUMER} TRIPLETEX_EMPLOYEE_TOKEN={EMPLOYEE}" in banner
    assert "/v2 export customers" in banner and str(CLIENT_A) in banner
    assert "20 requests per 5 s" in banner
    url = banner.split("listening on ", 1)[1].split()[0]
    assert url.startswith("http://127.0.0.1:")
