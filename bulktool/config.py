"""Profiles and credentials.

Credentials come from, in order: the system's environment variables (each
vendor's connector declares its ``credential_fields``, e.g. Blikk's
``BLIKK_APP_ID``/``BLIKK_APP_SECRET``), a named profile in the user config
file, the OS keyring. A config file that holds a secret must be private
(0600): bulktool writes it that way and refuses to read one others can read.
"""

from __future__ import annotations

import os
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .connectors.base import CredentialField, Credentials
from .errors import ConfigError, InsecureConfig, MissingCredentials, UsageError
from .vendors import DEFAULT_SYSTEM, connector_class

KEYRING_SERVICE = "bulktool"


def _secret_keys() -> set[str]:
    """Every vendor's secret field names: a config file holding any of them must be private."""
    from .vendors import CONNECTORS

    return {f.key for cls in CONNECTORS.values() for f in cls.credential_fields if f.secret}


def config_path() -> Path:
    env = os.environ.get("BULKTOOL_CONFIG")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_config_dir("bulktool")) / "config.toml"


@dataclass
class Connection:
    system: str
    base_url: str
    credentials: Credentials
    profile: str | None = None


def _read_config(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"Cannot read config file {path}: {exc}") from None
    profiles = data.get("profiles", {})
    holds_secret = any(isinstance(p, dict) and any(k in p for k in _secret_keys()) for p in profiles.values())
    if holds_secret and os.name == "posix":
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            raise InsecureConfig(
                f"Config file {path} holds a secret but is readable by others (mode {mode:o}); "
                f"run: chmod 600 {path}"
            )
    return data


def load_profile(name: str) -> dict[str, Any]:
    path = config_path()
    profiles = _read_config(path).get("profiles", {})
    if name not in profiles:
        known = ", ".join(sorted(profiles)) or "none"
        raise ConfigError(f"No profile {name!r} in {path} (profiles: {known}). Add one with 'bulktool profile add'.")
    profile = profiles[name]
    if not isinstance(profile, dict):
        raise ConfigError(f"Profile {name!r} in {path} is not a table")
    return profile


def _keyring_get(username: str) -> str | None:
    try:
        import keyring
        from keyring.errors import KeyringError

        try:
            return keyring.get_password(KEYRING_SERVICE, username)
        except (KeyringError, RuntimeError):
            return None
    except Exception:  # no usable backend on headless machines: treat as "no secret stored"
        return None


def resolve_connection(
    system: str | None, base_url: str | None, profile: str | None, options: Mapping[str, str | None] | None = None
) -> Connection:
    """Combine options, profile, environment and keyring into one connection; secrets never logged.

    ``options`` are public fields given on the command line (``--company``): they win over the
    environment and the profile, and naming one the system does not have is a UsageError.
    """
    prof = load_profile(profile) if profile else {}
    system = (system or prof.get("system") or DEFAULT_SYSTEM).lower()
    cls = connector_class(system)
    given = {k: v for k, v in (options or {}).items() if v not in (None, "")}
    known = {f.key for f in cls.credential_fields if not f.secret}
    stray = sorted(set(given) - known)
    if stray:
        names = ", ".join("--" + k.replace("_", "-") for k in stray)
        raise UsageError(f"{names} does not apply to {cls.title}.")
    url = base_url or prof.get("base_url") or cls.default_base_url
    if not url:
        raise ConfigError(
            f"No base URL for {cls.title}: the vendor documentation does not state one. "
            "Pass --base-url or set base_url in a profile."
        )
    fields = cls.credential_fields
    env = {f.key: os.environ.get(f"{cls.env_prefix}_{f.env}") for f in fields}
    public = [f for f in fields if not f.secret and f.required]
    values: dict[str, str | None] = {f.key: env[f.key] or prof.get(f.key) for f in public}
    for f in fields:
        if not f.secret and not f.required:  # optional settings: option, then environment, then profile
            values[f.key] = given.get(f.key) or env[f.key] or (str(prof[f.key]) if prof.get(f.key) else None)
    env_public = all(env[f.key] for f in public)
    for f in fields:
        if f.secret:  # from the environment only together with the environment's public values
            values[f.key] = env[f.key] if env_public and env[f.key] else None
            if values[f.key] is None and all(values[p.key] for p in public):
                values[f.key] = prof.get(f.key) or _keyring_get(_keyring_user(profile or system, fields, values, f))
    if not fields or not all(values.get(f.key) for f in fields if f.required):
        names = " and ".join(f"{cls.env_prefix}_{f.env}" for f in fields)
        raise MissingCredentials(
            f"No credentials for {cls.title}: set {names}, or create a profile with 'bulktool profile add'."
        )
    return Connection(system, str(url), cls.credentials(**{k: str(v) for k, v in values.items() if v}), profile)


def _keyring_user(name: str, fields: tuple[CredentialField, ...], values: Mapping[str, Any],
                  field: CredentialField) -> str:
    """The keyring entry of one secret: ``<profile>:<first public value>`` (``:<key>`` after the first)."""
    public = next((str(values.get(f.key) or "") for f in fields if not f.secret and f.required), "")
    first_secret = next(f for f in fields if f.secret)
    return f"{name}:{public}" + ("" if field is first_secret else f":{field.key}")


def save_profile(
    name: str, *, system: str, base_url: str | None, values: Mapping[str, str | None], store: str = "keyring"
) -> str:
    """Write a profile of the vendor's ``credential_fields``; secrets go to the keyring, or into a
    0600 file if asked. Returns where."""
    cls = connector_class(system)
    if base_url:
        base_url = cls.check_base_url(base_url)  # remote http:// or a vendor's bad root: refused now, not at first use
    path = config_path()
    data = _read_config(path)
    profiles = data.setdefault("profiles", {})
    fields = cls.credential_fields
    entry: dict[str, Any] = {"system": system}
    entry.update({f.key: values[f.key] for f in fields if not f.secret and values.get(f.key)})
    if base_url:
        entry["base_url"] = base_url
    where = "no secret stored"
    for f in fields:
        secret = values.get(f.key) if f.secret else None
        if not secret:
            continue
        if store == "keyring":
            try:
                import keyring

                keyring.set_password(KEYRING_SERVICE, _keyring_user(name, fields, values, f), secret)
                where = "secret stored in the OS keyring"
            except Exception as exc:
                raise ConfigError(f"Could not store the secret in the OS keyring ({type(exc).__name__}); "
                                  "use --store file to keep it in the private config file instead.") from None
        else:
            entry[f.key] = secret
            where = f"secret stored in {path} (mode 600)"
    profiles[name] = entry
    _write_config(path, data)
    return where


def _write_config(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(_dump_toml(data))
    os.chmod(path, 0o600)


@dataclass
class ProfileInfo:
    """What ``profile list``/``show`` print: everything but the secret, plus where the secret lives."""

    name: str
    system: str
    base_url: str | None
    identity: list[tuple[str, str | None]]  # (label, value) of each public credential field, e.g. app id
    secret: str  # a description such as "in the OS keyring", never the secret itself


def list_profiles() -> list[ProfileInfo]:
    profiles = _read_config(config_path()).get("profiles", {})
    return [_info(name, p) for name, p in sorted(profiles.items()) if isinstance(p, dict)]


def show_profile(name: str) -> ProfileInfo:
    return _info(name, load_profile(name))


def _info(name: str, prof: dict[str, Any]) -> ProfileInfo:
    system = str(prof.get("system") or DEFAULT_SYSTEM)
    fields = connector_class(system).credential_fields
    secrets = [f for f in fields if f.secret]
    if any(prof.get(f.key) for f in secrets):
        where = f"in {config_path()} (mode 600)"
    elif secrets and all(f.secret or not f.required or prof.get(f.key) for f in fields) and all(
            _keyring_get(_keyring_user(name, fields, prof, f)) for f in secrets):
        where = "in the OS keyring"
    else:
        where = "not stored (set the environment variables)"
    base_url = str(prof["base_url"]) if prof.get("base_url") else None
    identity = [(f.label, str(prof[f.key]) if prof.get(f.key) else None) for f in fields if not f.secret]
    return ProfileInfo(name, system, base_url, identity, where)


def remove_profile(name: str) -> str:
    """Delete a profile and its keyring secret; returns what was removed, for the confirmation line."""
    path = config_path()
    data = _read_config(path)
    prof = load_profile(name)
    del data["profiles"][name]
    _write_config(path, data)
    fields = connector_class(str(prof.get("system") or DEFAULT_SYSTEM)).credential_fields
    users = [_keyring_user(name, fields, prof, f) for f in fields if f.secret]
    stored = [u for u in users if all(prof.get(f.key) for f in fields if not f.secret and f.required)
              and _keyring_get(u) is not None]
    if stored:
        try:
            import keyring

            for user in stored:
                keyring.delete_password(KEYRING_SERVICE, user)
            return "profile and its keyring secret"
        except Exception:  # the profile is gone either way; say the secret may remain
            return "profile (its keyring secret could not be deleted)"
    return "profile"


def _dump_toml(data: dict[str, Any]) -> str:
    lines: list[str] = []
    for pname, prof in sorted(data.get("profiles", {}).items()):
        lines.append(f"[profiles.{_toml_key(pname)}]")
        for k, v in prof.items():
            lines.append(f"{_toml_key(k)} = {_toml_str(str(v))}")
        lines.append("")
    return "\n".join(lines)


def _toml_key(k: str) -> str:
    return k if k.replace("_", "").replace("-", "").isalnum() else _toml_str(k)


def _toml_str(v: str) -> str:
    return '"' + v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
