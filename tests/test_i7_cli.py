"""Issue 7 points 19 and 20 through the real CLI: overwrite refusal, --rate warning and clearer messages.

Each error case checks the exact line and exit code, and that no request reached the sandbox.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bulktool.cli import cli
from bulktool.sandbox import SandboxServer


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def run(srv: SandboxServer, *args: str) -> Result:
    return invoke("--base-url", srv.url, "--rate", "200", *args)


def one_error(res: Result) -> str:
    assert res.exit_code == 2, res.output
    assert res.stdout == ""
    lines = res.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), res.stderr
    return lines[0]


# ---------------------------------------------------------------- point 20: never overwrite silently


def test_export_refuses_to_overwrite_an_existing_workbook(
    fast_sandbox: SandboxServer, sandbox_env: None, tmp_path: Path,
) -> None:
    out = tmp_path / "contacts.xlsx"
    assert run(fast_sandbox, "export", "contacts", "-o", str(out), "-q").exit_code == 0
    edited = b"my edits, hours of them"
    out.write_bytes(edited)
    fast_sandbox.reset_stats()
    res = run(fast_sandbox, "export", "contacts", "-o", str(out), "-q")
    assert one_error(res) == (f"Error: {out} already exists and may hold your edits; choose another file, "
                              "or pass --overwrite to replace it")
    assert out.read_bytes() == edited
    assert fast_sandbox.stats()["total"] == 0  # refused before any request
    again = run(fast_sandbox, "export", "contacts", "-o", str(out), "-q", "--overwrite")
    assert again.exit_code == 0, again.output
    assert out.read_bytes() != edited and oct(out.stat().st_mode & 0o777) == "0o600"


def test_csv_export_refuses_too(fast_sandbox: SandboxServer, sandbox_env: None, tmp_path: Path) -> None:
    out = tmp_path / "contacts.csv"
    out.write_text("id,name\n1,edited\n", encoding="utf-8")
    res = run(fast_sandbox, "export", "contacts", "-o", str(out), "-q")
    assert "already exists and may hold your edits" in one_error(res)
    assert out.read_text(encoding="utf-8") == "id,name\n1,edited\n"


def test_demo_refuses_to_overwrite_its_edited_workbook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BULKTOOL_CONFIG", str(tmp_path / "config.toml"))
    out_dir = tmp_path / "demo"
    out_dir.mkdir()
    workbook = out_dir / "blikk-demo.xlsx"
    workbook.write_bytes(b"edited demo workbook")
    res = invoke("demo", "--dir", str(out_dir), "--contacts", "5", "--quiet")
    assert one_error(res) == (f"Error: {workbook} already exists and may hold your edits; choose another file, "
                              "or pass --overwrite to replace it")
    assert workbook.read_bytes() == b"edited demo workbook"
    assert not (out_dir / "sandbox.sqlite").exists()  # nothing started
    ok = invoke("demo", "--dir", str(out_dir), "--contacts", "5", "--quiet", "--overwrite")
    assert ok.exit_code == 0, ok.output
    assert workbook.read_bytes()[:2] == b"PK"


# ---------------------------------------------------------------- point 20: --rate above the vendor's limit


def test_rate_above_the_vendor_limit_warns() -> None:
    res = invoke("--rate", "10", "endpoints")
    assert res.exit_code == 0
    assert res.stderr == ("Warning: --rate 10 is above Blikk's limit of 4 requests/second; the API will answer "
                          "HTTP 429 and the run gets slower, not faster.\n")


@pytest.mark.parametrize("args", [("--rate", "4"), ("--rate", "2"), ()], ids=["at-limit", "below", "default"])
def test_rate_at_or_below_the_limit_is_quiet(args: tuple[str, ...]) -> None:
    res = invoke(*args, "endpoints")
    assert res.exit_code == 0 and res.stderr == ""


def test_rate_against_the_local_sandbox_is_its_own_business(fast_sandbox: SandboxServer) -> None:
    # The sandbox's limit is its --rate-limit setting, not the vendor's.
    res = invoke("--base-url", fast_sandbox.url, "--rate", "200", "endpoints")
    assert res.exit_code == 0 and res.stderr == ""


# ---------------------------------------------------------------- point 19: messages


def test_base_url_ending_in_v1_says_to_drop_it(fast_sandbox: SandboxServer, sandbox_env: None,
                                                tmp_path: Path) -> None:
    for suffix in ("/v1", "/v1/", "/V1"):
        res = invoke("--base-url", fast_sandbox.url + suffix, "export", "contacts", "-o", str(tmp_path / "x.xlsx"))
        assert one_error(res) == (f"Error: The base URL {fast_sandbox.url}{suffix} ends in /v1, but bulktool's "
                                  f"paths already start with /v1: use --base-url {fast_sandbox.url}")
    assert fast_sandbox.stats()["total"] == 0 and fast_sandbox.token_requests() == 0


def test_https_to_a_plain_http_server_says_tls_failed(fast_sandbox: SandboxServer, sandbox_env: None,
                                                       tmp_path: Path) -> None:
    url = fast_sandbox.url.replace("http://", "https://")
    host = url.split("//")[1]
    res = invoke("--base-url", url, "export", "contacts", "-o", str(tmp_path / "x.xlsx"), "-q")
    assert one_error(res) == (f"Error: Could not connect to {host}: TLS failed: the server at {url} does not "
                              "speak HTTPS. Check --base-url; http:// is allowed only for loopback hosts such as "
                              "the sandbox.")
    assert not (tmp_path / "x.xlsx").exists()


@pytest.mark.parametrize(("path", "expected"), [
    ("/v1/Core/Contacts/12", "/v1/Core/Contacts/12 is a detail path (one record), not a list endpoint; export "
                             "the list it belongs to: /v1/Core/Contacts (template 'contacts')"),
    ("/v1/Core/Tasks/7/", "/v1/Core/Tasks/7/ is a detail path (one record), not a list endpoint; export "
                          "the list it belongs to: /v1/Core/Tasks (template 'tasks')"),
    ("/v1/Core/Tasks/12/Comments/3", "/v1/Core/Tasks/12/Comments/3 is a detail path (one record), not a list "
                                     "endpoint; export the list it belongs to: /v1/Core/Tasks/12/Comments"),
])
def test_a_detail_path_given_to_export_is_not_a_list_endpoint(
    fast_sandbox: SandboxServer, sandbox_env: None, tmp_path: Path, path: str, expected: str,
) -> None:
    res = run(fast_sandbox, "export", path, "-o", str(tmp_path / "x.xlsx"))
    assert one_error(res) == "Error: " + expected
    assert fast_sandbox.stats()["total"] == 0


@pytest.mark.parametrize(("args", "fixed"), [
    (["export", "contacts", "-o", "x.xlsx", "--base-url", "http://127.0.0.1:9"],
     "bulktool --base-url http://127.0.0.1:9 export contacts -o x.xlsx"),
    (["export", "contacts", "--rate=2", "-o", "x.xlsx"], "bulktool --rate=2 export contacts -o x.xlsx"),
    (["--system", "blikk", "import", "a b.xlsx", "--profile", "acme"],
     "bulktool --system blikk --profile acme import 'a b.xlsx'"),
    (["export", "contacts", "-o", "x.xlsx", "-vv"], "bulktool -vv export contacts -o x.xlsx"),
], ids=["base-url", "rate=", "profile", "-vv"])
def test_a_global_option_after_the_command_says_where_it_goes(args: list[str], fixed: str) -> None:
    res = invoke(*args)
    assert res.exit_code == 2
    option = next(a for a in args[1:] if a.startswith("-") and a.split("=")[0] in
                  ("--base-url", "--rate", "--profile", "-vv"))
    name = "-v" if option == "-vv" else option.split("=")[0]
    assert res.stderr.splitlines()[-1] == f"Error: {name} is a global option: put it before the command: {fixed}"
    assert "No such option" not in res.stderr


def test_an_unknown_option_keeps_clicks_message() -> None:
    res = invoke("export", "contacts", "-o", "x.xlsx", "--colour")
    assert res.exit_code == 2
    assert res.stderr.splitlines()[-1] == "Error: No such option '--colour'."


def test_profile_add_keeps_its_own_base_url_option(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BULKTOOL_CONFIG", str(tmp_path / "config.toml"))
    res = CliRunner().invoke(cli, ["profile", "add", "acme", "--app-id", "a", "--base-url", "https://x.se",
                                   "--store", "file"], input="s\n")
    assert res.exit_code == 0, res.output
    assert os.path.exists(tmp_path / "config.toml")
