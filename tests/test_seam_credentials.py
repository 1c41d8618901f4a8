"""The credential shape is the vendor's: config reads whatever fields and variables its connector declares."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pytest

from bulktool import vendors
from bulktool.config import resolve_connection
from bulktool.connectors.base import Connector, CredentialField
from bulktool.errors import MissingCredentials
from bulktool.vendors import Vendor
from bulktool.vendors.blikk import BlikkConnector, sandbox_app


class TwoTokenConnector(Connector):
    """A vendor signed in to with two secret tokens and no app id (as Tripletex is)."""

    system: ClassVar[str] = "twotoken"
    title: ClassVar[str] = "Two Token"
    default_base_url: ClassVar[str | None] = "https://api.example.com/v2"
    env_prefix: ClassVar[str] = "TWOTOKEN"
    credential_fields: ClassVar[tuple[CredentialField, ...]] = (
        CredentialField("consumer_token", "consumer token", "CONSUMER_TOKEN", secret=True),
        CredentialField("employee_token", "employee token", "EMPLOYEE_TOKEN", secret=True),
    )


@pytest.fixture()
def two_token(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BULKTOOL_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setitem(vendors.VENDORS, "twotoken",
                        Vendor("twotoken", "Two Token", "twotoken", TwoTokenConnector, sandbox_app))


def test_another_vendors_fields_and_variables_are_read(two_token: None, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(MissingCredentials, match="set TWOTOKEN_CONSUMER_TOKEN and TWOTOKEN_EMPLOYEE_TOKEN"):
        resolve_connection("twotoken", None, None)
    monkeypatch.setenv("TWOTOKEN_CONSUMER_TOKEN", "c-secret-1")
    monkeypatch.setenv("TWOTOKEN_EMPLOYEE_TOKEN", "e-secret-2")
    conn = resolve_connection("twotoken", None, None)
    assert conn.base_url == "https://api.example.com/v2"
    assert conn.credentials["consumer_token"] == "c-secret-1" and conn.credentials["employee_token"] == "e-secret-2"
    assert "secret" not in repr(conn.credentials)  # both are secrets: never shown


def test_blikk_declares_app_id_and_secret() -> None:
    assert [(f.key, f.env, f.secret) for f in BlikkConnector.credential_fields] == [
        ("app_id", "APP_ID", False), ("app_secret", "APP_SECRET", True)]
    creds = BlikkConnector.credentials(app_id="a1", app_secret="s3cret")
    assert repr(creds) == "Credentials(app_id='a1', app_secret=***)"
    with pytest.raises(ValueError, match="app_secret"):
        BlikkConnector.credentials(app_id="a1")
