"""Profiles and credentials.

Credentials come from, in order: the system's environment variables
(``BLIKK_APP_ID``/``BLIKK_APP_SECRET``), a named profile in the user config
file, the OS keyring. A config file that holds a secret must be private
(0600): bulktool writes it that way and refuses to read one others can read.
"""

from __future__ import annotations

import os
import stat
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .connectors.base import Credentials
from .errors import ConfigError, InsecureConfig, MissingCredentials
from .vendors import connector_class

KEYRING_SERVICE = "bulktool"
SECRET_KEYS = ("app_secret",)


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
    holds_secret = any(isinstance(p, dict) and any(k in p for k in SECRET_KEYS) for p in profiles.values())
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


def resolve_connection(system: str | None, base_url: str | None, profile: str | None) -> Connection:
    """Combine options, profile, environment and keyring into one connection; secrets never logged."""
    prof = load_profile(profile) if profile else {}
    system = (system or prof.get("system") or "blikk").lower()
    cls = connector_class(system)
    url = base_url or prof.get("base_url") or cls.default_base_url
    if not url:
        raise ConfigError(
            f"No base URL for {cls.title}: the vendor documentation does not state one. "
            "Pass --base-url or set base_url in a profile."
        )
    env_id = os.environ.get(f"{cls.env_prefix}_APP_ID")
    env_secret = os.environ.get(f"{cls.env_prefix}_APP_SECRET")
    app_id = env_id or prof.get("app_id")
    secret = env_secret if env_id and env_secret else None
    if secret is None and app_id:
        secret = prof.get("app_secret") or _keyring_get(f"{profile or system}:{app_id}")
    if not app_id or not secret:
        raise MissingCredentials(
            f"No credentials for {cls.title}: set {cls.env_prefix}_APP_ID and {cls.env_prefix}_APP_SECRET, "
            "or create a profile with 'bulktool profile add'."
        )
    return Connection(system, str(url), Credentials(str(app_id), str(secret)), profile)


def save_profile(
    name: str, *, system: str, base_url: str | None, app_id: str, secret: str | None, store: str = "keyring"
) -> str:
    """Write a profile; the secret goes to the keyring, or into a 0600 file if asked. Returns where."""
    cls = connector_class(system)
    if base_url:
        base_url = cls.check_base_url(base_url)  # remote http:// or a vendor's bad root: refused now, not at first use
    path = config_path()
    data = _read_config(path)
    profiles = data.setdefault("profiles", {})
    entry: dict[str, Any] = {"system": system, "app_id": app_id}
    if base_url:
        entry["base_url"] = base_url
    where = "no secret stored"
    if secret:
        if store == "keyring":
            try:
                import keyring

                keyring.set_password(KEYRING_SERVICE, f"{name}:{app_id}", secret)
                where = "secret stored in the OS keyring"
            except Exception as exc:
                raise ConfigError(f"Could not store the secret in the OS keyring ({type(exc).__name__}); "
                                  "use --store file to keep it in the private config file instead.") from None
        else:
            entry["app_secret"] = secret
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
    app_id: str | None
    secret: str  # a description such as "in the OS keyring", never the secret itself


def list_profiles() -> list[ProfileInfo]:
    profiles = _read_config(config_path()).get("profiles", {})
    return [_info(name, p) for name, p in sorted(profiles.items()) if isinstance(p, dict)]


def show_profile(name: str) -> ProfileInfo:
    return _info(name, load_profile(name))


def _info(name: str, prof: dict[str, Any]) -> ProfileInfo:
    app_id = str(prof["app_id"]) if prof.get("app_id") else None
    if prof.get("app_secret"):
        where = f"in {config_path()} (mode 600)"
    elif app_id and _keyring_get(f"{name}:{app_id}"):
        where = "in the OS keyring"
    else:
        where = "not stored (set the environment variables)"
    system = str(prof.get("system") or "blikk")
    base_url = str(prof["base_url"]) if prof.get("base_url") else None
    return ProfileInfo(name, system, base_url, app_id, where)


def remove_profile(name: str) -> str:
    """Delete a profile and its keyring secret; returns what was removed, for the confirmation line."""
    path = config_path()
    data = _read_config(path)
    prof = load_profile(name)
    del data["profiles"][name]
    _write_config(path, data)
    app_id = prof.get("app_id")
    if app_id and _keyring_get(f"{name}:{app_id}") is not None:
        try:
            import keyring

            keyring.delete_password(KEYRING_SERVICE, f"{name}:{app_id}")
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
