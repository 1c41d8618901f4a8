"""`bulktool endpoints`, `export` and `demo` through the real CLI: exact output, exit codes, error lines.

Every export here runs against the sandbox over real HTTP on loopback. Error cases assert the
sqlite-utils contract: exit code 2, exactly one ``Error: ...`` line on stderr, no traceback
unless ``-v`` asks for one.
"""

from __future__ import annotations

import base64
import json
import os
import re
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner, Result
from python_calamine import CalamineWorkbook

from bulktool.cli import cli
from bulktool.demo import DEMO_ENDPOINTS
from bulktool.sandbox import SandboxConfig, SandboxServer
from bulktool.schema import load_templates
from bulktool.schema.model import Column
from bulktool.vendors.blikk.connector import strip_type_tags
from bulktool.workbook import flatten, read_table, sidecar_path

CONTACTS_FOOTER = "Any other list path of the API exports too, with inferred columns: bulktool export PATH."


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def run(srv: SandboxServer | str, *args: str) -> Result:
    url = srv if isinstance(srv, str) else srv.url
    return invoke("--base-url", url, "--rate", "200", *args)


def assert_one_error_line(res: Result, expected: str | None = None, contains: tuple[str, ...] = ()) -> str:
    """Exit 2, nothing on stdout, exactly one 'Error: ' line on stderr, no traceback."""
    assert res.exit_code == 2, res.output
    assert res.stdout == ""
    lines = res.stderr.splitlines()
    assert len(lines) == 1, res.stderr
    line = lines[0]
    assert line.startswith("Error: ")
    assert "Traceback" not in res.output
    if expected is not None:
        assert line == expected
    for part in contains:
        assert part in line, line
    return line


def assert_traceback_with_v(res: Result, line: str) -> None:
    assert res.exit_code == 2
    assert "Traceback (most recent call last)" in res.stderr
    assert res.stderr.splitlines()[-1] == line


# ---------------------------------------------------------------- endpoints


def test_endpoints_exact_listing(monkeypatch: pytest.MonkeyPatch) -> None:
    # Listing needs no account: no credentials in the environment.
    monkeypatch.delenv("BLIKK_APP_ID", raising=False)
    monkeypatch.delenv("BLIKK_APP_SECRET", raising=False)
    res = invoke("endpoints")
    assert res.exit_code == 0, res.output
    assert res.stderr == ""
    lines = res.stdout.splitlines()
    assert len(lines) == 17 + 2  # 17 endpoints, a blank line, the footer
    assert lines[0] == "absence-projects   list                           /v1/Admin/AbsenceProjects"
    assert lines[6] == "contacts           list,get,create,update,delete  /v1/Core/Contacts"
    assert lines[10] == "projects           list,get,create,update         /v1/Core/Projects"
    assert lines[16] == "users              list,get                       /v1/Admin/Users"
    assert lines[17:] == ["", CONTACTS_FOOTER]
    assert [line.split()[0] for line in lines[:17]] == sorted(load_templates("blikk"))


def test_endpoints_json() -> None:
    res = invoke("endpoints", "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["system"] == "blikk"
    assert [e["name"] for e in data["endpoints"]] == sorted(load_templates("blikk"))
    contacts = next(e for e in data["endpoints"] if e["name"] == "contacts")
    assert contacts == {"name": "contacts", "operations": ["list", "get", "create", "update", "delete"],
                        "path": "/v1/Core/Contacts", "title": contacts["title"]}
    assert contacts["title"]


def test_vismatid_endpoints_are_the_documented_subset() -> None:
    res = invoke("--system", "vismatid", "endpoints")
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    names = [line.split()[0] for line in lines[:-2]]
    # The Visma Tid index documents these of the 17 Blikk templates (no users, admin lists, ...).
    assert names == ["absence-projects", "activities", "articles", "contacts", "projects", "tasks", "time-reports"]
    assert lines[0] == "absence-projects  list                           /v1/Admin/AbsenceProjects"
    assert lines[-2:] == ["", CONTACTS_FOOTER]
    data = json.loads(invoke("--system", "vismatid", "endpoints", "--json").stdout)
    assert data["system"] == "vismatid" and [e["name"] for e in data["endpoints"]] == names


# ---------------------------------------------------------------- export: success output


def test_export_json_summary_and_sheets(fast_sandbox: SandboxServer, sandbox_env: None, tmp_path: Path) -> None:
    srv = fast_sandbox
    out = tmp_path / "x.xlsx"
    res = run(srv, "export", "contacts", "projects", "-o", str(out), "--json")
    assert res.exit_code == 0, res.output
    assert res.stdout.count("\n") == 1  # exactly one JSON object, nothing else on stdout
    summary = json.loads(res.stdout)
    assert set(summary) == {"output", "rows", "requests", "seconds", "status_429"}
    assert summary["output"] == str(out)
    assert summary["rows"] == {"contacts": 60, "projects": len(srv.records("projects"))}
    # Our count agrees with the server's, which leaves out the one token request.
    assert summary["requests"] == srv.stats()["total"] + 1
    assert summary["status_429"] == 0
    assert isinstance(summary["seconds"], float) and summary["seconds"] >= 0
    wb = openpyxl.load_workbook(out, read_only=False)
    assert wb.sheetnames == ["contacts", "projects", "_bulktool"]
    assert [ws.sheet_state for ws in wb.worksheets] == ["visible", "visible", "hidden"]
    assert wb["contacts"].max_row == 61


def test_export_default_success_line(fast_sandbox: SandboxServer, sandbox_env: None, tmp_path: Path) -> None:
    out = tmp_path / "x.xlsx"
    res = run(fast_sandbox, "export", "contacts", "-o", str(out))
    assert res.exit_code == 0, res.output
    m = re.fullmatch(rf"Wrote {re.escape(str(out))} \(contacts: 60 rows\) with (\d+) requests in (\d+\.\d) s\.\n",
                     res.stdout)
    assert m, res.stdout
    assert int(m.group(1)) == fast_sandbox.stats()["total"] + 1  # + the token request
    assert out.is_file()
    assert res.stderr == ""  # not a terminal: no progress bar, and nothing else to say


def test_quiet_prints_no_progress(fast_sandbox: SandboxServer, sandbox_env: None, tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    # Make rich treat the captured stderr as a terminal, so the progress bar would show.
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    loud = run(fast_sandbox, "export", "contacts", "-o", str(tmp_path / "a.xlsx"))
    assert loud.exit_code == 0, loud.output
    assert "Fetching contacts" in loud.stderr and "Writing a.xlsx" in loud.stderr
    quiet = run(fast_sandbox, "export", "contacts", "-o", str(tmp_path / "b.xlsx"), "--quiet")
    assert quiet.exit_code == 0, quiet.output
    assert quiet.stderr == ""
    assert quiet.stdout.startswith(f"Wrote {tmp_path / 'b.xlsx'} (contacts: 60 rows)")


def test_detail_prints_cost_before_fetching(fast_sandbox: SandboxServer, sandbox_env: None, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    srv = fast_sandbox
    companies = sum(1 for r in srv.records("contacts") if str(r["contactType"]).lower() == "company")
    note = (f"--detail: {companies} extra requests for contacts (one per record), "
            f"about {round(companies / 20)} s at 20 requests/second.")
    args = ("--base-url", srv.url, "--rate", "20", "export", "contacts", "--detail",
            "--filter", "contactType=company")
    res = invoke(*args, "-o", str(tmp_path / "d.xlsx"))
    assert res.exit_code == 0, res.output
    assert res.stderr.splitlines() == [note]  # the estimate uses --rate, not the vendor default
    # On a terminal the note comes before the detail requests start.
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    tty = invoke(*args, "-o", str(tmp_path / "e.xlsx"))
    assert tty.exit_code == 0, tty.output
    assert note in tty.stderr
    assert tty.stderr.index(note) < tty.stderr.index("Fetching contacts details")
    quiet = invoke(*args, "-o", str(tmp_path / "f.xlsx"), "--quiet")
    assert quiet.exit_code == 0 and quiet.stderr == ""
    assert read_table(tmp_path / "f.xlsx").sheets["contacts"].meta.detail  # type: ignore[union-attr]


def test_filter_and_sort_reach_the_server(fast_sandbox: SandboxServer, sandbox_env: None, tmp_path: Path) -> None:
    srv = fast_sandbox
    out = tmp_path / "f.xlsx"
    res = run(srv, "export", "contacts", "--filter", "contactType=company", "--sort", "name:desc", "-o", str(out),
              "--quiet")
    assert res.exit_code == 0, res.output
    lists = [path for method, path, _ in srv.request_log() if method == "GET" and path.startswith("/v1/Core/Contacts")]
    assert lists and all("filter.contactType=company" in p and "sortBy=name&sortOrder=descending" in p
                         for p in lists)
    rows = read_table(out).sheets["contacts"].rows
    companies = sum(1 for r in srv.records("contacts") if str(r["contactType"]).lower() == "company")
    assert len(rows) == companies and {r.values["contactType"] for r in rows} == {"company"}


def test_raw_path_of_a_template_uses_the_template(fast_sandbox: SandboxServer, sandbox_env: None,
                                                  tmp_path: Path) -> None:
    out = tmp_path / "e.xlsx"
    res = run(fast_sandbox, "export", "/v1/Admin/Equipments", "-o", str(out), "--quiet")
    assert res.exit_code == 0, res.output
    sheet = read_table(out).sheets["equipments"]
    ep = load_templates("blikk")["equipments"]
    assert sheet.columns[: len(ep.column_names())] == ep.column_names()
    cols = [Column(name=c["name"], type=c["type"]) for c in sheet.meta.columns]  # type: ignore[union-attr]
    assert [r.values for r in sheet.rows] == [flatten(r, cols) for r in fast_sandbox.records("equipments")]


def test_raw_paths_export_with_inferred_columns(fast_sandbox: SandboxServer, sandbox_env: None,
                                                tmp_path: Path) -> None:
    srv = fast_sandbox
    task = max(srv.records("tasks"), key=lambda t: t["numberOfComments"])
    assert task["numberOfComments"] >= 1
    out = tmp_path / "c.xlsx"
    res = run(srv, "export", f"/v1/Core/Tasks/{task['id']}/Comments", "-o", str(out), "--quiet")
    assert res.exit_code == 0, res.output
    name = f"Tasks_{task['id']}_Comments"
    assert res.stdout.startswith(f"Wrote {out} ({name}: {task['numberOfComments']} rows)")
    sheet = read_table(out).sheets[name]
    assert sheet.columns[0] == "id" and "objectName" not in sheet.columns
    assert sheet.meta is not None and all(c["read_only"] for c in sheet.meta.columns)
    assert len(sheet.rows) == task["numberOfComments"]

    # Task boards have no template: nested objects become dotted columns, arrays JSON.
    out2 = tmp_path / "b.xlsx"
    res = run(srv, "export", "/v1/Core/TaskBoards", "-o", str(out2), "--quiet")
    assert res.exit_code == 0, res.output
    boards = read_table(out2).sheets["TaskBoards"]
    assert boards.meta is not None
    cols = [Column(name=c["name"], type=c["type"]) for c in boards.meta.columns]
    assert "createdByUser.name" in boards.columns
    # (as the connector reads them: without Blikk's objectName type tags)
    assert [r.values for r in boards.rows] == [flatten(strip_type_tags(r), cols) for r in srv.records("task-boards")]


def test_csv_export_has_bom_and_sidecar(fast_sandbox: SandboxServer, sandbox_env: None, tmp_path: Path) -> None:
    out = tmp_path / "x.csv"
    res = run(fast_sandbox, "export", "contacts", "-o", str(out), "--quiet")
    assert res.exit_code == 0, res.output
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw[3:].decode("utf-8").startswith("id,name,customerNumber,")
    side = sidecar_path(out)
    assert side.name == "x.csv.bulktool.json"
    record = json.loads(side.read_text(encoding="utf-8"))
    assert record["meta"]["system"] == "blikk" and len(record["records"]) == 60
    xlsx = tmp_path / "x.xlsx"
    assert run(fast_sandbox, "export", "contacts", "-o", str(xlsx), "--quiet").exit_code == 0
    from_csv = [r.values for r in read_table(out).sheets["contacts"].rows]
    assert from_csv == [r.values for r in read_table(xlsx).sheets["contacts"].rows]


def test_demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # No account and no setup needed.
    monkeypatch.delenv("BLIKK_APP_ID", raising=False)
    monkeypatch.delenv("BLIKK_APP_SECRET", raising=False)
    monkeypatch.setenv("BULKTOOL_CONFIG", str(tmp_path / "config.toml"))
    out_dir = tmp_path / "demo"
    res = invoke("demo", "--dir", str(out_dir), "--contacts", "30", "--quiet")
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    workbook = out_dir.resolve() / "blikk-demo.xlsx"
    assert lines[0] == f"Demo workbook: {workbook}"
    assert lines[1].startswith("Sheets: contacts: 30, projects: ")
    assert workbook.is_file() and (out_dir / "sandbox.sqlite").is_file()
    assert CalamineWorkbook.from_path(str(workbook)).sheet_names == [*DEMO_ENDPOINTS, "_bulktool"]
    assert any(line.strip().startswith("bulktool --base-url http://127.0.0.1:") and " import " in line
               for line in lines)


# ---------------------------------------------------------------- export: errors


def test_unknown_endpoint_suggests(fast_sandbox: SandboxServer, sandbox_env: None, tmp_path: Path) -> None:
    args = ("export", "contact", "-o", str(tmp_path / "x.xlsx"))
    expected = ("Error: Unknown endpoint 'contact' for blikk. Did you mean: contacts, contact-tags? "
                "Run 'bulktool endpoints' to list them, or pass a raw list path such as /v1/Admin/Equipments.")
    line = assert_one_error_line(run(fast_sandbox, *args), expected)
    assert_traceback_with_v(run(fast_sandbox, "-v", *args), line)
    assert fast_sandbox.stats()["total"] == 0


@pytest.mark.parametrize(("args", "expected"), [
    (("--filter", "bogus=1"),
     "Error: contacts has no filter 'bogus'; documented filters: query, tagIds, createdOrUpdatedSince, contactType"),
    (("--filter", "contactType"), "Error: --filter expects name=value, got 'contactType'"),
    (("--sort", "name:up"), "Error: --sort expects FIELD or FIELD:desc, got 'name:up'"),
    (("--sort", "nosuch"),
     "Error: contacts cannot be sorted by 'nosuch'; valid: name, customerNumber, created, updated"),
])
def test_bad_filter_or_sort(fast_sandbox: SandboxServer, sandbox_env: None, tmp_path: Path,
                            args: tuple[str, ...], expected: str) -> None:
    full = ("export", "contacts", *args, "-o", str(tmp_path / "x.xlsx"))
    line = assert_one_error_line(run(fast_sandbox, *full), expected)
    assert_traceback_with_v(run(fast_sandbox, "-v", *full), line)
    assert fast_sandbox.stats()["total"] == 0  # checked before any request
    assert not (tmp_path / "x.xlsx").exists()


def test_csv_with_two_endpoints(fast_sandbox: SandboxServer, sandbox_env: None, tmp_path: Path) -> None:
    args = ("export", "contacts", "projects", "-o", str(tmp_path / "x.csv"))
    line = assert_one_error_line(
        run(fast_sandbox, *args),
        "Error: A CSV file holds one sheet: export one endpoint per CSV, or write .xlsx")
    assert_traceback_with_v(run(fast_sandbox, "-v", *args), line)
    assert fast_sandbox.stats()["total"] == 0


def _file_parent(tmp: Path) -> Path:
    (tmp / "file.txt").write_text("x")
    return tmp / "file.txt" / "out.xlsx"


def _directory(tmp: Path) -> Path:
    (tmp / "dir.xlsx").mkdir()
    return tmp / "dir.xlsx"


@pytest.mark.parametrize(("make", "message"), [
    (lambda tmp: tmp / "missing" / "out.xlsx", "Error: Cannot write {out}: folder {tmp}/missing does not exist"),
    (_directory, "Error: Cannot write {out}: it is a directory"),
    (_file_parent, "Error: Cannot write {out}: {tmp}/file.txt is a file, not a folder"),
    (lambda tmp: tmp / "out.xls", "Error: Output must end in .xlsx or .csv, got 'out.xls'"),
], ids=["missing-folder", "directory", "file-as-folder", "xls"])
def test_unwritable_output_fails_before_any_request(
    fast_sandbox: SandboxServer, sandbox_env: None, tmp_path: Path, make: Callable[[Path], Path], message: str,
) -> None:
    out = make(tmp_path)
    args = ("export", "contacts", "-o", str(out))
    line = assert_one_error_line(run(fast_sandbox, *args), message.format(out=out, tmp=tmp_path))
    assert_traceback_with_v(run(fast_sandbox, "-v", *args), line)
    assert fast_sandbox.stats()["total"] == 0


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can write into a read-only folder")
def test_read_only_folder(fast_sandbox: SandboxServer, sandbox_env: None, tmp_path: Path) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        out = ro / "x.xlsx"
        assert_one_error_line(run(fast_sandbox, "export", "contacts", "-o", str(out)),
                              f"Error: Cannot write {out}: permission denied")
    finally:
        ro.chmod(0o755)
    assert fast_sandbox.stats()["total"] == 0


def test_wrong_credentials(fast_sandbox: SandboxServer, sandbox_env: None, tmp_path: Path,
                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BLIKK_APP_SECRET", "not-the-secret")
    args = ("export", "contacts", "-o", str(tmp_path / "x.xlsx"))
    line = assert_one_error_line(run(fast_sandbox, *args), contains=("HTTP 401", "app id/secret"))
    assert "not-the-secret" not in line
    assert_traceback_with_v(run(fast_sandbox, "-v", *args), line)
    assert not (tmp_path / "x.xlsx").exists()


def test_missing_permission(sandbox_env: None, tmp_path: Path) -> None:
    with SandboxServer(SandboxConfig(contacts=20, port=0, rate_limit=1000, permissions={"Project_Read"})) as srv:
        args = ("export", "contacts", "-o", str(tmp_path / "x.xlsx"))
        line = assert_one_error_line(run(srv, *args), contains=("Contact_Read", "HTTP 403"))
        assert_traceback_with_v(run(srv, "-v", *args), line)
        # The permission it has works.
        assert run(srv, "export", "projects", "-o", str(tmp_path / "p.xlsx"), "-q").exit_code == 0
    assert not (tmp_path / "x.xlsx").exists()


def test_missing_credentials(fast_sandbox: SandboxServer, sandbox_env: None, tmp_path: Path,
                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BLIKK_APP_ID")
    monkeypatch.delenv("BLIKK_APP_SECRET")
    args = ("export", "contacts", "-o", str(tmp_path / "x.xlsx"))
    line = assert_one_error_line(
        run(fast_sandbox, *args),
        "Error: No credentials for Blikk: set BLIKK_APP_ID and BLIKK_APP_SECRET, "
        "or create a profile with 'bulktool profile add'.")
    assert_traceback_with_v(run(fast_sandbox, "-v", *args), line)
    assert fast_sandbox.stats()["total"] == 0


def test_unreachable_host(sandbox_env: None, tmp_path: Path) -> None:
    # Connection refused is retried with backoff (a restarting server refuses too), then reported.
    args = ("export", "contacts", "-o", str(tmp_path / "x.xlsx"))
    assert_one_error_line(
        run("http://127.0.0.1:9", *args),
        "Error: Could not connect to 127.0.0.1:9: connection refused. Check --base-url and your network.")
    assert not (tmp_path / "x.xlsx").exists()


@pytest.fixture()
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Fence off the network: any name lookup or connect is recorded and refused."""
    attempts: list[Any] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(args)
        raise OSError("network access attempted in a test that must not send anything")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    yield attempts


@pytest.mark.parametrize("url", ["http://api.example.com", "http://10.0.0.5:8080", "http://0.0.0.0:9"])
def test_plain_http_to_non_loopback_fails_before_any_request(
    sandbox_env: None, tmp_path: Path, no_network: list[Any], url: str,
) -> None:
    args = ("export", "contacts", "-o", str(tmp_path / "x.xlsx"))
    host = url.split("//")[1].split(":")[0]
    line = assert_one_error_line(run(url, *args), contains=(f"Refusing plain http:// to {host}", "https://"))
    assert_traceback_with_v(run(url, "-v", *args), line)
    assert no_network == []


# ---------------------------------------------------------------- secrets


SECRET = "S3cr3t-value-for-redaction-test"
TOKEN = re.compile(r"pk_[0-9a-fA-F]{4}")


def test_secrets_never_appear_even_with_vv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BLIKK_APP_ID", "sandbox-app")
    monkeypatch.setenv("BLIKK_APP_SECRET", SECRET)
    monkeypatch.setenv("BULKTOOL_CONFIG", str(tmp_path / "config.toml"))
    basic = base64.b64encode(f"sandbox-app:{SECRET}".encode()).decode()
    cfg = SandboxConfig(contacts=20, port=0, rate_limit=1000, app_secret=SECRET, permissions={"Project_Read"})
    with SandboxServer(cfg) as srv:
        failing = run(srv, "-vv", "export", "contacts", "-o", str(tmp_path / "c.xlsx"))
        ok = run(srv, "-vvv", "export", "projects", "-o", str(tmp_path / "p.xlsx"))
        monkeypatch.setenv("BLIKK_APP_SECRET", SECRET + "-wrong")
        rejected = run(srv, "-vv", "export", "projects", "-o", str(tmp_path / "q.xlsx"))
        # A token was issued and used (403, not 401): there was something to leak.
        assert any(status == 403 for _, _, status in srv.request_log())
    assert failing.exit_code == 2 and "Traceback" in failing.stderr and "DEBUG" in failing.stderr
    assert ok.exit_code == 0 and "DEBUG" in ok.stderr
    assert rejected.exit_code == 2
    for res in (failing, ok, rejected):
        text = res.stdout + res.stderr
        assert SECRET not in text
        assert basic not in text
        assert TOKEN.search(text) is None
