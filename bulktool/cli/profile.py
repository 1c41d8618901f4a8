"""``bulktool profile``: save, list, show and remove connection profiles (secrets never printed)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from ..config import ProfileInfo, config_path, list_profiles, remove_profile, save_profile, show_profile
from ..connectors.base import CredentialField
from ..vendors import CONNECTORS, DEFAULT_SYSTEM, connector_class
from . import AppContext, handle_errors

F = TypeVar("F", bound=Callable[..., Any])


@click.group("profile")
def profile_group() -> None:
    """Manage saved connection profiles."""


def read_secret(label: str = "app secret") -> str | None:
    """Prompt with hidden input on a terminal; read one line from a pipe.

    getpass on a pipe cannot hide anything and prints a GetPassWarning, so a piped secret is read plainly.
    """
    if sys.stdin is None or not sys.stdin.isatty():
        line = sys.stdin.readline() if sys.stdin is not None else ""
        return line.rstrip("\r\n") or None
    return click.prompt(label[:1].upper() + label[1:], hide_input=True, default="", show_default=False) or None


def _public_fields() -> dict[str, CredentialField]:
    """Every vendor's public credential fields, one option each (``--app-id``); secrets are prompted for."""
    out: dict[str, CredentialField] = {}
    for cls in CONNECTORS.values():
        out.update({f.key: f for f in cls.credential_fields if not f.secret and f.key not in out})
    return out


def _with_credential_options(func: F) -> F:
    for f in reversed(list(_public_fields().values())):
        func = click.option(f.option, f.key, default=None, help=f"The {f.label} (for the systems that use one).")(func)
    return func


@profile_group.command("add")
@click.argument("name")
@click.option("--system", "system", type=click.Choice(sorted(CONNECTORS)), default=DEFAULT_SYSTEM,
              show_default=True, help="Which API the profile is for.")
@click.option("--base-url", "base_url", default=None, help="API root URL.")
@_with_credential_options
@click.option("--store", type=click.Choice(["keyring", "file"]), default="keyring", show_default=True,
              help="Where to keep the secret.")
@click.pass_obj
@handle_errors
def profile_add(
    app: AppContext, /, name: str, system: str, base_url: str | None, store: str, **given: str | None
) -> None:
    """Save profile NAME; the secrets are prompted for (hidden) or read from stdin, one a line."""
    fields = connector_class(system).credential_fields
    for f in fields:
        if not f.secret and f.required and not given.get(f.key):
            raise click.UsageError(f"Missing option '{f.option}'.")
    values: dict[str, str | None] = {f.key: given.get(f.key) for f in fields if not f.secret}
    values.update({f.key: read_secret(f.label) for f in fields if f.secret})
    where = save_profile(name, system=system, base_url=base_url, values=values, store=store)
    click.echo(f"Saved profile {name!r} in {config_path()} ({where}).")


def _lines(p: ProfileInfo) -> list[str]:
    return [
        f"profile:  {p.name}",
        f"system:   {p.system}",
        f"base url: {p.base_url or '(the system default)'}",
        *(f"{label + ':':<10}{value or '(none)'}" for label, value in p.identity),
        f"secret:   {p.secret}",
    ]


@profile_group.command("list")
@click.pass_obj
@handle_errors
def profile_list(app: AppContext) -> None:
    """List saved profiles (name, system, base URL, app id or the like; never the secret)."""
    profiles = list_profiles()
    if not profiles:
        hint = " ".join(f"{f.option} {f.label.split()[-1].upper()}" for f in _public_fields().values() if f.required)
        click.echo(f"No profiles in {config_path()}. Add one with 'bulktool profile add NAME {hint}'.")
        return
    for p in profiles:
        who = "  ".join(f"{label} {value or '(none)'}" for label, value in p.identity)
        click.echo(f"{p.name}  {p.system}  {p.base_url or '(default url)'}  {who}")


@profile_group.command("show")
@click.argument("name")
@click.pass_obj
@handle_errors
def profile_show(app: AppContext, name: str) -> None:
    """Show profile NAME and where its secret is kept (the secret itself is never printed)."""
    for line in _lines(show_profile(name)):
        click.echo(line)


@profile_group.command("remove")
@click.argument("name")
@click.pass_obj
@handle_errors
def profile_remove(app: AppContext, name: str) -> None:
    """Delete profile NAME and its secret in the OS keyring."""
    what = remove_profile(name)
    click.echo(f"Removed {what} {name!r} from {config_path()}.")


COMMANDS = [profile_group]
