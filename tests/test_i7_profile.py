"""Issue 7 point 20: `profile list/show/remove`, and a piped secret without getpass's warning."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bulktool.cli import cli

ROOT = Path(__file__).resolve().parents[1]
SECRET = "s3cr3t-value-9"


@pytest.fixture()
def config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    monkeypatch.setenv("BULKTOOL_CONFIG", str(path))
    return path


def invoke(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=stdin, catch_exceptions=False)


def add(name: str, app_id: str, *extra: str) -> Result:
    res = invoke("profile", "add", name, "--app-id", app_id, "--store", "file", *extra, stdin=SECRET + "\n")
    assert res.exit_code == 0, res.output
    return res


def test_a_piped_secret_is_read_without_a_python_warning(tmp_path: Path) -> None:
    cfg = tmp_path / "config.toml"
    env = {**os.environ, "BULKTOOL_CONFIG": str(cfg), "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-m", "bulktool", "profile", "add", "acme", "--app-id", "a1", "--store", "file"],
        input=SECRET + "\n", capture_output=True, text=True, env=env, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""  # no "GetPassWarning: Can not control echo", no "may be echoed"
    assert proc.stdout == f"Saved profile 'acme' in {cfg} (secret stored in {cfg} (mode 600)).\n"
    assert f'app_secret = "{SECRET}"' in cfg.read_text(encoding="utf-8")


def test_list_shows_every_profile_without_secrets(config: Path) -> None:
    add("acme", "app-1", "--base-url", "https://publicapi.blikk.com")
    add("beta", "app-2", "--system", "vismatid", "--base-url", "https://tid.example.se")
    res = invoke("profile", "list")
    assert res.exit_code == 0
    assert res.stdout.splitlines() == [
        "acme  blikk  https://publicapi.blikk.com  app id app-1",
        "beta  vismatid  https://tid.example.se  app id app-2",
    ]
    assert SECRET not in res.output


def test_list_without_profiles_says_how_to_add_one(config: Path) -> None:
    res = invoke("profile", "list")
    assert res.exit_code == 0
    assert res.stdout == f"No profiles in {config}. Add one with 'bulktool profile add NAME --app-id ID'.\n"


def test_show_names_where_the_secret_is_but_never_prints_it(config: Path) -> None:
    add("acme", "app-1")
    res = invoke("-vv", "profile", "show", "acme")
    assert res.exit_code == 0
    assert res.stdout.splitlines() == [
        "profile:  acme",
        "system:   blikk",
        "base url: (the system default)",
        "app id:   app-1",
        f"secret:   in {config} (mode 600)",
    ]
    assert SECRET not in res.output


def test_show_of_an_unknown_profile_is_one_error_line(config: Path) -> None:
    add("acme", "app-1")
    res = invoke("profile", "show", "nope")
    assert res.exit_code == 2
    assert res.stderr == (f"Error: No profile 'nope' in {config} (profiles: acme). "
                          "Add one with 'bulktool profile add'.\n")


def test_remove_deletes_the_profile_and_its_secret(config: Path) -> None:
    add("acme", "app-1")
    add("beta", "app-2")
    res = invoke("profile", "remove", "acme")
    assert res.exit_code == 0
    assert res.stdout == f"Removed profile 'acme' from {config}.\n"
    text = config.read_text(encoding="utf-8")
    assert "acme" not in text and SECRET in text  # beta's secret stays
    assert oct(config.stat().st_mode & 0o777) == "0o600"
    assert invoke("profile", "list").stdout.splitlines() == ["beta  blikk  (default url)  app id app-2"]
    again = invoke("profile", "remove", "acme")
    assert again.exit_code == 2 and again.stderr.startswith("Error: No profile 'acme'")


def test_add_refuses_a_base_url_ending_in_v1(config: Path) -> None:
    res = invoke("profile", "add", "acme", "--app-id", "a", "--store", "file",
                 "--base-url", "https://publicapi.blikk.com/v1", stdin=SECRET + "\n")
    assert res.exit_code == 2
    assert res.stderr == ("Error: The base URL https://publicapi.blikk.com/v1 ends in /v1, but bulktool's paths "
                          "already start with /v1: use --base-url https://publicapi.blikk.com\n")
    assert not config.exists()
