"""``bulktool import`` (built in the import issue)."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
