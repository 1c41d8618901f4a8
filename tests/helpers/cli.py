"""The CLI as the end-to-end tests drive it: against one sandbox, paced fast enough not to wait."""

from __future__ import annotations

from click.testing import CliRunner, Result

from bulktool.cli import cli
from bulktool.sandbox import SandboxServer


def run(srv: SandboxServer, *args: str, rate: str = "200", stdin: str | None = None) -> Result:
    """``bulktool --base-url <sandbox> --rate <rate> ARGS``; exceptions other than exits fail the test."""
    return CliRunner().invoke(cli, ["--base-url", srv.url, "--rate", rate, *args], input=stdin,
                              catch_exceptions=False)
