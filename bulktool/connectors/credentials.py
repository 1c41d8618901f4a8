"""What signing in takes (a vendor's ``credential_fields``), the values given, and the account they reach."""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class CredentialField:
    """One value a vendor signs in with, as the vendor's connector declares it (``credential_fields``).

    ``key`` names it in a profile and in ``Credentials``; ``env`` is the environment variable after
    the vendor's prefix (``APP_ID`` -> ``BLIKK_APP_ID``); a ``secret`` goes to the OS keyring (or a
    private file), is read from a prompt or stdin, and is never printed.
    """

    key: str
    label: str
    env: str
    secret: bool = False
    required: bool = True  # False: an optional setting such as a client company id (never a secret)

    @property
    def option(self) -> str:
        return "--" + self.key.replace("_", "-")


class Credentials:
    """The values a vendor signs in with, by the keys of its ``credential_fields``."""

    def __init__(self, values: Mapping[str, str], secret_keys: Collection[str] = ()) -> None:
        self._values = dict(values)
        self._secret = frozenset(secret_keys)

    def __getitem__(self, key: str) -> str:
        return self._values[key]

    def get(self, key: str, default: str | None = None) -> str | None:
        """An optional field's value (``company``), or ``default`` when it was not given."""
        return self._values.get(key) or default

    def __repr__(self) -> str:  # never show a secret, even in tracebacks with locals
        shown = ", ".join(f"{k}={'***' if k in self._secret else repr(v)}" for k, v in self._values.items())
        return f"Credentials({shown})"


@dataclass(frozen=True)
class Tenant:
    """The account a connector talks to, as recorded in a workbook: never a secret.

    Several customers may share one host (every Blikk customer uses publicapi.blikk.com),
    so the host alone does not say whose data a workbook holds. ``id`` is a fingerprint
    that is equal exactly when the account is; ``label`` is for people.
    """

    id: str
    label: str


def fingerprint(*parts: str) -> str:
    """A short one-way digest: tells accounts apart without writing their identifiers down."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]
