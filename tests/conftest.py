"""Shared fixtures: a real sandbox server on loopback, and LibreOffice when it can be had."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from bulktool.http.throttle import RateLimiter
from bulktool.sandbox import SandboxConfig, SandboxServer
from bulktool.vendors.blikk import BlikkConnector, blikk_credentials

pytest_plugins = ["tt_fixtures"]  # the Tripletex sandbox fixtures: tt_sandbox, api, tt_env


@pytest.fixture()
def sandbox() -> Iterator[SandboxServer]:
    """A fresh sandbox with the real 4 requests/second limit."""
    with SandboxServer(SandboxConfig(contacts=60, port=0)) as srv:
        yield srv


@pytest.fixture()
def fast_sandbox() -> Iterator[SandboxServer]:
    """A sandbox with a high rate limit, for tests about behaviour rather than pacing."""
    with SandboxServer(SandboxConfig(contacts=60, port=0, rate_limit=1000)) as srv:
        yield srv


def connector_for(srv: SandboxServer, rate: int = 4) -> BlikkConnector:
    return BlikkConnector(srv.url, blikk_credentials(srv.app_id, srv.app_secret), limiter=RateLimiter(rate))


@pytest.fixture()
def sandbox_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Credentials in the environment and a private config dir, as a user would have."""
    monkeypatch.setenv("BLIKK_APP_ID", "sandbox-app")
    monkeypatch.setenv("BLIKK_APP_SECRET", "sandbox-secret")
    monkeypatch.setenv("BULKTOOL_CONFIG", str(tmp_path / "config.toml"))


def _try_install_soffice() -> None:
    """Install LibreOffice via apt where that is possible (CI runs as root on Debian)."""
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        return
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        subprocess.run(["apt-get", "update", "-qq"], check=False, env=env, timeout=300,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", "libreoffice-calc-nogui"],
                       check=False, env=env, timeout=900, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        pass


@pytest.fixture(scope="session")
def soffice() -> str:
    """Path to soffice, installing it where possible; tests skip with a reason otherwise."""
    path = shutil.which("soffice") or shutil.which("libreoffice")
    if path is None:
        _try_install_soffice()
        path = shutil.which("soffice") or shutil.which("libreoffice")
    if path is None:
        pytest.skip("LibreOffice (soffice) is not installed and could not be installed via apt here")
    return path
