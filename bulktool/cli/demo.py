"""``bulktool demo``: see bulktool work with no account and no setup."""

from __future__ import annotations

from pathlib import Path

import click

from ..demo import demo_workbook, run_demo
from ..vendors import SYSTEMS
from . import AppContext, handle_errors
from .export import make_progress, refuse_overwrite


@click.command("demo")
@click.option("--dir", "out_dir", type=click.Path(path_type=Path), default=Path("bulktool-demo"),
              show_default=True, help="Folder for the workbook and the sandbox database.")
@click.option("--contacts", type=int, default=200, show_default=True, help="How many sample records.")
@click.option("--system", "system", type=click.Choice(SYSTEMS, case_sensitive=False), default=None,
              help="Whose sandbox to demo (default: the global --system).")
@click.option("--quiet", "-q", is_flag=True, help="No progress output.")
@click.option("--overwrite", is_flag=True, help="Replace an existing demo workbook (default: refuse).")
@click.pass_obj
@handle_errors
def demo_cmd(
    app: AppContext, out_dir: Path, contacts: int, system: str | None, quiet: bool, overwrite: bool
) -> None:
    """Start the embedded sandbox, export it, and say where the workbook is."""
    name = (system or app.system_name).lower()
    if not overwrite:
        refuse_overwrite(out_dir / demo_workbook(name))
    progress = make_progress(quiet)
    try:
        result = run_demo(out_dir, system=name, contacts=contacts, progress=progress)
    finally:
        progress.close()
    rows = ", ".join(f"{k}: {v}" for k, v in result.export.rows.items())
    click.echo(f"Demo workbook: {result.workbook.resolve()}")
    click.echo(f"Sheets: {rows}")
    click.echo("Next: edit it in Excel or LibreOffice, then rehearse the import against the same sandbox data:")
    for line in result.next_steps:
        click.echo(line)


COMMANDS = [demo_cmd]
