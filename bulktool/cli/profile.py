"""``bulktool profile``: save, list, show and remove connection profiles (secrets never printed)."""

from __future__ import annotations

import sys

import click

from ..config import ProfileInfo, config_path, list_profiles, remove_profile, save_profile, show_profile
from . import AppContext, handle_errors


@click.group("profile")
def profile_group() -> None:
    """Manage saved connection profiles."""


def read_secret() -> str | None:
    """Prompt with hidden input on a terminal; read one line from a pipe.

    getpass on a pipe cannot hide anything and prints a GetPassWarning, so a piped secret is read plainly.
    """
    if sys.stdin is None or not sys.stdin.isatty():
        line = sys.stdin.readline() if sys.stdin is not None else ""
        return line.rstrip("\r\n") or None
    return click.prompt("App secret", hide_input=True, default="", show_default=False) or None


@profile_group.command("add")
@click.argument("name")
@click.option("--system", "system", type=click.Choice(["blikk", "vismatid"]), default="blikk", show_default=True,
              help="Which API the profile is for.")
@click.option("--base-url", "base_url", default=None, help="API root URL.")
@click.option("--app-id", required=True, help="The API application's id.")
@click.option("--store", type=click.Choice(["keyring", "file"]), default="keyring", show_default=True,
              help="Where to keep the secret.")
@click.pass_obj
@handle_errors
def profile_add(app: AppContext, name: str, system: str, base_url: str | None, app_id: str, store: str) -> None:
    """Save profile NAME; the secret is prompted for (hidden) or read from stdin."""
    secret = read_secret()
    where = save_profile(name, system=system, base_url=base_url, app_id=app_id, secret=secret, store=store)
    click.echo(f"Saved profile {name!r} in {config_path()} ({where}).")


def _lines(p: ProfileInfo) -> list[str]:
    return [
        f"profile:  {p.name}",
        f"system:   {p.system}",
        f"base url: {p.base_url or '(the system default)'}",
        f"app id:   {p.app_id or '(none)'}",
        f"secret:   {p.secret}",
    ]


@profile_group.command("list")
@click.pass_obj
@handle_errors
def profile_list(app: AppContext) -> None:
    """List saved profiles (name, system, base URL, app id; never the secret)."""
    profiles = list_profiles()
    if not profiles:
        click.echo(f"No profiles in {config_path()}. Add one with 'bulktool profile add NAME --app-id ID'.")
        return
    for p in profiles:
        click.echo(f"{p.name}  {p.system}  {p.base_url or '(default url)'}  app id {p.app_id or '(none)'}")


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
