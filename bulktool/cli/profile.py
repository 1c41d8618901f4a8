"""``bulktool profile``: save connection profiles (secrets in the keyring or a private file)."""

from __future__ import annotations

import click

from ..config import config_path, save_profile
from . import AppContext, handle_errors


@click.group("profile")
def profile_group() -> None:
    """Manage saved connection profiles."""


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
    secret = click.prompt("App secret", hide_input=True, default="", show_default=False) or None
    where = save_profile(name, system=system, base_url=base_url, app_id=app_id, secret=secret, store=store)
    click.echo(f"Saved profile {name!r} in {config_path()} ({where}).")


COMMANDS = [profile_group]
